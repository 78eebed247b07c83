namespace NeuralFlow.Keras;

public static partial class Losses
{
    /// <summary>
    /// Cross-entropy of integer class labels and class probabilities (or logits with
    /// <c>fromLogits</c>) (<c>tf.keras.losses.SparseCategoricalCrossentropy</c>).
    /// </summary>
    public sealed class SparseCategoricalCrossentropy(bool fromLogits = false) : Loss
    {
        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; } = fromLogits;
        /// <inheritdoc/>
        public override string Name => "sparse_categorical_crossentropy";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, FromLogits);

        /// <summary>One value per example: -log(yPred[label]).</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, bool fromLogits = false)
        {
            var labels = yTrue.DType.IsFloating() ? NF.Cast(yTrue, DType.Int64) : yTrue;
            if (labels.Rank == yPred.Rank && labels.Shape[-1] == 1) labels = NF.Squeeze(labels, -1);
            if (labels.Rank != yPred.Rank - 1)
                throw new ArgumentException($"SparseCategoricalCrossentropy: labels of shape {yTrue.Shape} do not match predictions of shape {yPred.Shape}; expected labels of shape {new Shape(yPred.Shape.ToArray()[..^1])}.");
            if (FusedLogits(yPred, fromLogits) is { } logits && labels.DType is DType.Int32 or DType.Int64 or DType.UInt8)
                return NF.SoftmaxCrossEntropy(logits, labels, sparse: true);
            var oneHot = NF.OneHot(labels, yPred.Shape[-1], dtype: yPred.DType);
            return -NF.ReduceSum(oneHot * LogProbabilities(yPred, fromLogits), -1);
        }
    }
}
