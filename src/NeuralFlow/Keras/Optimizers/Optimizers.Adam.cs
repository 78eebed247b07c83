using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Adam (<c>tf.keras.optimizers.Adam</c>): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
    /// w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + epsilon). With <paramref name="amsgrad"/>,
    /// the denominator uses the largest v so far (a third slot), as Keras' AMSGrad.
    /// </summary>
    public class Adam(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
        : Optimizer(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
    {
        /// <summary>Decay of the first moment.</summary>
        public double Beta1 { get; } = beta1;
        /// <summary>Decay of the second moment.</summary>
        public double Beta2 { get; } = beta2;
        /// <summary>Added to the denominator.</summary>
        public double Epsilon { get; } = epsilon;
        /// <summary>Whether the AMSGrad variant is used.</summary>
        public bool Amsgrad { get; } = amsgrad;

        /// <inheritdoc/>
        protected override OptimizerKind? Kind => OptimizerKind.Adam;

        /// <inheritdoc/>
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Beta1: Beta1, Beta2: Beta2, Epsilon: Epsilon, Step: step, Amsgrad: Amsgrad);
    }

    /// <summary>
    /// AdamW (<c>keras.optimizers.AdamW</c>): Adam with decoupled weight decay, w -= w * wd * lr
    /// before each Adam step; Keras' default <paramref name="weightDecay"/> is 0.004.
    /// </summary>
    public sealed class AdamW(LearningRate? learningRate = null, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-7, bool amsgrad = false, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
        : Adam(learningRate, beta1, beta2, epsilon, amsgrad, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name);
}
