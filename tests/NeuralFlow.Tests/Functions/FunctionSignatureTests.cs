using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.Function's signature cache as a tf.function user meets it: one trace per input signature
/// (shape, dtype, device), replays after it; a bounded cache that keeps the signatures in use;
/// and a retracing warning the user can see and redirect.
/// </summary>
public abstract class FunctionSignatureTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Each_dtype_is_its_own_signature_and_replays_with_its_own_arithmetic()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => x * 3 + 1);
        var info = TracedFunction.Of(f);
        for (int round = 0; round < 2; round++)
        {
            var floats = f(NF.Constant(new[] { 0.5f, -1f }));
            var doubles = f(NF.Constant(new[] { 0.25, 2.0 }));
            var ints = f(NF.Constant(new[] { 7, -2 }));
            Assert.Equal(DType.Float32, floats.DType);
            Assert.Equal(DType.Float64, doubles.DType);
            Assert.Equal(DType.Int32, ints.DType);
            Assert.Equal(new[] { 2.5f, -2f }, floats.ToArray<float>());
            Assert.Equal(new[] { 1.75, 7.0 }, doubles.ToArray<double>());
            Assert.Equal(new[] { 22, -5 }, ints.ToArray<int>());
        }
        Assert.Equal(3, info.TraceCount);
        Assert.Equal(3, info.ReplayCount);
    }

    [SkippableFact]
    public void An_input_on_another_device_traces_again_and_computes_there()
    {
        RequireBackend();
        var other = new DeviceDouble(3);
        var f = NF.Function((Tensor x) => NF.Relu(x * 2 - 1));
        var info = TracedFunction.Of(f);
        var here = NF.Constant(new[] { 1f, 0f, 3f });
        Tensor there;
        using (NF.UseBackend(BackendRegistry.Managed)) there = NF.Constant(new[] { 2f, -1f, 0.75f }).To(other);
        for (int i = 0; i < 2; i++)
        {
            var a = f(here);
            var b = f(there);
            Assert.Equal(here.Device, a.Device);
            Assert.Equal(Device.Gpu(3), b.Device);
            Assert.Equal(new[] { 1f, 0f, 5f }, a.ToArray<float>());
            Assert.Equal(new[] { 3f, 0f, 0.5f }, b.ToArray<float>());
        }
        Assert.Equal(2, info.TraceCount);
        Assert.True(info.LastCallReplayed);
    }

    [SkippableFact]
    public void The_learning_phase_the_caller_sets_is_part_of_the_signature()
    {
        RequireBackend();
        // Keras' model(x, training=...): a function over a model with Dropout, called in both phases.
        var dropout = new Keras.Layers.Dropout(0.5);
        var f = NF.Function((Tensor x) => dropout.Call(x) * 1);
        var x = NF.Ones([256]);
        for (int i = 0; i < 3; i++)
        {
            Assert.All(f(x).ToArray<float>(), v => Assert.Equal(1f, v));              // inference: no dropout
            using (Keras.Layer.TrainingMode())
                Assert.Contains(0f, f(x).ToArray<float>());                            // training: dropped units
        }
        var info = TracedFunction.Of(f);
        Assert.Equal(2, info.TraceCount);
        Assert.True(info.LastCallReplayed);
    }

    [SkippableFact]
    public void The_cache_keeps_the_signatures_in_use_and_drops_the_least_recently_used()
    {
        RequireBackend();
        // A step called every batch and a validation shape called now and then: the bounded cache
        // must not evict the one called all the time just because it was traced first.
        var f = NF.Function((Tensor x) => x + 1, maxTraces: 2);
        var info = TracedFunction.Of(f);
        f(NF.Zeros([4]));        // traced
        f(NF.Zeros([3]));        // traced
        f(NF.Zeros([4]));        // replayed, and now the most recently used
        f(NF.Zeros([5]));        // traced: [3] goes, not [4]
        Assert.Equal(new[] { 2f, 2f, 2f, 2f }, f(NF.Ones([4])).ToArray<float>());
        Assert.True(info.LastCallReplayed, "the signature used most recently was evicted");
        Assert.Equal(3, info.TraceCount);
        f(NF.Zeros([3]));        // evicted before: traced again
        Assert.Equal(4, info.TraceCount);
    }

    [SkippableFact]
    public void Frequent_retracing_warns_once_on_the_function_log_and_in_its_warnings()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var f = NF.Function(Shrink);
        for (int n = 1; n <= 8; n++) f(NF.Ones([n]));
        var info = TracedFunction.Of(f);
        Assert.Equal(8, info.TraceCount);
        var warning = Assert.Single(info.Warnings);
        Assert.Contains("Shrink", warning);
        Assert.Contains("traced 6 times", warning);
        Assert.Contains("same shapes and dtypes", warning);
        Assert.Equal(warning + Environment.NewLine, log.Text);
        static Tensor Shrink(Tensor x) => x * 0.5f;
    }

    [SkippableFact]
    public void A_function_that_keeps_its_signatures_never_warns()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var f = NF.Function((Tensor x) => x - 1);
        for (int i = 0; i < 50; i++) f(NF.Ones([i % 3 + 1]));
        Assert.Equal(3, TracedFunction.Of(f).TraceCount);
        Assert.Empty(TracedFunction.Of(f).Warnings);
        Assert.Equal("", log.Text);
    }
}

public sealed class ManagedFunctionSignatureTests() : FunctionSignatureTests("managed");

public sealed class NativeCpuFunctionSignatureTests() : FunctionSignatureTests("cpu");

public sealed class CudaFunctionSignatureTests() : FunctionSignatureTests("cuda");
