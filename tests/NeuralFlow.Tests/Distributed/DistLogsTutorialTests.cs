using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// TensorFlow's "Distributed training with Keras" and "Save and load a model using a distribution
/// strategy" tutorials, written against NeuralFlow and run by a job of 2 ranks and one of 1
/// (the same global batches): the learning rates a LearningRateScheduler set, the History, the
/// chief's weight checkpoints (one per epoch, written once), the last one loaded and evaluated on
/// every rank, the chief's saved model loaded under the strategy (and alone, here) and trained on.
/// The worker's scenario is DistLogsTutorial.cs.
/// </summary>
public sealed class DistLogsTutorialTests
{
    [SkippableFact]
    public void The_Keras_tutorial_checkpoints_schedules_restores_and_saves_as_one_process()
    {
        MpiJob.Require();
        var dir = Directory.CreateTempSubdirectory("neuralflow-keras-tutorial-").FullName;
        try
        {
            var alone = MpiJob.Run(1, "cpu", $"keras_tutorial {dir}");
            var job = MpiJob.Run(2, "cpu", $"keras_tutorial {dir}");
            Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
            Assert.Equal("0.1,0.05,0.01", string.Join(",", alone.Value(0, "rates").Split(',').Select(v => Math.Round(MpiJob.Number(v), 6))));
            for (int r = 0; r < 2; r++)
            {
                foreach (var key in new[] { "rates", "trained_weights", "history_loss", "history_accuracy", "history_learning_rate", "eval", "loaded_predict_sum", "loaded_fit_loss", "loaded_weights" })
                    AssertClose(alone.Value(0, key), job.Value(r, key), $"rank {r}, {key}");
                Assert.Equal("ckpt_1.weights.h5,ckpt_2.weights.h5,ckpt_3.weights.h5", job.Value(r, "checkpoints"));
                Assert.Equal("True", job.Value(r, "restored_is_trained"));
            }
            Assert.Equal("64", alone.Value(0, "per_replica_64"));
            Assert.Equal("63", alone.Value(0, "per_replica_63"));
            Assert.Equal("32", job.Value(1, "per_replica_64"));
            Assert.StartsWith("PerReplicaBatchSize: the global batch size 63 is not divisible by the 2 ranks", job.Value(1, "per_replica_63"));
            // The model saved under the strategy loads in a process without one, with the trained weights.
            var loaded = Model.Load(Path.Combine(dir, "world2", "model.keras"));
            AssertClose(job.Value(0, "trained_weights"), string.Join(",", loaded.Variables.SelectMany(v => v.ToArray<float>()).Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture))), "loaded alone");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertClose(string expected, string seen, string what)
    {
        var e = expected.Split(',', ':');
        var s = seen.Split(',', ':');
        Assert.True(e.Length == s.Length, $"{what}: {seen} vs one process's {expected}");
        for (int i = 0; i < e.Length; i++)
        {
            double a = MpiJob.Number(e[i]), b = MpiJob.Number(s[i]);
            Assert.True(Math.Abs(a - b) <= 1e-4 * Math.Max(1, Math.Abs(a)), $"{what}, value {i}: {b} vs one process's {a}");
        }
    }
}
