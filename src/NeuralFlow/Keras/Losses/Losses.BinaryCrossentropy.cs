namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// Cross-entropy of 0/1 targets and probabilities (or logits with <c>fromLogits</c>), averaged
    /// over the last axis (<c>tf.keras.losses.BinaryCrossentropy</c>). <c>labelSmoothing</c> moves
    /// targets toward 0.5: y * (1 - s) + 0.5 * s.
    /// </summary>
    public sealed class BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0, string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; } = fromLogits;
        /// <summary>How far targets move toward 0.5, in [0, 1].</summary>
        public double LabelSmoothing { get; } = CheckSmoothing(labelSmoothing, "BinaryCrossentropy");
        /// <inheritdoc/>
        public override string Name => "binary_crossentropy";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, FromLogits, LabelSmoothing);
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => With(base.GetConfig(), ("from_logits", FromLogits), ("label_smoothing", LabelSmoothing));

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, bool fromLogits = false, double labelSmoothing = 0)
        {
            (var y, yPred) = Aligned("BinaryCrossentropy", yTrue, yPred);
            if (labelSmoothing != 0) y = y * (1 - labelSmoothing) + 0.5 * labelSmoothing;
            return MeanLastAxis(Elementwise(y, yPred, fromLogits));
        }

        /// <summary>The cross-entropy of each element (Keras' <c>ops.binary_crossentropy</c>).</summary>
        internal static Tensor Elementwise(Tensor y, Tensor yPred, bool fromLogits) => fromLogits
            ? WithLogits(y, yPred)
            : -(y * NF.Log(Clip(yPred)) + (1 - y) * NF.Log(1 - Clip(yPred)));

        // max(x, 0) - x*y + log(1 + e^-|x|) = softplus(x) - x*y: stable for any logit, TensorFlow's
        // sigmoid_cross_entropy_with_logits (see Softplus for the gradient at x = 0, where
        // zero-initialised logits start).
        private static Tensor WithLogits(Tensor y, Tensor x) => Softplus(x) - x * y;
    }

    internal static double CheckSmoothing(double labelSmoothing, string who) =>
        labelSmoothing is >= 0 and <= 1 ? labelSmoothing
            : throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"{who}: labelSmoothing must be in [0, 1].");

    /// <summary>A config with more entries.</summary>
    internal static Dictionary<string, object?> With(Dictionary<string, object?> config, params (string Key, object? Value)[] entries)
    {
        foreach (var (k, v) in entries) config[k] = v;
        return config;
    }
}
