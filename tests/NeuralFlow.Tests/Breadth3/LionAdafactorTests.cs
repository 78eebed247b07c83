using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth3;

/// <summary>
/// Keras 3's Lion and Adafactor (keras/src/optimizers/lion.py, adafactor.py). The single-step,
/// golden and weight-decay numbers are the published ones of Keras' own lion_test.py and
/// adafactor_test.py, used as they are; the multi-step cases are a numpy reimplementation of
/// Keras' update_step (/usr/bin/python3, numpy, float64), quoted per test.
/// </summary>
public abstract class LionAdafactorTests(string backend) : BackendFileTest(backend)
{
    private static double[] D(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    private static double[] Step(Optimizers.Optimizer o, float[] vars, float[] grads, Shape shape)
    {
        var v = new Variable(NF.Reshape(NF.Constant(vars), shape));
        o.ApplyGradients([NF.Reshape(NF.Constant(grads), shape)], [v]);
        return D(v);
    }

    // Keras' test_correctness_with_golden: one step with 0.01, then five with arange(0.1, 1.1, 0.1).
    private static void Golden(Optimizers.Optimizer o, double[][] golden)
    {
        var x = new Variable(NF.Ones([10]));
        o.ApplyGradients([NF.Fill([10], 0.01, DType.Float32, NF.Backend)], [x]);
        var grads = NF.Constant(Enumerable.Range(1, 10).Select(i => i / 10f).ToArray());
        for (int i = 0; i < 5; i++)
        {
            Reference.AssertClose(golden[i], D(x), 5e-4, 5e-4, $"{o.GetType().Name} golden row {i}");
            o.ApplyGradients([grads], [x]);
        }
    }

    // Keras' test_weight_decay: three optimizers with weight_decay 0.004 and zero gradients; one
    // excludes by name and one by variable.
    private static void WeightDecay(Func<Optimizers.Optimizer> make)
    {
        var zero = NF.Zeros([]);
        var (var1, var2, var3) = (new Variable(NF.Constant(2f)), new Variable(NF.Constant(2f), name: "exclude"), new Variable(NF.Constant(2f)));
        make().ApplyGradients([zero], [var1]);
        var o2 = make();
        o2.ExcludeFromWeightDecay(varNames: ["exclude"]);
        o2.ApplyGradients([zero, zero], [var1, var2]);
        var o3 = make();
        o3.ExcludeFromWeightDecay(varList: [var3]);
        o3.ApplyGradients([zero, zero], [var1, var3]);
        Assert.Equal(1.9760959, var1.ToArray<float>()[0], 6);
        Assert.Equal(2.0, var2.ToArray<float>()[0], 6);
        Assert.Equal(2.0, var3.ToArray<float>()[0], 6);
    }

    [SkippableFact]  // lion_test.py: test_single_step, test_weight_decay, test_correctness_with_golden
    public void Lion_matches_Keras_tests()
    {
        RequireBackend();
        Reference.AssertClose([0.5, 1.5, 2.5, 3.5], Step(new Optimizers.Lion(0.5), [1, 2, 3, 4], [1, 6, 7, 2], [4]), 1e-4, 1e-4, "single step");
        WeightDecay(() => new Optimizers.Lion(1.0, weightDecay: 0.004));
        Golden(new Optimizers.Lion(), [.. new[] { 0.999, 0.998, 0.997, 0.996, 0.995 }.Select(r => Enumerable.Repeat(r, 10).ToArray())]);
    }

    [SkippableFact]
    public void Lion_three_steps_match_numpy()
    {
        RequireBackend();
        // numpy: m = 0; per step w -= 0.1 * sign(0.9 m + 0.1 g); m = 0.99 m + 0.01 g.
        var w = new Variable(NF.Constant(new[] { 0.5f, -0.25f, 1.0f, 0.0f }));
        var o = new Optimizers.Lion(0.1);
        foreach (var g in new[] { new[] { 1.0f, -2.0f, 0.5f, 0.0f }, [-3.0f, -0.1f, -0.2f, 1.0f], [0.1f, 4.0f, -0.01f, -1.0f] })
            o.ApplyGradients([NF.Constant(g)], [w]);
        Reference.AssertClose([0.6, -0.15, 0.9, 0.0], D(w), 1e-6, 1e-6, "Lion, three steps");
        Assert.Equal(3, o.Iterations);
    }

    [SkippableFact]  // lamb_test.py: test_single_step, test_weight_decay, test_correctness_with_golden
    public void Lamb_matches_Keras_tests()
    {
        RequireBackend();
        Reference.AssertClose([-0.3693, 0.6306, 1.6306, 2.6306], Step(new Optimizers.Lamb(0.5), [1, 2, 3, 4], [1, 6, 7, 2], [4]), 1e-4, 1e-4, "single step");
        WeightDecay(() => new Optimizers.Lamb(1.0, weightDecay: 0.004));
        Golden(new Optimizers.Lamb(), [.. new[] { 0.999, 0.9982, 0.9974, 0.9965, 0.9955 }.Select(r => Enumerable.Repeat(r, 10).ToArray())]);
    }

    [SkippableFact]
    public void Lamb_three_steps_match_numpy()
    {
        RequireBackend();
        // numpy reimplementation of Keras' update_step (float64), lr 0.1, Keras' other defaults:
        // m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); u = m_hat / (sqrt(v_hat) + eps);
        // w -= (|w| / |u|) lr u, the trust ratio over the whole variable.
        var w = new Variable(NF.Constant(new[,] { { 0.5f, -0.25f }, { 1.0f, 0.0f } }));
        var o = new Optimizers.Lamb(0.1);
        foreach (var g in new float[][,] { new[,] { { 1.0f, -2.0f }, { 0.5f, 0.0f } }, new[,] { { -3.0f, -0.1f }, { -0.2f, 1.0f } }, new[,] { { 0.1f, 4.0f }, { -0.01f, -1.0f } } })
            o.ApplyGradients([NF.Constant(g)], [w]);
        Reference.AssertClose([0.5448122266970105, -0.1828464069471868, 0.8558227679357333, -0.05696555335969565], D(w), 1e-5, 1e-5, "Lamb, three steps");
        Assert.Equal(3, o.Iterations);
    }

    [SkippableFact]  // adafactor_test.py: test_single_step_1d, test_single_step_2d, test_weight_decay, test_correctness_with_golden
    public void Adafactor_matches_Keras_tests()
    {
        RequireBackend();
        Reference.AssertClose([-0.3693, 0.6307, 1.6307, 2.6307], Step(new Optimizers.Adafactor(0.5), [1, 2, 3, 4], [1, 6, 7, 2], [4]), 1e-4, 1e-4, "1-D");
        Reference.AssertClose([0.7007, -0.0081, 1.2492, 3.4407], Step(new Optimizers.Adafactor(0.5), [1, 2, 3, 4], [1, 6, 7, 2], [2, 2]), 1e-4, 1e-4, "2-D");
        WeightDecay(() => new Optimizers.Adafactor(1.0, weightDecay: 0.004));
        Golden(new Optimizers.Adafactor(0.5, beta2Decay: -0.65, epsilon1: 1e-15, epsilon2: 1e-4, clipThreshold: 0.9, relativeStep: false),
        [
            [0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55],
            [0.3031, 0.3026, 0.3025, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024],
            [0.1671, 0.1665, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663],
            [0.0923, 0.0916, 0.0915, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914],
            [0.0554, 0.0548, 0.0546, 0.0546, 0.0546, 0.0546, 0.0546, 0.0545, 0.0545, 0.0545],
        ]);
    }

    [SkippableFact]
    public void Adafactor_factors_a_rank_3_variable_over_its_last_two_axes()
    {
        RequireBackend();
        // numpy reimplementation of Keras' update_step (float64), lr 0.5, Keras' other defaults:
        // w = arange(12).reshape(2, 2, 3) / 10 - 0.5, step k's gradient sin(arange(12) * k).
        var w = new Variable(NF.Reshape(NF.Constant(Enumerable.Range(0, 12).Select(i => i / 10f - 0.5f).ToArray()), [2, 2, 3]));
        var o = new Optimizers.Adafactor(0.5);
        for (int k = 1; k <= 3; k++)
            o.ApplyGradients([NF.Reshape(NF.Constant(Enumerable.Range(0, 12).Select(i => (float)Math.Sin(i * k)).ToArray()), [2, 2, 3])], [w]);
        Reference.AssertClose(
            [-0.5, -0.8425530263066191, -0.17099844561995736, -0.4603663266202989, -0.018228347328724887, 0.13028181032112493,
             0.6952618177981899, -0.467241466295479, 0.47997721343612965, 0.19410519052555808, 0.6658397066180437, 0.515425303240822],
            D(w), 2e-5, 2e-5, "Adafactor, rank 3, three steps");
        // Keras' slots: r over all but the last axis, c over all but the second last, v full.
        Assert.Equal([new Shape(2, 2), new Shape(2, 3), new Shape(2, 2, 3)], o.SlotsOf(w)!.Select(s => s.Shape));
    }

    [SkippableTheory]
    [InlineData("lion")]
    [InlineData("adafactor")]
    [InlineData("lamb")]
    public void Fit_learns_and_resumes_after_save_and_load(string name)
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Random.Uniform([64, 4]);
        var y = NF.ReduceSum(x * NF.Constant(new[] { 1f, -2f, 0.5f, 3f }), -1, keepDims: true);
        var model = new Sequential(new Layers.Dense(8, activation: "tanh"), new Layers.Dense(1));
        Optimizers.Optimizer opt = name switch
        {
            "lion" => new Optimizers.Lion(0.003, beta2: 0.98, clipNorm: 2),
            "lamb" => new Optimizers.Lamb(0.02, beta2: 0.99, epsilon: 1e-6),
            _ => new Optimizers.Adafactor(0.05, clipThreshold: 0.8),
        };
        model.Compile(opt, "mse");
        var h = model.Fit(x, y, batchSize: 16, epochs: 15, verbose: 0);
        Assert.True(h["loss"][^1] < 0.5 * h["loss"][0], $"{name}: loss {h["loss"][0]} -> {h["loss"][^1]}");

        string path = Temp.File(name + ".nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.IsType(opt.GetType(), loaded.Optimizer);
        Assert.Equal(opt.Iterations, loaded.Optimizer!.Iterations);
        if (loaded.Optimizer is Optimizers.Lion l) Assert.Equal((0.9, 0.98, 2.0), (l.Beta1, l.Beta2, l.ClipNorm!.Value));
        if (loaded.Optimizer is Optimizers.Lamb lamb) Assert.Equal((0.9, 0.99, 1e-6), (lamb.Beta1, lamb.Beta2, lamb.Epsilon));
        if (loaded.Optimizer is Optimizers.Adafactor a)
            Assert.Equal((-0.8, 1e-30, 1e-3, 0.8, true), (a.Beta2Decay, a.Epsilon1, a.Epsilon2, a.ClipThreshold, a.RelativeStep));
        var h1 = model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        var h2 = loaded.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(h1["loss"], h2["loss"]);
        for (int i = 0; i < model.Variables.Count; i++)
            Assert.Equal(model.Variables[i].ToArray<float>(), loaded.Variables[i].ToArray<float>());

        using var zip = ZipFile.OpenRead(path);
        string config = JsonNode.Parse(zip.GetEntry("config.json")!.Open())!.ToJsonString();
        Assert.Contains($"\"class_name\":\"{opt.GetType().Name}\"", config);
        Assert.Contains(name == "adafactor" ? "\"beta_2_decay\":-0.8" : "\"beta_1\":0.9", config);
    }

    [SkippableFact]
    public void Names_defaults_and_bad_arguments()
    {
        RequireBackend();
        var lion = Assert.IsType<Optimizers.Lion>(Optimizers.Get("lion"));
        Assert.Equal((0.001, 0.9, 0.99), (lion.CurrentLearningRate, lion.Beta1, lion.Beta2));
        var ada = Assert.IsType<Optimizers.Adafactor>(Optimizers.Get("Adafactor"));
        Assert.Equal((0.001, -0.8, 1e-30, 1e-3, 1.0, true), (ada.CurrentLearningRate, ada.Beta2Decay, ada.Epsilon1, ada.Epsilon2, ada.ClipThreshold, ada.RelativeStep));
        // Keras' lion_test.py test_invalid_beta_1: -0.1, 0 and 1.1 are refused.
        foreach (var b in new[] { -0.1, 0.0, 1.1, double.NaN })
            Assert.Contains("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Lion(beta1: b)).Message);
        Assert.Contains("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Lion(beta2: 1.5)).Message);
        Assert.Contains("beta2Decay", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Adafactor(beta2Decay: 0.5)).Message);
        Assert.Contains("epsilon1", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Adafactor(epsilon1: -1)).Message);
        Assert.Contains("clipThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Adafactor(clipThreshold: 0)).Message);
        Assert.Contains("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Lion(-0.1)).Message);
        Assert.Contains("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Adafactor(double.NaN)).Message);
        Assert.Contains("lamb", Assert.Throws<ArgumentException>(() => Optimizers.Get("lamb2")).Message);
        var lamb = Assert.IsType<Optimizers.Lamb>(Optimizers.Get("lamb"));
        Assert.Equal((0.001, 0.9, 0.999, 1e-7), (lamb.CurrentLearningRate, lamb.Beta1, lamb.Beta2, lamb.Epsilon));
        Assert.Contains("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Lamb(beta2: 1.0)).Message);
    }
}

public sealed class ManagedLionAdafactorTests() : LionAdafactorTests("managed");
public sealed class NativeCpuLionAdafactorTests() : LionAdafactorTests("cpu");
public sealed class CudaLionAdafactorTests() : LionAdafactorTests("cuda");
