using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// ModelCheckpoint and BackupAndRestore (issue 14) on every backend: a Fit killed after an
/// epoch resumes, in a fresh model, to the same weights and losses as a run never interrupted.
/// </summary>
public abstract class CheckpointTests(string backend) : BackendFileTest(backend)
{


    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(3);
        return (NF.Random.Normal([80, 6]), NF.Random.Uniform([80], 0, 3, DType.Int32));
    }

    private static Sequential Compiled()
    {
        var model = new Sequential(new Layers.Dense(12, activation: "relu"), new Layers.Dropout(0.3), new Layers.Dense(3, activation: "softmax"));
        model.Compile(new Optimizers.Adam(learningRate: 0.02f), "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    private sealed class KillAfter(int epoch) : Callbacks.Callback
    {
        public override void OnEpochEnd(int e, IReadOnlyDictionary<string, float> logs)
        {
            if (e == epoch) throw new OperationCanceledException("killed");
        }
    }

    // Fits a model of `make` for 4 epochs without a break (straight), and another killed after its
    // second epoch and resumed in a third model from the BackupAndRestore checkpoint; checks that
    // the resumed epochs and the final weights are the uninterrupted run's, bit for bit.
    private (Sequential Straight, History Full, History Resumed) KilledAndResumed(Func<Sequential> make)
    {
        var (x, y) = Data();
        NF.Random.SetSeed(7);
        var straight = make();
        var full = straight.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(Temp.File("a"))]);
        Assert.False(File.Exists(Temp.File("a/checkpoint.nfmodel")));     // deleted once training finished

        NF.Random.SetSeed(7);
        var killed = make();
        string dir = Temp.File("b");
        Assert.Throws<OperationCanceledException>(() =>
            killed.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir), new KillAfter(1)]));
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint.nfmodel")));

        NF.Random.SetSeed(12345);                                           // a new process: other seed, other model
        var resumed = make();
        var rest = resumed.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]);
        Assert.Equal(2, rest.Epochs);                                       // epochs 3 and 4 only
        Assert.Equal(full["loss"].Skip(2), rest["loss"]);
        for (int i = 0; i < straight.Variables.Count; i++)
            Assert.Equal(straight.Variables[i].ToArray<float>(), resumed.Variables[i].ToArray<float>());
        Assert.Equal(straight.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        return (straight, full, rest);
    }

    [SkippableFact]
    public void A_killed_fit_resumes_to_the_uninterrupted_result()
    {
        RequireBackend();
        var (_, full, rest) = KilledAndResumed(Compiled);
        Assert.Equal(full["accuracy"].Skip(2), rest["accuracy"]);
    }

    // A seeded GaussianNoise draws from its own generator (Keras' SeedGenerator, whose state is a
    // saved variable): the checkpoint keeps its position, so the resumed epochs draw the noise the
    // uninterrupted run drew, and the weights agree bit for bit. A saved model keeps it as well.
    private static Sequential Noisy() => Around(new Layers.GaussianNoise(0.5, seed: 11));

    // `middle` (a layer with its own generator) between two Dense layers, compiled.
    private static Sequential Around(Layer middle)
    {
        var model = new Sequential(new Layers.Dense(12, activation: "relu"), middle, new Layers.Dense(3, activation: "softmax"));
        model.Compile(new Optimizers.SGD(0.1f), "sparse_categorical_crossentropy");
        return model;
    }

    [SkippableFact]
    public void A_killed_fit_resumes_a_seeded_noise_layer_where_it_stopped()
    {
        RequireBackend();
        var (straight, _, _) = KilledAndResumed(Noisy);

        // Model.Save / Load: the loaded model's next noise is the saved one's next noise.
        string path = Temp.File("noisy.nfmodel");
        straight.Save(path);
        var loaded = Model.Load(path);
        var noise = straight.Layers.OfType<Layers.GaussianNoise>().Single();
        var again = loaded.SubLayers.OfType<Layers.GaussianNoise>().Single();
        var ones = NF.Ones([4, 12]);
        Assert.Equal(noise.Call(ones, training: true).ToArray<float>(), again.Call(ones, training: true).ToArray<float>());
    }

    // Every layer with its own generator, not only the noise layers: a seeded Dropout (and the
    // spatial dropouts built on it) resumes its masks too.
    private static Sequential SeededDropout() => Around(new Layers.Dropout(0.3, seed: 5));

    [SkippableFact]
    public void A_killed_fit_resumes_a_seeded_dropout_where_it_stopped()
    {
        RequireBackend();
        KilledAndResumed(SeededDropout);
    }

    [SkippableFact]
    public void ModelCheckpoint_saves_each_improvement_under_its_epoch()
    {
        RequireBackend();
        var (x, y) = Data();
        NF.Random.SetSeed(1);
        var model = Compiled();
        var best = new Callbacks.ModelCheckpoint(Temp.File("best-{epoch:00}-{loss:0.00}.nfmodel"), monitor: "loss", saveBestOnly: true);
        var every = new Callbacks.ModelCheckpoint(Temp.File("w-{epoch}.safetensors"), saveWeightsOnly: true, monitor: "loss");
        var history = model.Fit(x, y, batchSize: 16, epochs: 5, verbose: 0, callbacks: [best, every]);

        var losses = history["loss"];
        var improved = Enumerable.Range(0, 5).Where(e => losses.Take(e).All(l => losses[e] < l)).ToList();
        var files = Directory.GetFiles(Temp.Path, "best-*.nfmodel").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(improved.Select(e => $"best-{e + 1:00}-{losses[e].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}.nfmodel"), files);
        Assert.Equal(losses.Min(), best.Best, 6);
        Assert.Equal(5, Directory.GetFiles(Temp.Path, "w-*.safetensors").Length);

        var last = Model.Load(Path.Combine(Temp.Path, files[^1]!));
        if (improved[^1] == 4) Assert.Equal(model.Predict(x).ToArray<float>(), last.Predict(x).ToArray<float>());
    }
}

public sealed class ManagedCheckpointTests() : CheckpointTests("managed");
public sealed class NativeCpuCheckpointTests() : CheckpointTests("cpu");
public sealed class CudaCheckpointTests() : CheckpointTests("cuda");

/// <summary>Checkpoint file names and arguments.</summary>
public sealed class CheckpointPathTests
{
    [Fact]
    public void Placeholders_take_the_epoch_and_any_log_with_a_format()
    {
        var logs = new Dictionary<string, float> { ["val_loss"] = 0.12345f, ["accuracy"] = 0.5f };
        Assert.Equal("m-03-0.123-0.5.nfmodel", Callbacks.ModelCheckpoint.FormatPath("m-{epoch:00}-{val_loss:0.000}-{accuracy}.nfmodel", 3, logs));
        var e = Assert.Throws<InvalidOperationException>(() => Callbacks.ModelCheckpoint.FormatPath("{val_acc}.nfmodel", 1, logs));
        Assert.Contains("val_acc", e.Message);
        Assert.Throws<ArgumentException>(() => new Callbacks.ModelCheckpoint("x", mode: "sideways"));
    }
}
