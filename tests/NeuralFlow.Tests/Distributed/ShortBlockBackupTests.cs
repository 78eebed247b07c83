namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// BackupAndRestore under DataParallel with stepsPerExecution 3 backs up (saveFreq 7) at the end of
/// a block that the data cuts short, the epoch's last batch; the chief dies right after. The
/// resumed job must end that epoch with the logs of a job that never died (and of one process):
/// the backup holds the running metrics of every rank's examples, as one at a full block's end
/// does (tf.keras' BackupAndRestore(save_freq=N) resumes at the batch with the epoch's metrics).
/// Before, such a backup held the chief's own metrics, and the resumed epoch's loss and accuracy
/// were those of the chief's half of the examples. The worker's scenario is ShortBlockBackup.cs.
/// </summary>
public abstract class ShortBlockBackupTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_backup_at_a_short_block_resumes_with_the_logs_of_every_rank()
    {
        RequireBackend();
        MpiJob.Require();
        MpiJob.InTemporaryFolder(root =>
        {
            var alone = MpiJob.Run(1, BackendName, $"short_block_backup {Path.Combine(root, "alone")}");
            Assert.True(alone.ExitCode == 0, alone.Output);
            var (whole, resumed) = MpiJob.CrashAndResume(BackendName, "short_block_backup", root, "crash", leftBehind: "checkpoint.nfmodel");
            // The resumed Fit ends epoch 0 at once (its 7 batches were done) and runs epoch 1.
            var wrong = MpiJob.Differences(alone, whole, ["epoch_logs", "weights"], 1e-5);
            wrong.AddRange(MpiJob.Differences(whole, resumed, ["epoch_logs", "weights"], 1e-5));
            Assert.True(wrong.Count == 0, string.Join("\n", wrong));
            Assert.Equal(2, resumed.Value(1, "epoch_logs").Split(';').Length);
        });
    }
}

public sealed class ManagedShortBlockBackupTests() : ShortBlockBackupTests("managed");

public sealed class NativeCpuShortBlockBackupTests() : ShortBlockBackupTests("cpu");

public sealed class CudaShortBlockBackupTests() : ShortBlockBackupTests("cuda");
