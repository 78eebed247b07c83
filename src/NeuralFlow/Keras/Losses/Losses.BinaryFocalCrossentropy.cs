namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// Binary cross-entropy scaled by a focal factor (1 - p_t)^gamma that down-weights easy
    /// examples (Lin et al., 2018), averaged over the last axis
    /// (<c>tf.keras.losses.BinaryFocalCrossentropy</c>, Keras 3 and TF 2.11+ semantics): p_t is the
    /// probability given to the true class; with <c>applyClassBalancing</c> class 1 is further
    /// weighted by alpha and class 0 by 1 - alpha. Logits go through a sigmoid first, as Keras does.
    /// </summary>
    public sealed class BinaryFocalCrossentropy(
        bool applyClassBalancing = false, double alpha = 0.25, double gamma = 2.0, bool fromLogits = false,
        double labelSmoothing = 0, string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <summary>Whether classes are weighted by alpha (class 1) and 1 - alpha (class 0).</summary>
        public bool ApplyClassBalancing { get; } = applyClassBalancing;
        /// <summary>The weight of class 1 when balancing, in [0, 1].</summary>
        public double Alpha { get; } = alpha is >= 0 and <= 1 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "BinaryFocalCrossentropy: alpha must be in [0, 1].");
        /// <summary>The focusing exponent (0 gives plain binary cross-entropy).</summary>
        public double Gamma { get; } = gamma >= 0 ? gamma : throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "BinaryFocalCrossentropy: gamma must be non-negative.");
        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; } = fromLogits;
        /// <summary>How far targets move toward 0.5, in [0, 1].</summary>
        public double LabelSmoothing { get; } = CheckSmoothing(labelSmoothing, "BinaryFocalCrossentropy");
        /// <inheritdoc/>
        public override string Name => "binary_focal_crossentropy";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) =>
            PerExample(yTrue, yPred, ApplyClassBalancing, Alpha, Gamma, FromLogits, LabelSmoothing);
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => With(base.GetConfig(),
            ("apply_class_balancing", ApplyClassBalancing), ("alpha", Alpha), ("gamma", Gamma),
            ("from_logits", FromLogits), ("label_smoothing", LabelSmoothing));

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, bool applyClassBalancing = false, double alpha = 0.25,
            double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0)
        {
            (var y, yPred) = Aligned("BinaryFocalCrossentropy", yTrue, yPred);
            if (labelSmoothing != 0) y = y * (1 - labelSmoothing) + 0.5 * labelSmoothing;
            var p = fromLogits ? NF.Sigmoid(yPred) : yPred;
            var bce = BinaryCrossentropy.Elementwise(y, p, fromLogits: false);
            var pT = y * p + (1 - y) * (1 - p);
            var focal = NF.Pow(1 - pT, Exponent(gamma, pT)) * bce;
            if (applyClassBalancing) focal = (y * alpha + (1 - y) * (1 - alpha)) * focal;
            return MeanLastAxis(focal);
        }

        // gamma as a tensor of the base's dtype and device: NF.Pow's gradient with a plain double
        // exponent mixes float64 into a float32 graph (its x^(y-1) term) and fails.
        internal static Tensor Exponent(double gamma, Tensor like)
        {
            using var on = NF.UseBackend(like.Backend);
            return NF.Cast(NF.Constant(gamma), like.DType);
        }
    }
}
