namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// The metrics the model holds in its own fields, then those its layers hold (Keras 3's
    /// <c>model.metrics</c> ends with the metrics assigned as the model's attributes, then its layers'
    /// <c>layer.metrics</c>): a subclassed model's own trackers updated in its TrainStep, or an
    /// "endpoint" layer that updates its own accuracy metric in its call, are logged and reset by
    /// Fit and Evaluate with the compiled metrics, under the metric's name.
    /// Nested models are walked through but their own metrics left out, as Keras skips a nested
    /// Trainer's. Read when a step is made: a metric assigned to a layer later joins at the next step.
    /// </summary>
    private List<Metrics.Metric> LayerHeldMetrics()
    {
        var found = new List<Metrics.Metric>();
        var seenMetrics = new HashSet<Metrics.Metric>(ReferenceEqualityComparer.Instance);
        found.AddRange(Tracking.MetricsInFields(this).Where(seenMetrics.Add));
        TrackedLayers(this, layer =>
        {
            if (layer is not Model) found.AddRange(Tracking.MetricsInFields(layer).Where(seenMetrics.Add));
        });
        return found;
    }
}
