namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// A mistake on one rank (the worker's Tutorials.Mismatch): every rank throws the same
/// ArgumentException naming what differs, at once, instead of MPI failing without saying why or
/// the other ranks waiting for the timeout. Backend-independent: run on the CPU engine, with a
/// collective timeout far above the job so that a wait would show as one.
/// </summary>
public sealed class DataParallelMistakeTests
{
    private static MpiJob.Result Run(string kind) =>
        MpiJob.Run(2, "cpu", $"mismatch {kind}", env: new Dictionary<string, string> { ["NEURALFLOW_DIST_TIMEOUT"] = "600" });

    [SkippableFact]
    public void Ranks_with_different_models_each_get_an_ArgumentException_naming_both_and_the_job_goes_on()
    {
        MpiJob.Require();
        // Before: MPI_ERR_TRUNCATE from the weights' broadcast on one rank, and MPI_Abort.
        var job = Run("model");
        Assert.True(job.ExitCode == 0, job.Output);  // thrown on both alike: still in step, no abort
        Assert.StartsWith("ArgumentException: Broadcast: the ranks hold different variables (rank 0: 4 variables, 506 values; rank 1: 4 variables, 537 values)", job.Value(0, "fit"));
        Assert.Contains("Rank 1's: dense", job.Value(1, "fit"));
        Assert.Contains("(20, 17)", job.Value(1, "fit"));
        Assert.Equal("ok", job.Value(1, "done"));
    }

    [SkippableFact]
    public void Ranks_with_different_batch_sizes_each_get_an_ArgumentException()
    {
        MpiJob.Require();
        // Before: both trained, silently, on shards of different global batches.
        var job = Run("batch");
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < 2; r++)
            Assert.StartsWith("ArgumentException: Fit: the ranks passed different data or batch sizes (rank 0: 128 examples in batches of 64; rank 1: 128 examples in batches of 32).", job.Value(r, "fit"));
    }

    [SkippableFact]
    public void A_rank_without_examples_fails_on_every_rank_instead_of_leaving_the_others_waiting()
    {
        MpiJob.Require();
        // Before: rank 1 threw alone, and rank 0 waited in its first collective until the timeout.
        var job = Run("empty");
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < 2; r++)
            Assert.StartsWith("ArgumentException: Fit: the ranks passed different data or batch sizes (rank 0: 128 examples in batches of 64; rank 1: 0 examples in batches of 64).", job.Value(r, "fit"));
    }

    [SkippableFact]
    public void A_custom_loop_with_different_gradients_per_rank_gets_an_ArgumentException_on_every_rank()
    {
        MpiJob.Require();
        // Before: MPI_ERR_TRUNCATE inside the allreduce of differently sized buckets, and MPI_Abort.
        var job = Run("gradients");
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < 2; r++)
            Assert.StartsWith("ArgumentException: AllReduceGradients: the ranks hold different gradients (rank 0: 4 gradients, 506 values; rank 1: 3 gradients, 496 values)", job.Value(r, "fit"));
        Assert.Contains("Rank 1's: 0: float32 (20, 16)", job.Value(1, "fit"));
    }

    [SkippableFact]
    public void A_dataset_of_unknown_length_trains_every_rank_alike()
    {
        MpiJob.Require();
        var job = Run("unknown");
        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Equal("-2", job.Value(0, "cardinality"));
        Assert.Equal("none", job.Value(0, "fit"));
        Assert.Equal(job.Value(0, "weights"), job.Value(1, "weights"));
    }
}
