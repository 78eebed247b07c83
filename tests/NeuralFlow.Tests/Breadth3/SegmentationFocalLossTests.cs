using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth3;

/// <summary>
/// Keras 3's CategoricalFocalCrossentropy, Dice and Tversky (keras/src/losses/losses.py). Where
/// Keras' docstrings give numbers (CategoricalFocalCrossentropy's class and function examples,
/// Dice's example) they are used exactly as published; Tversky's docstring has none, and neither
/// do per-class alpha, label smoothing or logits, so those come from Keras' formulas in numpy
/// float64 (/usr/bin/python3).
/// </summary>
public abstract class SegmentationFocalLossTests(string backend) : BackendFileTest(backend)
{
    private static Tensor T(float[] values, params int[] shape) => NF.Reshape(NF.Constant(values), shape);
    private static double[] D(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    private static readonly float[] OneHot = [0, 1, 0, 0, 0, 1];
    // Dice's docstring example, shape (2, 2, 2, 1).
    private static Tensor MaskTrue() => T([1, 1, 0, 0, 1, 1, 0, 0], 2, 2, 2, 1);
    private static Tensor MaskPred() => T([0, 1, 0, 1, 0.4f, 0, 0, 0.9f], 2, 2, 2, 1);

    [SkippableFact]
    public void CategoricalFocalCrossentropy_matches_Keras_docstrings()
    {
        RequireBackend();
        var y = T(OneHot, 2, 3);
        var p = T([0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f], 2, 3);
        Assert.Equal(0.23315276, D(new Losses.CategoricalFocalCrossentropy().Call(y, p))[0], 5);
        Assert.Equal(0.1632, D(new Losses.CategoricalFocalCrossentropy().Call(y, p, NF.Constant(new[] { 0.3f, 0.7f })))[0], 4);
        Assert.Equal(0.46631, D(new Losses.CategoricalFocalCrossentropy(reduction: "sum").Call(y, p))[0], 5);
        Reference.AssertClose([3.2058331e-05, 4.6627346e-01], D(new Losses.CategoricalFocalCrossentropy(reduction: null).Call(y, p)), 1e-4, 1e-7, "none");
        // The function's docstring example (keras.losses.categorical_focal_crossentropy).
        Reference.AssertClose([2.63401289e-04, 6.75912094e-01],
            D(new Losses.CategoricalFocalCrossentropy(reduction: "none").Call(y, T([0.05f, 0.9f, 0.05f, 0.1f, 0.85f, 0.05f], 2, 3))), 1e-4, 1e-8, "function example");
    }

    [SkippableFact]
    public void CategoricalFocalCrossentropy_per_class_alpha_smoothing_and_logits_match_numpy()
    {
        RequireBackend();
        var y = T(OneHot, 2, 3);
        Reference.AssertClose([0.17926508896272886, 0.5348090209607601],
            D(new Losses.CategoricalFocalCrossentropy([0.2, 0.5, 0.3], labelSmoothing: 0.1, reduction: "none").Call(y, T([0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f], 2, 3))),
            1e-5, 1e-7, "per-class alpha, smoothing 0.1");
        Reference.AssertClose([0.025706101079356593, 0.3417988923960744],
            D(new Losses.CategoricalFocalCrossentropy(gamma: 1, fromLogits: true, reduction: "none").Call(y, T([1, 2, -1, 0.5f, 0, -0.5f], 2, 3))),
            1e-5, 1e-7, "logits, gamma 1");
        // The class axis first: the same values, transposed.
        Reference.AssertClose([0.025706101079356593, 0.3417988923960744],
            D(new Losses.CategoricalFocalCrossentropy(gamma: 1, fromLogits: true, axis: 0, reduction: "none").Call(NF.Transpose(y), NF.Transpose(T([1, 2, -1, 0.5f, 0, -0.5f], 2, 3)))),
            1e-5, 1e-7, "axis 0");
    }

    [SkippableFact]
    public void Dice_matches_Keras_docstring_and_Tversky_numpy()
    {
        RequireBackend();
        Reference.AssertClose([0.5, 0.75757575], D(new Losses.Dice(reduction: null, axis: [1, 2, 3]).Call(MaskTrue(), MaskPred())), 1e-6, 1e-6, "Dice per example");
        Assert.Equal(0.6164384, D(new Losses.Dice().Call(MaskTrue(), MaskPred()))[0], 6);
        Assert.Equal(0.630606869904832, D(new Losses.Tversky(0.3, 0.7).Call(MaskTrue(), MaskPred()))[0], 6);
        Reference.AssertClose([0.5000000249999987, 0.7765363253331662],
            D(new Losses.Tversky(0.3, 0.7, reduction: "none", axis: [1, 2, 3]).Call(MaskTrue(), MaskPred())), 1e-6, 1e-7, "Tversky per example");
        // Keras: alpha = beta = 0.5 is Dice (up to where epsilon enters).
        Reference.AssertClose([0.5, 0.75757575], D(new Losses.Tversky(reduction: "none", axis: [1, 2, 3]).Call(MaskTrue(), MaskPred())), 1e-6, 1e-6, "Tversky 0.5/0.5");
    }

    [SkippableFact]
    public void Names_configs_and_bad_arguments()
    {
        RequireBackend();
        Assert.IsType<Losses.CategoricalFocalCrossentropy>(Losses.Get("categorical_focal_crossentropy"));
        Assert.IsType<Losses.Dice>(Losses.Get("dice"));
        Assert.IsType<Losses.Tversky>(Losses.Get("Tversky"));
        var cfce = new Losses.CategoricalFocalCrossentropy([0.2, 0.5, 0.3], gamma: 1.5, fromLogits: true, labelSmoothing: 0.1, reduction: "sum");
        var back = Assert.IsType<Losses.CategoricalFocalCrossentropy>(Losses.FromConfig(cfce.Name, Json(cfce.GetConfig())));
        Assert.Equal([0.2, 0.5, 0.3], back.Alphas);
        Assert.Equal((true, 1.5, true, 0.1, -1, "sum"), (back.PerClassAlpha, back.Gamma, back.FromLogits, back.LabelSmoothing, back.Axis, back.Reduction));
        var tversky = Assert.IsType<Losses.Tversky>(Losses.FromConfig("tversky", Json(new Losses.Tversky(0.3, 0.7, axis: [1, 2]).GetConfig())));
        Assert.Equal((0.3, 0.7), (tversky.Alpha, tversky.Beta));
        Assert.Equal([1, 2], tversky.Axis!);
        Assert.Null(Assert.IsType<Losses.Dice>(Losses.FromConfig("dice", Json(new Losses.Dice().GetConfig()))).Axis);

        Assert.Contains("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new Losses.CategoricalFocalCrossentropy(gamma: -1)).Message);
        Assert.Contains("labelSmoothing", Assert.Throws<ArgumentOutOfRangeException>(() => new Losses.CategoricalFocalCrossentropy(labelSmoothing: 2)).Message);
        Assert.Contains("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new Losses.Tversky(alpha: -0.1)).Message);
        Assert.Contains("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Losses.Tversky(beta: double.NaN)).Message);
        Assert.Contains("3 classes", Assert.Throws<ArgumentException>(() => new Losses.CategoricalFocalCrossentropy([0.5, 0.5]).Call(T(OneHot, 2, 3), T(OneHot, 2, 3))).Message);
        Assert.Contains("axis 4", Assert.Throws<ArgumentException>(() => new Losses.Dice(axis: [4]).Call(MaskTrue(), MaskPred())).Message);
    }

    [SkippableTheory]
    [InlineData("dice")]
    [InlineData("tversky")]
    [InlineData("categorical_focal_crossentropy")]
    public void Compile_by_name_trains_and_the_loss_survives_save_and_load(string name)
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var x = NF.Random.Uniform([48, 4]);
        var y = NF.OneHot(NF.Cast(NF.ArgMax(x[.., ..3], -1), DType.Int32), 3);
        var model = new Sequential(new Layers.Dense(3, activation: "softmax"));
        model.Compile(new Optimizers.Adam(0.05), name);
        var h = model.Fit(x, y, batchSize: 16, epochs: 12, verbose: 0);
        Assert.True(h["loss"][^1] < h["loss"][0], $"{name}: loss {h["loss"][0]} -> {h["loss"][^1]}");
        string path = Temp.File(name + ".nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Evaluate(x, y, verbose: 0)["loss"], loaded.Evaluate(x, y, verbose: 0)["loss"]);
    }

    private static System.Text.Json.Nodes.JsonObject Json(Dictionary<string, object?> config) =>
        System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(config))!.AsObject();
}

public sealed class ManagedSegmentationFocalLossTests() : SegmentationFocalLossTests("managed");
public sealed class NativeCpuSegmentationFocalLossTests() : SegmentationFocalLossTests("cpu");
public sealed class CudaSegmentationFocalLossTests() : SegmentationFocalLossTests("cuda");
