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
        [MethodImpl(Hot)]
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, FromLogits);

        /// <summary>One value per example: -log(yPred[label]).</summary>
        [MethodImpl(Hot)]
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, bool fromLogits = false)
        {
            // The fused kernel checks the labels' range itself (on every engine); the one-hot path cannot.
            var logits = FusedLogits(yPred, fromLogits);
            var labels = Targets.SparseLabels("SparseCategoricalCrossentropy", yTrue, yPred, checkRange: logits is null);
            if (logits is not null)
                return NF.SoftmaxCrossEntropy(logits, labels, sparse: true);
            var oneHot = NF.OneHot(labels, yPred.Shape[-1], dtype: yPred.DType);
            return -NF.ReduceSum(oneHot * LogProbabilities(yPred, fromLogits), -1);
        }
    }
}
