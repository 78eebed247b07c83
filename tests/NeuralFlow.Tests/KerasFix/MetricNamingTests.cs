using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasFix;

/// <summary>
/// A metric given to Compile by a string logs under that string, as Keras 3's
/// compile_utils.get_metric names it (<c>metric_name = identifier</c> for a string, the object's
/// own name otherwise): <c>metrics=["mae"]</c> logs "mae" and "val_mae" in the History, the
/// progress line, a CSVLogger's header, a callback's monitor, Evaluate's keys and MetricsNames.
/// </summary>
public abstract class MetricNamingTests(string backend) : BackendFileTest(backend)
{
    private static (Sequential Model, Tensor X, Tensor Y) Setup(object[] metrics)
    {
        NF.Random.SetSeed(91);
        var model = new Sequential(new Layers.Dense(1));
        model.Compile("sgd", "mse", metrics);
        return (model, NF.Random.Uniform([24, 2]), NF.Random.Uniform([24, 1]));
    }

    [SkippableFact]
    public void String_metrics_log_under_the_string_given()
    {
        RequireBackend();
        var (model, x, y) = Setup(["mae", "mse", "acc", "rmse", "msle", new Metrics.MeanAbsoluteError(name: "my_mae")]);
        Assert.Equal(["loss", "mae", "mse", "acc", "rmse", "msle", "my_mae"], model.MetricsNames);
        string csv = Temp.File("log.csv");
        var progress = new StringWriter();
        var stop = new Callbacks.EarlyStopping(monitor: "val_mae", patience: 5);
        var history = model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 2, validationData: (x, y),
            callbacks: [new Callbacks.CSVLogger(csv), new Callbacks.ProgbarLogger(progress), stop]);
        Assert.Equal(["acc", "loss", "mae", "mse", "msle", "my_mae", "rmse", "val_acc", "val_loss", "val_mae", "val_mse", "val_msle", "val_my_mae", "val_rmse"],
            history.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("epoch,acc,loss,mae,mse,msle,my_mae,rmse,val_acc,val_loss,val_mae,val_mse,val_msle,val_my_mae,val_rmse", File.ReadLines(csv).First());
        Assert.Contains(" - mae: ", progress.ToString());
        Assert.Contains(" - val_mae: ", progress.ToString());
        Assert.DoesNotContain("mean_absolute_error", progress.ToString());
        Assert.True(stop.BestEpoch >= 0);   // the monitor found "val_mae" in the logs
        var result = model.Evaluate(x, y, batchSize: 24);
        Assert.Equal(model.MetricsNames, result.Values.Select(kv => kv.Key));
        double mae = model.Predict(x).ToArray<float>().Zip(y.ToArray<float>(), (p, t) => Math.Abs(p - t)).Average();
        Assert.Equal(mae, result["mae"], 5);
        Assert.Equal(result["mae"], result["my_mae"]);
    }

    [SkippableFact]
    public void The_name_survives_save_and_load()
    {
        RequireBackend();
        var (model, x, y) = Setup(["mae", "accuracy"]);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        string path = Temp.File("named.nfmodel");
        model.Save(path);
        Assert.Equal(["loss", "mae", "accuracy"], Model.Load(path).MetricsNames);
    }

    // Files written before this naming hold the metric under its full name (a class config
    // named "mean_absolute_error"), and the oldest hold bare strings: both still load, the first
    // with the name it stored (as Keras restores a saved metric's name), the second by its string.
    [SkippableFact]
    public void Files_with_the_old_names_still_load()
    {
        RequireBackend();
        var (model, x, y) = Setup(["mae"]);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        string path = Temp.File("old.nfmodel");
        model.Save(path);
        var expected = model.Evaluate(x, y, batchSize: 24)["mae"];

        RewriteMetrics(path, metrics => metrics[0]!["config"]!["name"] = "mean_absolute_error");
        var loaded = Model.Load(path);
        Assert.Equal(["loss", "mean_absolute_error"], loaded.MetricsNames);
        Assert.Equal(expected, loaded.Evaluate(x, y, batchSize: 24)["mean_absolute_error"]);

        RewriteMetrics(path, metrics => metrics[0] = "mae");
        loaded = Model.Load(path);
        Assert.Equal(["loss", "mae"], loaded.MetricsNames);
        Assert.Equal(expected, loaded.Evaluate(x, y, batchSize: 24)["mae"]);
    }

    // Edits the compile config's metrics list of a saved model in place.
    private static void RewriteMetrics(string path, Action<JsonArray> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("config.json")!;
        JsonObject config;
        using (var s = entry.Open()) config = JsonNode.Parse(s)!.AsObject();
        edit(config["compile_config"]!["metrics"]!.AsArray());
        entry.Delete();
        using var w = zip.CreateEntry("config.json").Open();
        w.Write(System.Text.Encoding.UTF8.GetBytes(config.ToJsonString()));
    }
}

public sealed class ManagedMetricNamingTests() : MetricNamingTests("managed");
public sealed class NativeCpuMetricNamingTests() : MetricNamingTests("cpu");
public sealed class CudaMetricNamingTests() : MetricNamingTests("cuda");
