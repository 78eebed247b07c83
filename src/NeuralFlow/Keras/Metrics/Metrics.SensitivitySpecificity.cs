namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// One rate at the best threshold where another reaches a target value (Keras'
    /// <c>SensitivitySpecificityBase</c>): the four confusion cells are counted at
    /// <c>numThresholds</c> thresholds evenly spaced in [0, 1] (0 and 1 included; one threshold
    /// is 0.5), and the result is the largest value of the dependent rate over the thresholds
    /// whose constrained rate is at least the target, or 0 where none reaches it.
    /// </summary>
    public abstract class SensitivitySpecificityBase : ConfusionMetric
    {
        // Keras' config key of the target value ("recall", "precision", ...), which also names it in errors.
        private readonly string _valueKey;

        private protected SensitivitySpecificityBase(string valueKey, double value, int numThresholds, int? classId, string name)
            : base(name, Grid(name, numThresholds), null, classId,
                Cells.TruePositives | Cells.FalsePositives | Cells.TrueNegatives | Cells.FalseNegatives)
        {
            // NaN fails both comparisons, so it is rejected too.
            if (!(value >= 0 && value <= 1))
                throw new ArgumentOutOfRangeException(valueKey, value, $"{name}: {valueKey} must be in [0, 1].");
            _valueKey = valueKey;
            Value = value;
            NumThresholds = numThresholds;
        }

        /// <summary>The value the constrained rate must reach.</summary>
        public double Value { get; }

        /// <summary>The number of thresholds the rates are measured at.</summary>
        public int NumThresholds { get; }

        /// <summary>(constrained, dependent) rate at each threshold.</summary>
        private protected abstract (double[] Constrained, double[] Dependent) Rates();

        /// <summary>TN / (TN + FP) at each threshold, 0 where nothing was counted.</summary>
        private protected double[] Specificities()
        {
            var (tn, fp) = (Count(Cells.TrueNegatives), Count(Cells.FalsePositives));
            return tn.Select((t, i) => DivideNoNan(t, t + fp[i])).ToArray();
        }

        /// <summary>The best dependent rate where the constrained one reaches <see cref="Value"/> (Keras' <c>_find_max_under_constraint</c>).</summary>
        public override double[] ResultValues()
        {
            var (constrained, dependent) = Rates();
            double best = 0;
            for (int i = 0; i < constrained.Length; i++)
                if (constrained[i] >= Value) best = Math.Max(best, dependent[i]);
            return [best];
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => new()
        {
            ["name"] = Name, ["class_id"] = ClassId, ["num_thresholds"] = NumThresholds, [_valueKey] = Value,
        };

        // Keras' grid: 0, (i + 1) / (n - 1) for i < n - 2, 1; one threshold is 0.5.
        private static double[] Grid(string name, int numThresholds)
        {
            if (numThresholds <= 0)
                throw new ArgumentOutOfRangeException(nameof(numThresholds), numThresholds, $"{name}: numThresholds must be positive.");
            if (numThresholds == 1) return [0.5];
            return [0, .. Enumerable.Range(0, numThresholds - 2).Select(i => (i + 1) * 1.0 / (numThresholds - 1)), 1];
        }
    }

    /// <summary>
    /// The best sensitivity (recall, TP / (TP + FN)) where specificity (TN / (TN + FP)) is at
    /// least <c>specificity</c> (<c>tf.keras.metrics.SensitivityAtSpecificity</c>).
    /// </summary>
    public sealed class SensitivityAtSpecificity(double specificity, int numThresholds = 200, int? classId = null, string name = "sensitivity_at_specificity")
        : SensitivitySpecificityBase("specificity", specificity, numThresholds, classId, name)
    {
        private protected override (double[] Constrained, double[] Dependent) Rates() => (Specificities(), TruePositiveShare(Cells.FalseNegatives));
    }

    /// <summary>
    /// The best specificity where sensitivity is at least <c>sensitivity</c>
    /// (<c>tf.keras.metrics.SpecificityAtSensitivity</c>).
    /// </summary>
    public sealed class SpecificityAtSensitivity(double sensitivity, int numThresholds = 200, int? classId = null, string name = "specificity_at_sensitivity")
        : SensitivitySpecificityBase("sensitivity", sensitivity, numThresholds, classId, name)
    {
        private protected override (double[] Constrained, double[] Dependent) Rates() => (TruePositiveShare(Cells.FalseNegatives), Specificities());
    }

    /// <summary>
    /// The best precision (TP / (TP + FP)) where recall is at least <c>recall</c>
    /// (<c>tf.keras.metrics.PrecisionAtRecall</c>).
    /// </summary>
    public sealed class PrecisionAtRecall(double recall, int numThresholds = 200, int? classId = null, string name = "precision_at_recall")
        : SensitivitySpecificityBase("recall", recall, numThresholds, classId, name)
    {
        private protected override (double[] Constrained, double[] Dependent) Rates() =>
            (TruePositiveShare(Cells.FalseNegatives), TruePositiveShare(Cells.FalsePositives));
    }

    /// <summary>
    /// The best recall where precision is at least <c>precision</c>; 0 where no threshold
    /// reaches it (<c>tf.keras.metrics.RecallAtPrecision</c>).
    /// </summary>
    public sealed class RecallAtPrecision(double precision, int numThresholds = 200, int? classId = null, string name = "recall_at_precision")
        : SensitivitySpecificityBase("precision", precision, numThresholds, classId, name)
    {
        private protected override (double[] Constrained, double[] Dependent) Rates() =>
            (TruePositiveShare(Cells.FalsePositives), TruePositiveShare(Cells.FalseNegatives));
    }
}
