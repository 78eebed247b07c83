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
}
