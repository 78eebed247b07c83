using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe12;

/// <summary>
/// The file names of Keras' ModelCheckpoint examples against what is saved: weights alone under
/// ".keras" are refused when the callback is made (Keras 3 raises ValueError there; NeuralFlow wrote
/// a safetensors file named .keras that neither Keras nor Model.Load opened), a whole model under
/// ".safetensors" likewise, and the Keras 2 names "w.h5" round-trip both ways. A read-only file is
/// never overwritten (the atomic rename replaced it and dropped its read-only mark).
/// </summary>
public abstract class CheckpointFileKindTests(string backend) : BackendFileTest(backend)
{
    private static (Tensor X, Tensor Y) Data() => ProbeData.SignOfSum(16);

    private static Sequential Compiled() => ProbeData.SmallClassifier();

    [SkippableFact]
    public void Weights_only_into_a_keras_name_is_refused_when_the_callback_is_made()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Callbacks.ModelCheckpoint(Temp.File("ckpt/{epoch:02d}.keras"), saveWeightsOnly: true));
        Assert.Equal("filepath", e.ParamName);
        Assert.Contains(".weights.h5", e.Message);
        Assert.Contains("saveWeightsOnly: false", e.Message);
        var whole = Assert.Throws<ArgumentException>(() => new Callbacks.ModelCheckpoint(Temp.File("best.safetensors")));
        Assert.Contains("saveWeightsOnly: true", whole.Message);
    }

    [SkippableFact]
    public void Save_weights_refuses_a_keras_name_and_save_a_safetensors_name()
    {
        RequireBackend();
        var m = Compiled();
        var (x, _) = Data();
        m.Predict(x, verbose: 0);
        string keras = Temp.File("w.keras"), tensors = Temp.File("m.safetensors");
        Assert.Contains("Save", Assert.Throws<ArgumentException>(() => m.SaveWeights(keras)).Message);
        Assert.Contains("SaveWeights", Assert.Throws<ArgumentException>(() => m.Save(tensors)).Message);
        Assert.False(File.Exists(keras));
        Assert.False(File.Exists(tensors));
    }

    // Keras 2's names, which Keras 3 still takes for a whole model: "w.h5" holds the legacy
    // whole-model file or the legacy weights, and each loads back to the weights that were saved.
    [SkippableFact]
    public void Keras_2_h5_names_round_trip_a_model_and_its_weights()
    {
        RequireBackend();
        var (x, y) = Data();
        var m = Compiled();
        string whole = Temp.File("w.h5"), weights = Temp.File("only.h5"), keras3 = Temp.File("best.weights.h5");
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks:
        [
            new Callbacks.ModelCheckpoint(whole),
            new Callbacks.ModelCheckpoint(weights, saveWeightsOnly: true),
            new Callbacks.ModelCheckpoint(keras3, monitor: "loss", saveBestOnly: true, saveWeightsOnly: true),
        ]);
        var want = m.Variables.Select(v => v.ToArray<float>()).ToArray();
        var loaded = Model.Load(whole);
        Assert.NotNull(loaded.Optimizer);   // compiled from its training_config
        foreach (var path in new[] { weights, keras3 })
        {
            var other = Compiled();
            other.Predict(x, verbose: 0);
            other.LoadWeights(path);
            Assert.Equal(want, other.Variables.Select(v => v.ToArray<float>()).ToArray());
        }
        Assert.Equal(want, loaded.Variables.Select(v => v.ToArray<float>()).ToArray());
    }

    [SkippableFact]
    public void A_read_only_checkpoint_is_not_overwritten()
    {
        RequireBackend();
        var (x, y) = Data();
        string path = Temp.File("kept.keras");
        File.WriteAllText(path, "keep me");
        File.SetAttributes(path, FileAttributes.ReadOnly);
        try
        {
            var e = Assert.Throws<UnauthorizedAccessException>(() =>
                Compiled().Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks: [new Callbacks.ModelCheckpoint(path)]));
            Assert.Contains("read-only", e.Message);
            Assert.Contains("kept.keras", e.Message);
            Assert.Equal("keep me", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(Temp.Path));   // no temporary file left beside it
        }
        finally { File.SetAttributes(path, FileAttributes.Normal); }
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedCheckpointFileKindTests() : CheckpointFileKindTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuCheckpointFileKindTests() : CheckpointFileKindTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaCheckpointFileKindTests() : CheckpointFileKindTests("cuda");
