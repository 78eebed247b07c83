namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// Categorical cross-entropy scaled by a focal factor (Lin et al., 2018)
    /// (<c>keras.losses.CategoricalFocalCrossentropy</c>, Keras 3): per class,
    /// alpha * (1 - p)^gamma * -y log p, summed over <see cref="Axis"/>, where p are the
    /// predictions renormalised to sum to 1 and clipped to [eps, 1 - eps] (after a softmax with
    /// <c>fromLogits</c>). Alpha is one number or one per class.
    /// </summary>
    public sealed class CategoricalFocalCrossentropy : Loss
    {
        /// <summary>A loss with one alpha for every class (Keras' defaults: alpha 0.25, gamma 2).</summary>
        public CategoricalFocalCrossentropy(double alpha = 0.25, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0,
            int axis = -1, string? reduction = SumOverBatchSize)
            : this([alpha], gamma, fromLogits, labelSmoothing, axis, reduction, perClass: false) { }

        /// <summary>A loss with one alpha per class (Keras' list form of <c>alpha</c>), e.g. inverse class frequencies.</summary>
        public CategoricalFocalCrossentropy(double[] alpha, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0,
            int axis = -1, string? reduction = SumOverBatchSize)
            : this(alpha, gamma, fromLogits, labelSmoothing, axis, reduction, perClass: true) { }

        private CategoricalFocalCrossentropy(double[] alpha, double gamma, bool fromLogits, double labelSmoothing, int axis, string? reduction, bool perClass)
            : base(reduction)
        {
            ArgumentNullException.ThrowIfNull(alpha);
            if (alpha.Length == 0 || alpha.Any(a => !double.IsFinite(a)))
                throw new ArgumentOutOfRangeException(nameof(alpha), "CategoricalFocalCrossentropy: alpha must be finite numbers, one or one per class.");
            Alphas = [.. alpha];
            PerClassAlpha = perClass;
            Gamma = gamma is >= 0 and < double.PositiveInfinity ? gamma
                : throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "CategoricalFocalCrossentropy: gamma must be a finite number of at least 0.");
            FromLogits = fromLogits;
            LabelSmoothing = CheckSmoothing(labelSmoothing, "CategoricalFocalCrossentropy");
            Axis = axis;
        }

        /// <summary>The class weights: one number for all classes, or one per class (<see cref="PerClassAlpha"/>).</summary>
        public IReadOnlyList<double> Alphas { get; }
        /// <summary>Whether <see cref="Alphas"/> holds one weight per class.</summary>
        public bool PerClassAlpha { get; }
        /// <summary>The focusing exponent (0: alpha times plain categorical cross-entropy).</summary>
        public double Gamma { get; }
        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; }
        /// <summary>How much of the uniform distribution targets are mixed with, in [0, 1].</summary>
        public double LabelSmoothing { get; }
        /// <summary>The class axis.</summary>
        public int Axis { get; }
        /// <inheritdoc/>
        public override string Name => "categorical_focal_crossentropy";

        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred)
        {
            (var y, yPred) = Aligned("CategoricalFocalCrossentropy", yTrue, yPred);
            int axis = Axis < 0 ? Axis + yPred.Rank : Axis;
            if (axis < 0 || axis >= yPred.Rank)
                throw new ArgumentException($"CategoricalFocalCrossentropy: axis {Axis} is outside predictions of shape {yPred.Shape}.", nameof(yPred));
            if (PerClassAlpha && Alphas.Count != yPred.Shape[axis])
                throw new ArgumentException($"CategoricalFocalCrossentropy: alpha has {Alphas.Count} values but predictions have {yPred.Shape[axis]} classes on axis {Axis}.", nameof(yPred));
            if (LabelSmoothing != 0) y = y * (1 - LabelSmoothing) + LabelSmoothing / yPred.Shape[axis];
            var p = FromLogits ? NF.Softmax(yPred, axis) : yPred;
            p = Clip(p / NF.ReduceSum(p, axis, keepDims: true));
            var focal = NF.Pow(1 - p, BinaryFocalCrossentropy.Exponent(Gamma, p)) * (-y * NF.Log(p));
            return NF.ReduceSum(focal * AlphaTensor(p, axis), axis);
        }

        // Alpha shaped to broadcast along the class axis, in the predictions' dtype and device.
        private Tensor AlphaTensor(Tensor like, int axis)
        {
            if (!PerClassAlpha) return Alphas[0];
            using var on = NF.UseBackend(like.Backend);
            var dims = Enumerable.Repeat(1, like.Rank).ToArray();
            dims[axis] = Alphas.Count;
            return NF.Reshape(NF.Cast(NF.Constant(Alphas.ToArray()), like.DType), dims);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => With(base.GetConfig(),
            ("alpha", PerClassAlpha ? Alphas.ToArray() : Alphas[0]), ("gamma", Gamma), ("from_logits", FromLogits),
            ("label_smoothing", LabelSmoothing), ("axis", Axis));
    }
}
