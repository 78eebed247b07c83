using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe6;

/// <summary>
/// ModelCheckpoint as a Keras user writes it: a path under directories that do not exist yet
/// (Keras creates them; failing there lost the epoch's training), and save_best_only files whose
/// weights give back the validation loss logged for their epoch.
/// </summary>
public abstract class CheckpointProbeTests(string backend) : BackendFileTest(backend)
{
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(17);
        return (NF.Random.Normal([40, 4]), NF.Random.Normal([40, 1]));
    }

    private static Sequential Compiled()
    {
        var model = new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(0.05), "mse");
        return model;
    }

    [SkippableFact]
    public void A_checkpoint_path_under_missing_directories_creates_them_as_keras()
    {
        RequireBackend();
        var (x, y) = Data();
        NF.Random.SetSeed(1);
        var model = Compiled();
        string pattern = Path.Combine(Temp.File("runs"), "exp1", "ckpt-{epoch:02d}.keras");
        string weights = Path.Combine(Temp.File("weights"), "best.weights.h5");
        model.Fit(x, y, batchSize: 10, epochs: 2, verbose: 0, callbacks:
        [
            new Callbacks.ModelCheckpoint(pattern),
            new Callbacks.ModelCheckpoint(weights, monitor: "loss", saveBestOnly: true, saveWeightsOnly: true),
        ]);
        Assert.True(File.Exists(Path.Combine(Temp.File("runs"), "exp1", "ckpt-01.keras")));
        var last = Model.Load(Path.Combine(Temp.File("runs"), "exp1", "ckpt-02.keras"));
        Assert.Equal(model.Predict(x, verbose: 0).ToArray<float>(), last.Predict(x, verbose: 0).ToArray<float>());
        Assert.True(File.Exists(weights));
    }

    [SkippableFact]
    public void Save_best_only_files_hold_the_weights_of_their_logged_epoch()
    {
        RequireBackend();
        var (x, y) = Data();
        NF.Random.SetSeed(2);
        var model = Compiled();
        string pattern = Temp.File("best-{epoch}.weights.h5");
        var history = model.Fit(x, y, batchSize: 10, epochs: 5, verbose: 0, validationSplit: 0.25, shuffle: false,
            callbacks: [new Callbacks.ModelCheckpoint(pattern, saveBestOnly: true, saveWeightsOnly: true)]);
        var val = history["val_loss"];
        double best = double.PositiveInfinity;
        var vx = NF.Slice(x, [30, 0], [10, 4]);
        var vy = NF.Slice(y, [30, 0], [10, 1]);
        for (int epoch = 0; epoch < val.Count; epoch++)
        {
            string file = Temp.File($"best-{epoch + 1}.weights.h5");
            bool improved = val[epoch] < best;
            Assert.Equal(improved, File.Exists(file));
            if (!improved) continue;
            best = val[epoch];
            var fresh = Compiled();
            fresh.Build([4]);
            fresh.LoadWeights(file);
            Assert.Equal(val[epoch], fresh.Evaluate(vx, vy, batchSize: 10).Loss, 5);
        }
    }
}

public sealed class ManagedCheckpointProbeTests() : CheckpointProbeTests("managed");

public sealed class NativeCpuCheckpointProbeTests() : CheckpointProbeTests("cpu");

public sealed class CudaCheckpointProbeTests() : CheckpointProbeTests("cuda");
