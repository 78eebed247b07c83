namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// The metrics the model's layers hold (Keras 3's <c>model.metrics</c> ends with its layers'
    /// <c>layer.metrics</c>): an "endpoint" layer that updates its own accuracy metric in its call
    /// is logged and reset by Fit and Evaluate with the compiled metrics, under the metric's name.
    /// Nested models are walked through but their own metrics left out, as Keras skips a nested
    /// Trainer's. Read when a step is made: a metric assigned to a layer later joins at the next step.
    /// </summary>
    private List<Metrics.Metric> LayerHeldMetrics()
    {
        var found = new List<Metrics.Metric>();
        var seenMetrics = new HashSet<Metrics.Metric>(ReferenceEqualityComparer.Instance);
        TrackedLayers(this, layer =>
        {
            if (layer is not Model) found.AddRange(Tracking.MetricsInFields(layer).Where(seenMetrics.Add));
        });
        return found;
    }
}
