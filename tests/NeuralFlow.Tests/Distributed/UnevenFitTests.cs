namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Fit under DataParallel trains a global batch smaller than the world, as Keras'
/// MultiWorkerMirroredStrategy does (the replicas without examples contribute empty parts; the
/// gradient is the mean over the examples that exist): a job of 2 ranks prints, on every rank,
/// the losses, metrics and weights of a job of 1 (one process over the whole data). Before, Fit
/// dropped such a batch, and data of 1 example over 2 ranks was an ArgumentException ("cannot be
/// shared by 2 ranks"), as was TrainOnBatch of 1 example. The worker's scenario is UnevenFit.cs:
/// shuffled tensors with sample weights, a dataset of (x, y, sample_weight) in blocks of 2 steps
/// whose batch logs a callback reads, and TrainOnBatch of the last global batch.
/// </summary>
public abstract class UnevenFitTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Keys = ["tensors_history", "tensors_weighted_accuracy", "tensors_weights", "dataset_history", "dataset_batch_logs",
                                             "dataset_weights", "train_on_batch", "train_on_batch_weights"];

    [SkippableTheory]
    [InlineData(5, 2)]   // batches of 2, 2 and 1: rank 0's part of the last is empty
    [InlineData(1, 2)]   // one example: rank 0's part of the only batch is empty, on every step
    [InlineData(9, 4)]   // batches of 4, 4 and 1
    public void A_global_batch_smaller_than_the_world_trains_as_one_process(int n, int batchSize)
    {
        RequireBackend();
        MpiJob.Require();
        var alone = MpiJob.Run(1, BackendName, $"uneven_fit {n} {batchSize}");
        var job = MpiJob.Run(2, BackendName, $"uneven_fit {n} {batchSize}");
        Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
        Assert.Equal(2, job.Ranks.Count);
        // Trained weights differ by the rounding of the ranks' summed gradients (as in TutorialTests).
        var wrong = MpiJob.Differences(alone, job, Keys, 1e-5);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        // Every batch trained: one batch-end per block of 2 steps, the last one cut short.
        int steps = (n + batchSize - 1) / batchSize;
        Assert.Equal(2 * ((steps + 1) / 2), job.Value(1, "dataset_batch_logs").Split(';').Length);
        Assert.Equal(3, job.Value(0, "tensors_history").Split(';').Length);
    }

    // The stand-in step leaves BatchNormalization's moving statistics as they were (the worker's
    // UnevenBatchNormalization.cs). By hand, with momentum 0.99 and one example x = (2, 4, 6) per
    // update (its batch variance 0): a moving mean of 0.01 x and a moving variance of 0.99. Before,
    // rank 0's stand-in step moved them too: (0.02, 0.04, 0.06, 0.99, ...) after TrainOnBatch instead
    // of (0, 0, 0, 1, 1, 1), and, in Fit, once more towards the last batch's example (-2, -4, -6).
    [SkippableFact]
    public void A_stand_in_step_leaves_the_moving_statistics_as_they_were()
    {
        RequireBackend();
        MpiJob.Require();
        const string OneExample = "0.02,0.04,0.06,0.99,0.99,0.99";
        var alone = MpiJob.Run(1, BackendName, "uneven_bn");
        var job = MpiJob.Run(2, BackendName, "uneven_bn");
        Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
        Assert.Null(MpiJob.Difference(OneExample, alone.Value(0, "bn_on_batch"), 1e-6));
        // TrainOnBatch of one example: rank 0 ran the stand-in step, rank 1 the example.
        Assert.Null(MpiJob.Difference("0,0,0,1,1,1", job.Value(0, "bn_on_batch"), 1e-6));
        Assert.Null(MpiJob.Difference(OneExample, job.Value(1, "bn_on_batch"), 1e-6));
        // Fit of 3 examples in batches of 2: rank 0 saw example 0, then stood in for the last batch;
        // at the end of the epoch every rank takes rank 0's moving statistics.
        Assert.Null(MpiJob.Difference(OneExample, job.Value(0, "bn_fit"), 1e-6));
        Assert.Null(MpiJob.Difference(OneExample, job.Value(1, "bn_fit"), 1e-6));
        // Fit of 1 example: rank 0 stood in for every batch, so the epoch's statistics are rank 1's, on
        // every rank, as in a job of 1. Before, rank 0's unmoved (0, 0, 0, 1, 1, 1) were broadcast to all.
        Assert.Null(MpiJob.Difference(OneExample, alone.Value(0, "bn_fit_rank0_empty"), 1e-6));
        Assert.Null(MpiJob.Difference(OneExample, job.Value(0, "bn_fit_rank0_empty"), 1e-6));
        Assert.Null(MpiJob.Difference(OneExample, job.Value(1, "bn_fit_rank0_empty"), 1e-6));
    }
}

public sealed class ManagedUnevenFitTests() : UnevenFitTests("managed");

public sealed class NativeCpuUnevenFitTests() : UnevenFitTests("cpu");

public sealed class CudaUnevenFitTests() : UnevenFitTests("cuda");
