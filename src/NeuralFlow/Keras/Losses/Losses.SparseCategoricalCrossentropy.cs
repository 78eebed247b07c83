namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// Cross-entropy of integer class labels and class probabilities (or logits with
    /// <c>fromLogits</c>) (<c>tf.keras.losses.SparseCategoricalCrossentropy</c>). Targets equal to
    /// <c>ignoreClass</c> (a padding or "void" label, which may lie outside [0, classes)) add
    /// nothing, and the default reduction averages over the other targets only, as Keras masks them.
    /// </summary>
    public sealed class SparseCategoricalCrossentropy(bool fromLogits = false, int? ignoreClass = null, string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; } = fromLogits;
        /// <summary>The label that is ignored, or null.</summary>
        public int? IgnoreClass { get; } = ignoreClass;
        /// <inheritdoc/>
        public override string Name => "sparse_categorical_crossentropy";
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, FromLogits, IgnoreClass);
        /// <inheritdoc/>
        protected internal override (Tensor Values, Tensor? Valid) Evaluate(Tensor yTrue, Tensor yPred) =>
            WithValid(yTrue, yPred, FromLogits, IgnoreClass);
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig()
        {
            var c = With(base.GetConfig(), ("from_logits", FromLogits));
            if (IgnoreClass is int i) c["ignore_class"] = i;
            return c;
        }

        /// <summary>One value per example: -log(yPred[label]); 0 where the label is <paramref name="ignoreClass"/>.</summary>
        [MethodImpl(Hot)]
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, bool fromLogits = false, int? ignoreClass = null) =>
            WithValid(yTrue, yPred, fromLogits, ignoreClass).Values;

        [MethodImpl(Hot)]
        private static (Tensor Values, Tensor? Valid) WithValid(Tensor yTrue, Tensor yPred, bool fromLogits, int? ignoreClass)
        {
            const string who = "SparseCategoricalCrossentropy";
            var logits = FusedLogits(yPred, fromLogits);
            var labels = Targets.SparseLabels(who, yTrue, yPred, checkRange: false);
            Tensor? valid = null;
            if (ignoreClass is int ignore)
            {
                // Ignored labels become class 0 before the range check and the kernel, then their losses 0.
                valid = Where(NF.NotEqual(labels, ignore), yPred.DType);
                labels = labels * NF.Cast(valid, labels.DType);
            }
            // The fused kernel checks the labels' range itself (on every engine); the one-hot path cannot.
            if (logits is null) Targets.CheckLabelRange(who, labels, yPred.Shape[-1]);
            Tensor values;
            if (logits is not null)
            {
                try
                {
                    values = NF.SoftmaxCrossEntropy(logits, labels, sparse: true);
                }
                catch (ArgumentException) when (labels.Count > 0)
                {
                    // The kernel refused a label outside [0, classes) in the kernel's own words; Keras'
                    // message names the loss and the label's position, so the labels are read to say it.
                    Targets.CheckLabelRange(who, labels, yPred.Shape[-1]);
                    throw;
                }
            }
            else
            {
                var oneHot = NF.OneHot(labels, yPred.Shape[-1], dtype: yPred.DType);
                values = -NF.ReduceSum(oneHot * LogProbabilities(yPred, fromLogits), -1);
            }
            return (valid is null ? values : values * valid, valid);
        }
    }
}
