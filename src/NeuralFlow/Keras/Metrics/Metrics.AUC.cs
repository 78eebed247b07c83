namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The area under the ROC or precision-recall curve, approximated on a grid of thresholds
    /// (<c>tf.keras.metrics.AUC</c>): <c>numThresholds</c> evenly spaced in [0, 1] (the end ones
    /// just outside, at -1e-7 and 1 + 1e-7) unless <c>thresholds</c> are given. The confusion
    /// counts at each threshold stay on the device; <c>Result</c> sums the curve as
    /// <c>summationMethod</c> says: "interpolation" (trapezoids, and for PR Davis and Goadrich's
    /// interpolation, as Keras), "minoring" or "majoring". <c>fromLogits</c> applies a sigmoid first.
    /// With <c>multiLabel</c>, each label (last-axis index) gets its own curve and the result is
    /// their mean, or their <c>labelWeights</c>-weighted mean; otherwise all labels are pooled,
    /// each weighing in the counts by its <c>labelWeights</c> entry.
    /// Keras' "PRGAIN" curve is not offered.
    /// </summary>
    public sealed class AUC(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation",
        double[]? thresholds = null, bool multiLabel = false, double[]? labelWeights = null, bool fromLogits = false, string name = "auc")
        : ConfusionMetric(name, Grid(numThresholds, thresholds), null, null,
            Cells.TruePositives | Cells.FalsePositives | Cells.TrueNegatives | Cells.FalseNegatives, multiLabel)
    {
        /// <summary>The weight of each label: of its area with <see cref="ConfusionMetric.MultiLabel"/>, else of its predictions in the pooled counts (null: equal).</summary>
        public IReadOnlyList<double>? LabelWeights { get; } = labelWeights is null || labelWeights.All(w => w >= 0) && labelWeights.Sum() > 0 ? labelWeights
            : throw new ArgumentException("AUC: labelWeights must be non-negative and not all 0.", nameof(labelWeights));

        /// <summary>"ROC" or "PR".</summary>
        public string Curve { get; } = curve.ToUpperInvariant() is "ROC" or "PR" ? curve.ToUpperInvariant()
            : throw new ArgumentException($"AUC: curve must be \"ROC\" or \"PR\", got \"{curve}\".", nameof(curve));
        /// <summary>"interpolation", "minoring" or "majoring".</summary>
        public string SummationMethod { get; } = summationMethod.ToLowerInvariant() is "interpolation" or "minoring" or "majoring"
            ? summationMethod.ToLowerInvariant()
            : throw new ArgumentException($"AUC: summationMethod must be \"interpolation\", \"minoring\" or \"majoring\", got \"{summationMethod}\".", nameof(summationMethod));
        /// <summary>Whether predictions are logits (a sigmoid is applied first).</summary>
        public bool FromLogits { get; } = fromLogits;
        /// <summary>The number of thresholds, the two end ones included.</summary>
        public int NumThresholds => Thresholds.Count;

        private readonly bool _givenThresholds = thresholds is not null;

        private protected override Tensor Probabilities(Tensor yPred) => FromLogits ? NF.Sigmoid(yPred) : yPred;

        private protected override double[]? PooledLabelWeights => MultiLabel ? null : LabelWeights?.ToArray();

        /// <summary>The area: one value (the result is a single number).</summary>
        public override double[] ResultValues()
        {
            var (tp, fp, tn, fn) = (Count(Cells.TruePositives), Count(Cells.FalsePositives), Count(Cells.TrueNegatives), Count(Cells.FalseNegatives));
            int n = NumThresholds, labels = tp.Length / n;
            if (labels == 0) return [0];
            if (MultiLabel && LabelWeights is { } lw && lw.Count != labels)
                throw new InvalidOperationException($"{Name}: has {lw.Count} label weights but counted {labels} labels.");
            double[] Column(double[] counts, int label) => Enumerable.Range(0, n).Select(t => counts[t * labels + label]).ToArray();
            var areas = Enumerable.Range(0, labels)
                .Select(j => Area(Column(tp, j), Column(fp, j), Column(tn, j), Column(fn, j))).ToArray();
            if (labels == 1) return [areas[0]];
            // Keras' multi_label result: the mean over labels, or the label_weights-weighted mean.
            return MultiLabel && LabelWeights is { } w ? [areas.Select((a, j) => a * w[j]).Sum() / w.Sum()] : [areas.Average()];
        }

        private double Area(double[] tp, double[] fp, double[] tn, double[] fn)
        {
            if (Curve == "PR" && SummationMethod == "interpolation") return InterpolatePrAuc(tp, fp, fn);
            var recall = tp.Select((t, i) => DivideNoNan(t, t + fn[i])).ToArray();
            double[] x, y;
            if (Curve == "ROC") { x = fp.Select((f, i) => DivideNoNan(f, f + tn[i])).ToArray(); y = recall; }
            else { x = recall; y = tp.Select((t, i) => DivideNoNan(t, t + fp[i])).ToArray(); }
            double area = 0;
            for (int i = 0; i < tp.Length - 1; i++)
            {
                double height = SummationMethod switch
                {
                    "interpolation" => (y[i] + y[i + 1]) / 2,
                    "minoring" => Math.Min(y[i], y[i + 1]),
                    _ => Math.Max(y[i], y[i + 1]),
                };
                area += (x[i] - x[i + 1]) * height;
            }
            return area;
        }

        // Keras' interpolate_pr_auc (Davis & Goadrich 2006): precision interpolated linearly in
        // the number of true positives between adjacent thresholds, integrated in closed form.
        private static double InterpolatePrAuc(double[] tp, double[] fp, double[] fn)
        {
            double area = 0;
            for (int i = 0; i < tp.Length - 1; i++)
            {
                double dtp = tp[i] - tp[i + 1];
                double p0 = tp[i] + fp[i], p1 = tp[i + 1] + fp[i + 1];
                double slope = DivideNoNan(dtp, Math.Max(p0 - p1, 0));
                double intercept = tp[i + 1] - slope * p1;
                double ratio = p0 > 0 && p1 > 0 ? DivideNoNan(p0, Math.Max(p1, 0)) : 1;
                area += DivideNoNan(slope * (dtp + intercept * Math.Log(ratio)), Math.Max(tp[i + 1] + fn[i + 1], 0));
            }
            return area;
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig()
        {
            var c = new Dictionary<string, object?>
            {
                ["name"] = Name, ["num_thresholds"] = NumThresholds, ["curve"] = Curve,
                ["summation_method"] = SummationMethod, ["multi_label"] = MultiLabel, ["from_logits"] = FromLogits,
            };
            if (LabelWeights is { } w) c["label_weights"] = w.ToArray();
            // Given thresholds are stored without the two end ones, which the constructor adds back.
            if (_givenThresholds) c["thresholds"] = Thresholds.Skip(1).Take(NumThresholds - 2).ToArray();
            return c;
        }

        /// <summary>Keras' grid: -eps, then (i + 1) / (n - 1) for i &lt; n - 2, then 1 + eps; or the given thresholds between -eps and 1 + eps.</summary>
        private static double[] Grid(int numThresholds, double[]? thresholds)
        {
            const double eps = 1e-7;
            if (thresholds is not null)
            {
                if (thresholds.Any(t => t < 0 || t > 1))
                    throw new ArgumentException("AUC: thresholds must be in [0, 1].", nameof(thresholds));
                return [-eps, .. thresholds.Order(), 1 + eps];
            }
            if (numThresholds <= 1) throw new ArgumentOutOfRangeException(nameof(numThresholds), numThresholds, "AUC: numThresholds must be above 1.");
            return [-eps, .. Enumerable.Range(0, numThresholds - 2).Select(i => (i + 1) * 1.0 / (numThresholds - 1)), 1 + eps];
        }
    }
}
