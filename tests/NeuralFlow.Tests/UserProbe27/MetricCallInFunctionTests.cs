using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// Keras' <c>metric(...)</c> inside a tf.function, as TF's quickstart for experts writes <c>train_loss(loss)</c> in its
/// train_step: Call returned a float read on the host, so every compiled step that called a metric ran eagerly. Its
/// result is now read where it is used: a step that only calls metrics replays (updating them at every call), a step
/// that uses the number runs eagerly naming the metric, and eagerly the number is the result at the call.
/// </summary>
public abstract class MetricCallInFunctionTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_step_that_calls_metrics_replays_and_updates_them_each_call()
    {
        RequireBackend();
        var mean = new Metrics.Mean(name: "train_loss");
        var accuracy = new Metrics.SparseCategoricalAccuracy(name: "train_accuracy");
        var total = new Metrics.Sum(name: "seen");
        var step = NF.Function((Tensor loss, Tensor labels, Tensor logits) =>
        {
            mean.Call(loss);
            accuracy.Call(labels, logits);
            total.Call(NF.OnesLike(loss));
        });
        var logits = NF.Constant(new float[] { 0.1f, 0.9f, 0.8f, 0.2f }, new Shape(2, 2));
        // The first call traces and makes the metrics' state variables, so the second traces again; then replays.
        step(NF.Constant(2f), NF.Constant(new long[] { 1, 1 }), logits);
        step(NF.Constant(4f), NF.Constant(new long[] { 1, 0 }), logits);
        step(NF.Constant(6f), NF.Constant(new long[] { 0, 0 }), logits);
        step(NF.Constant(8f), NF.Constant(new long[] { 0, 1 }), logits);
        var traced = TracedFunction.Of(step);
        Assert.True(traced.ReplayCount >= 2 && traced.LastCallReplayed, $"the step ran eagerly: {traced.EagerReason}");
        Assert.Equal(5f, mean.Result(), 6);
        Assert.Equal(4f / 8f, accuracy.Result(), 6);   // the predictions are classes 1 and 0: hits 1 + 2 + 1 + 0 of 8
        Assert.Equal(4f, total.Result());
    }

    [SkippableFact]
    public void A_step_that_uses_the_number_runs_eagerly_and_names_the_metric()
    {
        RequireBackend();
        var mean = new Metrics.Mean(name: "train_loss");
        var seen = new List<float>();
        var step = NF.Function((Tensor loss) => { float now = mean.Call(loss); seen.Add(now); });
        step(NF.Constant(2f));
        step(NF.Constant(4f));
        // Each call's running mean, as eagerly: the C# code that reads it ran every time.
        Assert.Equal([2f, 3f], seen);
        var reason = TracedFunction.Of(step).EagerReason;
        Assert.Contains("'train_loss'", reason);
        Assert.Contains("read Result() outside the step", reason);
    }

    [SkippableFact]
    public void Eagerly_the_number_is_the_result_at_the_call()
    {
        RequireBackend();
        var mean = new Metrics.Mean();
        var first = mean.Call(NF.Constant(new[] { 1f, 3f }));
        var second = mean.Call(NF.Constant(8f));
        Assert.Equal(2f, (float)first);
        Assert.Equal(4f, (float)second);
        Assert.Equal("2", first.ToString());
        Assert.Equal("4.00", $"{second:0.00}");
        float asFloat = new Metrics.BinaryAccuracy().Call(NF.Constant(new[] { 1f, 0f }), NF.Constant(new[] { 0.9f, 0.7f }));
        Assert.Equal(0.5f, asFloat);
    }
}

/// <summary>Metric Call in compiled steps, on the managed backend.</summary>
public sealed class ManagedMetricCallInFunctionTests() : MetricCallInFunctionTests("managed");

/// <summary>Metric Call in compiled steps, on the native CPU backend.</summary>
public sealed class NativeCpuMetricCallInFunctionTests() : MetricCallInFunctionTests("cpu");

/// <summary>Metric Call in compiled steps, on the CUDA backend.</summary>
public sealed class CudaMetricCallInFunctionTests() : MetricCallInFunctionTests("cuda");
