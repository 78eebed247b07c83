namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Evaluate and Predict under DataParallel, as tf.distribute's MultiWorkerMirroredStrategy runs
/// them: each rank evaluates or predicts only its part of every batch, and every rank returns the
/// global numbers (those of one process over all the data) and all the predictions in order. An
/// uneven last batch, and data smaller than the number of ranks (rank 0's part of the one example
/// is empty). The worker's scenario is ShardedEvaluation.cs.
/// </summary>
public sealed class DistFailureShardingTests
{
    [SkippableTheory]
    [InlineData(67, 8)]  // 9 batches, the last of 3: parts of 1 and 2
    [InlineData(1, 4)]   // one example: rank 0's part is empty
    public void Evaluate_and_Predict_shard_the_batches_and_return_the_global_results_on_every_rank(int n, int batchSize)
    {
        MpiJob.Require();
        var job = MpiJob.Run(2, "cpu", $"shard_eval {n} {batchSize}");
        Assert.True(job.ExitCode == 0, job.Output);
        int batches = (n + batchSize - 1) / batchSize;
        for (int r = 0; r < 2; r++)
        {
            // This rank's parts: floor(count * r / 2) .. floor(count * (r + 1) / 2) of each batch.
            int part = Enumerable.Range(0, batches).Sum(b =>
            {
                int count = Math.Min(batchSize, n - b * batchSize);
                return count * (r + 1) / 2 - count * r / 2;
            });
            Assert.Equal(part.ToString(), job.Value(r, "eval_rows"));
            Assert.Equal(part.ToString(), job.Value(r, "eval_dataset_rows"));
            Assert.Equal(part.ToString(), job.Value(r, "predict_rows"));
            double expectedLoss = MpiJob.Number(job.Value(r, "expected_loss"));
            Assert.Equal(expectedLoss, MpiJob.Number(job.Value(r, "eval_loss")), 1e-5);
            Assert.Equal(expectedLoss, MpiJob.Number(job.Value(r, "eval_dataset_loss")), 1e-5);
            Assert.Equal(MpiJob.Number(job.Value(r, "expected_accuracy")), MpiJob.Number(job.Value(r, "eval_accuracy")), 1e-6);
            Assert.Equal($"({n}, 10)", job.Value(r, "predict_shape"));
            Assert.True(MpiJob.Number(job.Value(r, "predict_max_diff")) < 1e-6, job.Value(r, "predict_max_diff"));
            Assert.True(MpiJob.Number(job.Value(r, "predict_dataset_max_diff")) < 1e-6, job.Value(r, "predict_dataset_max_diff"));
        }
    }

    [SkippableFact]
    public void The_running_logs_a_callback_reads_mid_epoch_are_the_global_ones()
    {
        MpiJob.Require();
        var alone = MpiJob.Run(1, "cpu", "running_logs");
        var job = MpiJob.Run(2, "cpu", "running_logs");
        Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
        var expected = alone.Value(0, "batch_losses").Split(',').Select(MpiJob.Number).ToArray();
        Assert.Equal(16, expected.Length);  // 8 batches, 2 epochs
        for (int r = 0; r < 2; r++)
        {
            // Keras' running mean over the global batches so far, as one process logs it (not this rank's half).
            var seen = job.Value(r, "batch_losses").Split(',').Select(MpiJob.Number).ToArray();
            Assert.Equal(expected.Length, seen.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(seen[i] - expected[i]) < 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"rank {r}, batch {i}: {seen[i]} vs one process's {expected[i]}");
            Assert.Equal(alone.Value(0, "epoch_losses").Split(',').Select(MpiJob.Number), job.Value(r, "epoch_losses").Split(',').Select(MpiJob.Number), (a, b) => Math.Abs(a - b) < 1e-4);
        }
    }
}
