using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe6;

/// <summary>
/// A user's two-input, two-output functional model with a nested Sequential, a layer shared by
/// both branches and a Concatenate of widths 4 and 3: Keras' parameter count, losses keyed by
/// output name with loss weights, inputs and targets as dictionaries, and a Save/Load round trip
/// that keeps predictions, the sharing and the compiled losses.
/// </summary>
public abstract class FunctionalProbeTests(string backend) : BackendFileTest(backend)
{
    private static Model Build()
    {
        var a = Layers.Input([5], name: "a");
        var b = Layers.Input([3], name: "b");
        var inner = new Sequential([new Layers.Dense(6, activation: "relu"), new Layers.Dense(5)], name: "inner");
        var shared = new Layers.Dense(4, activation: "tanh", name: "shared");
        var ha = shared.Call(inner.Call(a));
        var hb = shared.Call(new Layers.Dense(5, name: "lift").Call(b));
        var cls = new Layers.Dense(3, name: "cls").Call(new Layers.Concatenate(name: "cat").Call([ha, b]));
        var reg = new Layers.Dense(1, name: "reg").Call(hb);
        return new Model([a, b], [cls, reg], name: "probe");
    }

    private static (Dictionary<string, Tensor> X, Dictionary<string, Tensor> Y) Data()
    {
        NF.Random.SetSeed(5);
        var x = new Dictionary<string, Tensor> { ["a"] = NF.Random.Normal([20, 5]), ["b"] = NF.Random.Normal([20, 3]) };
        var y = new Dictionary<string, Tensor> { ["cls"] = NF.Random.Uniform([20], 0, 3, DType.Int32), ["reg"] = NF.Random.Normal([20, 1]) };
        return (x, y);
    }

    [SkippableFact]
    public void Parameters_count_as_keras_formula_each_shared_weight_once()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var model = Build();
        // inner 5*6+6 + 6*5+5 = 71, shared 5*4+4 = 24, lift 3*5+5 = 20, cls (4+3)*3+3 = 24, reg 4+1 = 5.
        Assert.Equal(144, model.CountParams());
        string summary = model.SummaryText();
        Assert.Contains("Total params: 144", summary);
        Assert.Contains("Trainable params: 144", summary);
        Assert.Contains("Non-trainable params: 0", summary);
        Assert.Contains(SummaryCells.Rows(summary), row => row[3].Contains("shared[0][0]"));
    }

    [SkippableFact]
    public void Losses_keyed_by_output_with_weights_train_and_survive_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        var model = Build();
        model.Compile(new Optimizers.Adam(0.01),
            new Dictionary<string, Losses.Loss> { ["cls"] = new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["reg"] = "mse" },
            lossWeights: new Dictionary<string, float> { ["reg"] = 0.5f });
        var (x, y) = Data();
        var before = model.Evaluate(x, y, batchSize: 7);
        Assert.Equal(before["cls_loss"] + 0.5f * before["reg_loss"], before.Loss, 1e-5f);

        var history = model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0);
        Assert.True(history["loss"][2] < history["loss"][0]);
        string path = Temp.File("probe.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.CountParams(), loaded.CountParams());
        var p = model.PredictOutputs(x);
        var q = loaded.PredictOutputs(x);
        Assert.Equal(p[0].ToArray<float>(), q[0].ToArray<float>());
        Assert.Equal(p[1].ToArray<float>(), q[1].ToArray<float>());
        var after = model.Evaluate(x, y, batchSize: 7);
        var again = loaded.Evaluate(x, y, batchSize: 7);
        Assert.Equal(after.Values, again.Values);

        // Both continue training the same way (the shared layer stays one layer after loading).
        NF.Random.SetSeed(3);
        var more = model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        NF.Random.SetSeed(3);
        var moreLoaded = loaded.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        Assert.Equal(more["loss"], moreLoaded["loss"]);
    }

    [SkippableFact]
    public void An_unknown_output_name_in_the_loss_dict_is_named()
    {
        RequireBackend();
        var model = Build();
        var e = Assert.Throws<ArgumentException>(() => model.Compile(new Optimizers.Adam(0.01),
            new Dictionary<string, Losses.Loss> { ["clss"] = "mse" }));
        Assert.Contains("'clss' is not an output", e.Message);
    }
}

public sealed class ManagedFunctionalProbeTests() : FunctionalProbeTests("managed");

public sealed class NativeCpuFunctionalProbeTests() : FunctionalProbeTests("cpu");

public sealed class CudaFunctionalProbeTests() : FunctionalProbeTests("cuda");
