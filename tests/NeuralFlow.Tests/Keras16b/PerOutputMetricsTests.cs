using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Metrics per output of a functional model, as Keras' compile(metrics={...}) and
/// compile(metrics=[[...], [...]]): each output gets its own, history keys "&lt;output&gt;_&lt;metric&gt;"
/// and "val_&lt;output&gt;_&lt;metric&gt;" (Keras 3's names), values checked against the predictions, and
/// the per-output metrics survive Save/Load. Every backend.
/// </summary>
public abstract class PerOutputMetricsTests(string backend) : BackendFileTest(backend)
{
    private static Model TwoHeads()
    {
        NF.Random.SetSeed(71);
        var x = Layers.Input([4], name: "x");
        var hidden = new Layers.Dense(6, activation: "relu").Call(x);
        var cls = new Layers.Dense(3, activation: "softmax", name: "cls").Call(hidden);
        var reg = new Layers.Dense(1, name: "reg").Call(hidden);
        return new Model(x, [cls, reg], name: "two_heads");
    }

    private static (Tensor X, Tensor Cls, Tensor Reg) Data()
    {
        var x = NF.Random.Uniform([40, 4]);
        return (x, NF.Random.Uniform([40], 0, 3, DType.Int32), NF.Random.Uniform([40, 1]));
    }

    private static readonly Dictionary<string, Losses.Loss> LossByOutput = new()
    {
        ["cls"] = new Losses.SparseCategoricalCrossentropy(),
        ["reg"] = new Losses.MeanSquaredError(),
    };

    [SkippableFact]
    public void A_dictionary_gives_each_output_its_metrics_and_Keras_history_keys()
    {
        RequireBackend();
        var model = TwoHeads();
        var (x, cls, reg) = Data();
        model.Compile(new Optimizers.SGD(0.05), LossByOutput, new Dictionary<string, string[]> { ["cls"] = ["accuracy"], ["reg"] = ["mae"] });
        var history = model.Fit(x, (cls, reg), batchSize: 8, epochs: 2, verbose: 0, validationData: (x, (cls, reg)));
        Assert.Equal(
            // "mae" is named by the string given, as Keras 3's compile_utils.get_metric names it.
            new[] { "cls_accuracy", "cls_loss", "loss", "reg_loss", "reg_mae", "val_cls_accuracy", "val_cls_loss", "val_loss", "val_reg_loss", "val_reg_mae" },
            history.Keys.Order(StringComparer.Ordinal));

        // The values are those of the predictions.
        var result = model.Evaluate(x, (cls, reg), batchSize: 40);
        var outputs = model.PredictOutputs(new[] { x });
        var predicted = outputs[0].ToArray<float>().Chunk(3).Select(r => Array.IndexOf(r, r.Max())).ToArray();
        var labels = cls.ToArray<int>();
        double accuracy = predicted.Zip(labels, (p, l) => p == l ? 1.0 : 0.0).Average();
        double mae = outputs[1].ToArray<float>().Zip(reg.ToArray<float>(), (p, t) => Math.Abs(p - t)).Average();
        Assert.Equal(accuracy, result["cls_accuracy"], 5);
        Assert.Equal(mae, result["reg_mae"], 5);
        Assert.Equal(history["val_reg_mae"][^1], result["reg_mae"], 5);
    }

    [SkippableFact]
    public void A_list_of_lists_names_or_objects_and_Save_Load()
    {
        RequireBackend();
        var model = TwoHeads();
        var (x, cls, reg) = Data();
        model.Compile(new Optimizers.Adam(0.01), [new Losses.SparseCategoricalCrossentropy(), new Losses.MeanSquaredError()],
            metrics: [new object[] { new Metrics.SparseCategoricalAccuracy() }, new object[] { "mae", new Metrics.RootMeanSquaredError() }]);
        var history = model.Fit(x, (cls, reg), batchSize: 8, epochs: 1, verbose: 0);
        Assert.Contains("cls_sparse_categorical_accuracy", history.Keys);
        Assert.Contains("reg_mae", history.Keys);
        Assert.Contains("reg_root_mean_squared_error", history.Keys);
        Assert.DoesNotContain("reg_sparse_categorical_accuracy", history.Keys);
        Assert.DoesNotContain("cls_mae", history.Keys);

        string path = Temp.File("per_output.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        var before = model.Evaluate(x, (cls, reg), batchSize: 40);
        var after = loaded.Evaluate(x, (cls, reg), batchSize: 40);
        Assert.Equal(before.Values.Select(kv => kv.Key), after.Values.Select(kv => kv.Key));
        Assert.Equal(before.Values.Select(kv => kv.Value), after.Values.Select(kv => kv.Value));
    }

    [SkippableFact]
    public void Bad_metric_specs_are_refused_with_the_reason()
    {
        RequireBackend();
        var model = TwoHeads();
        var e = Assert.Throws<ArgumentException>(() => model.Compile("sgd", LossByOutput, new Dictionary<string, string[]> { ["head"] = ["mae"] }));
        Assert.Contains("'head'", e.Message);
        Assert.Contains("'cls'", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Compile("sgd", [new Losses.MeanSquaredError(), new Losses.MeanSquaredError()], metrics: [new[] { "mae" }]));
        Assert.Contains("one list for each of the 2 output(s)", e.Message);
        var shared = new Metrics.MeanAbsoluteError();
        e = Assert.Throws<ArgumentException>(() => model.Compile("sgd", [new Losses.MeanSquaredError(), new Losses.MeanSquaredError()], metrics: [new[] { shared }, new[] { shared }]));
        Assert.Contains("one output's running state", e.Message);
        // A flat list still applies to every output.
        model.Compile("sgd", [new Losses.MeanSquaredError(), new Losses.MeanSquaredError()], metrics: ["mae"]);
        var (x, _, reg) = Data();
        var keys = model.Fit(x, (NF.Random.Uniform([40, 3]), reg), batchSize: 20, epochs: 1, verbose: 0).Keys;
        Assert.Contains("cls_mae", keys);
        Assert.Contains("reg_mae", keys);
    }
}

public sealed class ManagedPerOutputMetricsTests() : PerOutputMetricsTests("managed");
public sealed class NativeCpuPerOutputMetricsTests() : PerOutputMetricsTests("cpu");
public sealed class CudaPerOutputMetricsTests() : PerOutputMetricsTests("cuda");
