using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Keras' metric twins of its losses (keras.metrics.BinaryCrossentropy, KLDivergence,
/// CategoricalHinge, ..., and <c>metrics=["mape", "kld", "binary_crossentropy"]</c>) on every
/// engine: the values of their Keras docstrings, Get by name, a Compile/Fit that logs them under
/// Keras' names, and a save/load round trip. Before, none existed: the classes were missing and
/// every one of these names threw "Unknown metric".
/// </summary>
public abstract class LossMetricTests(string backend) : BackendFileTest(backend)
{
    private static Tensor T(float[,] values) => NF.Constant(values);

    private static readonly float[,] Y01 = { { 0, 1 }, { 0, 0 } };
    private static readonly float[,] P64 = { { 0.6f, 0.4f }, { 0.4f, 0.6f } };
    private static readonly float[,] P11 = { { 1, 1 }, { 0, 0 } };

    private static void Near(double expected, double actual, double rtol = 1e-5) =>
        Assert.True(Math.Abs(expected - actual) <= rtol * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    // Each reference is the docstring example of the keras.metrics class (Keras 3,
    // keras/src/metrics/probabilistic_metrics.py, hinge_metrics.py, regression_metrics.py).
    [SkippableFact]
    public void Loss_metrics_give_their_keras_docstring_values()
    {
        RequireBackend();
        Near(0.81492, new Metrics.BinaryCrossentropy().Call(T(Y01), T(P64)));
        Near(0.45814, new Metrics.KLDivergence().Call(T(Y01), T(P64)));
        Near(1.3, new Metrics.Hinge().Call(T(Y01), T(P64)));
        Near(1.86, new Metrics.SquaredHinge().Call(T(Y01), T(P64)));
        Near(1.4, new Metrics.CategoricalHinge().Call(T(Y01), T(P64)));
        Near(0.49999997, new Metrics.Poisson().Call(T(Y01), T(P11)));
        Near(250000000.0, new Metrics.MeanAbsolutePercentageError().Call(T(Y01), T(P11)));
        Near(0.12011, new Metrics.MeanSquaredLogarithmicError().Call(T(Y01), T(P11)), 1e-4);
        Near(0.10844523, new Metrics.LogCoshError().Call(T(Y01), T(P11)));
        // The metric is the similarity itself (the loss is its negative, -0.5 here).
        Near(0.49999997, new Metrics.CosineSimilarity(axis: 1).Call(T(new float[,] { { 0, 1 }, { 1, 1 } }), T(new float[,] { { 1, 0 }, { 1, 1 } })));
        var probabilities = T(new float[,] { { 0.05f, 0.95f, 0 }, { 0.1f, 0.8f, 0.1f } });
        Near(1.1769392, new Metrics.CategoricalCrossentropy().Call(T(new float[,] { { 0, 1, 0 }, { 0, 0, 1 } }), probabilities));
        Near(1.1769392, new Metrics.SparseCategoricalCrossentropy().Call(NF.Constant(new long[] { 1, 2 }), probabilities));
        // From the docstrings' weighted cases: sample_weight [1, 0] keeps the first example only.
        Near(0.9162905, new Metrics.BinaryCrossentropy().Call(T(Y01), T(P64), NF.Constant(new float[] { 1, 0 })));
        // from_logits: logits 0 are probability 0.5, log 2 per element.
        Near(0.69314718, new Metrics.BinaryCrossentropy(fromLogits: true).Call(NF.Constant(new float[] { 0, 1 }), NF.Constant(new float[] { 0, 0 })));
    }

    [SkippableFact]
    public void Loss_metrics_are_found_by_their_keras_names_and_log_under_them()
    {
        RequireBackend();
        foreach (var (name, type) in new[] {
            ("mape", typeof(Metrics.MeanAbsolutePercentageError)), ("msle", typeof(Metrics.MeanSquaredLogarithmicError)),
            ("kld", typeof(Metrics.KLDivergence)), ("kl_divergence", typeof(Metrics.KLDivergence)), ("poisson", typeof(Metrics.Poisson)),
            ("binary_crossentropy", typeof(Metrics.BinaryCrossentropy)), ("categorical_crossentropy", typeof(Metrics.CategoricalCrossentropy)),
            ("sparse_categorical_crossentropy", typeof(Metrics.SparseCategoricalCrossentropy)), ("hinge", typeof(Metrics.Hinge)),
            ("squared_hinge", typeof(Metrics.SquaredHinge)), ("categorical_hinge", typeof(Metrics.CategoricalHinge)),
            ("logcosh", typeof(Metrics.LogCoshError)), ("cosine_similarity", typeof(Metrics.CosineSimilarity)) })
            Assert.IsType(type, Metrics.Get(name));

        NF.Random.SetSeed(5);
        var x = NF.Random.Normal([12, 3]);
        var y = NF.Cast(NF.Random.Uniform([12, 1]) > 0.5f, DType.Float32);
        var model = new Sequential(new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.SGD(0.1), "binary_crossentropy", ["binary_crossentropy", "mape", new Metrics.KLDivergence()]);
        var history = model.Fit(x, y, batchSize: 5, epochs: 1, verbose: 0, shuffle: false);
        // A string logs under the string given, an object under its name (Keras 3's compile_utils.get_metric).
        Assert.Equal(["binary_crossentropy", "kl_divergence", "loss", "mape"], history.Keys.Order().ToArray());
        // With one set of weights (Evaluate), the metric named like the loss is the loss: the same
        // per-example values, averaged over all 12 examples of three batches (the last partial).
        var evaluated = model.Evaluate(x, y, batchSize: 5);
        Near(evaluated.Loss, evaluated["binary_crossentropy"], 1e-5);
        Near(new Metrics.KLDivergence().Call(y, model.Predict(x)), evaluated["kl_divergence"], 1e-5);

        model.Save(Temp.File("m.keras"));
        var loaded = Model.Load(Temp.File("m.keras")).Evaluate(x, y, batchSize: 5);
        Assert.Equal(evaluated.Values.Select(kv => kv.Key), loaded.Values.Select(kv => kv.Key));
        Near(evaluated["kl_divergence"], loaded["kl_divergence"], 1e-6);
    }

    [SkippableFact]
    public void Loss_metric_options_survive_a_save_and_load()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Dense(3));
        model.Compile(new Optimizers.SGD(0.1), new Losses.CategoricalCrossentropy(fromLogits: true),
            [new Metrics.CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1, name: "cce"), new Metrics.CosineSimilarity(axis: 1, name: "cos")]);
        var x = NF.Constant(new float[,] { { 1, 2 }, { 3, -1 } });
        var y = NF.Constant(new float[,] { { 0, 1, 0 }, { 1, 0, 0 } });
        var before = model.Evaluate(x, y);
        model.Save(Temp.File("m.keras"));
        var after = Model.Load(Temp.File("m.keras")).Evaluate(x, y);
        Near(before["cce"], after["cce"], 1e-6);
        Near(before["cos"], after["cos"], 1e-6);
        // The options took: with logits, label smoothing 0.1 differs from none.
        Assert.NotEqual(before["cce"], new Metrics.CategoricalCrossentropy(fromLogits: true).Call(y, model.Predict(x)));
    }
}

public sealed class ManagedLossMetricTests() : LossMetricTests("managed");

public sealed class NativeCpuLossMetricTests() : LossMetricTests("cpu");

public sealed class CudaLossMetricTests() : LossMetricTests("cuda");
