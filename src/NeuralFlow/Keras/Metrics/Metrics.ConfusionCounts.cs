namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// One cell of the confusion matrix, summed (weighted) over everything seen, at each threshold
    /// (Keras' <c>_ConfusionMatrixConditionCount</c>: TruePositives, FalsePositives, ... as in its
    /// imbalanced-data tutorial's <c>metrics=[TruePositives(name="tp"), ...]</c>). A prediction
    /// above a threshold (default 0.5) is positive; a nonzero target is positive.
    /// </summary>
    public abstract class ConfusionCount : ConfusionMetric
    {
        private readonly Cells _cell;

        private protected ConfusionCount(Cells cell, double[]? thresholds, string name) : base(name, thresholds ?? [0.5], null, null, cell) => _cell = cell;

        /// <inheritdoc/>
        public override double[] ResultValues() => Count(_cell);

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["thresholds"] = Thresholds.ToArray() };
    }

    /// <summary>Predicted positive and positive (<c>tf.keras.metrics.TruePositives</c>).</summary>
    public sealed class TruePositives(double[]? thresholds = null, string name = "true_positives") : ConfusionCount(Cells.TruePositives, thresholds, name)
    {
        /// <summary>At one threshold.</summary>
        public TruePositives(double threshold, string name = "true_positives") : this([threshold], name) { }
    }

    /// <summary>Predicted positive but negative (<c>tf.keras.metrics.FalsePositives</c>).</summary>
    public sealed class FalsePositives(double[]? thresholds = null, string name = "false_positives") : ConfusionCount(Cells.FalsePositives, thresholds, name)
    {
        /// <summary>At one threshold.</summary>
        public FalsePositives(double threshold, string name = "false_positives") : this([threshold], name) { }
    }

    /// <summary>Predicted negative and negative (<c>tf.keras.metrics.TrueNegatives</c>).</summary>
    public sealed class TrueNegatives(double[]? thresholds = null, string name = "true_negatives") : ConfusionCount(Cells.TrueNegatives, thresholds, name)
    {
        /// <summary>At one threshold.</summary>
        public TrueNegatives(double threshold, string name = "true_negatives") : this([threshold], name) { }
    }

    /// <summary>Predicted negative but positive (<c>tf.keras.metrics.FalseNegatives</c>).</summary>
    public sealed class FalseNegatives(double[]? thresholds = null, string name = "false_negatives") : ConfusionCount(Cells.FalseNegatives, thresholds, name)
    {
        /// <summary>At one threshold.</summary>
        public FalseNegatives(double threshold, string name = "false_negatives") : this([threshold], name) { }
    }
}
