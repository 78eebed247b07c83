using System.IO.Compression;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Keras16;

/// <summary>
/// Model.Save / Model.Load of models compiled with the new losses and metrics, by name and as
/// configured objects, on every backend: the loss and metrics come back with their arguments,
/// and training resumes with the same History, bit for bit.
/// </summary>
public abstract class CompileSaveTests(string backend) : BackendFileTest(backend)
{
    private static (Tensor X, Tensor Y) Binary()
    {
        NF.Random.SetSeed(5);
        var x = NF.Random.Uniform([64, 3]);
        return (x, NF.Cast(NF.Greater(NF.ReduceSum(x, -1, keepDims: true), 1.5), DType.Float32));
    }

    private static void ResumesIdentically(Model model, Tensor x, Tensor y, string file)
    {
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        model.Save(file);
        var loaded = Model.Load(file);
        Assert.Equal(model.Loss!.GetType(), loaded.Loss!.GetType());
        Assert.Equal(model.Loss.GetConfig(), loaded.Loss.GetConfig());
        NF.Random.SetSeed(17);
        var h1 = model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
        NF.Random.SetSeed(17);
        var h2 = loaded.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
        Assert.Equal(h1.Keys.Order(), h2.Keys.Order());
        foreach (var key in h1.Keys) Assert.True(h1[key].SequenceEqual(h2[key]), $"{key}: {string.Join(",", h1[key])} vs {string.Join(",", h2[key])}");
    }

    [SkippableFact]
    public void Configured_losses_and_metrics_round_trip()
    {
        RequireBackend();
        var (x, y) = Binary();
        var model = new Sequential(new Layers.Dense(8, activation: "relu"), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.01f), new Losses.BinaryFocalCrossentropy(applyClassBalancing: true, alpha: 0.4, gamma: 1.5, labelSmoothing: 0.05),
            ["auc", "binary_accuracy", new Metrics.AUC(50, "PR", "majoring", name: "pr_auc"), new Metrics.Precision(0.3, name: "p30"),
             new Metrics.Recall([0.6]), new Metrics.F1Score("micro", 0.5), new Metrics.FBetaScore("weighted", 2.0, 0.4, "f2")]);
        string path = Temp.File("focal.nfmodel");
        ResumesIdentically(model, x, y, path);
        // The file names them as Keras does: class names with their configs.
        using var zip = ZipFile.OpenRead(path);
        var text = string.Concat(zip.Entries.Where(e => e.FullName.EndsWith(".json")).Select(e => new StreamReader(e.Open()).ReadToEnd()));
        Assert.Contains("binary_focal_crossentropy", text);
        Assert.Contains("\"pr_auc\"", text);
        Assert.Contains("\"summation_method\":\"majoring\"", text.Replace(" ", ""));
    }

    [SkippableFact]
    public void Losses_and_metrics_by_name_round_trip()
    {
        RequireBackend();
        var (x, y) = Binary();
        foreach (var (loss, metrics) in new (object Loss, object[] Metrics)[]
        {
            ("huber", ["mse", "mae", "root_mean_squared_error"]),
            (new Losses.Huber(0.3, "sum"), ["mae"]),
            ("log_cosh", ["precision", "recall"]),
            ("poisson", []),
            ("msle", []),
            ("hinge", ["binary_accuracy"]),
            ("squared_hinge", []),
            ("kl_divergence", []),
        })
        {
            var model = new Sequential(new Layers.Dense(4, activation: "relu"), new Layers.Dense(1, activation: "sigmoid"));
            model.Compile(new Optimizers.SGD(0.05f), loss is string s ? s : (Losses.Loss)loss, metrics);
            ResumesIdentically(model, x, y, Temp.File($"{model.Loss!.Name}.nfmodel"));
        }
    }

    [SkippableFact]
    public void Class_metrics_and_categorical_losses_round_trip()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var x = NF.Random.Uniform([48, 4]);
        var labels = NF.ArgMax(x, -1);
        var model = new Sequential(new Layers.Dense(6, activation: "relu"), new Layers.Dense(4, activation: "softmax"));
        model.Compile(new Optimizers.Adam(0.02f), new Losses.SparseCategoricalCrossentropy(ignoreClass: 3),
            ["accuracy", "sparse_top_k_categorical_accuracy", new Metrics.SparseTopKCategoricalAccuracy(2, "top2"), new Metrics.MeanIoU(4, sparseYPred: false, ignoreClass: 3)]);
        ResumesIdentically(model, x, labels, Temp.File("sparse.nfmodel"));
        var oneHot = NF.OneHot(labels, 4);
        foreach (var loss in new Losses.Loss[] { new Losses.CategoricalCrossentropy(labelSmoothing: 0.1), new Losses.CategoricalHinge(), new Losses.CosineSimilarity() })
        {
            var m = new Sequential(new Layers.Dense(6, activation: "relu"), new Layers.Dense(4, activation: "softmax"));
            m.Compile(new Optimizers.Adam(0.02f), loss, ["categorical_accuracy", "top_k_categorical_accuracy", new Metrics.F1Score("macro")]);
            ResumesIdentically(m, x, oneHot, Temp.File($"{loss.Name}.nfmodel"));
        }
    }

    [SkippableFact]
    public void A_custom_loss_saves_by_class_name_and_loads_from_custom_objects()
    {
        RequireBackend();
        var (x, y) = Binary();
        var model = new Sequential(new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.SGD(0.1f), new HalfMse(), ["binary_accuracy"]);
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        // Saved as Keras saves a custom class; loading needs it, and names it when it is missing.
        var path = Temp.File("custom.nfmodel");
        model.Save(path);
        Assert.Contains("HalfMse", Assert.Throws<InvalidDataException>(() => Model.Load(path)).Message);
        var loaded = Model.Load(path, new CustomObjects { { "HalfMse", _ => new HalfMse() } });
        Assert.Equal(model.Evaluate(x, y).Loss, loaded.Evaluate(x, y).Loss, 5);
    }

    private sealed class HalfMse : Losses.Loss
    {
        public override string Name => "half_mse";
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => 0.5 * Losses.MeanSquaredError.PerExample(yTrue, yPred);
    }
}

public sealed class ManagedCompileSaveTests() : CompileSaveTests("managed");

public sealed class NativeCpuCompileSaveTests() : CompileSaveTests("cpu");

public sealed class CudaCompileSaveTests() : CompileSaveTests("cuda");
