using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Adagrad (<c>tf.keras.optimizers.Adagrad</c>): acc += g^2; w -= lr g / sqrt(acc + epsilon),
    /// the accumulator starting at <paramref name="initialAccumulatorValue"/> (epsilon inside the root
    /// as Keras 3; PyTorch adds it outside).
    /// </summary>
    public sealed class Adagrad(LearningRate? learningRate = null, double initialAccumulatorValue = 0.1, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
        : Optimizer(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
    {
        /// <summary>Added to the denominator.</summary>
        public double Epsilon { get; } = epsilon;

        /// <summary>Where each accumulator starts.</summary>
        public double InitialAccumulatorValue { get; } = initialAccumulatorValue;

        /// <inheritdoc/>
        protected override double InitialSlotValue(int index) => InitialAccumulatorValue;

        /// <inheritdoc/>
        protected override OptimizerKind? Kind => OptimizerKind.Adagrad;

        /// <inheritdoc/>
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Epsilon: Epsilon, Step: step);
    }
}
