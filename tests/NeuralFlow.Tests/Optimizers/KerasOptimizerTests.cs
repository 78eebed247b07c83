using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 16's optimizers and base options through the Keras API on every backend, against the
/// expected values in Keras 3's own tests (keras/src/optimizers/*_test.py, cited per test).
/// </summary>
public abstract class KerasOptimizerTests(string backend) : BackendTest(backend)
{
    private static float[] Arange() => Enumerable.Range(1, 10).Select(i => i / 10f).ToArray();  // ops.arange(0.1, 1.1, 0.1)

    // Keras' test_correctness_with_golden: one step with 0.01 everywhere, then five with
    // arange(0.1, 1.1, 0.1), the variable compared with a golden row before each of those five.
    private static void Golden(Optimizers.Optimizer optimizer, double[][] golden)
    {
        var x = new Variable(NF.Ones([10]));
        using var first = NF.Fill([10], 0.01, DType.Float32, NF.Backend);
        var grads = NF.Constant(Arange());
        optimizer.ApplyGradients([first], [x]);
        for (int i = 0; i < 5; i++)
        {
            Reference.AssertClose(golden[i], x.ToArray<float>().Select(v => (double)v).ToArray(), 5e-4, 5e-4, $"{optimizer.GetType().Name} golden row {i}");
            optimizer.ApplyGradients([grads], [x]);
        }
    }

    private static double[][] Tile(params double[] rows) => rows.Select(r => Enumerable.Repeat(r, 10).ToArray()).ToArray();

    // Keras' test_single_step: vars [1, 2, 3, 4], grads [1, 6, 7, 2].
    private static void SingleStep(Optimizers.Optimizer optimizer, double[] expected)
    {
        var v = new Variable(NF.Constant(new[] { 1f, 2, 3, 4 }));
        optimizer.ApplyGradients([NF.Constant(new[] { 1f, 6, 7, 2 })], [v]);
        Reference.AssertClose(expected, v.ToArray<float>().Select(x => (double)x).ToArray(), 1e-4, 1e-4, optimizer.GetType().Name + " single step");
    }

    [SkippableFact]  // adamw_test.py: test_single_step, test_correctness_with_golden
    public void AdamW_matches_Keras()
    {
        RequireBackend();
        SingleStep(new Optimizers.AdamW(0.5), [0.4980, 1.4960, 2.494, 3.492]);
        Golden(new Optimizers.AdamW(1.0, weightDecay: 0.5, epsilon: 2),
        [
            [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
            [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
            [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
            [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
            [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
        ]);
        Assert.Equal(0.004, new Optimizers.AdamW().WeightDecay);
    }

    [SkippableFact]  // adam_test.py: test_correctness_with_golden (Adam(amsgrad=True))
    public void Adam_amsgrad_matches_Keras() =>
        RunWithBackend(() => Golden(new Optimizers.Adam(amsgrad: true), Tile(0.999, 0.9982, 0.9974, 0.9965, 0.9955)));

    [SkippableFact]  // rmsprop_test.py: test_single_step, test_correctness_with_golden (RMSprop(centered=True))
    public void RMSprop_centered_matches_Keras()
    {
        RequireBackend();
        SingleStep(new Optimizers.RMSprop(0.5), [-0.5811, 0.4189, 1.4189, 2.4189]);
        Golden(new Optimizers.RMSprop(centered: true), Tile(0.9967, 0.9933, 0.9908, 0.9885, 0.9864));
    }

    [SkippableFact]  // nadam_test.py: test_single_step, test_correctness_with_golden
    public void Nadam_matches_Keras()
    {
        RequireBackend();
        SingleStep(new Optimizers.Nadam(0.5), [0.4686, 1.4686, 2.4686, 3.4686]);
        Golden(new Optimizers.Nadam(0.5, beta1: 0.5, beta2: 0.67, epsilon: 1e-5),
        [
            [0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
            [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
            [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
            [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
            [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454],
        ]);
    }

    [SkippableFact]  // ftrl_test.py: test_single_step (the square-root power), test_correctness_with_golden (power -0.2, every term)
    public void Ftrl_matches_Keras()
    {
        RequireBackend();
        SingleStep(new Optimizers.Ftrl(0.5), [0.2218, 1.3954, 2.3651, 2.8814]);
        Golden(new Optimizers.Ftrl(0.05, learningRatePower: -0.2, initialAccumulatorValue: 0.4, l1RegularizationStrength: 0.05,
            l2RegularizationStrength: 0.15, l2ShrinkageRegularizationStrength: 0.01, beta: 0.3),
        [
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [-0.0034, -0.0077, -0.0118, -0.0157, -0.0194, -0.023, -0.0263, -0.0294, -0.0325, -0.0354],
            [-0.0078, -0.0162, -0.0242, -0.0317, -0.0387, -0.0454, -0.0516, -0.0575, -0.0631, -0.0685],
            [-0.0121, -0.0246, -0.0363, -0.0472, -0.0573, -0.0668, -0.0757, -0.0842, -0.0922, -0.0999],
            [-0.0164, -0.0328, -0.0481, -0.0623, -0.0753, -0.0875, -0.099, -0.1098, -0.1201, -0.1299],
        ]);
    }

    [SkippableFact]  // adamax_test.py: test_single_step, test_correctness_with_golden
    public void Adamax_matches_Keras()
    {
        RequireBackend();
        SingleStep(new Optimizers.Adamax(0.5), [0.5, 1.5, 2.5, 3.5]);
        Golden(new Optimizers.Adamax(0.2, beta1: 0.85, beta2: 0.95, epsilon: 1e-6),
        [
            [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
            [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
            [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
            [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
            [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126],
        ]);
    }

    [SkippableFact]  // adadelta_test.py: test_single_step, test_correctness_with_golden
    public void Adadelta_matches_Keras()
    {
        RequireBackend();
        SingleStep(new Optimizers.Adadelta(0.5), [0.9993, 1.9993, 2.9993, 3.9993]);
        Golden(new Optimizers.Adadelta(1.0, rho: 0.8, epsilon: 1e-6), Tile(0.9978, 0.9947, 0.9915, 0.9882, 0.9849));
    }

    public static IEnumerable<object[]> DecayingOptimizers() =>
        new[] { "sgd", "adam", "adamw", "rmsprop", "adagrad", "nadam", "adamax", "adadelta" }.Select(n => new object[] { n });

    private static Optimizers.Optimizer WithDecay(string name) => name switch
    {
        "sgd" => new Optimizers.SGD(1.0, weightDecay: 0.004),
        "adam" => new Optimizers.Adam(1.0, weightDecay: 0.004),
        "adamw" => new Optimizers.AdamW(1.0, weightDecay: 0.004),
        "rmsprop" => new Optimizers.RMSprop(1.0, weightDecay: 0.004),
        "adagrad" => new Optimizers.Adagrad(1.0, weightDecay: 0.004),
        "nadam" => new Optimizers.Nadam(1.0, weightDecay: 0.004),
        "adamax" => new Optimizers.Adamax(1.0, weightDecay: 0.004),
        _ => new Optimizers.Adadelta(1.0, weightDecay: 0.004),
    };

    // Every *_test.py's test_weight_decay: three optimizers step var1 once each with a zero
    // gradient (2 * 0.996^3 = 1.9760959); var2 is excluded by name, var3 by variable.
    [SkippableTheory]
    [MemberData(nameof(DecayingOptimizers))]
    public void Weight_decay_matches_Keras_and_honours_exclusions(string name)
    {
        RequireBackend();
        var var1 = new Variable(2f);
        var var2 = new Variable(2f, name: "exclude");
        var var3 = new Variable(2f);
        var zero = NF.Constant(0f);
        WithDecay(name).ApplyGradients([zero], [var1]);
        var o2 = WithDecay(name);
        o2.ExcludeFromWeightDecay(varNames: ["exclude"]);
        o2.ApplyGradients([zero, zero], [var1, var2]);
        var o3 = WithDecay(name);
        o3.ExcludeFromWeightDecay(varList: [var3]);
        o3.ApplyGradients([zero, zero], [var1, var3]);
        Assert.Equal(1.9760959, var1.Item<float>(), 6);
        Assert.Equal(2.0, var2.Item<float>(), 6);
        Assert.Equal(2.0, var3.Item<float>(), 6);
    }

    // optimizer_test.py: test_clip_norm, test_clip_value, test_global_clip_norm, seen through an
    // SGD step with learning rate 1 from zero (w = -clipped g).
    [SkippableFact]
    public void Clipping_matches_Keras()
    {
        RequireBackend();
        float[] Stepped(Optimizers.Optimizer o, float[] grad)
        {
            var v = new Variable(NF.Zeros([grad.Length]));
            o.ApplyGradients([NF.Constant(grad)], [v]);
            return v.ToArray<float>().Select(x => -x).ToArray();
        }
        double h = Math.Sqrt(2) / 2;
        Reference.AssertClose([h, h], D(Stepped(new Optimizers.SGD(1.0, clipNorm: 1), [100, 100])), 1e-6, 1e-7, "clipnorm");
        Reference.AssertClose([1, 1], D(Stepped(new Optimizers.SGD(1.0, clipValue: 1), [100, 100])), 0, 0, "clipvalue");
        double norm = Math.Sqrt(50 * 50 + 100 * 100);
        Reference.AssertClose([50 / norm, 100 / norm], D(Stepped(new Optimizers.SGD(1.0, globalClipNorm: 1), [50, 100])), 1e-6, 1e-7, "global_clipnorm");
        // Below the limits nothing changes; clipvalue clips element by element.
        Assert.Equal([0.5f, -0.25f], Stepped(new Optimizers.SGD(1.0, clipNorm: 1), [0.5f, -0.25f]));
        Assert.Equal([0.5f, -1f, 1f], Stepped(new Optimizers.SGD(1.0, clipValue: 1), [0.5f, -3f, 7f]));
    }

    [SkippableFact]
    public void Global_clipnorm_scales_all_gradients_together_and_clipnorm_each_alone()
    {
        RequireBackend();
        (float[], float[]) Run(Optimizers.Optimizer o)
        {
            var a = new Variable(NF.Zeros([1]));
            var b = new Variable(NF.Zeros([1]));
            o.ApplyGradients([NF.Constant(new[] { 3f }), NF.Constant(new[] { 4f })], [a, b]);
            return (a.ToArray<float>(), b.ToArray<float>());
        }
        // Joint norm 5, clipped to 1: both scaled by 1/5.
        var (ga, gb) = Run(new Optimizers.SGD(1.0, globalClipNorm: 1));
        Assert.Equal(-0.6f, ga[0], 6);
        Assert.Equal(-0.8f, gb[0], 6);
        // Each alone clipped to norm 1.
        var (ca, cb) = Run(new Optimizers.SGD(1.0, clipNorm: 1));
        Assert.Equal(-1f, ca[0], 6);
        Assert.Equal(-1f, cb[0], 6);
    }

    // A custom optimizer (tensor-op Update, no fused kernel) gets the same options through the
    // base class: plain SGD written by hand matches the built-in one, clipping and decay included.
    private sealed class HandSgd(double lr, double? weightDecay, double? clipValue, double? clipNorm)
        : Optimizers.Optimizer(lr, weightDecay, clipNorm, clipValue, null)
    {
        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, double learningRate, long step) =>
            variable.AssignSub(gradient * learningRate);
    }

    [SkippableFact]
    public void A_custom_optimizer_gets_clipping_and_weight_decay()
    {
        RequireBackend();
        float[] Run(Optimizers.Optimizer o)
        {
            var v = new Variable(NF.Constant(new[] { 1f, -2f, 3f }));
            for (int i = 0; i < 3; i++) o.ApplyGradients([NF.Constant(new[] { 4f, -0.5f, 0.25f })], [v]);
            return v.ToArray<float>();
        }
        var byHand = Run(new HandSgd(0.1, 0.01, 0.5, null));
        var builtIn = Run(new Optimizers.SGD(0.1, weightDecay: 0.01, clipValue: 0.5));
        Reference.AssertClose(D(builtIn), D(byHand), 1e-6, 1e-7, "custom vs built-in, clipvalue + decay");
        Reference.AssertClose(D(Run(new Optimizers.SGD(0.1, clipNorm: 1))), D(Run(new HandSgd(0.1, null, null, 1))), 1e-6, 1e-7, "clipnorm");
    }

    [SkippableFact]
    public void Options_are_checked_with_clear_messages()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Optimizers.Adam(clipNorm: 1, clipValue: 1));
        Assert.Contains("only one of clipNorm", e.Message);
        Assert.Contains("clipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.SGD(clipNorm: 0)).Message);
        Assert.Contains("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Nadam(weightDecay: -1)).Message);
        Assert.Contains("rho", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.RMSprop(rho: 1.1)).Message);
    }

    [SkippableFact]
    public void Names_give_the_Keras_defaults()
    {
        RequireBackend();
        Assert.IsType<Optimizers.AdamW>(Optimizers.Get("adamw"));
        Assert.Equal(0.001, Assert.IsType<Optimizers.Nadam>(Optimizers.Get("Nadam")).CurrentLearningRate);
        Assert.Equal(0.999, Assert.IsType<Optimizers.Adamax>(Optimizers.Get("adamax")).Beta2);
        Assert.Equal(0.95, Assert.IsType<Optimizers.Adadelta>(Optimizers.Get("adadelta")).Rho);
        Assert.Contains("ftrl", Assert.Throws<ArgumentException>(() => Optimizers.Get("follow")).Message);
    }

    private void RunWithBackend(Action test)
    {
        RequireBackend();
        test();
    }

    private static double[] D(float[] v) => v.Select(x => (double)x).ToArray();
}

public sealed class ManagedKerasOptimizerTests() : KerasOptimizerTests("managed");
public sealed class NativeCpuKerasOptimizerTests() : KerasOptimizerTests("cpu");
public sealed class CudaKerasOptimizerTests() : KerasOptimizerTests("cuda");
