using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// RMSprop (<c>tf.keras.optimizers.RMSprop</c>): ms = rho ms + (1-rho) g^2;
    /// w -= lr g / (sqrt(ms) + epsilon), with optional momentum.
    /// </summary>
    public sealed class RMSprop(LearningRate? learningRate = null, double rho = 0.9, double momentum = 0, double epsilon = 1e-7)
        : Optimizer(learningRate ?? 0.001)
    {
        /// <summary>Decay of the mean square.</summary>
        public double Rho { get; } = rho;
        /// <summary>Momentum factor (0 disables it).</summary>
        public double Momentum { get; } = momentum;
        /// <summary>Added to the denominator.</summary>
        public double Epsilon { get; } = epsilon;

        /// <inheritdoc/>
        protected override Variable[] CreateSlots(Variable variable) =>
            Momentum > 0 ? [ZerosLike(variable), ZerosLike(variable)] : [ZerosLike(variable)];

        /// <inheritdoc/>
        protected override OptimizerKind? Kind => OptimizerKind.RMSprop;

        /// <inheritdoc/>
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Momentum: Momentum, Rho: Rho, Epsilon: Epsilon, Step: step);
    }
}
