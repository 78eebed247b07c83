using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// A saved application loaded back, checked as a user would check it: the same outputs (bit for bit on the CPU
/// engines, to float rounding on CUDA), layer names, types and trainable flags, and the same Summary.
/// </summary>
internal static class ApplicationsRoundTrip
{
    /// <summary>Two images of pixels in [0, 255] of the model's input size.</summary>
    public static Tensor Pixels(Model model) =>
        ApplicationsWeightsFile.Images([2, .. model.Inputs[0].Shape.Skip(1).Select(d => d!.Value)]);

    /// <summary>Saves <paramref name="model"/> to <paramref name="path"/>, loads it and checks it; returns the loaded model.</summary>
    public static Model Check(Model model, string path, string what, string backend)
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
    /// <paramref name="baseModel"/> frozen under a Dropout and a new Dense head (a user's transfer-learning model),
    /// saved to <paramref name="path"/> and checked by <see cref="Check"/>: the nested base keeps its layers and its
    /// freezing, the head stays trainable.
    /// </summary>
    public static void FrozenBase(Model baseModel, string path, string what, string backend)
    {
        baseModel.Trainable = false;
        var inputs = Layers.Input(baseModel.Inputs[0].Shape.Skip(1).ToArray());
        var x = baseModel.Call(inputs, training: false);
        x = new Layers.Dropout(0.2).Call(x);
        var model = new Model(inputs, new Layers.Dense(3, activation: "softmax", name: "head").Call(x));
        var loaded = Check(model, path, what, backend);
        var loadedBase = Assert.IsType<Model>(loaded.Layers[1], exactMatch: false);
        Assert.False(loadedBase.Trainable, what);
        Assert.Equal(baseModel.Layers.Select(l => l.Name), loadedBase.Layers.Select(l => l.Name));
        Assert.Equal(2, loaded.TrainableVariables.Count);
    }

    /// <summary>
    /// The weights of one build of <paramref name="build"/> saved to <paramref name="path"/> (a .weights.h5) and loaded
    /// into a fresh build, which computed otherwise before and the same bits after; returns the first build.
    /// </summary>
    public static Model WeightsReload(Func<Model> build, string path, string what)
    {
        var model = build();
        model.SaveWeights(path);
        var fresh = build();
        var x = Pixels(model);
        Assert.NotEqual(model.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());
        fresh.LoadWeights(path);
        Assert.True(model.Predict(x).ToArray<float>().SequenceEqual(fresh.Predict(x).ToArray<float>()), what);
        return model;
    }
}
