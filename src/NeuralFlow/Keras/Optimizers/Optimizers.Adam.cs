using NeuralFlow.Backends;

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
        protected override OptimizerKind? Kind => OptimizerKind.Adam;

        /// <inheritdoc/>
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Beta1: Beta1, Beta2: Beta2, Epsilon: Epsilon, Step: step);
    }
}
