using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// Model.Load of a legacy Keras 2 whole-model .h5 (model.save("x.h5")): the architecture from
/// its model_config (tf.keras 2.15's to_json, as make_fixtures.py writes it) and its weights,
/// predicting as numpy; a weights-only .h5 or a truncated one is refused naming the file.
/// </summary>
public abstract class KerasH5ModelLoadTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void A_keras2_whole_model_h5_loads_and_predicts_as_numpy()
    {
        RequireBackend();
        var mlp = Model.Load(KerasH5Fixtures.Path("mlp_model.h5"));   // model_config as fixed-length bytes
        Assert.Equal(["dense", "batch_normalization", "dense_1"], mlp.SubLayers.Where(l => l is not Layers.InputLayer).Select(l => l.Name));
        KerasH5Fixtures.AssertPredicts(mlp, "mlp");
        var cnn = Model.Load(KerasH5Fixtures.Path("cnn_model_latest.h5"));   // a variable-length string, libver='latest'
        KerasH5Fixtures.AssertPredicts(cnn, "cnn");
    }

    [SkippableFact]
    public void A_keras2_functional_model_with_nested_models_loads_with_their_calls_counted_from_1()
    {
        RequireBackend();
        // tf.keras 2 numbers the calls of a nested Functional, and of a nested Sequential built from
        // an InputLayer, after the call that built it: "inner" and "seq" are called as [name, 1, 0].
        var model = Model.Load(KerasH5Fixtures.Path("nested_functional_model.h5"));
        Assert.Equal(["pre", "inner", "seq", "last"], model.SubLayers.Where(l => l is not Layers.InputLayer).Select(l => l.Name));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(KerasH5Fixtures.Path("archives.json")));
        var r = doc.RootElement.GetProperty("legacy_nested");
        var x = NF.Constant(r.GetProperty("x").EnumerateArray().Select(e => e.GetSingle()).ToArray(), [3, 3]);
        var want = r.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var got = model.Predict(x).ToArray<float>();
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - want[i]) <= 1e-5, $"[{i}]: {got[i]} vs numpy {want[i]}");
    }

    [SkippableFact]
    public void A_weights_only_or_truncated_h5_is_refused_naming_the_file()
    {
        RequireBackend();
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(KerasH5Fixtures.Path("mlp_legacy.h5")));
        Assert.Contains("model_config", e.Message);
        Assert.Contains("mlp_legacy.h5", e.Message);
        var bytes = File.ReadAllBytes(KerasH5Fixtures.Path("mlp_model.h5"));
        string path = Temp.File("cut_model.h5");
        for (int length = 8; length < bytes.Length; length += bytes.Length / 13)
        {
            File.WriteAllBytes(path, bytes[..length]);
            var cut = Record.Exception(() => Model.Load(path));
            Assert.True(cut is InvalidDataException, $"cut to {length}: {cut}");
            Assert.Contains("cut_model.h5", cut!.Message);
        }
    }
}

/// <summary>Keras 2 whole-model files on the managed backend.</summary>
public sealed class ManagedKerasH5ModelLoadTests() : KerasH5ModelLoadTests("managed");

/// <summary>Keras 2 whole-model files on the native CPU backend.</summary>
public sealed class NativeCpuKerasH5ModelLoadTests() : KerasH5ModelLoadTests("cpu");

/// <summary>Keras 2 whole-model files on the CUDA backend.</summary>
public sealed class CudaKerasH5ModelLoadTests() : KerasH5ModelLoadTests("cuda");
