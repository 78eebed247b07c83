using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras' lists of inputs and targets written as C# collection expressions, <c>model.Fit([a, b], [y1, y2])</c>,
/// <c>model.Predict([a, b])</c>: they compiled only as <c>new[] { ... }</c> before. They mean exactly
/// what the array form means.
/// </summary>
public abstract class ModelDataCollectionTests(string backend) : BackendTest(backend)
{
    private static Model TwoByTwo()
    {
        var a = Layers.Input([3], name: "a");
        var b = Layers.Input([2], name: "b");
        var joined = new Layers.Concatenate().Call([a, b]);
        var hidden = new Layers.Dense(4, activation: "relu").Call(joined);
        var regression = new Layers.Dense(1, name: "reg").Call(hidden);
        var classes = new Layers.Dense(3, name: "cls").Call(hidden);
        var model = new Model([a, b], [regression, classes]);
        model.Compile(optimizer: "sgd", loss: ["mse", new Losses.SparseCategoricalCrossentropy(fromLogits: true)]);
        return model;
    }

    [SkippableFact]
    public void Collection_expressions_fit_and_predict_as_arrays_do()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var xa = NF.Random.Normal([12, 3]);
        var xb = NF.Random.Normal([12, 2]);
        var reg = NF.Random.Normal([12, 1]);
        var cls = NF.Range(0, 12) % 3;
        NF.Random.SetSeed(4);
        var listed = TwoByTwo();
        NF.Random.SetSeed(4);
        var arrayed = TwoByTwo();
        var h1 = listed.Fit([xa, xb], [reg, cls], epochs: 2, batchSize: 4, shuffle: false, verbose: 0);
        var h2 = arrayed.Fit(new[] { xa, xb }, new[] { reg, cls }, epochs: 2, batchSize: 4, shuffle: false, verbose: 0);
        Assert.Equal(h2["loss"], h1["loss"]);
        var p1 = listed.PredictOutputs([xa, xb]);
        var p2 = arrayed.PredictOutputs(new[] { xa, xb });
        Assert.Equal(p2[0].ToArray<float>(), p1[0].ToArray<float>());
        Assert.Equal(p2[1].ToArray<float>(), p1[1].ToArray<float>());
        Assert.Equal(listed.Evaluate([xa, xb], [reg, cls]).Loss, arrayed.Evaluate(new[] { xa, xb }, new[] { reg, cls }).Loss);
        ModelData data = [xa, xb];
        var items = new List<Tensor>();
        foreach (var t in data) items.Add(t);
        Assert.Equal([xa, xb], items);
    }
}

public sealed class ManagedModelDataCollectionTests() : ModelDataCollectionTests("managed");

public sealed class NativeCpuModelDataCollectionTests() : ModelDataCollectionTests("cpu");

public sealed class CudaModelDataCollectionTests() : ModelDataCollectionTests("cuda");
