using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The TensorFlow "Save and load models" tutorial's <c>tf.keras.models.load_model('my_model.keras')</c> and
/// <c>keras.models.save_model(model, path)</c> under Keras' names: <c>Models.LoadModel</c>, <c>Models.SaveModel</c>
/// (before: only <c>Model.Load</c> and <c>model.Save</c>, so the ported cell did not compile).
/// </summary>
public abstract class KerasModelsSpellingTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Save_model_and_load_model_round_trip_a_compiled_model()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(8, activation: "relu"), new Layers.Dense(2));
        model.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        using var x = NF.Random.Uniform([16, 4]);
        using var y = NF.Random.Uniform([16], 0, 2, DType.Int32);
        model.Fit(x, y, epochs: 1, verbose: 0);
        foreach (var name in new[] { "my_model.keras", "my_model.h5" })
        {
            var path = Temp.File(name);
            Models.SaveModel(model, path);
            var loaded = Models.LoadModel(path);
            Assert.Equal(model.Predict(x, verbose: 0).ToArray<float>(), loaded.Predict(x, verbose: 0).ToArray<float>());
        }
        Assert.Throws<ArgumentNullException>(() => Models.SaveModel(null!, Temp.File("none.keras")));
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedKerasModelsSpellingTests() : KerasModelsSpellingTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuKerasModelsSpellingTests() : KerasModelsSpellingTests("cpu");

/// <summary>On the CUDA backend (skipped without a GPU or the emulator).</summary>
public sealed class CudaKerasModelsSpellingTests() : KerasModelsSpellingTests("cuda");
