using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's Trainer pattern (examples/keras_recipes/trainer_pattern.py, Keras 3): a Model that
/// wraps any model and brings its own loss, accuracy metric, TrainStep and TestStep, listing the
/// metric as its <c>metrics</c> (TrackedMetrics); <c>call</c> delegates to the wrapped model.
/// </summary>
internal sealed class MyTrainer(Model model) : Model
{
    private readonly Model _model = model;
    private readonly Losses.SparseCategoricalCrossentropy _lossFn = new();
    private readonly Metrics.SparseCategoricalAccuracy _accuracyMetric = new();

    public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [_accuracyMetric];

    protected override StepLogs TrainStep(StepData data)
    {
        var (x, y) = data;
        Tensor yPred;
        Tensor?[] gradients;
        using (var tape = new GradientTape())
        {
            yPred = _model.Call(x, training: true);
            var loss = _lossFn.Call(y, yPred);
            gradients = tape.Gradient(loss, TrainableVariables);
        }
        Optimizer!.ApplyGradients(gradients, TrainableVariables);
        foreach (var metric in TrackedMetrics) ((Metrics.PredictionMetric)metric).UpdateState(y, yPred);
        return Logs();
    }

    protected override StepLogs TestStep(StepData data)
    {
        var (x, y) = data;
        var yPred = _model.Call(x, training: false);
        foreach (var metric in TrackedMetrics) ((Metrics.PredictionMetric)metric).UpdateState(y, yPred);
        return Logs();
    }

    // {m.name: m.result() for m in self.metrics}
    private StepLogs Logs()
    {
        var logs = new StepLogs();
        foreach (var m in TrackedMetrics) logs.Add(m.Name, m);
        return logs;
    }

    public override Tensor Call(Tensor x) => _model.Call(x);
}
