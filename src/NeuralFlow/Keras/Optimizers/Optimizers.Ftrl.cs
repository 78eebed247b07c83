using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// FTRL-Proximal (<c>keras.optimizers.Ftrl</c>, McMahan et al. 2013) with Keras 3's formula
    /// and defaults: per element, n' = n + g^2; z += (g + 2 l2Shrinkage w) - (n'^-p - n^-p)/lr w;
    /// w = (clip(z, -l1, l1) - z) / (n'^-p / lr + 2 (l2 + beta/(2 lr))); n = n', with p =
    /// <c>learningRatePower</c>. The accumulator n starts at
    /// <c>initialAccumulatorValue</c>, the linear term z at 0. One fused kernel per
    /// variable on every engine (nf_optimizer_update_ex, kind Ftrl).
    /// </summary>
    public sealed class Ftrl : Optimizer
    {
        /// <summary>An Ftrl optimizer; Keras raises for a positive power or a negative strength, and so does this.</summary>
        public Ftrl(LearningRate? learningRate = null, double learningRatePower = -0.5, double initialAccumulatorValue = 0.1,
            double l1RegularizationStrength = 0, double l2RegularizationStrength = 0, double l2ShrinkageRegularizationStrength = 0,
            double beta = 0, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
        {
            if (!(learningRatePower <= 0))
                throw new ArgumentOutOfRangeException(nameof(learningRatePower), learningRatePower, "Ftrl: learningRatePower needs to be negative or zero.");
            InitialAccumulatorValue = NotNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
            LearningRatePower = learningRatePower;
            L1RegularizationStrength = NotNegative(l1RegularizationStrength, nameof(l1RegularizationStrength));
            L2RegularizationStrength = NotNegative(l2RegularizationStrength, nameof(l2RegularizationStrength));
            L2ShrinkageRegularizationStrength = NotNegative(l2ShrinkageRegularizationStrength, nameof(l2ShrinkageRegularizationStrength));
            Beta = NotNegative(beta, nameof(beta));
        }

        private static double NotNegative(double value, string name) =>
            value >= 0 && !double.IsInfinity(value) ? value
                : throw new ArgumentOutOfRangeException(name, value, $"Ftrl: {name} needs to be a finite number, positive or zero.");

        /// <summary>How the per-element rate falls with the accumulator (0: a fixed rate).</summary>
        public double LearningRatePower { get; }
        /// <summary>Where each accumulator starts.</summary>
        public double InitialAccumulatorValue { get; }
        /// <summary>L1 strength: a weight whose linear term stays within ±this is exactly 0.</summary>
        public double L1RegularizationStrength { get; }
        /// <summary>The stabilising L2 strength of the paper.</summary>
        public double L2RegularizationStrength { get; }
        /// <summary>The magnitude penalty: 2 * this * w is added to the gradient.</summary>
        public double L2ShrinkageRegularizationStrength { get; }
        /// <summary>The paper's beta (adds beta / (2 lr) to the L2 strength).</summary>
        public double Beta { get; }

        /// <inheritdoc/>
        protected override OptimizerKind? Kind => OptimizerKind.Ftrl;

        /// <inheritdoc/>
        protected override double InitialSlotValue(int index) => index == 0 ? InitialAccumulatorValue : 0;

        /// <inheritdoc/>
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Step: step, LrPower: LearningRatePower, L1: L1RegularizationStrength, L2: L2RegularizationStrength,
                L2Shrinkage: L2ShrinkageRegularizationStrength, Beta: Beta);
    }
}
