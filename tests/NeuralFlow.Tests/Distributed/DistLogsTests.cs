namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// The logs and outputs the callbacks' batch hooks get under DataParallel are the global ones, as
/// Keras reports them under tf.distribute (the metric states reduced over the replicas, an
/// overridden step's own values averaged, Predict's outputs of every replica concatenated): a job
/// of 2 ranks prints the numbers of a job of 1, on every rank. Evaluate's test batches, blocks of
/// stepsPerExecution the data cuts short (Fit and Evaluate), overridden TrainStep and TestStep,
/// TrainOnBatch of an overridden step, Predict's batch-end outputs (also in blocks, stopped by a
/// callback). The worker's scenario is DistLogs.cs.
/// </summary>
public sealed class DistLogsTests
{
    [SkippableFact]
    public void Batch_hooks_get_the_global_logs_and_outputs_on_every_rank()
    {
        MpiJob.Require();
        var alone = MpiJob.Run(1, "cpu", "batch_logs");
        var job = MpiJob.Run(2, "cpu", "batch_logs");
        Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
        string[] keys = ["eval_batch_logs", "fit_block_logs", "eval_block_logs", "custom_fit_logs", "custom_fit_epoch", "custom_eval_logs",
                         "custom_eval_result", "custom_train_on_batch", "predict_batch_outputs", "predict_sum", "predict_block_outputs", "predict_stopped_rows"];
        // Every number within float32 rounding of one process's.
        var wrong = MpiJob.Differences(alone, job, keys, 1e-4);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        // The blocks of 3 end after batches 2 and 5, and the data cuts the third short at batch 6.
        Assert.StartsWith("2=", alone.Value(0, "fit_block_logs"));
        Assert.Equal(3, alone.Value(0, "fit_block_logs").Split(';').Length);
        Assert.Equal("96", alone.Value(0, "predict_stopped_rows"));
    }
}
