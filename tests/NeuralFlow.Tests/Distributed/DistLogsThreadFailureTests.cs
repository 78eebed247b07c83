namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// An unhandled exception on a thread of a rank's own while its main thread waits in a
/// collective: the exception's hook runs on the thread that threw, and MPI (at
/// MPI_THREAD_SERIALIZED) allows one thread inside it at a time, so the failure note is handed to
/// the waiting thread, which sends it and leaves its wait at once; the other rank fails with the
/// exception when it reaches the collective. The worker's scenario is Failures.cs ("thread").
/// </summary>
public sealed class DistLogsThreadFailureTests
{
    [SkippableFact]
    public void An_unhandled_exception_on_another_thread_is_announced_by_the_thread_inside_MPI()
    {
        MpiJob.Require();
        var job = MpiJob.Run(2, "cpu", "fail thread", env: new Dictionary<string, string> { ["NEURALFLOW_DIST_TIMEOUT"] = "120" });
        Assert.NotEqual(0, job.ExitCode);
        const string trouble = "the data loader thread of rank 1 failed";
        Assert.Equal(trouble, job.Value(1, "trouble"));
        Assert.Contains("unhandled exception, ending the job", job.RankOutput(1));
        // Rank 1's own wait ended with its failure, before rank 0 even reached the barrier.
        Assert.Matches(@"^rank 1 of 2 failed: InvalidOperationException: " + System.Text.RegularExpressions.Regex.Escape(trouble) +
                       @" \(announced to the other ranks; the wait in nf_dist_barrier, collective #\d+, is abandoned and the job ends\)$", job.Value(1, "error"));
        Assert.True(long.Parse(job.Value(1, "error_at_ms")) < long.Parse(job.Value(0, "joined_at_ms")), job.Output);
        Assert.Matches(@"^rank 1 failed: InvalidOperationException: " + System.Text.RegularExpressions.Regex.Escape(trouble) +
                       @" \(rank 0 of 2 learned it waiting in nf_dist_barrier, collective #\d+; the job cannot go on\)$", job.Value(0, "error"));
    }
}
