using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// Issue 17's "a replayed step gives the same numbers as the eager step", over every loss <see cref="Losses.Get"/> knows
/// (CTC aside: it needs sequences, see the CTC tests) and every metric <see cref="Metrics.Get"/> knows by name, plus the
/// metrics that need an argument: each loss trains a model whose head and targets suit it, compiled with all the
/// metrics of its kind of target (sparse labels, one-hot labels, binary labels, positive regression targets), and the
/// replayed Fit must give <c>runEagerly</c>'s history and weights bit for bit without falling back to eager steps.
/// A loss or metric whose compiled form reads a value on the host, or keeps a trace-time constant, fails here.
/// </summary>
public abstract class CompiledParityLossMetricTests(string backend) : BackendTest(backend)
{
    private const int Examples = 40;

    // Each kind of target: its model's head activation, the metrics that take it, and the losses.
    private static readonly Dictionary<string, (string Head, Func<object[]> Metrics, string[] Losses)> Kinds = new()
    {
        ["sparse"] = ("softmax", () => ["accuracy", "sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy",
                                       new Metrics.MeanIoU(3, sparseYPred: false), new Metrics.IoU(3, [0, 2], sparseYPred: false)],
                     ["sparse_categorical_crossentropy"]),
        ["categorical"] = ("softmax", () => ["accuracy", "categorical_accuracy", "top_k_categorical_accuracy", "categorical_crossentropy", "kl_divergence",
                                            "categorical_hinge", "f1_score", "fbeta_score", new Metrics.F1Score("macro"), new Metrics.FBetaScore("weighted", beta: 2, threshold: 0.4),
                                            new Metrics.OneHotMeanIoU(3), new Metrics.OneHotIoU(3, [1])],
                          ["categorical_crossentropy", "categorical_focal_crossentropy", "kl_divergence", "categorical_hinge"]),
        ["binary"] = ("sigmoid", () => ["accuracy", "binary_accuracy", "precision", "recall", "auc", "binary_crossentropy", "hinge", "squared_hinge",
                                       "true_positives", "false_positives", "true_negatives", "false_negatives", "binary_io_u",
                                       new Metrics.AUC(curve: "PR"), new Metrics.Precision(0.3), new Metrics.Recall(0.7),
                                       new Metrics.PrecisionAtRecall(0.5), new Metrics.RecallAtPrecision(0.5),
                                       new Metrics.SensitivityAtSpecificity(0.5), new Metrics.SpecificityAtSensitivity(0.5)],
                     ["binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge", "dice", "tversky"]),
        ["regression"] = ("softplus", () => ["mse", "mae", "rmse", "mape", "msle", "logcosh", "cosine_similarity", "r2_score", "poisson",
                                            "pearson_correlation", "concordance_correlation"],
                          ["mse", "mae", "mape", "msle", "huber", "log_cosh", "poisson", "cosine_similarity"]),
    };

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var (kind, (_, _, losses)) in Kinds)
            foreach (var loss in losses)
                cases.Add(kind, loss);
        return cases;
    }

    private static (Tensor X, Tensor Y, int Units) Data(string kind)
    {
        NF.Random.SetSeed(51);
        var x = NF.Random.Normal([Examples, 5]);
        var labels = NF.Random.Uniform([Examples], minval: 0, maxval: 3, dtype: DType.Int32);
        return kind switch
        {
            "sparse" => (x, labels, 3),
            "categorical" => (x, NF.OneHot(labels, 3), 3),
            "binary" => (x, NF.Cast(NF.Greater(NF.Random.Uniform([Examples, 1]), 0.5f), DType.Float32), 1),
            _ => (x, NF.Random.Uniform([Examples, 3], minval: 0.2, maxval: 2), 3),
        };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Every_loss_with_every_metric_of_its_targets_replays_as_run_eagerly(string kind, string loss)
    {
        RequireBackend();
        var (x, y, units) = Data(kind);
        var (head, metrics, _) = Kinds[kind];
        CompiledTwins.AssertSame($"{kind} {loss}",
            () => new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(units, activation: head)),
            (model, eager) => model.Compile(new Optimizers.Adam(0.02), loss, metrics(), runEagerly: eager), x, y);
    }

    [SkippableFact]
    public void Losses_given_as_objects_with_their_options_replay_as_run_eagerly()
    {
        RequireBackend();
        var (x, labels, _) = Data("sparse");
        var (_, binary, _) = Data("binary");
        var (_, positive, _) = Data("regression");
        var logits = () => new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(3));
        var logit = () => new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(1));
        CompiledTwins.AssertSame("sparse CE from logits, ignore_class", logits,
            (m, eager) => m.Compile("rmsprop", new Losses.SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 1), ["accuracy"], runEagerly: eager), x, labels);
        CompiledTwins.AssertSame("CE from logits, label smoothing", logits,
            (m, eager) => m.Compile("adam", new Losses.CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1), ["accuracy"], runEagerly: eager), x, NF.OneHot(labels, 3));
        CompiledTwins.AssertSame("BCE from logits, label smoothing", logit,
            (m, eager) => m.Compile("adam", new Losses.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.2), ["accuracy", new Metrics.AUC(fromLogits: true)], runEagerly: eager), x, binary);
        CompiledTwins.AssertSame("binary focal from logits, alpha", logit,
            (m, eager) => m.Compile("adam", new Losses.BinaryFocalCrossentropy(applyClassBalancing: true, gamma: 3, fromLogits: true), ["accuracy"], runEagerly: eager), x, binary);
        CompiledTwins.AssertSame("huber delta, sum reduction", logits,
            (m, eager) => m.Compile("sgd", new Losses.Huber(delta: 0.3, reduction: "sum"), ["mae"], runEagerly: eager), x, positive);
    }

    [SkippableFact]
    public void Metrics_whose_result_is_a_vector_log_one_entry_per_element_in_fit_and_evaluate()
    {
        RequireBackend();
        // Keras 3's compile(metrics=["f1_score"]) is F1Score(average=None): one score per class, which Fit logs as an
        // array; it threw "read it with ResultValues()" from inside Fit. Logs hold numbers: "f1_score[0]", ...
        var (x, onehot, _) = Data("categorical");
        var (_, positive, _) = Data("regression");
        NF.Random.SetSeed(52);
        var model = new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(3, activation: "softmax"));
        model.Compile("adam", "categorical_crossentropy", ["f1_score", new Metrics.Precision([0.3, 0.6]), new Metrics.R2Score(classAggregation: null)]);
        var history = model.Fit(x, onehot, batchSize: 16, epochs: 2, verbose: 0);
        foreach (var key in new[] { "f1_score[0]", "f1_score[1]", "f1_score[2]", "precision[0]", "precision[1]", "r2_score[0]", "r2_score[2]" })
            Assert.Equal(2, history[key].Count);
        Assert.DoesNotContain("f1_score", history.Keys);
        var evaluation = model.Evaluate(x, onehot, batchSize: 64);
        var predicted = model.Predict(x, batchSize: 64);
        var f1 = new Metrics.F1Score();
        f1.UpdateState(onehot, predicted);
        var expected = f1.ResultValues();
        for (int i = 0; i < 3; i++) Assert.Equal((float)expected[i], evaluation[$"f1_score[{i}]"]);
        // Eager and replayed alike.
        CompiledTwins.AssertSame("vector metrics", () => new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(3, activation: "softplus")),
            (m, eager) => m.Compile("adam", "mse", [new Metrics.R2Score(classAggregation: null), new Metrics.TruePositives([0.5, 1.0])], runEagerly: eager), x, positive);
    }
}

/// <summary>Compiled-step parity over the losses and metrics on the managed backend.</summary>
public sealed class ManagedCompiledParityLossMetricTests() : CompiledParityLossMetricTests("managed");

/// <summary>Compiled-step parity over the losses and metrics on the native CPU backend.</summary>
public sealed class NativeCpuCompiledParityLossMetricTests() : CompiledParityLossMetricTests("cpu");

/// <summary>Compiled-step parity over the losses and metrics on CUDA.</summary>
public sealed class CudaCompiledParityLossMetricTests() : CompiledParityLossMetricTests("cuda");
