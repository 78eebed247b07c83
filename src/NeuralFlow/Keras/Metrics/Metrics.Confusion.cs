namespace NeuralFlow.Keras;

public static partial class Metrics
{
    /// <summary>Which cells of the confusion matrix a metric keeps.</summary>
    [Flags]
    internal enum Cells { TruePositives = 1, FalsePositives = 2, TrueNegatives = 4, FalseNegatives = 8 }

    /// <summary>
    /// A metric over the confusion matrix at one or more thresholds (Keras'
    /// <c>metrics_utils.update_confusion_matrix_variables</c>): a prediction above a threshold is
    /// positive, a nonzero target is positive; each cell holds the summed sample weights.
    /// </summary>
    public abstract class ConfusionMetric : PredictionMetric
    {
        private readonly Cells _cells;
        private readonly Dictionary<Cells, MetricVariable> _counts = [];

        private protected ConfusionMetric(string name, double[] thresholds, int? topK, int? classId, Cells cells) : base(name)
        {
            if (thresholds.Length == 0) throw new ArgumentException($"{name}: give at least one threshold.", nameof(thresholds));
            if (topK is <= 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, $"{name}: topK must be positive.");
            if (classId is < 0) throw new ArgumentOutOfRangeException(nameof(classId), classId, $"{name}: classId must be non-negative.");
            Thresholds = thresholds;
            TopK = topK;
            ClassId = classId;
            _cells = cells;
            foreach (var c in Enum.GetValues<Cells>())
                if (cells.HasFlag(c)) _counts[c] = AddState(c.ToString(), new Shape([thresholds.Length]));
        }

        /// <summary>The thresholds, in the order of <see cref="ResultValues"/>.</summary>
        public IReadOnlyList<double> Thresholds { get; }
        /// <summary>When set, only the k highest predictions of each row can be positive.</summary>
        public int? TopK { get; }
        /// <summary>When set, only this class (last-axis index) is measured.</summary>
        public int? ClassId { get; }

        /// <summary>How predictions are turned into probabilities first (a sigmoid for logits).</summary>
        private protected virtual Tensor Probabilities(Tensor yPred) => yPred;

        /// <inheritdoc/>
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            using var scope = TensorScope.Begin();
            var counts = Confusion(Name, yTrue, Probabilities(yPred), sampleWeight, [.. Thresholds], TopK, ClassId, _cells);
            foreach (var (cell, v) in _counts) v.Add(counts[cell]);
        }

        /// <summary>The summed weights of one confusion cell, per threshold.</summary>
        private protected double[] Count(Cells cell) => _counts[cell].Read();

        /// <summary>TP / (TP + <paramref name="misses"/>) at each threshold, 0 where nothing was counted.</summary>
        private protected double[] TruePositiveShare(Cells misses)
        {
            var (tp, other) = (Count(Cells.TruePositives), Count(misses));
            return tp.Select((t, i) => DivideNoNan(t, t + other[i])).ToArray();
        }

        /// <summary>The result at every threshold (Keras returns a vector when given several thresholds).</summary>
        public abstract double[] ResultValues();

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
    /// The confusion cells of one batch on the device, one value per threshold. Targets and
    /// predictions are aligned as for losses; weights broadcast to the predictions' shape.
    /// The (thresholds x elements) comparison is made in slices of at most about 4M cells.
    /// </summary>
    private static Dictionary<Cells, Tensor> Confusion(string who, Tensor yTrue, Tensor yPred, Tensor? sampleWeight,
        double[] thresholds, int? topK, int? classId, Cells cells)
    {
        (yTrue, yPred) = Targets.Align(who, yTrue, yPred);
        var pred = NF.Cast(yPred, DType.Float64);
        var truth = NF.Cast(yTrue, DType.Float64);
        Tensor? weight = null;
        if (sampleWeight is not null)
        {
            var w = NF.Cast(sampleWeight, DType.Float64);
            (_, w) = Losses.SqueezeOrExpand(pred, w);
            if (w.Rank > pred.Rank || !Broadcasts(w.Shape, new Shape(pred.Shape.ToArray()[..w.Rank])))
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
        var p = NF.Reshape(pred, [1, -1]);
        var positive = NF.Reshape(NF.Cast(NF.NotEqual(truth, 0.0), DType.Float64), [1, -1]);
        var w1 = weight is null ? null : NF.Reshape(weight, [1, -1]);
        var isPos = w1 is null ? positive : positive * w1;                 // weight of each positive target
        var isNeg = w1 is null ? 1 - positive : (1 - positive) * w1;       // weight of each negative target
        var thr = NF.Constant(thresholds, [thresholds.Length, 1]);
        var above = NF.Cast(NF.Greater(p, thr), DType.Float64);            // (thresholds, elements)
        var result = new Dictionary<Cells, Tensor>();
        if (cells.HasFlag(Cells.TruePositives)) result[Cells.TruePositives] = NF.ReduceSum(above * isPos, 1);
        if (cells.HasFlag(Cells.FalsePositives)) result[Cells.FalsePositives] = NF.ReduceSum(above * isNeg, 1);
        if (cells.HasFlag(Cells.FalseNegatives)) result[Cells.FalseNegatives] = NF.ReduceSum((1 - above) * isPos, 1);
        if (cells.HasFlag(Cells.TrueNegatives)) result[Cells.TrueNegatives] = NF.ReduceSum((1 - above) * isNeg, 1);
        return result;
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
