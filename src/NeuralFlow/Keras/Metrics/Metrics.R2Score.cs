namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The coefficient of determination R2 = 1 - SS_res / SS_tot per output (last axis) of
    /// (batch, outputs) targets and predictions (<c>keras.metrics.R2Score</c>), streamed: the
    /// weighted sums of y, y^2 and squared residuals and the summed weights per output stay on
    /// the device, so R2 over several batches is R2 over their concatenation.
    /// <c>classAggregation</c>: "uniform_average" (the mean over outputs), "variance_weighted_average"
    /// (weighted by each output's SS_tot) or null (one score per output, read with
    /// <see cref="ResultValues"/>, as F1Score's per-class scores). With <c>numRegressors</c> p &gt; 0
    /// the adjusted R2 1 - (1 - R2)(n - 1)/(n - p - 1); as in Keras (since keras-team/keras#23334),
    /// n counts the examples seen with a non-zero weight in at least one output (not batch x
    /// outputs), and p &gt;= n - 1 falls back to plain R2 with Keras'
    /// warning on <see cref="NF.WarningLog"/>.
    /// </summary>
    public sealed class R2Score : PredictionMetric
    {
        private readonly MetricVariable _samples, _squaredSum, _sum, _residual, _count;
        // The last fallback warning written: Python shows a repeated warning once, so a Fit that
        // reads the score every batch writes each of Keras' two texts once, not once per read.
        private string? _warned;

        /// <summary>An R2 score.</summary>
        public R2Score(string? classAggregation = "uniform_average", int numRegressors = 0, string name = "r2_score") : base(name)
        {
            ClassAggregation = classAggregation is null or "uniform_average" or "variance_weighted_average" ? classAggregation
                : throw new ArgumentException(
                    $"{name}: classAggregation must be null, \"uniform_average\" or \"variance_weighted_average\", got \"{classAggregation}\".", nameof(classAggregation));
            NumRegressors = numRegressors >= 0 ? numRegressors
                : throw new ArgumentOutOfRangeException(nameof(numRegressors), numRegressors, $"{name}: numRegressors must be >= 0.");
            // Keras' state, in its order and under its names; the per-output ones take their size from the first batch.
            _samples = AddState("num_samples", Shape.Scalar);
            _squaredSum = AddState("squared_sum");
            _sum = AddState("sum");
            _residual = AddState("residual");
            _count = AddState("count");
        }

        /// <summary>null, "uniform_average" or "variance_weighted_average".</summary>
        public string? ClassAggregation { get; }
        /// <summary>The number of independent regressors of the adjusted R2; 0 for plain R2.</summary>
        public int NumRegressors { get; }

        /// <inheritdoc/>
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            ArgumentNullException.ThrowIfNull(yTrue);
            ArgumentNullException.ThrowIfNull(yPred);
            using var scope = TensorScope.Begin();
            var (t, p) = (NF.Cast(yTrue, DType.Float64), NF.Cast(yPred, DType.Float64));
            // Keras' squeeze_or_expand_to_same_rank with expand_rank_1: (N,) beside (N, 1) becomes (N, 1), not the other way.
            if (t.Rank == 1 && p.Rank == 2) t = NF.ExpandDims(t, -1);
            else if (p.Rank == 1 && t.Rank == 2) p = NF.ExpandDims(p, -1);
            else (t, p) = Losses.SqueezeOrExpand(t, p);
            if (t.Rank != 2 || t.Shape != p.Shape)
                throw new ArgumentException(
                    $"{Name}: expects targets and predictions of the same shape (batch_size, output_dim), got yTrue {yTrue.Shape} and yPred {yPred.Shape}.");
            if (_sum.Shape is { } known && known[0] != t.Shape[1])
                throw new ArgumentException($"{Name}: saw {known[0]} outputs before, now yPred has shape {yPred.Shape}.", nameof(yPred));
            var w = Weights(sampleWeight, t.Shape);
            var weighted = t * w;
            _sum.Add(NF.ReduceSum(weighted, 0));
            _squaredSum.Add(NF.ReduceSum(t * weighted, 0));
            _residual.Add(NF.ReduceSum(NF.Square(t - p) * w, 0));
            _count.Add(NF.ReduceSum(w, 0));
            // Keras counts examples (rows) with a non-zero weight in at least one output, not
            // targets x outputs: n of the adjusted score is the number of weighted data points.
            _samples.Add(NF.ReduceSum(NF.Cast(NF.ReduceAny(NF.NotEqual(w, 0.0), -1), DType.Float64)));
        }

        // A scalar, one weight per example ((N,) or (N, 1)) or one per example and output, broadcast to the targets' shape.
        private Tensor Weights(Tensor? sampleWeight, Shape shape)
        {
            if (sampleWeight is null) return NF.Ones(shape, DType.Float64);
            var w = NF.Cast(sampleWeight, DType.Float64);
            if (w.Rank == 1) w = NF.ExpandDims(w, 1);
            if (w.Rank > 2 || !w.Shape.BroadcastsTo(shape))
                throw new ArgumentException(
                    $"{Name}: sampleWeight has shape {sampleWeight.Shape}; give a scalar, one weight per example ({shape[0]}), or one per example and output {shape}.",
                    nameof(sampleWeight));
            return NF.BroadcastTo(w, shape);
        }

        /// <summary>The score per output (classAggregation null), or the single aggregated score; empty before any update and after a reset.</summary>
        public double[] ResultValues()
        {
            double[] sum = _sum.Read(), squared = _squaredSum.Read(), residual = _residual.Read(), count = _count.Read();
            if (_samples.Read()[0] == 0) return [];                                           // nothing seen (or reset, or all weights 0): no score, Result 0
            var total = sum.Select((s, i) => squared[i] - s * (s / count[i])).ToArray();   // SS_tot per output
            var raw = residual.Select((r, i) =>
            {
                double score = 1 - r / total[i];
                return double.IsInfinity(score) ? 0 : score;                                  // a constant target, as Keras
            }).ToArray();
            var scores = ClassAggregation switch
            {
                "uniform_average" => [raw.Average()],
                "variance_weighted_average" => [raw.Select((r, i) => r * total[i]).Sum() / total.Sum()],
                _ => raw,
            };
            double n = _samples.Read()[0], p = NumRegressors;
            if (p == 0) return scores;
            if (p >= n - 1)
            {
                // Keras' R2Score.result: no adjusted score without n - p - 1 > 0, but plain R2 and a warning.
                string warning = p > n - 1
                    ? "More independent predictors than datapoints in adjusted R2 score. Falling back to standard R2 score."
                    : "Division by zero in Adjusted R2 score. Falling back to standard R2 score.";
                if (warning != _warned) NF.Warn($"{Name}: {warning} (numRegressors {p}, {n} samples seen)");
                _warned = warning;
                return scores;
            }
            return scores.Select(r => 1 - (1 - r) * (n - 1) / (n - p - 1)).ToArray();
        }

        internal override double[]? VectorResult() => ResultValues() is { Length: > 1 } values ? values : null;

        /// <summary>The score; with classAggregation null (one per output, a vector in Keras), use <see cref="ResultValues"/>.</summary>
        public override float Result()
        {
            var values = ResultValues();
            if (values.Length > 1)
                throw new InvalidOperationException($"{Name}: with classAggregation null the result is one score per output; read it with ResultValues(), or set classAggregation.");
            return values.Length == 0 ? 0f : (float)values[0];
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() =>
            Losses.With(base.GetConfig(), ("class_aggregation", ClassAggregation), ("num_regressors", NumRegressors));
    }
}
