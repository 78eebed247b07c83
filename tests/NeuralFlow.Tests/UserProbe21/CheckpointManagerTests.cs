using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// Train.CheckpointManager (tf.train.CheckpointManager), the companion of the Train.Checkpoint the DCGAN tutorial
/// needed: numbered saves, the oldest deleted beyond max_to_keep, the state file that latest_checkpoint reads, a
/// resumed manager taking over the folder's list, and restore_or_initialize.
/// </summary>
public abstract class CheckpointManagerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Keeps_the_newest_checkpoints_and_a_resumed_run_restores_and_continues_the_numbering()
    {
        RequireBackend();
        NF.Random.SetSeed(2141);
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(2));
        var optimizer = new Optimizers.Adam(0.1);
        var checkpoint = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = model, ["optimizer"] = optimizer });
        string dir = Temp.File("tf_ckpts");
        var manager = new Train.CheckpointManager(checkpoint, dir, maxToKeep: 2);
        Assert.Null(manager.RestoreOrInitialize());   // "Initializing from scratch."
        var x = NF.Constant(new[,] { { 1f, 2f, 3f } });
        float[]? third = null;
        for (int step = 1; step <= 3; step++)
        {
            using (var tape = new GradientTape())
            {
                var loss = NF.ReduceSum(NF.Square(model.Call(x)));
                optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
            }
            Assert.Equal(Path.Combine(dir, $"ckpt-{step}"), manager.Save());
            third = model.Call(x).ToArray<float>();
        }
        Assert.Equal(new[] { Path.Combine(dir, "ckpt-2"), Path.Combine(dir, "ckpt-3") }, manager.Checkpoints);
        Assert.Equal(Path.Combine(dir, "ckpt-3"), manager.LatestCheckpoint);
        Assert.False(File.Exists(Path.Combine(dir, "ckpt-1.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "ckpt-2.safetensors")));
        Assert.Equal(Path.Combine(dir, "ckpt-3"), Train.Checkpoint.LatestCheckpoint(dir));
        Assert.Equal(["model_checkpoint_path: \"ckpt-3\"", "all_model_checkpoint_paths: \"ckpt-2\"", "all_model_checkpoint_paths: \"ckpt-3\""],
                     File.ReadAllLines(Path.Combine(dir, "checkpoint")));

        // A new run: fresh objects, a manager over the same folder.
        var model2 = new Sequential(Layers.Input([3]), new Layers.Dense(2));
        var optimizer2 = new Optimizers.Adam(0.1);
        var checkpoint2 = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = model2, ["optimizer"] = optimizer2 });
        var resumed = new Train.CheckpointManager(checkpoint2, dir, maxToKeep: 2);
        Assert.Equal(manager.Checkpoints, resumed.Checkpoints);
        Assert.Equal(Path.Combine(dir, "ckpt-3"), resumed.RestoreOrInitialize());
        Assert.Equal(third, model2.Call(x).ToArray<float>());
        Assert.Equal(3, optimizer2.Iterations);
        Assert.Equal(Path.Combine(dir, "ckpt-4"), resumed.Save());
        Assert.False(File.Exists(Path.Combine(dir, "ckpt-2.safetensors")));
        Assert.Equal(new[] { Path.Combine(dir, "ckpt-3"), Path.Combine(dir, "ckpt-4") }, resumed.Checkpoints);
        // An explicit number names the file; the counter still counts the save.
        Assert.Equal(Path.Combine(dir, "ckpt-100"), resumed.Save(checkpointNumber: 100));
        Assert.Equal(5, checkpoint2.SaveCounter);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Train.CheckpointManager(checkpoint, dir, maxToKeep: 0));
        var keepAll = new Train.CheckpointManager(checkpoint, Temp.File("all"), maxToKeep: null);
        for (int i = 0; i < 4; i++) keepAll.Save();
        Assert.Equal(4, keepAll.Checkpoints.Count);
    }
}

/// <summary>CheckpointManager on the managed backend.</summary>
public sealed class ManagedCheckpointManagerTests() : CheckpointManagerTests("managed");

/// <summary>CheckpointManager on the native CPU backend.</summary>
public sealed class NativeCpuCheckpointManagerTests() : CheckpointManagerTests("cpu");

/// <summary>CheckpointManager on CUDA.</summary>
public sealed class CudaCheckpointManagerTests() : CheckpointManagerTests("cuda");
