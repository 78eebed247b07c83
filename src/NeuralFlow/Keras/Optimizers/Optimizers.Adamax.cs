using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Adamax (<c>keras.optimizers.Adamax</c>): Adam with the infinity norm,
    /// m += (g - m)(1-b1); u = max(b2 u, |g|); w -= lr m / ((1-b1^t)(u + epsilon)).
    /// </summary>
    public sealed class Adamax(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
        : Optimizer(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
    {
        /// <summary>Decay of the first moment.</summary>
        public double Beta1 { get; } = beta1;
        /// <summary>Decay of the infinity norm.</summary>
        public double Beta2 { get; } = beta2;
        /// <summary>Added to the denominator.</summary>
        public double Epsilon { get; } = epsilon;

        /// <inheritdoc/>
        protected override OptimizerKind? Kind => OptimizerKind.Adamax;

        /// <inheritdoc/>
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Beta1: Beta1, Beta2: Beta2, Epsilon: Epsilon, Step: step);
    }
}
