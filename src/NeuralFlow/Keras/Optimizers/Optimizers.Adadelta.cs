using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Adadelta (<c>keras.optimizers.Adadelta</c>): ag = rho ag + (1-rho) g^2;
    /// d = -sqrt(ad + eps) g / sqrt(ag + eps); ad = rho ad + (1-rho) d^2; w += lr d.
    /// </summary>
    public sealed class Adadelta(LearningRate? learningRate = null, double rho = 0.95, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
        : Optimizer(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
    {
        /// <summary>Decay of both accumulators.</summary>
        public double Rho { get; } = rho;
        /// <summary>Added inside both roots.</summary>
        public double Epsilon { get; } = epsilon;

        /// <inheritdoc/>
        protected override OptimizerKind? Kind => OptimizerKind.Adadelta;

        /// <inheritdoc/>
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Epsilon: Epsilon, Rho: Rho, Step: step);
    }
}
