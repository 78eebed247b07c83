using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// RMSprop (<c>tf.keras.optimizers.RMSprop</c>): ms = rho ms + (1-rho) g^2;
    /// w -= lr g / sqrt(ms + epsilon), with optional momentum. <paramref name="centered"/> also
    /// averages g (a third slot) and divides by sqrt(ms - mean(g)^2 + epsilon).
    /// </summary>
    /// <remarks>
    /// Epsilon sits inside the root as in Keras 3 (and tf.keras since 2.11); PyTorch and tf.keras'
    /// legacy optimizer_v2 add it outside, sqrt(ms) + epsilon, which differs by tens of percent
    /// for gradients near sqrt(epsilon) (about 1e-3 with the default 1e-7).
    /// </remarks>
    public sealed class RMSprop(LearningRate? learningRate = null, double rho = 0.9, double momentum = 0, double epsilon = 1e-7,
        bool centered = false, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
        : Optimizer(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
    {
        /// <summary>Decay of the mean square.</summary>
        public double Rho { get; } = rho is >= 0 and <= 1 ? rho : throw new ArgumentOutOfRangeException(nameof(rho), rho, "RMSprop: rho must be in [0, 1].");
        /// <summary>Momentum factor (0 disables it).</summary>
        public double Momentum { get; } = momentum is >= 0 and <= 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "RMSprop: momentum must be in [0, 1].");
        /// <summary>Added to the denominator.</summary>
        public double Epsilon { get; } = epsilon;
        /// <summary>Whether the gradient is normalized by its estimated variance rather than its second moment.</summary>
        public bool Centered { get; } = centered;

        /// <inheritdoc/>
        protected override OptimizerKind? Kind => OptimizerKind.RMSprop;

        /// <inheritdoc/>
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Momentum: Momentum, Rho: Rho, Epsilon: Epsilon, Step: step, Centered: Centered);
    }
}
