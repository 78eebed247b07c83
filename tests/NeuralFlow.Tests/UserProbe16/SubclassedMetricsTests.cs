using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// Keras' "customizing what happens in fit()" with metrics held in the subclassed model's own
/// fields and no <c>metrics</c> override: Keras 3 tracks a metric assigned as an attribute, so
/// <c>model.metrics</c> lists it after the compiled ones, <c>fit</c> and <c>evaluate</c> reset it at
/// each epoch, and <c>get_metrics_result</c> reports it. Before, such a metric was neither listed
/// nor reset: each epoch's value ran on from the previous epochs'.
/// </summary>
public abstract class SubclassedMetricsTests(string backend) : BackendTest(backend)
{
    // A pure subclassed model (layers and trackers in fields) whose steps compute the MSE themselves.
    private sealed class TrackingModel : Model
    {
        private readonly Layers.Dense _hidden = new(8, activation: "tanh");
        private readonly Layers.Dense _out = new(1);
        private readonly Metrics.Mean _lossTracker = new("loss");
        private readonly Metrics.MeanAbsoluteError _maeMetric = new("mae");

        public override Tensor Call(Tensor inputs) => _out.Call(_hidden.Call(inputs));

        public Metrics.Metric LossTracker => _lossTracker;

        protected override StepLogs TrainStep(StepData data)
        {
            var (x, y) = data;
            using var tape = new GradientTape();
            var loss = Track(y, Call(x, training: true));
            Optimizer!.ApplyGradients(tape.Gradient(loss, TrainableVariables), TrainableVariables);
            return GetMetricsResult();
        }

        protected override StepLogs TestStep(StepData data)
        {
            var (x, y) = data;
            Track(y, Call(x, training: false));
            return GetMetricsResult();
        }

        // The batch's MSE, recorded with the MAE in the model's own trackers.
        private Tensor Track(Tensor y, Tensor yPred)
        {
            var loss = NF.ReduceMean(NF.Square(yPred - y));
            _lossTracker.UpdateState(loss);
            _maeMetric.UpdateState(y, yPred);
            return loss;
        }
    }

    // The standard step's twin: the same layers, compiled with the loss and metric the custom step computes.
    private sealed class PlainModel : Model
    {
        private readonly Layers.Dense _hidden = new(8, activation: "tanh");
        private readonly Layers.Dense _out = new(1);

        public override Tensor Call(Tensor inputs) => _out.Call(_hidden.Call(inputs));
    }

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(51);
        var x = NF.Random.Normal([64, 4]);
        return (x, NF.ReduceSum(x * NF.Constant(new[] { 0.5f, -1f, 2f, 0.25f }), axis: 1, keepDims: true) + 0.3f);
    }

    private static (TrackingModel Custom, PlainModel Standard) Twins()
    {
        var custom = new TrackingModel();
        var standard = new PlainModel();
        custom.Build([4]);
        standard.Build([4]);
        standard.SetWeights(custom.GetWeights());
        custom.Compile(new Optimizers.SGD(0.05f));
        standard.Compile(new Optimizers.SGD(0.05f), "mse", metrics: ["mae"]);
        return (custom, standard);
    }

    [SkippableFact]
    public void Metrics_held_in_fields_are_listed_reset_each_epoch_and_logged()
    {
        RequireBackend();
        var (x, y) = Data();
        var (custom, standard) = Twins();
        // model.metrics lists them before any fit, as Keras tracks attributes.
        Assert.Equal(["loss", "mae"], custom.TrackedMetrics.Select(m => m.Name));

        var expected = standard.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false);
        var actual = custom.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false);
        Assert.Equal(["loss", "mae"], actual.Keys.Order());
        // Reset at each epoch: each epoch's value is that epoch's mean, as the standard step's.
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(expected["loss"][e], actual["loss"][e], 4);
            Assert.Equal(expected["mae"][e], actual["mae"][e], 4);
        }
        Assert.Contains(custom.LossTracker, custom.TrackedMetrics);

        // Evaluate resets them too: two evaluations give the same numbers, the standard step's.
        var first = custom.Evaluate(x, y, batchSize: 16);
        var second = custom.Evaluate(x, y, batchSize: 16);
        var reference = standard.Evaluate(x, y, batchSize: 16);
        Assert.Equal(first["loss"], second["loss"], 6);
        Assert.Equal(reference["loss"], first["loss"], 4);
        Assert.Equal(reference["mae"], first["mae"], 4);
    }
}

/// <summary>Metrics in a subclassed model's fields, on the managed backend.</summary>
public sealed class ManagedSubclassedMetricsTests() : SubclassedMetricsTests("managed");

/// <summary>Metrics in a subclassed model's fields, on the native CPU backend.</summary>
public sealed class NativeCpuSubclassedMetricsTests() : SubclassedMetricsTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaSubclassedMetricsTests() : SubclassedMetricsTests("cuda");
