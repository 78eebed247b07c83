namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>Which cells of the confusion matrix a metric keeps.</summary>
    [Flags]
    internal enum Cells { TruePositives = 1, FalsePositives = 2, TrueNegatives = 4, FalseNegatives = 8 }

    // Keras' names for the state variables.
    private static string StateName(Cells cell) => cell switch
    {
        Cells.TruePositives => "true_positives",
        Cells.FalsePositives => "false_positives",
        Cells.TrueNegatives => "true_negatives",
        _ => "false_negatives",
    };

    /// <summary>
    /// A metric over the confusion matrix at one or more thresholds (Keras'
    /// <c>metrics_utils.update_confusion_matrix_variables</c>): a prediction above a threshold is
    /// positive, a nonzero target is positive; each cell holds the summed sample weights.
    /// </summary>
    public abstract class ConfusionMetric : PredictionMetric
    {
        private readonly Cells _cells;
        private readonly Dictionary<Cells, MetricVariable> _counts = [];

        private protected ConfusionMetric(string name, double[] thresholds, int? topK, int? classId, Cells cells, bool multiLabel = false) : base(name)
        {
            if (thresholds.Length == 0) throw new ArgumentException($"{name}: give at least one threshold.", nameof(thresholds));
            if (topK is <= 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, $"{name}: topK must be positive.");
            if (classId is < 0) throw new ArgumentOutOfRangeException(nameof(classId), classId, $"{name}: classId must be non-negative.");
            Thresholds = thresholds;
            TopK = topK;
            ClassId = classId;
            _cells = cells;
            MultiLabel = multiLabel;
            // (thresholds, labels): one label column unless multiLabel, where the first batch tells how many.
            foreach (var c in Enum.GetValues<Cells>())
                if (cells.HasFlag(c)) _counts[c] = AddState(StateName(c), multiLabel ? null : new Shape([thresholds.Length, 1]));
        }

        /// <summary>The thresholds, in the order of <see cref="ResultValues"/>.</summary>
        public IReadOnlyList<double> Thresholds { get; }
        /// <summary>When set, only the k highest predictions of each row can be positive.</summary>
        public int? TopK { get; }
        /// <summary>When set, only this class (last-axis index) is measured.</summary>
        public int? ClassId { get; }
        /// <summary>Whether each label (last-axis index) keeps its own counts (AUC's <c>multi_label</c>).</summary>
        public bool MultiLabel { get; }

        /// <summary>How predictions are turned into probabilities first (a sigmoid for logits).</summary>
        private protected virtual Tensor Probabilities(Tensor yPred) => yPred;

        /// <summary>Weights of the last-axis labels in pooled counts (AUC's label_weights without multi_label); null for none.</summary>
        private protected virtual double[]? PooledLabelWeights => null;

        /// <inheritdoc/>
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            ArgumentNullException.ThrowIfNull(yPred);
            if (MultiLabel && _counts.First().Value.Shape is { } known && yPred.Rank > 0 && known[1] != yPred.Shape[-1])
                throw new ArgumentException($"{Name}: counted {known[1]} labels before, now yPred has shape {yPred.Shape}.", nameof(yPred));
            using var scope = TensorScope.Begin();
            Confusion(Name, yTrue, Probabilities(yPred), sampleWeight, [.. Thresholds], TopK, ClassId, _cells, MultiLabel,
                (cell, counts) => _counts[cell].Add(counts), PooledLabelWeights);
        }

        /// <summary>The summed weights of one confusion cell, per threshold and label (row-major (thresholds, labels)).</summary>
        private protected double[] Count(Cells cell) => _counts[cell].Read();

        /// <summary>TP / (TP + <paramref name="misses"/>) at each threshold, 0 where nothing was counted.</summary>
        private protected double[] TruePositiveShare(Cells misses)
        {
            var (tp, other) = (Count(Cells.TruePositives), Count(misses));
            return tp.Select((t, i) => DivideNoNan(t, t + other[i])).ToArray();
        }

        /// <summary>The result at every threshold (Keras returns a vector when given several thresholds).</summary>
        public abstract double[] ResultValues();

        internal override double[]? VectorResult() => ResultValues() is { Length: not 1 } values ? values : null;

        /// <summary>The result; with several thresholds (a vector in Keras), use <see cref="ResultValues"/>.</summary>
        public override float Result()
        {
            var values = ResultValues();
            if (values.Length != 1)
                throw new InvalidOperationException($"{Name}: has {values.Length} thresholds, so its result is a vector; read it with ResultValues().");
            return (float)values[0];
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() =>
            Losses.With(base.GetConfig(), ("thresholds", Thresholds.ToArray()), ("top_k", TopK), ("class_id", ClassId));
    }

    /// <summary>
    /// The fraction of positive predictions that are right, TP / (TP + FP)
    /// (<c>tf.keras.metrics.Precision</c>). Thresholds default to 0.5, or, with <c>topK</c>, to
    /// "any of the top k" (Keras' NEG_INF threshold).
    /// </summary>
    public sealed class Precision(double[]? thresholds = null, int? topK = null, int? classId = null, string name = "precision")
        : ConfusionMetric(name, DefaultThresholds(thresholds, topK), topK, classId, Cells.TruePositives | Cells.FalsePositives)
    {
        /// <summary>One threshold.</summary>
        public Precision(double threshold, int? topK = null, int? classId = null, string name = "precision") : this([threshold], topK, classId, name) { }

        /// <inheritdoc/>
        public override double[] ResultValues() => TruePositiveShare(Cells.FalsePositives);
    }

    /// <summary>
    /// The fraction of positive targets found, TP / (TP + FN) (<c>tf.keras.metrics.Recall</c>).
    /// Thresholds default as for <see cref="Precision"/>.
    /// </summary>
    public sealed class Recall(double[]? thresholds = null, int? topK = null, int? classId = null, string name = "recall")
        : ConfusionMetric(name, DefaultThresholds(thresholds, topK), topK, classId, Cells.TruePositives | Cells.FalseNegatives)
    {
        /// <summary>One threshold.</summary>
        public Recall(double threshold, int? topK = null, int? classId = null, string name = "recall") : this([threshold], topK, classId, name) { }

        /// <inheritdoc/>
        public override double[] ResultValues() => TruePositiveShare(Cells.FalseNegatives);
    }

    /// <summary>Keras' NEG_INF: what predictions outside the top k become.</summary>
    private const double NegInf = -1e10;

    private static double[] DefaultThresholds(double[]? thresholds, int? topK) => thresholds ?? [topK is null ? 0.5 : NegInf];

    /// <summary>
    /// The confusion cells of one batch on the device, (thresholds, labels) each, handed to
    /// <paramref name="add"/>: one label column, or one per last-axis index with
    /// <paramref name="multiLabel"/>. Targets and predictions are aligned as for losses; weights
    /// broadcast to the predictions' shape. Every prediction is compared with every threshold (a
    /// thresholds x elements mask), in slices of rows of at most about 4M cells, each added
    /// before the next is made, so a large batch (a segmentation map) does not hold them all.
    /// </summary>
    private static void Confusion(string who, Tensor yTrue, Tensor yPred, Tensor? sampleWeight,
        double[] thresholds, int? topK, int? classId, Cells cells, bool multiLabel, Action<Cells, Tensor> add, double[]? labelWeights = null)
    {
        (yTrue, yPred) = Targets.Align(who, yTrue, yPred);
        var pred = NF.Cast(yPred, DType.Float64);
        var truth = NF.Cast(yTrue, DType.Float64);
        Tensor? weight = null;
        if (sampleWeight is not null)
        {
            var w = NF.Cast(sampleWeight, DType.Float64);
            (_, w) = Losses.SqueezeOrExpand(pred, w);
            if (w.Rank > pred.Rank || !w.Shape.BroadcastsTo(new Shape(pred.Shape.ToArray()[..w.Rank])))
                throw new ArgumentException(
                    $"{who}: sampleWeight has shape {sampleWeight.Shape}, which does not match predictions of shape {yPred.Shape}; give a scalar or one weight per example.", nameof(sampleWeight));
            // Weights line up with the leading axes (one per example), then spread over the rest.
            while (w.Rank < pred.Rank) w = NF.ExpandDims(w, -1);
            weight = NF.BroadcastTo(w, pred.Shape);
        }
        if (topK is int k) pred = FilterTopK(pred, k);
        if (classId is int id)
        {
            if (pred.Rank < 2)
                throw new ArgumentException($"{who}: with classId, yPred must have shape (samples, classes), got {yPred.Shape}.", nameof(classId));
            if (id >= pred.Shape[-1])
                throw new ArgumentException($"{who}: classId {id} is out of range for predictions of shape {yPred.Shape}.", nameof(classId));
            var index = NF.Constant(id);
            pred = NF.Gather(pred, index, pred.Rank - 1);
            truth = NF.Gather(truth, index, truth.Rank - 1);
            if (weight is not null) weight = NF.Gather(weight, index, weight.Rank - 1);
        }
        if (labelWeights is not null && !multiLabel)
        {
            // Pooled labels: each label's predictions weigh in the counts by its weight, as Keras.
            if (pred.Rank == 0 || pred.Shape[-1] != labelWeights.Length)
                throw new ArgumentException($"{who}: {labelWeights.Length} label weights for predictions of shape {yPred.Shape}.", nameof(labelWeights));
            var lw = NF.Constant(labelWeights);
            weight = weight is null ? NF.BroadcastTo(lw, pred.Shape) : weight * lw;
        }
        if (multiLabel && pred.Rank < 2)
            throw new ArgumentException($"{who}: with multiLabel, yPred must have shape (samples, labels), got {yPred.Shape}.");
        int labels = multiLabel ? pred.Shape[-1] : 1;
        var p = NF.Reshape(pred, [-1, labels]);                                     // (rows, labels)
        var positive = NF.Reshape(NF.Cast(NF.NotEqual(truth, 0.0), DType.Float64), [-1, labels]);
        var isPos = weight is null ? positive : positive * NF.Reshape(weight, [-1, labels]);         // weight of each positive target
        var isNeg = weight is null ? 1 - positive : (1 - positive) * NF.Reshape(weight, [-1, labels]); // weight of each negative target
        var thr = NF.Constant(thresholds, [thresholds.Length, 1, 1]);
        int rows = p.Shape[0];
        int slice = Math.Max(1, 4_000_000 / (thresholds.Length * labels));
        for (int start = 0; start < rows; start += slice)
        {
            using var scope = TensorScope.Begin();
            var range = start..Math.Min(rows, start + slice);
            var above = NF.Cast(NF.Greater(p[range], thr), DType.Float64);          // (thresholds, rows, labels)
            var (pos, neg) = (isPos[range], isNeg[range]);
            if (cells.HasFlag(Cells.TruePositives)) add(Cells.TruePositives, NF.ReduceSum(above * pos, 1));
            if (cells.HasFlag(Cells.FalsePositives)) add(Cells.FalsePositives, NF.ReduceSum(above * neg, 1));
            if (cells.HasFlag(Cells.FalseNegatives)) add(Cells.FalseNegatives, NF.ReduceSum((1 - above) * pos, 1));
            if (cells.HasFlag(Cells.TrueNegatives)) add(Cells.TrueNegatives, NF.ReduceSum((1 - above) * neg, 1));
        }
    }

    /// <summary>
    /// Predictions outside each row's k highest set to Keras' NEG_INF. As <c>top_k</c>, exactly k
    /// stay: a value ranks by the values strictly above it plus the equal ones before it, so ties
    /// at the k-th place go to the lower index.
    /// </summary>
    private static Tensor FilterTopK(Tensor x, int k)
    {
        if (x.Rank == 0) throw new ArgumentException("topK needs predictions with a class axis, got a scalar.");
        int n = x.Shape[-1];
        var row = NF.ExpandDims(x, -2);    // [..., 1, j]
        var column = NF.ExpandDims(x, -1); // [..., i, 1]
        var before = new double[n * n];    // [i, j] = 1 where j < i
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) before[i * n + j] = 1;
        var rank = NF.ReduceSum(NF.Cast(NF.Greater(row, column), DType.Float64)
            + NF.Cast(NF.Equal(row, column), DType.Float64) * NF.Constant(before, [n, n]), -1);
        var keep = NF.Cast(NF.Less(rank, k), DType.Float64);
        return x * keep + NegInf * (1 - keep);
    }
}
