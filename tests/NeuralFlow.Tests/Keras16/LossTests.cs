using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Keras16;

/// <summary>
/// The Keras losses on every backend: values against Keras' own tests
/// (Keras16/loss_fixtures.json, made by make_loss_fixtures.py from keras/src/losses/losses_test.py;
/// each case names its test), reductions, sample weights, label smoothing, ignoreClass, gradients
/// against finite differences in float64, Keras' rank rule, bad input, and Get by name.
/// </summary>
public abstract class LossTests(string backend) : BackendTest(backend)
{
    public static TheoryData<int> Cases() => new(Enumerable.Range(0, LossFixtures.All.Count));

    private static Tensor Make(JsonNode? values, JsonNode? shape, DType dtype) =>
        NF.Cast(NF.Constant(values!.AsArray().Select(v => v!.GetValue<double>()).ToArray(),
            new Shape(shape!.AsArray().Select(v => v!.GetValue<int>()).ToArray())), dtype);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Values_match_keras_tests(int index)
    {
        RequireBackend();
        var c = LossFixtures.All[index];
        foreach (var dtype in c["float32_only"] is null ? new[] { DType.Float32, DType.Float64 } : [DType.Float32])
        {
            var loss = Losses.FromConfig(c["loss"]!.GetValue<string>(), c["args"]!.AsObject().DeepClone().AsObject());
            var yTrue = Make(c["y_true"], c["true_shape"], dtype);
            var yPred = Make(c["y_pred"], c["pred_shape"], dtype);
            var weight = c["sample_weight"] is null ? null : Make(c["sample_weight"], c["weight_shape"], dtype);
            var actual = loss.Call(yTrue, yPred, weight);
            var expected = c["expected"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            var what = $"{c["source"]} ({dtype})";
            Assert.Equal(new Shape(c["expected_shape"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray()), actual.Shape);
            var values = NF.Cast(actual, DType.Float64).ToArray<double>();
            if (c["decimals"] is { } d)
                AssertClose(expected, values, 0, 1.5 * Math.Pow(10, -d.GetValue<int>()), what); // assertAlmostEqual(decimal=d)
            else
                AssertClose(expected, values, 1e-5, 1e-5, what); // assertAllClose, at float32's precision
        }
    }

    private static (double[] V, int[] Shape) In(int[] shape, int seed, double lo, double hi) => GradientTests.In(shape, seed, lo, hi);

    private static Tensor Const((double[] V, int[] Shape) x) => NF.Constant(x.V, x.Shape);

    [SkippableFact]
    public void New_losses_have_gradients_that_match_finite_differences_in_float64()
    {
        RequireBackend();
        var signs = Const((RandomValues(12, 3, -1, 1).Select(v => v < 0 ? -1.0 : 1.0).ToArray(), [3, 4]));
        var targets = Const(In([3, 4], 4, -2, 2));
        var probabilities = Const(In([3, 4], 5, 0.05, 0.95));
        var binary = Const((RandomValues(12, 6, 0, 1).Select(v => v < 0.5 ? 0.0 : 1.0).ToArray(), [3, 4]));
        var oneHot = NF.OneHot(NF.Constant(new long[] { 2, 0, 3 }), 4, dtype: DType.Float64);
        var counts = Const((new double[] { 0, 1, 3, 2, 5, 0, 1, 4, 2, 2, 0, 7 }, [3, 4]));
        GradientTests.Check(t => Losses.Huber.PerExample(targets, t[0], 0.7), In([3, 4], 7, -2, 2));
        GradientTests.Check(t => Losses.LogCosh.PerExample(targets, t[0]), In([3, 4], 8, -3, 3));
        GradientTests.Check(t => Losses.KLDivergence.PerExample(probabilities, t[0]), In([3, 4], 9, 0.05, 0.95));
        GradientTests.Check(t => Losses.Poisson.PerExample(counts, t[0]), In([3, 4], 10, 0.2, 5));
        GradientTests.Check(t => Losses.CosineSimilarity.PerExample(targets, t[0]), In([3, 4], 11, -2, 2));
        GradientTests.Check(t => Losses.CosineSimilarity.PerExample(targets, t[0], axis: 0), In([3, 4], 12, -2, 2));
        GradientTests.Check(t => Losses.Hinge.PerExample(signs, t[0]), In([3, 4], 13, -2, 2));
        GradientTests.Check(t => Losses.Hinge.PerExample(binary, t[0]), In([3, 4], 14, -2, 2));
        GradientTests.Check(t => Losses.SquaredHinge.PerExample(signs, t[0]), In([3, 4], 15, -2, 2));
        GradientTests.Check(t => Losses.CategoricalHinge.PerExample(oneHot, t[0]), In([3, 4], 16, -2, 2));
        GradientTests.Check(t => Losses.MeanSquaredLogarithmicError.PerExample(counts, t[0]), In([3, 4], 17, 0.1, 6));
        GradientTests.Check(t => Losses.MeanAbsolutePercentageError.PerExample(targets, t[0]), In([3, 4], 18, 2.5, 4));
        GradientTests.Check(t => Losses.BinaryFocalCrossentropy.PerExample(binary, t[0]), In([3, 4], 19, 0.05, 0.95));
        GradientTests.Check(t => Losses.BinaryFocalCrossentropy.PerExample(binary, t[0], applyClassBalancing: true, alpha: 0.3,
            gamma: 1.5, fromLogits: true, labelSmoothing: 0.1), In([3, 4], 20, -3, 3));
        GradientTests.Check(t => Losses.BinaryCrossentropy.PerExample(binary, t[0], labelSmoothing: 0.2), In([3, 4], 21, 0.05, 0.95));
        GradientTests.Check(t => Losses.BinaryCrossentropy.PerExample(binary, t[0], fromLogits: true, labelSmoothing: 0.2), In([3, 4], 22, -3, 3));
        GradientTests.Check(t => Losses.CategoricalCrossentropy.PerExample(oneHot, t[0], labelSmoothing: 0.2), In([3, 4], 23, 0.05, 0.95));
        GradientTests.Check(t => Losses.CategoricalCrossentropy.PerExample(oneHot, t[0], fromLogits: true, labelSmoothing: 0.2), In([3, 4], 24, -3, 3));
        GradientTests.Check(t => Losses.SparseCategoricalCrossentropy.PerExample(NF.Constant(new long[] { 2, -1, 3 }), t[0], fromLogits: true, ignoreClass: -1),
            In([3, 4], 25, -3, 3));
    }

    [SkippableFact]
    public void Weighted_reductions_have_gradients_that_match_finite_differences()
    {
        RequireBackend();
        var targets = Const(In([3, 4], 30, -2, 2));
        var weights = NF.Constant(new[] { 0.5, -1.0, 2.0 }, [3, 1]); // negative weights are allowed, as in Keras
        foreach (var reduction in new[] { "sum_over_batch_size", "sum", "none", "mean_with_sample_weight" })
        {
            var loss = new Losses.Huber(0.5, reduction);
            GradientTests.Check(t => loss.Call(targets, t[0], weights), In([3, 4], 31, -2, 2));
            GradientTests.Check(t => loss.Call(targets, t[0], t[1]), In([3, 4], 32, -2, 2), In([3], 33, 0.5, 2));
        }
        var ignoring = new Losses.SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 9);
        GradientTests.Check(t => ignoring.Call(NF.Constant(new long[] { 1, 9, 0 }), t[0], weights), In([3, 4], 34, -2, 2));
    }

    private static Losses.Loss[] AllLosses() =>
    [
        new Losses.MeanSquaredError(), new Losses.MeanAbsoluteError(), new Losses.MeanAbsolutePercentageError(),
        new Losses.MeanSquaredLogarithmicError(), new Losses.BinaryCrossentropy(), new Losses.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1),
        new Losses.BinaryFocalCrossentropy(), new Losses.CategoricalCrossentropy(), new Losses.Huber(), new Losses.LogCosh(),
        new Losses.KLDivergence(), new Losses.Poisson(), new Losses.CosineSimilarity(), new Losses.Hinge(), new Losses.SquaredHinge(),
        new Losses.CategoricalHinge(),
    ];

    [SkippableFact]
    public void Every_loss_pairs_n_with_n_by_1_as_keras_never_n_by_n()
    {
        RequireBackend();
        var truth = NF.Constant(new[] { 1.0f, 0f, 1f, 1f, 0f });
        var column = NF.Reshape(truth, [5, 1]);
        var scores = NF.Constant(new[] { 0.8f, 0.3f, 0.6f, 0.1f, 0.4f }, [5, 1]);
        foreach (var loss in AllLosses())
        {
            float expected = loss.Call(column, scores).Item<float>();
            Assert.True(float.IsFinite(expected), loss.Name);
            Assert.Equal(expected, loss.Call(truth, scores).Item<float>(), 6);
            Assert.Equal(expected, loss.Call(column, NF.Reshape(scores, [5])).Item<float>(), 6);
            Assert.Equal(new Shape(5), loss.PerExampleLoss(truth, scores).Shape); // one value per example, not 5 x 5
            // Weights of shape (5,) and (5, 1) are the same weights.
            var w = NF.Constant(new[] { 1f, 2f, 0f, 0.5f, 3f });
            Assert.Equal(loss.Call(truth, scores, w).Item<float>(), loss.Call(truth, scores, NF.Reshape(w, [5, 1])).Item<float>(), 6);
        }
        var sparse = new Losses.SparseCategoricalCrossentropy();
        var probs = NF.Constant(new[] { 0.2f, 0.8f, 0.6f, 0.4f }, [2, 2]);
        Assert.Equal(sparse.Call(NF.Constant(new[] { 1, 0 }), probs).Item<float>(),
            sparse.Call(NF.Constant(new[] { 1, 0 }, [2, 1]), probs).Item<float>(), 6);
    }

    [SkippableFact]
    public void Sample_weights_scale_each_example_and_negative_ones_are_allowed()
    {
        RequireBackend();
        var yTrue = NF.Constant(new[] { 1f, 2f, 3f }, [3, 1]);
        var yPred = NF.Constant(new[] { 2f, 2f, 5f }, [3, 1]);
        var mse = new Losses.MeanSquaredError();
        Assert.Equal((1 * 1f + 0 + 4 * -2f) / 3, mse.Call(yTrue, yPred, NF.Constant(new[] { 1f, 5f, -2f })).Item<float>(), 6);
        Assert.Equal(-5f / 3 * 2, mse.Call(yTrue, yPred, NF.Constant(-2f)).Item<float>(), 5);
        var none = new Losses.MeanSquaredError(reduction: "none").Call(yTrue, yPred, NF.Constant(new[] { 1f, 5f, -2f }));
        Assert.Equal(new[] { 1f, 0f, -8f }, none.ToArray<float>());
        // (3,) against (3,) is one example of 3 values in Keras: its loss is scaled by each weight, then averaged.
        var flat = mse.Call(NF.Reshape(yTrue, [3]), NF.Reshape(yPred, [3]), NF.Constant(new[] { 1f, 5f, -2f })).Item<float>();
        Assert.Equal(5f / 3 * (1 + 5 - 2) / 3, flat, 5);
        // TF2's "auto" and Keras' "mean" are the default; Keras' reduction=None is "none".
        Assert.Equal("sum_over_batch_size", new Losses.Huber(reduction: "auto").Reduction);
        Assert.Equal("sum_over_batch_size", new Losses.Huber(reduction: "mean").Reduction);
        Assert.Equal("none", new Losses.Huber(reduction: null).Reduction);
    }

    [SkippableFact]
    public void Ignore_class_averages_over_the_targets_that_count()
    {
        RequireBackend();
        var logits = NF.Constant(new[] { 1f, 2f, 0.5f, 3f, -1f, 0f, 0.2f, 0.1f, 0.3f }, [3, 3]);
        var all = new Losses.SparseCategoricalCrossentropy(fromLogits: true, reduction: "none").Call(NF.Constant(new[] { 0, 1, 2 }), logits).ToArray<float>();
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 255);
        // 255 lies outside [0, 3): ignored targets are not range-checked, as Keras.
        Assert.Equal((all[0] + all[2]) / 2, loss.Call(NF.Constant(new[] { 0, 255, 2 }), logits).Item<float>(), 5);
        Assert.Equal(0f, loss.Call(NF.Constant(new[] { 255, 255, 255 }), logits).Item<float>()); // divide_no_nan
        var sum = new Losses.SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 255, reduction: "sum");
        Assert.Equal(all[0] + all[2], sum.Call(NF.Constant(new[] { 0, 255, 2 }), logits).Item<float>(), 5);
        // Labels other than the ignored one are still checked.
        Assert.Throws<ArgumentException>(() => loss.Call(NF.Constant(new[] { 0, 7, 2 }), NF.Softmax(logits)));
    }

    [SkippableFact]
    public void Bad_input_gets_an_error_naming_the_loss_and_shapes()
    {
        RequireBackend();
        var yTrue = NF.Zeros([4, 3]);
        var yPred = NF.Zeros([4, 3]);
        foreach (var loss in AllLosses())
        {
            var e = Assert.Throws<ArgumentException>(() => loss.Call(yTrue, NF.Zeros([4, 2])));
            Assert.Contains("(4, 2)", e.Message);
            e = Assert.Throws<ArgumentException>(() => loss.Call(yTrue, yPred, NF.Ones([3])));
            Assert.Contains(loss.Name, e.Message);
            Assert.Contains("sampleWeight", e.Message);
            Assert.Contains("(3,)", e.Message);
        }
        Assert.Throws<ArgumentException>(() => new Losses.Huber(reduction: "average"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Losses.BinaryCrossentropy(labelSmoothing: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Losses.Huber(delta: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Losses.BinaryFocalCrossentropy(alpha: 2));
        var axis = Assert.Throws<ArgumentException>(() => new Losses.CosineSimilarity(axis: 2).Call(yTrue, yPred));
        Assert.Contains("axis 2", axis.Message);
        Assert.Throws<ArgumentException>(() => Losses.Get("huberish"));
    }

    [SkippableFact]
    public void Class_weights_become_per_example_weights_as_keras()
    {
        RequireBackend();
        var weights = new Dictionary<int, double> { [0] = 0.5, [2] = 4 };
        // Class ids, (N, 1) ids, one-hot rows; unnamed and out-of-table classes weigh 1.
        Assert.Equal(new[] { 0.5f, 1f, 4f, 1f }, Losses.ClassWeights(NF.Constant(new[] { 0, 1, 2, 7 }), weights).ToArray<float>());
        Assert.Equal(new[] { 0.5f, 4f }, Losses.ClassWeights(NF.Constant(new[] { 0f, 2f }, [2, 1]), weights).ToArray<float>());
        Assert.Equal(new[] { 4f, 0.5f }, Losses.ClassWeights(NF.Constant(new[] { 0f, 0f, 1f, 1f, 0f, 0f }, [2, 3]), weights).ToArray<float>());
        // They weigh a loss like sample weights.
        var ids = NF.Constant(new[] { 0, 2 });
        var probs = NF.Constant(new[] { 0.7f, 0.2f, 0.1f, 0.3f, 0.3f, 0.4f }, [2, 3]);
        var loss = new Losses.SparseCategoricalCrossentropy();
        float expected = (0.5f * -MathF.Log(0.7f) + 4 * -MathF.Log(0.4f)) / 2;
        Assert.Equal(expected, loss.Call(ids, probs, Losses.ClassWeights(ids, weights)).Item<float>(), 5);
        Assert.Throws<ArgumentException>(() => Losses.ClassWeights(ids, new Dictionary<int, double> { [-1] = 2 }));
    }

    [SkippableFact]
    public void Every_keras_name_gets_its_loss_and_configs_round_trip()
    {
        RequireBackend();
        string[] names = ["mse", "mean_squared_error", "mae", "mean_absolute_error", "mape", "mean_absolute_percentage_error", "msle",
            "mean_squared_logarithmic_error", "binary_crossentropy", "bce", "binary_focal_crossentropy", "categorical_crossentropy",
            "sparse_categorical_crossentropy", "huber", "huber_loss", "log_cosh", "logcosh", "kl_divergence", "kld", "poisson",
            "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge"];
        foreach (var name in names)
        {
            var loss = Losses.Get(name);
            var again = Losses.FromConfig(loss.Name, ToJson(loss.GetConfig()));
            Assert.Equal(loss.GetType(), again.GetType());
            Assert.Equal(loss.GetConfig(), again.GetConfig());
        }
        Losses.Loss[] configured = [new Losses.Huber(0.3, "sum"), new Losses.BinaryFocalCrossentropy(true, 0.4, 1.5, true, 0.1, "none"),
            new Losses.SparseCategoricalCrossentropy(true, 255), new Losses.CategoricalCrossentropy(true, 0.2), new Losses.CosineSimilarity(0)];
        foreach (var loss in configured)
            Assert.Equal(loss.GetConfig(), Losses.FromConfig(loss.Name, ToJson(loss.GetConfig())).GetConfig());
    }

    private static JsonObject ToJson(Dictionary<string, object?> config) =>
        JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(config))!.AsObject();
}

public sealed class ManagedLossTests() : LossTests("managed");

public sealed class NativeCpuLossTests() : LossTests("cpu");

public sealed class CudaLossTests() : LossTests("cuda");

internal static class LossFixtures
{
    public static readonly IReadOnlyList<JsonObject> All = Load();

    private static JsonObject[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Keras16", "loss_fixtures.json");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(n => n!.AsObject()).ToArray();
    }
}
