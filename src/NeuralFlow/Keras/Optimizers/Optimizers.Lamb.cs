namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Lamb (<c>keras.optimizers.Lamb</c>, You et al. 2019, "Large batch optimization for deep
    /// learning") with Keras 3's formula and defaults: Adam's bias-corrected step
    /// u = m_hat / (sqrt(v_hat) + epsilon), scaled per variable by the trust ratio
    /// |w| / |u| (1 when either norm is 0): w -= ratio * lr * u. Two slots (m, v). Composed of
    /// tensor ops, so a traced train step replays it.
    /// </summary>
    public sealed class Lamb : Optimizer
    {
        /// <summary>A Lamb optimizer; the betas must lie in [0, 1) and epsilon be at least 0.</summary>
        public Lamb(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
            double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
        {
            Beta1 = beta1 is >= 0 and < 1 ? beta1
                : throw new ArgumentOutOfRangeException(nameof(beta1), beta1, $"Lamb: beta1 must be in the [0, 1) range; got {beta1}.");
            Beta2 = beta2 is >= 0 and < 1 ? beta2
                : throw new ArgumentOutOfRangeException(nameof(beta2), beta2, $"Lamb: beta2 must be in the [0, 1) range; got {beta2}.");
            Epsilon = epsilon >= 0 ? epsilon
                : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"Lamb: epsilon must be at least 0; got {epsilon}.");
        }

        /// <summary>Decay of the first moment.</summary>
        public double Beta1 { get; }
        /// <summary>Decay of the second moment.</summary>
        public double Beta2 { get; }
        /// <summary>Added to the root of the second moment.</summary>
        public double Epsilon { get; }


        /// <inheritdoc/>
        protected override Variable[] CreateSlots(Variable variable) => [ZerosLike(variable), ZerosLike(variable)];

        /// <inheritdoc/>
        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, Tensor learningRate, Tensor step)
        {
            var (m, v) = (slots[0], slots[1]);
            gradient = gradient.DType == variable.DType ? gradient : NF.Cast(gradient, variable.DType);
            m.AssignAdd((gradient - m) * (1 - Beta1));
            v.AssignAdd((NF.Square(gradient) - v) * (1 - Beta2));
            var update = m / (1 - NF.Pow(Beta1, step)) / (NF.Sqrt(v / (1 - NF.Pow(Beta2, step))) + Epsilon);
            var weightNorm = NF.Sqrt(NF.ReduceSum(NF.Square(variable)));
            var updateNorm = NF.Sqrt(NF.ReduceSum(NF.Square(update)));
            var ratio = NF.Where(NF.Greater(weightNorm, 0.0), NF.Where(NF.Greater(updateNorm, 0.0), weightNorm / updateNorm, 1.0), 1.0);
            variable.AssignSub(ratio * learningRate * update);
        }
    }
}
