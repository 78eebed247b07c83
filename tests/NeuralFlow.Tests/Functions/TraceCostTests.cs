namespace NeuralFlow.Tests;

/// <summary>
/// What a trace costs, not only what it replays: an LSTM step unrolled over 40 time steps (2,000
/// recorded calls) spent 34 ms of its 45 ms plan in the elementwise fusion pass, which tried
/// thousands of candidate groups with new working arrays each (garbage the collector met again and
/// again among the trace's live objects). The candidates now share one set of arrays.
/// </summary>
public abstract class TraceCostTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Planning_a_long_unfusable_elementwise_run_allocates_little()
    {
        RequireBackend();
        // 300 elementwise calls in a row whose values are all read afterwards (by the stack), so no
        // group of them fuses: the pass tries every length from every start.
        var f = NF.Function((Tensor x) =>
        {
            var ys = new List<Tensor>();
            var y = x;
            for (int i = 0; i < 150; i++) ys.Add(y = y * 1.01f + x);
            return NF.Stack(ys.ToArray());
        });
        var x = NF.Ones([4]);
        f(x).Dispose();   // warm: the JIT's and the kernels' first-use allocations
        var y4 = NF.Ones([5]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var traced = f(y4);   // a new shape: traced and planned
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, TracedFunction.Of(f).TraceCount);
        // ~45,000 candidate groups: with arrays per candidate this allocated 480 MB, now about 1 MB.
        Assert.True(allocated < 8_000_000, $"tracing allocated {allocated:N0} bytes");
        Assert.Equal(MathF.Round(1.01f * 1 + 1, 5), MathF.Round(traced[0].ToArray<float>()[0], 5));
    }
}

public sealed class ManagedTraceCostTests() : TraceCostTests("managed");

public sealed class NativeCpuTraceCostTests() : TraceCostTests("cpu");

public sealed class CudaTraceCostTests() : TraceCostTests("cuda");
