using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe3;

/// <summary>
/// A Sequential used as a layer of another model (Keras' <c>Sequential([base, Dense(...)])</c>)
/// counts as built once called: Save and ExportOnnx used to refuse it ("layer base has no weights
/// yet") after Fit, because a model never builds through Layer.EnsureBuilt.
/// </summary>
public sealed class NestedSequentialSaveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_model_holding_a_sequential_saves_and_loads_after_fit()
    {
        NF.Random.SetSeed(3);
        var inner = new Sequential([new Layers.Dense(5, activation: "relu"), new Layers.Dense(4)], name: "inner");
        Assert.False(inner.Built);
        var model = new Sequential(new Layers.Flatten(), inner, new Layers.Dense(2));
        model.Compile("adam", "mse");
        var x = NF.Random.Uniform([8, 2, 3]);
        model.Fit(x, NF.Random.Uniform([8, 2]), batchSize: 4, epochs: 1, verbose: 0);
        Assert.True(inner.Built);

        string path = _temp.File("nested.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Predict(x, verbose: 0).ToArray<float>(), loaded.Predict(x, verbose: 0).ToArray<float>());
        Assert.Equal("inner", ((Sequential)loaded).Layers[1].Name);
    }

    [Fact]
    public void An_uncalled_nested_sequential_is_still_refused_by_name()
    {
        var model = new Sequential(new Sequential([new Layers.Dense(2)], name: "inner"));
        var e = Assert.Throws<InvalidOperationException>(() => model.Save(_temp.File("m.nfmodel")));
        Assert.Contains("layer inner has no weights yet", e.Message);
    }
}
