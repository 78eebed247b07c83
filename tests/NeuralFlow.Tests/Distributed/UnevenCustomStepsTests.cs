namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Overridden steps (Keras 3's test_step, train_step, predict_step) under DataParallel on data the
/// ranks split unevenly: a batch smaller than the world leaves a rank an empty part, and data
/// smaller than the world leaves a rank no part of any batch, so that it never runs the step.
/// tf.distribute gives every replica the reduced result all the same; here every rank of a job of
/// 2 must print the numbers of a job of 1 (one process over the whole data). Before, a rank that
/// had not run the overridden TestStep did not know what it logs and joined other reductions than
/// the rank that had: MPI failed (or the ranks waited for each other) instead of a result. The
/// worker's scenario is UnevenCustomSteps.cs, whose ranks run on the engine of the subclass.
/// </summary>
public abstract class UnevenCustomStepsTests(string backend) : BackendTest(backend)
{
    private static readonly string[] EvaluationKeys = ["own_eval", "own_eval_dataset", "own_eval_batches", "metrics_eval", "predict_sum", "predict_classes"];
    private static readonly string[] FitKeys = ["fit_tracked_loss", "fit_weights", "fit_eval"];

    [SkippableTheory]
    [InlineData(3, 2)]   // batches of 2 and 1: rank 0's part of the last is empty
    [InlineData(1, 2)]   // one example: rank 0's part of the only batch is empty, it never runs a step
    [InlineData(67, 8)]  // 9 batches, the last of 3: parts of 1 and 2
    public void Overridden_steps_on_an_uneven_split_give_one_process_results_on_every_rank(int n, int batchSize)
    {
        RequireBackend();
        MpiJob.Require();
        var alone = MpiJob.Run(1, BackendName, $"uneven_steps {n} {batchSize}");
        var job = MpiJob.Run(2, BackendName, $"uneven_steps {n} {batchSize}");
        Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
        // Fit trains a batch that leaves a rank an empty part too, as Keras does (before, it
        // dropped it, and 1 example over 2 ranks was an ArgumentException): the TrainStep of a
        // rank whose part is empty runs on a stand-in example that counts nowhere.
        var wrong = new List<string>();
        for (int r = 0; r < 2; r++)
            foreach (var key in EvaluationKeys.Concat(FitKeys))
                // Trained weights differ by the rounding of the ranks' summed gradients (as in TutorialTests).
                if (MpiJob.Difference(alone.Value(0, key), job.Value(r, key), FitKeys.Contains(key) ? 1e-5 : 1e-6) is { } why) wrong.Add($"rank {r}, {key}: {why}");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.StartsWith($"({n},):", job.Value(1, "predict_classes"));
    }
}

public sealed class ManagedUnevenCustomStepsTests() : UnevenCustomStepsTests("managed");

public sealed class NativeCpuUnevenCustomStepsTests() : UnevenCustomStepsTests("cpu");

public sealed class CudaUnevenCustomStepsTests() : UnevenCustomStepsTests("cuda");
