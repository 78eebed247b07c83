namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Lion (<c>keras.optimizers.Lion</c>, Chen et al. 2023) with Keras 3's formula and defaults:
    /// w -= lr * sign(beta1 m + (1 - beta1) g); then m = beta2 m + (1 - beta2) g. One slot (m).
    /// No fused kernel: the step is composed of tensor ops, with the learning rate as a tensor,
    /// so a traced train step replays it.
    /// </summary>
    public sealed class Lion : Optimizer
    {
        /// <summary>
        /// A Lion optimizer. As Keras, beta1 must lie in (0, 1] (0 would make it SignSGD); beta2
        /// must lie in [0, 1] (Keras leaves it unchecked; outside, the momentum diverges).
        /// </summary>
        public Lion(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.99,
            double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
        {
            Beta1 = beta1 is > 0 and <= 1 ? beta1
                : throw new ArgumentOutOfRangeException(nameof(beta1), beta1, $"Lion: beta1 must be in the (0, 1] range (0 degenerates to SignSGD); got {beta1}.");
            Beta2 = beta2 is >= 0 and <= 1 ? beta2
                : throw new ArgumentOutOfRangeException(nameof(beta2), beta2, $"Lion: beta2 must be in the [0, 1] range; got {beta2}.");
        }

        /// <summary>How much of the momentum (vs the gradient) the sign of the update sees.</summary>
        public double Beta1 { get; }
        /// <summary>Decay of the momentum.</summary>
        public double Beta2 { get; }


        /// <inheritdoc/>
        protected override Variable[] CreateSlots(Variable variable) => [ZerosLike(variable)];

        /// <inheritdoc/>
        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, Tensor learningRate, Tensor step)
        {
            var m = slots[0];
            gradient = gradient.DType == variable.DType ? gradient : NF.Cast(gradient, variable.DType);
            variable.AssignSub(learningRate * NF.Sign(m * Beta1 + gradient * (1 - Beta1)));
            m.Assign(m * Beta2 + gradient * (1 - Beta2));
        }
    }
}
