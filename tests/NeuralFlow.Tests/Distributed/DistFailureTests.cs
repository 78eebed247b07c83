namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// A rank that fails on its own (a callback's or a loss lambda's exception, a bad batch, in Fit,
/// Evaluate, Predict, a custom loop or an NF.Function step) while the other goes on into the next
/// collective: the other rank must fail at once with the failed rank's exception named, not wait
/// for the collective timeout (set to 120 s here, so only the announcement can end the wait in
/// time), and the job must end. The worker's scenarios are Failures.cs. Backend-independent: run
/// on the CPU engine.
/// </summary>
public sealed class DistFailureTests
{
    private static readonly Dictionary<string, string> LongTimeout = new() { ["NEURALFLOW_DIST_TIMEOUT"] = "120" };

    [SkippableTheory]
    [InlineData("fit_loss", "loss is NaN in step 5 on rank 1")]
    [InlineData("fit_callback", "callback failed after batch 3 on rank 1")]
    [InlineData("evaluate", "bad batch 2 in Evaluate on rank 1")]
    [InlineData("predict", "file of batch 2 missing in Predict on rank 1")]
    public void A_rank_that_throws_in_Fit_Evaluate_or_Predict_fails_the_others_at_once_with_its_exception(string where, string trouble)
    {
        MpiJob.Require();
        var job = MpiJob.Run(2, "cpu", $"fail {where}", env: LongTimeout);
        Assert.NotEqual(0, job.ExitCode);
        Assert.Equal(trouble, job.Value(1, "trouble"));
        Assert.Matches(@"^rank 1 failed: InvalidOperationException: " + System.Text.RegularExpressions.Regex.Escape(trouble) +
                       @" \(rank 0 of 2 learned it waiting in nf_dist_\w+, collective #\d+; the job cannot go on\)$", job.Value(0, "error"));
        AssertFailedSoonAfterTheTrouble(job);
    }

    [SkippableTheory]
    [InlineData("loop")]
    [InlineData("function")]
    public void A_rank_whose_custom_loop_throws_fails_the_others_at_once(string where)
    {
        MpiJob.Require();
        var job = MpiJob.Run(2, "cpu", $"fail {where}", env: LongTimeout);
        Assert.NotEqual(0, job.ExitCode);
        Assert.Equal("a batch of 21 features in step 4 on rank 1", job.Value(1, "trouble"));
        // The bad batch's own exception (the matmul's shape check), unhandled on rank 1.
        Assert.Matches(@"^rank 1 failed: \w+Exception: .+ \(rank 0 of 2 learned it waiting in nf_dist_\w+, collective #\d+; the job cannot go on\)$", job.Value(0, "error"));
        Assert.Contains("unhandled exception, ending the job", job.RankOutput(1));
        AssertFailedSoonAfterTheTrouble(job);
    }

    [SkippableFact]
    public void A_rank_that_catches_its_exception_and_disposes_its_strategy_fails_the_others_at_once()
    {
        MpiJob.Require();
        var job = MpiJob.Run(2, "cpu", "fail disposed", env: LongTimeout);
        Assert.NotEqual(0, job.ExitCode);
        Assert.Equal("a batch of 21 features in step 4 on rank 1", job.Value(1, "trouble"));
        Assert.Matches(@"^rank 1 left the job \(its DataParallel strategy was disposed or its process ended\) after collective #\d+, so collective #\d+ that rank 0 of 2 waits in \(nf_dist_\w+\) can never complete", job.Value(0, "error"));
        AssertFailedSoonAfterTheTrouble(job);
    }

    // Timed from the trouble (the ranks share the machine's clock): well under the 120 s timeout.
    private static void AssertFailedSoonAfterTheTrouble(MpiJob.Result job)
    {
        double after = (long.Parse(job.Value(0, "error_at_ms")) - long.Parse(job.Value(1, "trouble_at_ms"))) / 1000.0;
        Assert.True(after < 20, $"rank 0 failed {after:0.0} s after rank 1's trouble:\n{job.Output}");
    }
}
