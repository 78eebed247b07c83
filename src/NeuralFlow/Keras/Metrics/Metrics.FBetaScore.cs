namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The F-beta score (1 + beta^2) * precision * recall / (beta^2 * precision + recall), per class
    /// of (batch, classes) targets and predictions (<c>tf.keras.metrics.FBetaScore</c>, Keras 3).
    /// Predictions above <c>threshold</c> are positive; with no threshold, each row's highest
    /// prediction is. <c>average</c>: null (one score per class, read with <see cref="ResultValues"/>),
    /// "micro" (from the pooled counts), "macro" (the mean over classes) or "weighted" (weighted
    /// by each class's number of true instances). Keras' epsilon (1e-7) is added to every divisor, as Keras does.
    /// </summary>
    public class FBetaScore : PredictionMetric
    {
        private readonly MetricVariable _tp, _fp, _fn, _support;

        /// <summary>An F-beta score.</summary>
        public FBetaScore(string? average = null, double beta = 1.0, double? threshold = null, string name = "fbeta_score") : base(name)
        {
            Average = average is null or "micro" or "macro" or "weighted" ? average
                : throw new ArgumentException($"{name}: average must be null, \"micro\", \"macro\" or \"weighted\", got \"{average}\".", nameof(average));
            Beta = beta > 0 ? beta : throw new ArgumentOutOfRangeException(nameof(beta), beta, $"{name}: beta must be positive.");
            Threshold = threshold is null or (> 0 and <= 1) ? threshold
                : throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"{name}: threshold must be in (0, 1].");
            _tp = AddState("true_positives");
            _fp = AddState("false_positives");
            _fn = AddState("false_negatives");
            _support = AddState("intermediate_weights");
        }

        /// <summary>null, "micro", "macro" or "weighted".</summary>
        public string? Average { get; }
        /// <summary>The weight of recall relative to precision.</summary>
        public double Beta { get; }
        /// <summary>Predictions above it are positive; null: each row's highest is.</summary>
        public double? Threshold { get; }

        /// <inheritdoc/>
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            ArgumentNullException.ThrowIfNull(yTrue);
            ArgumentNullException.ThrowIfNull(yPred);
            if (yPred.Rank != 2 || yTrue.Shape != yPred.Shape)
                throw new ArgumentException($"{Name}: expects targets and predictions of shape (batch, classes), got yTrue {yTrue.Shape} and yPred {yPred.Shape}.");
            if (_tp.Shape is { } known && known[0] != yPred.Shape[1])
                throw new ArgumentException($"{Name}: saw {known[0]} classes before, now yPred has shape {yPred.Shape}.");
            using var scope = TensorScope.Begin();
            var t = NF.Cast(yTrue, DType.Float64);
            var p = NF.Cast(yPred, DType.Float64);
            p = Threshold is double th
                ? NF.Cast(NF.Greater(p, th), DType.Float64)
                // Each row's maximum, unless it is 0: an all-zero row predicts nothing, as Keras checks.
                : NF.Cast(NF.GreaterEqual(p, NF.ReduceMax(p, -1, keepDims: true)), DType.Float64) * NF.Cast(NF.Greater(NF.Abs(p), 1e-9), DType.Float64);
            Tensor? w = null;
            if (sampleWeight is not null)
            {
                // A scalar, one weight per example ((N,) or (N, 1)), or one per example and class (N, C).
                w = NF.Cast(sampleWeight, DType.Float64);
                if (w.Rank == 1 && w.Shape[0] == yPred.Shape[0]) w = NF.ExpandDims(w, 1);
                bool fits = w.Rank == 0 || (w.Rank == 2 && w.Shape[0] == yPred.Shape[0] && (w.Shape[1] == 1 || w.Shape[1] == yPred.Shape[1]));
                if (!fits)
                    throw new ArgumentException(
                        $"{Name}: sampleWeight has shape {sampleWeight.Shape}; give a scalar, one weight per example ({yPred.Shape[0]}), or one per example and class {yPred.Shape}.",
                        nameof(sampleWeight));
            }
            Tensor WeightedSum(Tensor v) => NF.ReduceSum(w is null ? v : v * w, 0);
            _tp.Add(WeightedSum(p * t));
            _fp.Add(WeightedSum(p * (1 - t)));
            _fn.Add(WeightedSum((1 - p) * t));
            _support.Add(WeightedSum(t));
        }

        /// <summary>The score per class (average null) or the single averaged score.</summary>
        public double[] ResultValues()
        {
            const double eps = Losses.Epsilon;
            double[] tp = _tp.Read(), fp = _fp.Read(), fn = _fn.Read();
            if (Average == "micro") (tp, fp, fn) = ([tp.Sum()], [fp.Sum()], [fn.Sum()]);
            double b2 = Beta * Beta;
            var f = tp.Select((t, i) =>
            {
                double precision = t / (t + fp[i] + eps), recall = t / (t + fn[i] + eps);
                return precision * recall / (b2 * precision + recall + eps) * (1 + b2);
            }).ToArray();
            if (Average == "weighted")
            {
                var support = _support.Read();
                double total = support.Sum();
                return [f.Select((v, i) => v * support[i] / (total + eps)).Sum()];
            }
            return Average is null ? f : [f.Length == 0 ? 0 : f.Average()];
        }

        internal override double[]? VectorResult() => Average is null && ResultValues() is { Length: not 1 } values ? values : null;

        /// <summary>The score; with <c>average</c> null (one per class, a vector in Keras), use <see cref="ResultValues"/>.</summary>
        public override float Result()
        {
            var values = ResultValues();
            if (Average is null && values.Length != 1)
                throw new InvalidOperationException($"{Name}: with average null the result is one score per class; read it with ResultValues(), or set average.");
            return values.Length == 0 ? 0f : (float)values[0];
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Losses.With(base.GetConfig(), ("average", Average), ("beta", Beta), ("threshold", Threshold));
    }

    /// <summary>The F1 score, <see cref="FBetaScore"/> with beta = 1 (<c>tf.keras.metrics.F1Score</c>).</summary>
    public sealed class F1Score(string? average = null, double? threshold = null, string name = "f1_score")
        : FBetaScore(average, 1.0, threshold, name)
    {
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Without(base.GetConfig(), "beta");
    }
}
