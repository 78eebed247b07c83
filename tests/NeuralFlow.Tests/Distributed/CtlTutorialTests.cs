namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// TensorFlow's "Custom training loop with Keras and MultiWorkerMirroredStrategy" tutorial
/// (multi_worker_with_ctl.ipynb) written against NeuralFlow (the worker's CtlTutorial.cs): its
/// step needed tf.nn.scale_regularization_loss and strategy.reduce(SUM, ...), which DataParallel
/// lacked (the program did not compile); now <c>ScaleRegularizationLoss</c> and <c>Reduce</c>.
/// A job of 2 ranks, each on its shard of the shuffle in per-replica batches, gives the losses,
/// global train_accuracy and weights of one process on the global batches; a job whose chief dies
/// after the first epoch's checkpoint resumes from latest_checkpoint with that epoch's weights, and
/// the other worker's temporary checkpoint folder is gone, as the tutorial's rmtree leaves it.
/// </summary>
public sealed class CtlTutorialTests
{
    [SkippableFact]
    public void The_custom_loop_tutorial_on_two_ranks_trains_as_one_process()
    {
        MpiJob.Require();
        MpiJob.InTemporaryFolder(root =>
        {
            var alone = MpiJob.Run(1, "cpu", $"ctl_tutorial {Path.Combine(root, "one")}");
            var job = MpiJob.Run(2, "cpu", $"ctl_tutorial {Path.Combine(root, "two")}");
            Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
            var wrong = MpiJob.Differences(alone, job, ["epoch_logs", "weights"], 1e-5);
            Assert.True(wrong.Count == 0, string.Join("\n", wrong));
            Assert.Equal(3, job.Value(1, "epoch_logs").Split(';').Length);
            // max_to_keep 1: the chief's last checkpoint and the state file; no worker's temporary folder.
            Assert.Equal("checkpoint,ckpt-3.safetensors", job.Value(1, "checkpoint_files"));
            Assert.Equal("Reduce: reduceOp 'MAX' is not one of tf.distribute's ReduceOp: \"SUM\" or \"MEAN\". (Parameter 'reduceOp')", job.Value(0, "reduce_max_error"));
        });
    }

    [SkippableFact]
    public void A_job_whose_chief_died_resumes_from_the_latest_checkpoint()
    {
        MpiJob.Require();
        MpiJob.InTemporaryFolder(root =>
        {
            var (whole, resumed) = MpiJob.CrashAndResume("cpu", "ctl_tutorial", root, "0", leftBehind: Path.Combine("ckpt", "ckpt-1.safetensors"));
            for (int r = 0; r < 2; r++)
            {
                // The checkpoint of epoch 0 holds epoch 0 and step_in_epoch 3 (saved before the
                // epoch counter moves on, as the tutorial does), and the model's weights then.
                Assert.Equal("0", resumed.Value(r, "restored_epoch"));
                Assert.Null(MpiJob.Difference(whole.Value(0, "weights_0"), resumed.Value(r, "restored_weights"), 0));
                // Epochs 0 (no steps left in it), 1 and 2: save counter 1 restored, then 3 saves.
                Assert.Equal(3, resumed.Value(r, "epoch_logs").Split(';').Length);
                Assert.Equal("checkpoint,ckpt-4.safetensors", resumed.Value(r, "checkpoint_files"));
            }
        });
    }
}
