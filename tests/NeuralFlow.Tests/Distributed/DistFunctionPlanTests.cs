using NeuralFlow.Backends;

namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// How a replay plan treats a collective call (FunctionTrace.RunCollective, what DataParallel's
/// allreduce records), without MPI: a stand-in "collective" that writes its buffer in place at
/// its wait, as MPI does. It runs at every replay, in order, on that replay's address of its
/// buffer; no plan pass drops it although nothing reads the buffer after it; the arena keeps
/// the buffer from its first use to the wait, so the temporaries computed while it is "in flight"
/// get other bytes; and on a GPU the plan is split around it into CUDA graphs instead of
/// falling back to kernel-by-kernel replays.
/// </summary>
public abstract class DistFunctionPlanTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_collective_call_replays_in_order_on_its_buffer_which_no_temporary_shares_while_it_is_in_flight()
    {
        RequireBackend();
        var engine = NF.Backend;
        var log = new List<string>();
        nint started = 0;
        NF.Random.SetSeed(4);
        var w = NF.Random.Normal([15, 15]);
        var f = NF.Function((Tensor x) =>
        {
            var packed = x * 2f;  // what a bucket's gradients are packed into
            var all = Layout.Contiguous(packed.Shape);
            FunctionTrace.RunCollective(packed, p =>
            {
                log.Add("start");
                started = p;
            }, "StandInStart");
            // Computed while the stand-in is in flight, temporaries of the arena: they must not get packed's bytes.
            var b = x + 1f;
            var c = NF.MatMul(b, w);
            FunctionTrace.RunCollective(packed, p =>
            {
                log.Add(p == started ? "wait" : "wait elsewhere");
                engine.Unary(UnaryOp.Neg, DType.Float32, p, all, p, all);  // "MPI" writes the buffer in place, now
            }, "StandInWait");
            return c - 1f;  // nothing reads packed after the wait
        });
        var function = TracedFunction.Of(f);
        for (int call = 0; call < 6; call++)
        {
            var x = NF.Constant(Enumerable.Range(0, 300).Select(i => (float)(i % 17) - 3 * call).ToArray(), [20, 15]);
            var expected = (NF.MatMul(x + 1f, w) - 1f).ToArray<float>();
            Assert.Equal(expected, f(x).ToArray<float>());
        }
        Assert.Null(function.EagerReason);
        Assert.Equal(5, function.ReplayCount);
        Assert.Equal(Enumerable.Repeat(new[] { "start", "wait" }, 6).SelectMany(s => s), log);
        var calls = function.LatestPlan!.Describe().Split('\n');
        Assert.True(Array.IndexOf(calls, "StandInStart") is >= 0 and var start && Array.IndexOf(calls, "StandInWait") > start, string.Join(" | ", calls));
        if (BackendName == "cuda")
        {
            // Graphs before, between and after the host calls; no fallback.
            Assert.Null(function.CudaGraphFallback);
            Assert.True(function.CudaGraphLaunches >= 3, $"{function.CudaGraphLaunches} graph launches");
        }
        else Assert.Equal(0, function.CudaGraphLaunches);
    }

    [SkippableFact]
    public void A_collective_call_without_a_buffer_replays_too()
    {
        RequireBackend();
        int runs = 0;
        var f = NF.Function((Tensor x) =>
        {
            FunctionTrace.RunCollective(null, p =>
            {
                Assert.Equal(0, p);
                runs++;
            }, "StandInCheck");
            return x * 3f;
        });
        for (int i = 0; i < 4; i++) Assert.Equal(new[] { 3f * i }, f(NF.Constant(new[] { (float)i })).ToArray<float>());
        Assert.Equal(3, TracedFunction.Of(f).ReplayCount);
        Assert.Equal(4, runs);
    }
}

public sealed class ManagedDistFunctionPlanTests() : DistFunctionPlanTests("managed");

public sealed class NativeCpuDistFunctionPlanTests() : DistFunctionPlanTests("cpu");

public sealed class CudaDistFunctionPlanTests() : DistFunctionPlanTests("cuda");
