namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Distributed steps replay (the worker's Replays.cs): the gradient allreduce is recorded as
/// collective calls of the plan, so Fit's traced step and a custom loop compiled with NF.Function
/// replay under DataParallel, and give the weights of the same training run eagerly, bit for bit,
/// on every rank. Before, the allreduce made every such trace fail and every step ran eagerly.
/// </summary>
public abstract class DistFunctionTests(string backend) : BackendTest(backend)
{
    private void RequireMpi()
    {
        RequireBackend();
        MpiJob.Require();
    }

    [SkippableFact]
    public void Fit_and_Evaluate_replay_on_two_ranks_and_give_the_eager_weights_bit_for_bit()
    {
        RequireMpi();
        var job = MpiJob.Run(2, BackendName, "replay_fit");
        Assert.True(job.ExitCode == 0, job.Output);
        foreach (var kind in new[] { "default", "custom" })
        {
            for (int r = 0; r < 2; r++)
            {
                // Rank 0's last batch has its usual 2 examples but another share of the global
                // batch (2/4, not 2/5): a weight frozen at the trace would have changed the bits.
                Assert.Equal(job.Value(r, $"{kind}_eager_weights"), job.Value(r, $"{kind}_traced_weights"));
                Assert.Equal(job.Value(r, $"{kind}_eager_loss"), job.Value(r, $"{kind}_traced_loss"));
                Assert.Equal(job.Value(r, $"{kind}_eager_eval"), job.Value(r, $"{kind}_traced_eval"));
                Assert.Equal("none", job.Value(r, $"{kind}_fit_reason"));
                Assert.True(int.Parse(job.Value(r, $"{kind}_fit_replays")) > 30, $"{kind} on rank {r}:\n{job.Output}");
                Assert.Equal("none", job.Value(r, $"{kind}_eval_reason"));
                Assert.True(int.Parse(job.Value(r, $"{kind}_eval_replays")) > 0, job.Output);
            }
            Assert.Equal(job.Value(0, $"{kind}_traced_weights"), job.Value(1, $"{kind}_traced_weights"));
        }
    }

    [SkippableFact]
    public void The_tutorials_custom_loop_compiled_replays_and_gives_the_eager_loops_weights_bit_for_bit_on_two_ranks_and_on_one()
    {
        RequireMpi();
        foreach (int ranks in new[] { 2, 1 })  // one rank: a job of one, where each allreduce is a copy
        {
            var job = MpiJob.Run(ranks, BackendName, "replay_loop");
            Assert.True(job.ExitCode == 0, job.Output);
            for (int r = 0; r < ranks; r++)
            {
                Assert.Equal(job.Value(r, "eager_weights"), job.Value(r, "compiled_weights"));
                Assert.Equal("none", job.Value(r, "reason"));
                Assert.True(int.Parse(job.Value(r, "replays")) >= 15, $"rank {r} of {ranks}:\n{job.Output}");  // 18 steps, at most 3 traced
                // A value the C# code reads or gives across the ranks stops the trace, with the reason.
                Assert.StartsWith("it calls DataParallel.GlobalResult, a collective across the ranks (MPI) on values the C# code holds", job.Value(r, "global_result_reason"));
                Assert.StartsWith("it calls DataParallel.AllReduce, a collective", job.Value(r, "allreduce_reason"));
            }
            if (ranks == 2) Assert.Equal(job.Value(0, "compiled_weights"), job.Value(1, "compiled_weights"));
        }
    }
}

public sealed class ManagedDistFunctionTests() : DistFunctionTests("managed");

public sealed class NativeCpuDistFunctionTests() : DistFunctionTests("cpu");

public sealed class CudaDistFunctionTests() : DistFunctionTests("cuda");

/// <summary>
/// A compiled step whose ranks pass different gradients (the worker's Replays.Mismatch): the
/// same ArgumentException on every rank, whether the ranks trace together or one replays while
/// the other traces another function, never a hang: the agreement check is a collective call of
/// the plan, so a replay gathers where the eager step did. Backend-independent: the CPU engine,
/// with a collective timeout far above the job so that a wait would show as one.
/// </summary>
public sealed class DistFunctionMismatchTests
{
    [SkippableFact]
    public void Ranks_passing_different_gradients_get_the_same_exception_at_the_trace_and_at_a_replay()
    {
        MpiJob.Require();
        var job = MpiJob.Run(2, "cpu", "replay_mismatch", timeoutSeconds: 180, env: new Dictionary<string, string> { ["NEURALFLOW_DIST_TIMEOUT"] = "600" });
        Assert.True(job.ExitCode == 0, job.Output);  // thrown on both alike: still in step, no abort
        for (int r = 0; r < 2; r++)
        {
            foreach (var key in new[] { "trace_error", "replay_error" })
                Assert.StartsWith("ArgumentException: AllReduceGradients: the ranks hold different gradients (rank 0: 4 gradients, 506 values; rank 1: 3 gradients, 496 values)", job.Value(r, key));
            Assert.True(int.Parse(job.Value(r, "replays_before")) > 0, job.Output);
            Assert.Equal("3", job.Value(r, "sum_after"));
        }
        Assert.Equal("True", job.Value(0, "last_call_replayed"));  // rank 0 replayed; rank 1 traced its other function
        Assert.Equal("False", job.Value(1, "last_call_replayed"));
        Assert.Contains("Rank 1's: 0: float32 (20, 16)", job.Value(1, "replay_error"));
    }
}
