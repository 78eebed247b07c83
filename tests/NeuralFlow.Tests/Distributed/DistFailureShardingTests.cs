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
}
