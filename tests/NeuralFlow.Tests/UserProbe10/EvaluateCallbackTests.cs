using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// Evaluate(callbacks:), missing before: Keras 3's evaluate calls on_test_begin, then per batch
/// on_test_batch_begin(step) and on_test_batch_end(step, logs), then on_test_end(logs) (keras/src/
/// backend/tensorflow/trainer.py, evaluate; the sequence is <see cref="HookRecorder.KerasEvaluate"/>).
/// A batch's logs are the running loss and metrics over the batches so far (test_function returns
/// the compiled metrics' results, which accumulate), so after batch k they equal Evaluate on the
/// first k batches' examples; on_test_end's are what Evaluate returns. Params are Keras'
/// CallbackList(epochs=1, steps=num_batches, verbose=verbose), steps None when the data's length is unknown.
/// Traced and run eagerly.
/// </summary>
public abstract class EvaluateCallbackTests(string backend) : BackendTest(backend)
{
    internal static Sequential MakeModel(bool eager)
    {
        NF.Random.SetSeed(5);
        var m = new Sequential(Layers.Input([3]), new Layers.Dense(4, activation: "relu"), new Layers.Dense(1));
        m.Compile(new Optimizers.SGD(0.05), new Losses.MeanSquaredError(), ["mae"], runEagerly: eager);
        return m;
    }

    // 10 examples: batches of 4 are 4, 4 and 2.
    internal static (Tensor X, Tensor Y) MakeData(int rows = 10)
    {
        NF.Random.SetSeed(6);
        return (NF.Random.Normal([rows, 3]), NF.Random.Normal([rows, 1]));
    }

    internal static void AssertSameLogs(IReadOnlyList<KeyValuePair<string, float>> want, IReadOnlyDictionary<string, float> got)
    {
        Assert.Equal(want.Select(kv => kv.Key), got.Keys);
        foreach (var (k, v) in want) Assert.Equal(v, got[k], Math.Max(1e-6, Math.Abs(v) * 1e-5));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Evaluate_calls_the_test_hooks_in_keras_order_with_running_logs(bool eager)
    {
        RequireBackend();
        var m = MakeModel(eager);
        var (x, y) = MakeData();
        var rec = new HookRecorder();
        var result = m.Evaluate(x, y, batchSize: 4, callbacks: [rec]);
        Assert.Equal(HookRecorder.KerasEvaluate(3), rec.Calls);
        Assert.All(rec.ParamsSeen, p => Assert.Equal(new Callbacks.CallbackParams(1, 3, 0), p));
        Assert.Same(m, rec.Model);
        // on_test_end: Evaluate's own values, names in MetricsNames' order.
        AssertSameLogs(result.Values, rec.TestEndLogs.Single());
        // on_test_batch_end k: the running means over batches 0..k, i.e. Evaluate of those rows.
        int[] ends = [4, 8, 10];
        for (int k = 0; k < 3; k++)
            AssertSameLogs(m.Evaluate(x[..ends[k]], y[..ends[k]], batchSize: 4).Values, rec.TestBatchLogs[k]);
        // Running, not the batch's own: batch 1 alone has another loss.
        Assert.NotEqual(m.Evaluate(x[4..8], y[4..8]).Loss, rec.TestBatchLogs[1]["loss"], 1e-4);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_dataset_and_inputs_alone_call_them_too(bool eager)
    {
        RequireBackend();
        var m = MakeModel(eager);
        var (x, y) = MakeData();
        var rec = new HookRecorder();
        var result = m.Evaluate(Dataset.FromTensorSlices(x, y).Batch(4), callbacks: [rec], verbose: 0);
        Assert.Equal(HookRecorder.KerasEvaluate(3), rec.Calls);
        Assert.Equal(new Callbacks.CallbackParams(1, 3, 0), rec.Params);
        AssertSameLogs(result.Values, rec.TestEndLogs.Single());
        // steps: the batches run; a filtered dataset's length is unknown upfront (Keras: steps None).
        var two = new HookRecorder();
        m.Evaluate(Dataset.FromTensorSlices(x, y).Batch(4).Repeat(), steps: 2, callbacks: [two]);
        Assert.Equal(HookRecorder.KerasEvaluate(2), two.Calls);
        Assert.Equal(new Callbacks.CallbackParams(1, 2, 0), two.Params);
        var unknown = new HookRecorder();
        m.Evaluate(Dataset.FromTensorSlices(x, y).Filter((_, _) => true).Batch(4), callbacks: [unknown]);
        Assert.Equal(HookRecorder.KerasEvaluate(3), unknown.Calls);
        Assert.Null(unknown.Params!.Steps);

        // Evaluate(x) of a model compiled without a loss, whose layers add it (Keras' evaluate(x)).
        NF.Random.SetSeed(5);
        var alone = new Sequential(Layers.Input([3]), new Layers.Dense(2, activityRegularizer: new Regularizers.L2(0.1)));
        alone.Compile(new Optimizers.SGD(0.01), runEagerly: eager);
        var own = new HookRecorder();
        var r = alone.Evaluate(x, batchSize: 5, callbacks: [own]);
        Assert.Equal(HookRecorder.KerasEvaluate(2), own.Calls);
        AssertSameLogs(r.Values, own.TestEndLogs.Single());
    }

    private sealed class EndOnly : Callbacks.Callback
    {
        public IReadOnlyDictionary<string, float>? Logs;
        public override void OnTestEnd(IReadOnlyDictionary<string, float> logs) => Logs = logs;
    }

    [SkippableFact]
    public void Only_a_callback_that_overrides_a_batch_hook_is_called_per_batch()
    {
        RequireBackend();
        // The per-batch hooks are picked by Callback's one Overrides check: a callback that wants
        // the end only costs no per-batch read of the running logs from the device.
        var end = new EndOnly();
        Assert.False(end.HandlesTestBatchEnd);
        Assert.False(end.HandlesTestBatchBegin);
        Assert.False(end.HandlesPredictBatchEnd);
        Assert.False(new Callbacks.EarlyStopping().HandlesTestBatchEnd);
        var rec = new HookRecorder();
        Assert.True(rec.HandlesTestBatchEnd && rec.HandlesTestBatchBegin && rec.HandlesPredictBatchBegin && rec.HandlesPredictBatchEnd);
        var m = MakeModel(false);
        var (x, y) = MakeData();
        var result = m.Evaluate(x, y, batchSize: 4, callbacks: [end]);
        AssertSameLogs(result.Values, end.Logs!);
        Assert.Throws<ArgumentNullException>(() => m.Evaluate(x, y, callbacks: [null!]));
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedEvaluateCallbackTests() : EvaluateCallbackTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuEvaluateCallbackTests() : EvaluateCallbackTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaEvaluateCallbackTests() : EvaluateCallbackTests("cuda");
