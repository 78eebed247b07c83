namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// TensorFlow's "Multi-worker training with Keras" tutorial written against NeuralFlow (the
/// worker's MultiWorkerTutorial.cs): Fit on a repeated dataset with stepsPerEpoch, backed up every
/// 5 batches by BackupAndRestore, Evaluate after Fit, every worker saving the model (the
/// non-chief ones to temporary folders they delete) and the chief's file loaded and trained on,
/// validation on a repeated dataset with validationSteps that EarlyStopping and ReduceLROnPlateau watch.
/// A job of 2 ranks gives the numbers of one process; a job whose chief dies mid-epoch, resumed
/// by the next job from the backup, gives those of the job that never died.
/// </summary>
public sealed class MultiWorkerTutorialTests
{
    private static readonly string[] Keys = ["epoch_logs", "weights", "eval", "loaded_fit_loss", "loaded_weights",
                                             "validated_epochs", "val_loss", "val_accuracy", "learning_rate", "best_weights"];

    [SkippableFact]
    public void The_multi_worker_tutorial_on_two_ranks_trains_backs_up_saves_and_loads_as_one_process()
    {
        MpiJob.Require();
        MpiJob.InTemporaryFolder(root =>
        {
            var alone = MpiJob.Run(1, "cpu", $"multi_worker {Path.Combine(root, "one")}");
            var job = MpiJob.Run(2, "cpu", $"multi_worker {Path.Combine(root, "two")}");
            Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
            for (int r = 0; r < 2; r++)
                foreach (var key in Keys)
                    AssertClose(alone.Value(0, key), job.Value(r, key), $"rank {r}, {key}");
            // val_loss rises after the 5th epoch: EarlyStopping (patience 1) stops there on every rank.
            Assert.Equal("6", job.Value(1, "validated_epochs"));
            // The backup is deleted at the end of a Fit that finished; only the chief's model is left.
            Assert.Equal(["keras-model.keras"], Directory.GetFileSystemEntries(Path.Combine(root, "two")).Select(Path.GetFileName));
        });
    }

    [SkippableFact]
    public void A_job_whose_chief_died_mid_epoch_resumes_from_the_backup_with_the_numbers_of_one_that_did_not()
    {
        MpiJob.Require();
        MpiJob.InTemporaryFolder(root =>
        {
            // Batch 12 is the 5th of the second epoch (7 a epoch); the backup of batch 10 is its 3rd.
            var (whole, resumed) = MpiJob.CrashAndResume("cpu", "multi_worker", root, "12", leftBehind: Path.Combine("backup", "checkpoint.nfmodel"));
            for (int r = 0; r < 2; r++)
            {
                // The resumed Fit ends the second epoch and runs the third: the epoch logs of the
                // whole job from the second on (the second's loss and accuracy over all its batches,
                // those before the crash included).
                var expected = whole.Value(0, "epoch_logs").Split(';').Skip(1);
                AssertClose(string.Join(";", expected), resumed.Value(r, "epoch_logs"), $"rank {r}, epoch_logs");
                foreach (var key in Keys.Skip(1))
                    AssertClose(whole.Value(0, key), resumed.Value(r, key), $"rank {r}, {key}");
            }
        });
    }

    // Every number of `seen` ("epoch=loss:accuracy;..." or "value,...") within float32 rounding of `expected`'s.
    private static void AssertClose(string expected, string seen, string what)
    {
        var e = expected.Split(';', ':', '=', ',');
        var s = seen.Split(';', ':', '=', ',');
        Assert.True(e.Length == s.Length, $"{what}: {seen} vs {expected}");
        for (int i = 0; i < e.Length; i++)
        {
            double a = MpiJob.Number(e[i]), b = MpiJob.Number(s[i]);
            Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Abs(a)), $"{what}, value {i}: {b} vs {a} ({seen} vs {expected})");
        }
    }
}
