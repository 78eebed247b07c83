using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.SweepLossMetric;

/// <summary>
/// The names Keras 3's loss and metric docstrings use: keras.losses.get and keras.metrics.get
/// (keras/src/losses/__init__.py, keras/src/metrics/__init__.py) by snake_case name, by class
/// name and by a {"class_name", "config"} identifier, and every <c>model.compile(...)</c> of
/// keras/src/losses/losses.py and keras/src/metrics/*.py, with its optimizer and loss strings and
/// metric objects, compiled and evaluated on every engine. Before, a class name
/// ("CategoricalCrossentropy", "TruePositives") or the snake_case name of a confusion count
/// ("true_positives") was an unknown loss or metric, and a metric config without a name failed.
/// </summary>
public abstract class KerasNameTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Get_takes_names_class_names_and_config_identifiers()
    {
        RequireBackend();
        // losses.get("categorical_crossentropy"), losses.get("CategoricalCrossentropy").
        Assert.IsType<Losses.CategoricalCrossentropy>(Losses.Get("categorical_crossentropy"));
        Assert.IsType<Losses.CategoricalCrossentropy>(Losses.Get("CategoricalCrossentropy"));
        foreach (var (name, type) in new[] {
            ("MeanSquaredError", typeof(Losses.MeanSquaredError)), ("MSE", typeof(Losses.MeanSquaredError)), ("KLD", typeof(Losses.KLDivergence)),
            ("KLDivergence", typeof(Losses.KLDivergence)), ("LogCosh", typeof(Losses.LogCosh)), ("Huber", typeof(Losses.Huber)),
            ("BinaryFocalCrossentropy", typeof(Losses.BinaryFocalCrossentropy)), ("SparseCategoricalCrossentropy", typeof(Losses.SparseCategoricalCrossentropy)),
            ("CategoricalFocalCrossentropy", typeof(Losses.CategoricalFocalCrossentropy)), ("Kullback_Leibler_Divergence", typeof(Losses.KLDivergence)) })
            Assert.IsType(type, Losses.Get(name));
        // {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}.
        var loss = Assert.IsType<Losses.CategoricalCrossentropy>(Losses.FromConfig("CategoricalCrossentropy", new JsonObject { ["from_logits"] = true }));
        Assert.True(loss.FromLogits);
        Assert.Equal(0.5, Assert.IsType<Losses.Huber>(Losses.FromConfig("Huber", new JsonObject { ["delta"] = 0.5 })).Delta);

        // metrics.get("categorical_crossentropy"), metrics.get("CategoricalCrossentropy"): the same metric.
        Assert.IsType<Metrics.CategoricalCrossentropy>(Metrics.Get("categorical_crossentropy"));
        Assert.IsType<Metrics.CategoricalCrossentropy>(Metrics.Get("CategoricalCrossentropy"));
        foreach (var (name, type) in new[] {
            ("TruePositives", typeof(Metrics.TruePositives)), ("true_positives", typeof(Metrics.TruePositives)), ("false_positives", typeof(Metrics.FalsePositives)),
            ("TrueNegatives", typeof(Metrics.TrueNegatives)), ("false_negatives", typeof(Metrics.FalseNegatives)), ("AUC", typeof(Metrics.AUC)),
            ("TopKCategoricalAccuracy", typeof(Metrics.TopKCategoricalAccuracy)), ("SparseTopKCategoricalAccuracy", typeof(Metrics.SparseTopKCategoricalAccuracy)),
            ("LogCoshError", typeof(Metrics.LogCoshError)), ("log_cosh_error", typeof(Metrics.LogCoshError)), ("FBetaScore", typeof(Metrics.FBetaScore)),
            ("F1Score", typeof(Metrics.F1Score)), ("R2Score", typeof(Metrics.R2Score)), ("KLDivergence", typeof(Metrics.KLDivergence)),
            ("RootMeanSquaredError", typeof(Metrics.RootMeanSquaredError)), ("BinaryIoU", typeof(Metrics.BinaryIoU)), ("MSLE", typeof(Metrics.MeanSquaredLogarithmicError)) })
            Assert.IsType(type, Metrics.Get(name));
        // A metric given by a string is named by that string (Keras' compile_utils.get_metric).
        Assert.Equal("TruePositives", Metrics.Get("TruePositives").Name);
        // The target-valued and class-counted metrics still say what they need.
        Assert.Contains("recall", Assert.Throws<ArgumentException>(() => Metrics.Get("PrecisionAtRecall")).Message);
        Assert.Contains("numClasses", Assert.Throws<ArgumentException>(() => Metrics.Get("MeanIoU")).Message);
        Assert.Throws<ArgumentException>(() => Losses.Get("CategoricalCrossEntropyy"));

        // metrics.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}): no name given.
        var metric = Assert.IsType<Metrics.CategoricalCrossentropy>(Metrics.FromConfig("CategoricalCrossentropy", new JsonObject { ["from_logits"] = true }));
        Assert.Equal("categorical_crossentropy", metric.Name);
        Assert.Equal(true, metric.GetConfig()["from_logits"]);
        Assert.Equal("logcosh", Metrics.FromConfig("LogCoshError", new JsonObject()).Name);
        Assert.Equal("true_positives", Metrics.FromConfig("TruePositives", new JsonObject()).Name);
    }

    // One compiled model per kind of output the docstrings' compile calls assume.
    private static (Tensor X, Tensor Y) Data(string kind)
    {
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([8, 3]);
        var classes = NF.Constant(new long[] { 0, 1, 2, 1, 0, 2, 1, 0 });
        return kind switch
        {
            "binary" => (x, NF.Constant(new float[] { 0, 1, 1, 0, 1, 0, 0, 1 }, [8, 1])),
            "one_hot" => (x, NF.OneHot(classes, 3)),
            "sparse" => (x, classes),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private void CompilesAndLogs(string kind, Layers.Dense output, Optimizers.Optimizer optimizer, Losses.Loss loss, params object[] metrics)
    {
        var (x, y) = Data(kind);
        var model = new Sequential(output);
        model.Compile(optimizer, loss, metrics);
        var result = model.Evaluate(x, y, batchSize: 4);
        foreach (var m in metrics)
        {
            string name = m as string ?? ((Metrics.PredictionMetric)m).Name;
            Assert.True(float.IsFinite(result[name]), $"{BackendName}: {loss.Name} with {name} gave {result[name]}");
        }
    }

    [SkippableFact]
    public void The_docstrings_compile_calls_compile_and_evaluate()
    {
        RequireBackend();
        // compile(optimizer='sgd', loss='binary_crossentropy', metrics=[...]) of accuracy_metrics.py and confusion_metrics.py.
        CompilesAndLogs("binary", new Layers.Dense(1, activation: "sigmoid"), "sgd", "binary_crossentropy",
            new Metrics.Accuracy(), new Metrics.BinaryAccuracy(), new Metrics.Precision(), new Metrics.Recall(),
            new Metrics.PrecisionAtRecall(recall: 0.8), new Metrics.RecallAtPrecision(precision: 0.8),
            new Metrics.SensitivityAtSpecificity(specificity: 0.5), new Metrics.SpecificityAtSensitivity(sensitivity: 0.3));
        CompilesAndLogs("binary", new Layers.Dense(1, activation: "sigmoid"), "sgd", new Losses.BinaryCrossentropy(), new Metrics.AUC());
        // A model outputting logits: optimizer='adam' / 'sgd', loss=BinaryCrossentropy(from_logits=True).
        CompilesAndLogs("binary", new Layers.Dense(1), "adam", new Losses.BinaryCrossentropy(fromLogits: true),
            new Metrics.Precision(0), new Metrics.Recall(0));
        CompilesAndLogs("binary", new Layers.Dense(1), "sgd", new Losses.BinaryCrossentropy(fromLogits: true), new Metrics.AUC(fromLogits: true));
        CompilesAndLogs("binary", new Layers.Dense(1), "sgd", new Losses.BinaryFocalCrossentropy(gamma: 2.0, fromLogits: true));
        // compile(optimizer='sgd', loss='mse', metrics=[...]) of regression_metrics.py, probabilistic_metrics.py, iou_metrics.py.
        CompilesAndLogs("binary", new Layers.Dense(1, activation: "sigmoid"), "sgd", "mse",
            new Metrics.BinaryCrossentropy(), new Metrics.KLDivergence(), new Metrics.Poisson(), new Metrics.LogCoshError(),
            new Metrics.MeanAbsoluteError(), new Metrics.MeanAbsolutePercentageError(), new Metrics.MeanSquaredLogarithmicError(),
            new Metrics.RootMeanSquaredError(), new Metrics.CosineSimilarity(axis: 1),
            new Metrics.IoU(numClasses: 2, targetClassIds: [0]), new Metrics.MeanIoU(numClasses: 2), new Metrics.BinaryIoU(targetClassIds: [0], threshold: 0.5));
        CompilesAndLogs("one_hot", new Layers.Dense(3, activation: "softmax"), "sgd", "mse",
            new Metrics.CategoricalCrossentropy(), new Metrics.OneHotIoU(numClasses: 3, targetClassIds: [1]), new Metrics.OneHotMeanIoU(numClasses: 3));
        CompilesAndLogs("one_hot", new Layers.Dense(3), "sgd", "mean_squared_error", new Metrics.PearsonCorrelation(), new Metrics.ConcordanceCorrelation());
        // compile(optimizer='sgd', loss='categorical_crossentropy' / 'sparse_categorical_crossentropy', ...).
        CompilesAndLogs("one_hot", new Layers.Dense(3, activation: "softmax"), "sgd", "categorical_crossentropy",
            new Metrics.CategoricalAccuracy(), new Metrics.TopKCategoricalAccuracy());
        CompilesAndLogs("one_hot", new Layers.Dense(3, activation: "softmax"), "sgd", new Losses.CategoricalCrossentropy());
        CompilesAndLogs("one_hot", new Layers.Dense(3, activation: "softmax"), "adam", new Losses.CategoricalFocalCrossentropy());
        // SparseCategoricalCrossentropy's metric is compiled with loss='mse' in its docstring, which
        // integer labels against 3 scores cannot be in NeuralFlow (nor meaningfully in Keras): the sparse loss here.
        CompilesAndLogs("sparse", new Layers.Dense(3, activation: "softmax"), "sgd", "sparse_categorical_crossentropy",
            new Metrics.SparseCategoricalAccuracy(), new Metrics.SparseTopKCategoricalAccuracy(), new Metrics.SparseCategoricalCrossentropy());
        CompilesAndLogs("sparse", new Layers.Dense(3, activation: "softmax"), "sgd", new Losses.SparseCategoricalCrossentropy());
        // Class names as strings, as Keras' get accepts them, log under the string given.
        CompilesAndLogs("binary", new Layers.Dense(1, activation: "sigmoid"), "SGD", "BinaryCrossentropy",
            "TruePositives", "true_negatives", "AUC", "BinaryAccuracy", "MSE");
    }
}

public sealed class ManagedKerasNameTests() : KerasNameTests("managed");

public sealed class NativeCpuKerasNameTests() : KerasNameTests("cpu");

public sealed class CudaKerasNameTests() : KerasNameTests("cuda");
