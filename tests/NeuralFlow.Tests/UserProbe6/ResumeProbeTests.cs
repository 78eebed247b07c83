using System.IO.Compression;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe6;

/// <summary>
/// A user's resumable training: continuing after Save/Load or a BackupAndRestore checkpoint must
/// give the loss curve of the run never interrupted, learning rate changes included (Keras 3
/// keeps the learning rate as an optimizer variable, so its checkpoints carry a rate that a
/// callback lowered).
/// </summary>
public abstract class ResumeProbeTests(string backend) : BackendFileTest(backend)
{
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(21);
        return (NF.Random.Normal([48, 5]), NF.Random.Uniform([48], 0, 3, DType.Int32));
    }

    private static Sequential Compiled(double learningRate = 0.05)
    {
        var model = new Sequential(new Layers.Dense(10, activation: "relu"), new Layers.BatchNormalization(), new Layers.Dense(3));
        model.Compile(new Optimizers.Adam(learningRate), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        return model;
    }

    // Lowers the rate once, after the first epoch: ReduceLROnPlateau firing, as a user would see it.
    private sealed class LowerRateAfterFirstEpoch : Callbacks.Callback
    {
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            if (epoch == 0) Model!.Optimizer!.LearningRate = 0.005;
        }
    }

    private sealed class KillAfter(int epoch) : Callbacks.Callback
    {
        public override void OnEpochEnd(int e, IReadOnlyDictionary<string, float> logs)
        {
            if (e == epoch) throw new OperationCanceledException("killed");
        }
    }

    [SkippableFact]
    public void A_resumed_fit_keeps_the_learning_rate_a_callback_lowered()
    {
        RequireBackend();
        var (x, y) = Data();
        NF.Random.SetSeed(7);
        var straight = Compiled();
        var full = straight.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0,
            callbacks: [new LowerRateAfterFirstEpoch(), new Callbacks.BackupAndRestore(Temp.File("a"))]);

        NF.Random.SetSeed(7);
        string dir = Temp.File("b");
        Assert.Throws<OperationCanceledException>(() => Compiled().Fit(x, y, batchSize: 16, epochs: 4, verbose: 0,
            callbacks: [new LowerRateAfterFirstEpoch(), new Callbacks.BackupAndRestore(dir), new KillAfter(1)]));

        NF.Random.SetSeed(99);
        var resumed = Compiled();
        var rest = resumed.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0,
            callbacks: [new LowerRateAfterFirstEpoch(), new Callbacks.BackupAndRestore(dir)]);
        Assert.Equal(0.005, resumed.Optimizer!.CurrentLearningRate, 12);
        Assert.Equal(full["loss"].Skip(2), rest["loss"]);
        for (int i = 0; i < straight.Variables.Count; i++)
            Assert.Equal(straight.Variables[i].ToArray<float>(), resumed.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void A_resumed_fit_keeps_the_rate_reduce_lr_on_plateau_set()
    {
        RequireBackend();
        var (x, y) = Data();
        // factor 0.5 with patience 0 and a huge minDelta: every epoch after the first halves the rate.
        Callbacks.Callback Plateau() => new Callbacks.ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 0, minDelta: 1e9);
        NF.Random.SetSeed(7);
        string dir = Temp.File("c");
        var first = Compiled();
        Assert.Throws<OperationCanceledException>(() => first.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0,
            callbacks: [Plateau(), new Callbacks.BackupAndRestore(dir), new KillAfter(2)]));
        Assert.Equal(0.0125, first.Optimizer!.CurrentLearningRate, 12);

        var resumed = Compiled();
        resumed.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]);
        Assert.Equal(0.0125, resumed.Optimizer!.CurrentLearningRate, 12);
    }

    [SkippableFact]
    public void Continuing_after_save_and_load_follows_the_uninterrupted_loss_curve()
    {
        RequireBackend();
        var (x, y) = Data();
        NF.Random.SetSeed(7);
        var straight = Compiled();
        var firstHalf = straight.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
        straight.Optimizer!.LearningRate = 0.02;              // a user's manual change before saving
        string path = Temp.File("half.keras");
        straight.Save(path);
        NF.Random.SetSeed(8);
        var secondHalf = straight.Fit(x, y, batchSize: 16, epochs: 4, initialEpoch: 2, verbose: 0);

        var loaded = Model.Load(path);
        Assert.Equal(0.02, loaded.Optimizer!.CurrentLearningRate, 12);
        NF.Random.SetSeed(8);
        var continued = loaded.Fit(x, y, batchSize: 16, epochs: 4, initialEpoch: 2, verbose: 0);
        Assert.Equal(secondHalf["loss"], continued["loss"]);
        Assert.Equal(secondHalf["accuracy"], continued["accuracy"]);
        for (int i = 0; i < straight.Variables.Count; i++)
            Assert.Equal(straight.Variables[i].ToArray<float>(), loaded.Variables[i].ToArray<float>());
        Assert.Equal(2, firstHalf.Epochs);
    }

    [SkippableFact]
    public void Save_weights_and_load_weights_continue_identically_in_a_model_built_again()
    {
        RequireBackend();
        var (x, y) = Data();
        NF.Random.SetSeed(7);
        var a = Compiled();
        a.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        string path = Temp.File("w.weights.h5");
        a.SaveWeights(path);
        var b = Compiled();
        b.Build([5]);
        b.LoadWeights(path);
        Assert.Equal(a.Predict(x, verbose: 0).ToArray<float>(), b.Predict(x, verbose: 0).ToArray<float>());

        // A model built differently is refused with the weight and both shapes named.
        var other = new Sequential(new Layers.Dense(11, activation: "relu"), new Layers.BatchNormalization(), new Layers.Dense(3));
        other.Build([5]);
        var e = Assert.ThrowsAny<Exception>(() => other.LoadWeights(path));
        Assert.True(e is ArgumentException or InvalidDataException or InvalidOperationException, e.GetType().Name + ": " + e.Message);
        Assert.Contains("11", e.Message);
        Assert.Contains("10", e.Message);
    }

    // The rate now read from a model file is validated as the rest: a negative or non-float64 one is named.
    [SkippableTheory]
    [InlineData(-1.0, false)]
    [InlineData(0.01, true)]
    public void A_damaged_learning_rate_in_a_model_file_is_named(double rate, bool asFloat32)
    {
        RequireBackend();
        var (x, y) = Data();
        var model = Compiled();
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        // NeuralFlow's own model file (a .keras keeps Adam's state in Keras' layout, checked by the Keras readers).
        string path = Temp.File("m.nfmodel");
        model.Save(path);
        string state = Temp.File("optimizer.safetensors");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("optimizer.safetensors")!;
            using (var s = entry.Open())
            using (var f = File.Create(state)) s.CopyTo(f);
            var tensors = NF.Safetensors.Load(state);
            Assert.Equal(0.05, tensors["learning_rate"].Item<double>(), 12);
            tensors["learning_rate"] = asFloat32 ? NF.Constant((float)rate) : NF.Constant(rate);
            NF.Safetensors.Save(tensors, state);
            entry.Delete();
            zip.CreateEntryFromFile(state, "optimizer.safetensors");
        }
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.Contains("'learning_rate' that is not a finite float64 rate >= 0", e.Message);
    }
}

public sealed class ManagedResumeProbeTests() : ResumeProbeTests("managed");

public sealed class NativeCpuResumeProbeTests() : ResumeProbeTests("cpu");

public sealed class CudaResumeProbeTests() : ResumeProbeTests("cuda");
