namespace NeuralFlow.Keras;

public static partial class Losses
{
    /// <summary>
    /// Cross-entropy of one-hot targets and class probabilities (or logits with
    /// <c>fromLogits</c>) over the last axis (<c>tf.keras.losses.CategoricalCrossentropy</c>).
    /// </summary>
    public sealed class CategoricalCrossentropy(bool fromLogits = false) : Loss
    {
        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; } = fromLogits;
        /// <inheritdoc/>
        public override string Name => "categorical_crossentropy";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, FromLogits);

        /// <summary>One value per example: -sum(yTrue * log(yPred)).</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, bool fromLogits = false)
        {
            (var y, yPred) = Aligned("CategoricalCrossentropy", yTrue, yPred);
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
