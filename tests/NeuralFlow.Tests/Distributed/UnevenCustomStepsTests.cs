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
        // Fit drops a last batch smaller than the world (every rank needs examples to step on), so
        // it trains as one process only where no batch leaves a rank empty.
        bool fitMatches = n % batchSize == 0 || n % batchSize >= 2;
        var wrong = new List<string>();
        for (int r = 0; r < 2; r++)
            foreach (var key in fitMatches ? [.. EvaluationKeys, .. FitKeys] : EvaluationKeys)
                // Trained weights differ by the rounding of the ranks' summed gradients (as in TutorialTests).
                if (Difference(alone.Value(0, key), job.Value(r, key), FitKeys.Contains(key) ? 1e-5 : 1e-6) is { } why) wrong.Add($"rank {r}, {key}: {why}");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.StartsWith($"({n},):", job.Value(1, "predict_classes"));
        if (n < 2) Assert.StartsWith("Fit: 1 training examples cannot be shared by 2 ranks", job.Value(0, "fit_error"));
    }

    // Null when `seen` has the entries of `expected` ("name=value:..." or "batch=value;..." or
    // "value,..."), each number within `tolerance` (relative above 1) of one process's; else what differs.
    private static string? Difference(string expected, string seen, double tolerance)
    {
        var e = expected.Split(';', ':', '=', ',');
        var s = seen.Split(';', ':', '=', ',');
        if (e.Length != s.Length) return $"{seen} vs one process's {expected}";
        for (int i = 0; i < e.Length; i++)
        {
            if (!double.TryParse(e[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double a))
            {
                if (e[i] != s[i]) return $"'{s[i]}' vs one process's '{e[i]}' ({seen} vs {expected})";
                continue;
            }
            double b = MpiJob.Number(s[i]);
            if (!(Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a)))) return $"value {i}: {b} vs one process's {a} ({seen} vs {expected})";
        }
        return null;
    }
}

public sealed class ManagedUnevenCustomStepsTests() : UnevenCustomStepsTests("managed");

public sealed class NativeCpuUnevenCustomStepsTests() : UnevenCustomStepsTests("cpu");

public sealed class CudaUnevenCustomStepsTests() : UnevenCustomStepsTests("cuda");
