namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17's per-call replay profile (NEURALFLOW_REPLAY_PROFILE=1, ReplayProfile.cs): one line
/// per replayed call, named as the plan describes it, with a mean time, and a total; a profiled
/// replay computes what an unprofiled one does.
/// </summary>
public abstract class ReplayProfileTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_profiled_plan_reports_each_call_and_replays_the_same_values()
    {
        RequireBackend();
        Func<Tensor, Tensor, Tensor> body = (x, w) => NF.ReduceSum(NF.Relu(NF.MatMul(x, w) + 1f));
        var f = NF.Function(body);
        TracedFunction.Of(f).CudaGraphs = false;  // graph launches are one call: nothing to time per kernel
        var (x, w) = (NF.Random.Uniform([8, 5]), NF.Random.Uniform([5, 3]));
        f(x, w);
        var plan = TracedFunction.Of(f).LatestPlan!;
        plan.Profile = new ReplayProfile(plan.Describe().Split('\n'));
        for (int i = 0; i < 3; i++) Assert.Equal(body(x, w).ToArray<float>(), f(x, w).ToArray<float>());
        Assert.Equal(3, plan.Profile.Replays);
        var lines = plan.Profile.Report().TrimEnd().Split('\n');
        Assert.Equal(plan.OpCount + 1, lines.Length);
        Assert.Matches(@"^\s+\d+\.\d us  MatMul$", lines[0]);
        Assert.Contains("FusedElementwise[Add,Relu]", lines[1]);
        Assert.Matches($@"^\s+\d+\.\d us  all {plan.OpCount} calls, mean of 3 replays$", lines[^1]);
    }
}

public sealed class ManagedReplayProfileTests() : ReplayProfileTests("managed");

public sealed class NativeCpuReplayProfileTests() : ReplayProfileTests("cpu");

public sealed class CudaReplayProfileTests() : ReplayProfileTests("cuda");
