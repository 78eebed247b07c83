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
