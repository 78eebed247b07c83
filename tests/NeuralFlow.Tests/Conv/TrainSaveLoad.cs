using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>The round trip the layer suites run on their models: train, save, load, same predictions and configs.</summary>
internal static class TrainSaveLoad
{
    /// <summary>
    /// Builds <paramref name="model"/> and fits it <paramref name="epochs"/> epochs (every weight
    /// must move: each got a gradient), saves it to <paramref name="path"/>, loads it back and
    /// checks the same layer types and configs and bit-identical predictions on <paramref name="x"/>.
    /// </summary>
    public static void Check(Sequential model, Tensor x, Tensor y, string path, int epochs = 1)
    {
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Predict(x);                                    // builds the weights, so that all of them are compared
        var before = model.Variables.Select(v => v.ToArray<float>()).ToList();
        Assert.NotEmpty(before);
        model.Fit(x, y, batchSize: 3, epochs: epochs, verbose: 0);
        Assert.All(model.Variables.Zip(before), p => Assert.NotEqual(p.Second, p.First.ToArray<float>()));
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        for (int l = 0; l < model.Layers.Count; l++)
        {
            Assert.IsType(model.Layers[l].GetType(), loaded.Layers[l]);
            Assert.True(JsonNode.DeepEquals(model.Layers[l].GetConfig(), loaded.Layers[l].GetConfig()),
                $"{path} layer {l}: {model.Layers[l].GetConfig()} vs {loaded.Layers[l].GetConfig()}");
        }
    }
}
