namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// A custom metric's state made by Metric.AddWeight is summed over the ranks before its result is read, as
/// Keras sums metric variables (aggregation "sum") under MultiWorkerMirroredStrategy: every rank's Evaluate and
/// Fit report one process's count over all the data, not its own part. A plain Variable held by the metric
/// would give each rank its own half. The worker's scenario is CustomMetricState.cs.
/// </summary>
public sealed class DistCustomMetricTests
{
    [SkippableTheory]
    [InlineData(67, 8)]  // uneven parts: the last batch of 3 splits 1 and 2
    [InlineData(30, 16)] // two batches of different sizes
    public void A_metric_state_made_by_AddWeight_is_counted_over_every_rank(int n, int batchSize)
    {
        MpiJob.Require();
        var job = MpiJob.Run(2, "cpu", $"custom_metric {n} {batchSize}");
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < 2; r++)
        {
            double expected = MpiJob.Number(job.Value(r, "expected_tp"));
            Assert.InRange(expected, 1, n - 1);   // a count that one rank's half could not give
            Assert.Equal(expected, MpiJob.Number(job.Value(r, "eval_tp")));
            Assert.Equal(new[] { expected, expected }, job.Value(r, "fit_tp").Split(',').Select(MpiJob.Number));
        }
    }
}
