using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// NF.Random's saved state covers every stream a user draws from: the global generator, the op-seed streams
/// (<c>NF.Random.Uniform(shape, seed: 3)</c>, TensorFlow's op seed) and a <see cref="NF.Random.Generator"/> in a
/// <see cref="Train.Checkpoint"/>. Before, a checkpoint saved the global generator alone, so a Fit resumed by
/// BackupAndRestore drew its op-seeded noise from the start of the stream again (or from wherever this process's
/// stream happened to be) and trained on other numbers than the uninterrupted run.
/// </summary>
public abstract class RandomStateRestoreTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Save_draw_restore_draw_repeats_global_and_op_seeded_numbers()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(11);
            NF.Random.Uniform([3], seed: 3);
            NF.Random.Normal([2]);
            var global = NF.Random.State;
            var opSeeds = NF.Random.OpSeedState;
            float[] Draw() => [.. NF.Random.Uniform([2]).ToArray<float>(), .. NF.Random.Uniform([2], seed: 3).ToArray<float>(),
                               .. NF.Random.Normal([2], seed: 4).ToArray<float>()];
            var first = Draw();
            // Moved on, and the op seeds' global seed changed: the restore puts all of it back.
            NF.Random.SetSeed(99);
            NF.Random.Uniform([5], seed: 3);
            NF.Random.State = global;
            NF.Random.OpSeedState = opSeeds;
            Assert.Equal(first, Draw());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Set_seed_restarts_the_op_seed_streams_as_tf_random_set_seed_does()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(1);
            var a1 = NF.Random.Uniform([1], seed: 1).Item<float>();
            var a2 = NF.Random.Uniform([1], seed: 1).Item<float>();
            Assert.NotEqual(a1, a2);
            NF.Random.SetSeed(1);
            Assert.Equal(a1, NF.Random.Uniform([1], seed: 1).Item<float>());
            Assert.Equal(a2, NF.Random.Uniform([1], seed: 1).Item<float>());

            // A traced function that draws with the op seed restarts with it too (the same stream).
            var f = NF.Function((Tensor t) => t + NF.Random.Uniform([1], seed: 1));
            NF.Random.SetSeed(1);
            var zero = NF.Zeros([1]);
            Assert.Equal(a1, f(zero).Item<float>());
            Assert.Equal(a2, f(zero).Item<float>());
            NF.Random.SetSeed(1);
            Assert.Equal(a1, f(zero).Item<float>());
            Assert.Equal(a2, NF.Random.Uniform([1], seed: 1).Item<float>());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void A_generator_restored_from_a_checkpoint_draws_its_numbers_again()
    {
        RequireBackend();
        var g = NF.Random.Generator.FromSeed(5);
        g.Normal([3]);
        var checkpoint = new Train.Checkpoint(new Dictionary<string, object> { ["g"] = g });
        var path = checkpoint.Save(Temp.File("ckpt"));
        var first = g.Uniform([4]).ToArray<float>();
        g.Normal([10]);
        checkpoint.Restore(path);
        Assert.Equal(first, g.Uniform([4]).ToArray<float>());
    }

    /// <summary>Noise from TensorFlow's op seed in training, as a custom layer adds it with <c>tf.random.normal(shape, seed=5)</c>.</summary>
    private sealed class OpSeededNoise : Layer
    {
        protected override Tensor Forward(Tensor x) => IsTraining ? x + NF.Random.Normal(x.Shape, 0, 0.5, seed: 5) : x;
    }

    private static Model Noisy()
    {
        NF.Random.SetSeed(7);
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(6, activation: "relu"), new OpSeededNoise(), new Layers.Dropout(0.3), new Layers.Dense(1));
        m.Compile(new Optimizers.SGD(0.05), "mse");
        return m;
    }

    [SkippableFact]
    public void A_fit_with_op_seeded_noise_resumed_from_a_backup_trains_as_the_uninterrupted_one()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(2);
            var x = NF.Random.Normal([24, 4]);
            var y = NF.ReduceSum(x, [1], keepDims: true);
            var straight = Noisy();
            var full = straight.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0);
            string dir = Temp.File("backup");
            var kill = new Callbacks.LambdaCallback(onEpochBegin: e => { if (e == 2) throw new TimeoutException("killed"); });
            Assert.Throws<TimeoutException>(() => Noisy().Fit(x, y, batchSize: 8, epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir), kill]));
            var resumed = Noisy();
            var rest = resumed.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]);
            Assert.Equal(full["loss"].Skip(2), rest["loss"]);
            for (int i = 0; i < straight.Variables.Count; i++)
                Assert.Equal(straight.Variables[i].ToArray<float>(), resumed.Variables[i].ToArray<float>());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedRandomStateRestoreTests() : RandomStateRestoreTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuRandomStateRestoreTests() : RandomStateRestoreTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaRandomStateRestoreTests() : RandomStateRestoreTests("cuda");
