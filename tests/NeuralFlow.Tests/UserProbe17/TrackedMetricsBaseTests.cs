using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// Overriding TrackedMetrics or TrainStep with the base's (Keras' <c>return super().metrics</c>,
/// <c>return super().train_step(data)</c>) logs exactly what the plain model logs: the loss and the
/// compiled metrics, same names, same values.
/// </summary>
public abstract class TrackedMetricsBaseTests(string backend) : BackendTest(backend)
{
    private sealed class Plain : Model
    {
        private readonly Layers.Dense _dense = new(1);
        public override Tensor Call(Tensor x) => _dense.Call(x);
    }

    private sealed class BaseMetrics : Model
    {
        private readonly Layers.Dense _dense = new(1);
        public override Tensor Call(Tensor x) => _dense.Call(x);
        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => base.TrackedMetrics;
    }

    private sealed class BaseStep : Model
    {
        private readonly Layers.Dense _dense = new(1);
        public override Tensor Call(Tensor x) => _dense.Call(x);
        protected override StepLogs TrainStep(StepData data) => base.TrainStep(data);
    }

    private sealed class BaseBoth : Model
    {
        private readonly Layers.Dense _dense = new(1);
        public override Tensor Call(Tensor x) => _dense.Call(x);
        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => base.TrackedMetrics;
        protected override StepLogs TrainStep(StepData data) => base.TrainStep(data);
    }

    [SkippableFact]
    public void Overriding_tracked_metrics_with_the_base_ones_changes_nothing()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([16, 3]);
        var y = NF.ReduceSum(x, axis: 1, keepDims: true);
        NF.Random.SetSeed(4);
        Model a = new Plain();
        a.Compile(new Optimizers.SGD(0.05f), "mse", ["mae"]);
        var ha = a.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        foreach (var make in new Func<Model>[] { () => new BaseMetrics(), () => new BaseStep(), () => new BaseBoth() })
        {
            NF.Random.SetSeed(4);
            var b = make();
            b.Compile(new Optimizers.SGD(0.05f), "mse", ["mae"]);
            var hb = b.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
            Assert.Equal(string.Join(",", ha.Keys), string.Join(",", hb.Keys));
            foreach (var key in ha.Keys) Assert.True(Math.Abs(ha[key][1] - hb[key][1]) < 1e-5, $"{b.GetType().Name} {key}: {ha[key][1]} vs {hb[key][1]}");
        }
    }
}

/// <summary>Base metrics and steps, on the managed backend.</summary>
public sealed class ManagedTrackedMetricsBaseTests() : TrackedMetricsBaseTests("managed");
/// <summary>Base metrics and steps, on the native CPU backend.</summary>
public sealed class NativeCpuTrackedMetricsBaseTests() : TrackedMetricsBaseTests("cpu");
/// <summary>Base metrics and steps, on the CUDA backend.</summary>
public sealed class CudaTrackedMetricsBaseTests() : TrackedMetricsBaseTests("cuda");
