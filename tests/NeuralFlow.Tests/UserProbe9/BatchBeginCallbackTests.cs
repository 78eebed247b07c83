using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>
/// Callback.OnBatchBegin (Keras' on_train_batch_begin), which was missing: a per-batch warm-up or
/// timer had no hook before a step. Keras calls it before each training step with the 0-based
/// batch index within the epoch; LambdaCallback takes it as on_train_batch_begin.
/// </summary>
public abstract class BatchBeginCallbackTests(string backend) : BackendTest(backend)
{
    private static Sequential TinyModel(double lr)
    {
        var m = new Sequential(Layers.Input([3]), new Layers.Dense(1));
        m.Compile(new Optimizers.SGD(lr), "mse");
        return m;
    }

    [SkippableFact]
    public void Begin_comes_before_each_step_and_its_end()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var m = TinyModel(0.01);
        var events = new List<string>();
        var cb = new Callbacks.LambdaCallback(
            onBatchBegin: b => events.Add($"begin{b}"),
            onBatchEnd: (b, _) => events.Add($"end{b}"),
            onEpochBegin: e => events.Add($"epoch{e}"));
        // 10 rows in batches of 4: three batches an epoch.
        m.Fit(NF.Random.Normal([10, 3]), NF.Random.Normal([10, 1]), batchSize: 4, epochs: 2, verbose: 0, callbacks: [cb]);
        string[] epoch(int e) => [$"epoch{e}", "begin0", "end0", "begin1", "end1", "begin2", "end2"];
        Assert.Equal([.. epoch(0), .. epoch(1)], events);
    }

    private sealed class ZeroRateBeforeEachBatch : Callbacks.Callback
    {
        public Tensor? Made;
        public int Calls;
        public override void OnBatchBegin(int batch)
        {
            Calls++;
            Model!.Optimizer!.LearningRate = 0.0;
            Made = NF.Fill([2], (float)batch); // must outlive the step
        }
    }

    [SkippableFact]
    public void A_rate_set_before_each_batch_is_the_rate_that_step_uses()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        var m = TinyModel(0.5);
        m.Build([3]);
        var before = m.GetWeights().Select(w => w.ToArray<float>()).ToArray();
        var cb = new ZeroRateBeforeEachBatch();
        m.Fit(NF.Random.Normal([8, 3]), NF.Random.Normal([8, 1]), batchSize: 4, epochs: 2, verbose: 0, callbacks: [cb]);
        Assert.Equal(4, cb.Calls);
        // Set before the first step, a zero rate left every weight where it started (0.5 would not).
        var after = m.GetWeights().Select(w => w.ToArray<float>()).ToArray();
        Assert.Equal(before, after);
        Assert.Equal(new[] { 1f, 1f }, cb.Made!.ToArray<float>());
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedBatchBeginCallbackTests() : BatchBeginCallbackTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuBatchBeginCallbackTests() : BatchBeginCallbackTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaBatchBeginCallbackTests() : BatchBeginCallbackTests("cuda");
