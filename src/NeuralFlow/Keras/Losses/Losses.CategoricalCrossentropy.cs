namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// Cross-entropy of one-hot targets and class probabilities (or logits with
    /// <c>fromLogits</c>) over the last axis (<c>tf.keras.losses.CategoricalCrossentropy</c>).
    /// <c>labelSmoothing</c> mixes targets with the uniform distribution: y * (1 - s) + s / classes.
    /// </summary>
    public sealed class CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0, string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; } = fromLogits;
        /// <summary>How much of the uniform distribution targets are mixed with, in [0, 1].</summary>
        public double LabelSmoothing { get; } = CheckSmoothing(labelSmoothing, "CategoricalCrossentropy");
        /// <inheritdoc/>
        public override string Name => "categorical_crossentropy";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, FromLogits, LabelSmoothing);
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => With(base.GetConfig(), ("from_logits", FromLogits), ("label_smoothing", LabelSmoothing));

        /// <summary>One value per example: -sum(yTrue * log(yPred)).</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, bool fromLogits = false, double labelSmoothing = 0)
        {
            (var y, yPred) = Aligned("CategoricalCrossentropy", yTrue, yPred);
            if (labelSmoothing != 0 && y.Rank > 0) y = y * (1 - labelSmoothing) + labelSmoothing / y.Shape[-1];
            if (FusedLogits(yPred, fromLogits) is { } logits)
                return NF.SoftmaxCrossEntropy(logits, y, sparse: false);
            return -NF.ReduceSum(y * LogProbabilities(yPred, fromLogits), -1);
        }
    }

    /// <summary>
    /// The logits to feed the fused softmax cross-entropy kernel: yPred itself with fromLogits, or,
    /// as Keras does, the input of the softmax that produced yPred; null when neither applies.
    /// </summary>
    [MethodImpl(Hot)]
    internal static Tensor? FusedLogits(Tensor yPred, bool fromLogits)
    {
        var logits = fromLogits ? yPred : yPred.SoftmaxOf;
        return logits is { Rank: 2 } && logits.DType.IsFloating() && !logits.IsDisposed ? logits : null;
    }

    /// <summary>log of class probabilities: log-softmax of logits, or the log of clipped, renormalised probabilities (as Keras).</summary>
    internal static Tensor LogProbabilities(Tensor yPred, bool fromLogits) =>
        fromLogits ? NF.LogSoftmax(yPred) : NF.Log(Clip(yPred / NF.ReduceSum(yPred, -1, keepDims: true)));
}
