using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// What a user checks after saving a Keras application and loading it back, shared by the Applications*Save tests:
/// the same outputs (bit for bit on the CPU engines, to float rounding on CUDA), layer names, count and trainable
/// flags, and the same Summary.
/// </summary>
internal static class ApplicationsRoundTrip
{
    /// <summary>Two images of pixels in [0, 255] of <paramref name="model"/>'s input size.</summary>
    public static Tensor Pixels(Model model) =>
        ApplicationsWeightsFile.Images([2, .. model.Inputs[0].Shape.Skip(1).Select(d => d!.Value)]);

    /// <summary>Saves <paramref name="model"/> to <paramref name="path"/>, loads it and checks it; returns the loaded model.</summary>
    public static Model Check(string backend, Model model, string path, string what)
    {
        var x = Pixels(model);
        var expected = model.Predict(x).ToArray<float>();
        model.Save(path);
        var loaded = Model.Load(path);
        var actual = loaded.Predict(x).ToArray<float>();
        if (backend == "cuda") for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
        else Assert.True(expected.SequenceEqual(actual), $"{what}: the loaded model's outputs differ");
        Assert.Equal(model.Name, loaded.Name);
        Assert.Equal(model.Layers.Select(l => (l.Name, l.GetType(), l.Trainable)), loaded.Layers.Select(l => (l.Name, l.GetType(), l.Trainable)));
        Assert.Equal(model.SummaryText(), loaded.SummaryText());
        return loaded;
    }

    /// <summary>
    /// A transfer-learning model on <paramref name="baseModel"/> (frozen, includeTop false, pooled) under a Dropout and
    /// a new Dense head, saved to the .keras <paramref name="path"/> and checked: the nested base keeps its own layers
    /// and its freezing, the head stays trainable.
    /// </summary>
    public static void FrozenBaseUnderHead(string backend, Model baseModel, string path, string what)
    {
        baseModel.Trainable = false;
        var inputs = Layers.Input(baseModel.Inputs[0].Shape.Skip(1).ToArray());
        var x = new Layers.Dropout(0.2).Call(baseModel.Call(inputs, training: false));
        var model = new Model(inputs, new Layers.Dense(3, activation: "softmax", name: "head").Call(x));
        var loaded = Check(backend, model, path, what);
        var loadedBase = Assert.IsType<Model>(loaded.Layers[1], exactMatch: false);
        Assert.False(loadedBase.Trainable, what);
        Assert.Equal(baseModel.Layers.Select(l => l.Name), loadedBase.Layers.Select(l => l.Name));
        Assert.Equal(2, loaded.TrainableVariables.Count);
    }
}
