namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Adam (<c>tf.keras.optimizers.Adam</c>): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
    /// w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + epsilon).
    /// </summary>
    public sealed class Adam(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7)
        : Optimizer(learningRate ?? 0.001)
    {
        /// <summary>Decay of the first moment.</summary>
        public double Beta1 { get; } = beta1;
        /// <summary>Decay of the second moment.</summary>
        public double Beta2 { get; } = beta2;
        /// <summary>Added to the denominator.</summary>
        public double Epsilon { get; } = epsilon;

        /// <inheritdoc/>
        protected override Variable[] CreateSlots(Variable variable) => [ZerosLike(variable), ZerosLike(variable)];

        /// <inheritdoc/>
        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, double learningRate, long step)
        {
            var (m, v) = (slots[0], slots[1]);
            m.Assign(Beta1 * m + (1 - Beta1) * gradient);
            v.Assign(Beta2 * v + (1 - Beta2) * NF.Square(gradient));
            double alpha = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step));
            variable.AssignSub(alpha * m / (NF.Sqrt(v) + Epsilon));
        }
    }
}
