namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>Fraction of predictions equal to the targets (<c>tf.keras.metrics.Accuracy</c>).</summary>
    public sealed class Accuracy(string name = "accuracy") : MeanMetricWrapper(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            (yTrue, yPred) = Targets.Align("Accuracy", yTrue, yPred);
            return NF.Equal(NF.Cast(yTrue, DType.Float64), NF.Cast(yPred, DType.Float64));
        }
    }

    /// <summary>
    /// Fraction of labels equal to the prediction thresholded at <paramref name="threshold"/> (1 above it, else 0;
    /// <c>keras.metrics.BinaryAccuracy</c>): labels other than 0 and 1 never match, as in Keras.
    /// </summary>
    public sealed class BinaryAccuracy(string name = "binary_accuracy", double threshold = 0.5) : MeanMetricWrapper(name)
    {
        /// <summary>Predictions above it count as 1.</summary>
        public double Threshold { get; } = threshold;

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            (yTrue, yPred) = Targets.Align("BinaryAccuracy", yTrue, yPred);
            // Keras compares the labels as they are with the thresholded predictions, so a soft
            // label (0.9, a smoothed 1) matches neither 0 nor 1; rounding the labels at 0.5 differed.
            return NF.Equal(NF.Cast(yTrue, DType.Float64), NF.Cast(NF.Greater(yPred, Threshold), DType.Float64));
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Losses.With(base.GetConfig(), ("threshold", Threshold));
    }

    /// <summary>Fraction of rows whose arg-max matches the one-hot target's (<c>tf.keras.metrics.CategoricalAccuracy</c>).</summary>
    public sealed class CategoricalAccuracy(string name = "categorical_accuracy") : MeanMetricWrapper(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            (yTrue, yPred) = Targets.Align("CategoricalAccuracy", yTrue, yPred);
            return NF.Equal(NF.ArgMax(yTrue, -1), NF.ArgMax(yPred, -1));
        }
    }

    /// <summary>Fraction of rows whose arg-max equals the integer label (<c>tf.keras.metrics.SparseCategoricalAccuracy</c>).</summary>
    public sealed class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : MeanMetricWrapper(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            var labels = Targets.SparseLabels("SparseCategoricalAccuracy", yTrue, yPred);
            return NF.Equal(NF.Cast(labels, DType.Int64), NF.ArgMax(yPred, -1));
        }
    }

    /// <summary>
    /// Fraction of rows whose one-hot target's class is among the <c>k</c> highest predictions
    /// (<c>tf.keras.metrics.TopKCategoricalAccuracy</c>). Ties at the k-th place count as hits,
    /// as TensorFlow's <c>in_top_k</c>.
    /// </summary>
    public sealed class TopKCategoricalAccuracy(int k = 5, string name = "top_k_categorical_accuracy") : MeanMetricWrapper(name)
    {
        /// <summary>How many of the highest predictions may hold the target.</summary>
        public int K { get; } = k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "TopKCategoricalAccuracy: k must be positive.");

        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            (yTrue, yPred) = Targets.Align("TopKCategoricalAccuracy", yTrue, yPred);
            return InTopK(NF.ArgMax(yTrue, -1), yPred, K);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Losses.With(base.GetConfig(), ("k", K));
    }

    /// <summary>
    /// Fraction of rows whose integer label is among the <c>k</c> highest predictions
    /// (<c>tf.keras.metrics.SparseTopKCategoricalAccuracy</c>); ties count as hits, as <c>in_top_k</c>.
    /// With <paramref name="fromSortedIds"/>, the predictions are instead each row's top class ids
    /// (or any category ids), best first, (batch, N) with N &gt;= k, as a retrieval model gives them:
    /// a hit is the label among the first k (Keras' <c>from_sorted_ids</c>).
    /// </summary>
    public sealed class SparseTopKCategoricalAccuracy(int k = 5, string name = "sparse_top_k_categorical_accuracy", bool fromSortedIds = false)
        : MeanMetricWrapper(name)
    {
        /// <summary>How many of the highest predictions may hold the label.</summary>
        public int K { get; } = k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "SparseTopKCategoricalAccuracy: k must be positive.");

        /// <summary>Whether the predictions are sorted category ids rather than scores of every class.</summary>
        public bool FromSortedIds { get; } = fromSortedIds;

        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            const string who = "SparseTopKCategoricalAccuracy";
            if (!FromSortedIds) return InTopK(Targets.SparseLabels(who, yTrue, yPred), yPred, K);
            // Ids are any numbers, not class positions: no range check.
            var labels = Targets.SparseLabels(who, yTrue, yPred, checkRange: false);
            if (yPred.Shape[-1] < K)
                throw new ArgumentException($"{who}: fromSortedIds needs at least k = {K} ids per row, but yPred has shape {yPred.Shape}.", nameof(yPred));
            var size = yPred.Shape.ToArray();
            size[^1] = K;
            var top = NF.Slice(yPred, new int[yPred.Rank], size);
            // Keras compares the labels in the ids' dtype; any of the first k may match.
            return NF.ReduceAny(NF.Equal(NF.ExpandDims(NF.Cast(labels, yPred.DType), -1), top), -1);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig()
        {
            var config = Losses.With(base.GetConfig(), ("k", K));
            if (FromSortedIds) config["from_sorted_ids"] = true; // Keras writes it only when set
            return config;
        }
    }

    // NF.InTopK over every row of a (..., classes) prediction: the rows flattened as Keras' top-k metrics flatten them.
    private static Tensor InTopK(Tensor labels, Tensor yPred, int k)
    {
        var rows = NF.Reshape(yPred, [-1, yPred.Shape[-1]]);
        return NF.Reshape(NF.InTopK(NF.Reshape(labels, [-1]), rows, k), labels.Shape.ToArray());
    }
}
