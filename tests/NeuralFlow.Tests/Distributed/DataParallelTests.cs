namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Issue 18 on every backend, with 2 ranks on this machine: averaged gradients equal the full
/// batch's, weights stay bit-identical, and Fit learns as well as with 1 rank.
/// </summary>
public abstract class DataParallelTests(string backend) : BackendTest(backend)
{
    private void RequireMpi()
    {
        RequireBackend();
        MpiJob.Require();
    }

    private static double Number(string s) => MpiJob.Number(s);

    [SkippableFact]
    public void Gradients_averaged_over_two_half_batches_equal_the_full_batch_gradients()
    {
        RequireMpi();
        // A bucket of 2 KiB splits the 4 gradients over several allreduces.
        var job = MpiJob.Run(2, BackendName, "grads --bucket-mb 0.002");
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal("2", job.Value(r, "world"));
            Assert.StartsWith(BackendName, job.Value(r, "backend"));  // the ranks run on the backend under test
            Assert.True(Number(job.Value(r, "max_rel_err")) < 1e-6, job.Output);
            Assert.Equal("True", job.Value(r, "null_kept_unused"));
        }
    }

    [SkippableFact]
    public void Weights_are_bit_identical_on_both_ranks_after_50_steps_from_different_initial_weights()
    {
        RequireMpi();
        var job = MpiJob.Run(2, BackendName, "steps --bucket-mb 0.002");  // several buckets, started during backward
        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Equal("50", job.Value(0, "steps"));
        Assert.Equal("50", job.Value(1, "steps"));
        Assert.Equal(job.Value(0, "weights"), job.Value(1, "weights"));
    }

    [SkippableFact]
    public void Fit_on_a_dataset_splits_each_batch_among_the_ranks_and_every_rank_runs_the_same_steps()
    {
        RequireMpi();
        var job = MpiJob.Run(2, BackendName, "dataset");
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal("50", job.Value(r, "steps"));   // 2 epochs of 25 global batches
            Assert.Equal("2", job.Value(r, "epochs"));
        }
        Assert.Equal(job.Value(0, "weights"), job.Value(1, "weights"));
    }

    [SkippableFact]
    public void Fit_on_two_ranks_reaches_the_validation_accuracy_of_one_rank_and_logs_on_rank_0_only()
    {
        RequireMpi();
        var one = MpiJob.Run(1, BackendName, "fit");
        var two = MpiJob.Run(2, BackendName, "fit");
        Assert.True(one.ExitCode == 0, one.Output);
        Assert.True(two.ExitCode == 0, two.Output);
        double single = Number(one.Value(0, "val_accuracy"));
        Assert.True(single > 0.5, $"the 1-rank run did not learn (val_accuracy {single}):\n{one.Output}");
        Assert.True(Math.Abs(Number(two.Value(0, "val_accuracy")) - single) <= 0.01, $"1 rank: {single}\n{two.Output}");
        Assert.Equal(two.Value(0, "weights"), two.Value(1, "weights"));
        // The progress lines come from rank 0 alone: one "Epoch 4/4", not one per rank (each
        // rank's own output: the shared one can cut a line in two).
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(two.RankOutput(0), "Epoch 4/4"));
        Assert.DoesNotContain("Epoch", two.RankOutput(1));
    }
}

public sealed class ManagedDataParallelTests() : DataParallelTests("managed");

public sealed class NativeCpuDataParallelTests() : DataParallelTests("cpu");

public sealed class CudaDataParallelTests() : DataParallelTests("cuda");
