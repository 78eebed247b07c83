using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth2;

/// <summary>
/// Keras 3's built-in initializers by name and with arguments (keras/src/initializers): Constant,
/// Identity, LecunUniform/LecunNormal, VarianceScaling, RandomNormal/RandomUniform/TruncatedNormal
/// with their arguments, and their configs through a model file. Expected values by hand from
/// Keras' formulas: VarianceScaling's variance is scale / n, n = fan_in, fan_out or their mean;
/// "uniform" draws in ±sqrt(3 scale / n); the truncated normal keeps that variance.
/// </summary>
public abstract class InitializerTests(string backend) : BackendFileTest(backend)
{
    private static double[] Draw(Initializer init, Shape shape, int fanIn, int fanOut)
    {
        using var t = init.Create(shape, fanIn, fanOut);
        return NF.Cast(t, DType.Float64).ToArray<double>();
    }

    private static (double Mean, double Std) Moments(double[] v)
    {
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length));
    }

    [SkippableFact]
    public void Constant_fills_with_its_value_and_by_name_with_zero()
    {
        RequireBackend();
        var dense = new Keras.Layers.Dense(3, kernelInitializer: Initializer.Constant(0.5), biasInitializer: "constant");
        dense.Call(NF.Ones([1, 2]));
        Assert.All(dense.Kernel!.ToArray<float>(), v => Assert.Equal(0.5f, v));
        Assert.All(dense.Bias!.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializer.Constant(double.NaN));
    }

    [SkippableFact]
    public void Identity_is_gain_times_the_eye_of_a_matrix()
    {
        RequireBackend();
        Assert.Equal(new double[] { 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0 }, Draw(Initializer.Identity(2), [3, 4], 3, 4));
        Assert.Equal(new double[] { 1, 0, 0, 1, 0, 0 }, Draw("identity", [3, 2], 3, 2));
        var e = Assert.Throws<ArgumentException>(() => Draw("identity", [2, 2, 2], 4, 4));
        Assert.Contains("2-D", e.Message);
    }

    [SkippableTheory]
    [InlineData("lecun_uniform", 1.0, "fan_in", true)]
    [InlineData("lecun_normal", 1.0, "fan_in", false)]
    [InlineData("he_uniform", 2.0, "fan_in", true)]
    [InlineData("glorot_normal", 1.0, "fan_avg", false)]
    [InlineData("variance_scaling", 1.0, "fan_in", false)]
    public void Named_variance_scalings_have_kerases_variance(string name, double scale, string mode, bool uniform)
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        const int fanIn = 50, fanOut = 200;
        double n = mode == "fan_in" ? fanIn : (fanIn + fanOut) / 2.0;
        var v = Draw(name, [fanIn, fanOut], fanIn, fanOut);
        var (mean, std) = Moments(v);
        Assert.Equal(0, mean, 0.01);
        Assert.Equal(Math.Sqrt(scale / n), std, Math.Sqrt(scale / n) * 0.05);
        double bound = uniform ? Math.Sqrt(3 * scale / n) : 2 * Math.Sqrt(scale / n) / 0.87962566103423978;
        Assert.All(v, x => Assert.True(Math.Abs(x) <= bound + 1e-6, $"{x} is outside ±{bound}"));
    }

    [SkippableFact]
    public void VarianceScaling_takes_scale_mode_and_distribution()
    {
        RequireBackend();
        NF.Random.SetSeed(22);
        var v = Draw(Initializer.VarianceScaling(3, "fan_out", "uniform"), [100, 120], 100, 120);
        double limit = Math.Sqrt(3 * 3.0 / 120);
        Assert.All(v, x => Assert.True(Math.Abs(x) <= limit + 1e-6));
        Assert.True(v.Max() > 0.95 * limit);
        var (_, std) = Moments(Draw(Initializer.VarianceScaling(0.5, "fan_avg", "untruncated_normal"), [100, 300], 100, 300));
        Assert.Equal(Math.Sqrt(0.5 / 200), std, Math.Sqrt(0.5 / 200) * 0.05);
        Assert.Throws<ArgumentException>(() => Initializer.VarianceScaling(mode: "fan_sum"));
        Assert.Throws<ArgumentException>(() => Initializer.VarianceScaling(distribution: "cauchy"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializer.VarianceScaling(0));
    }

    [SkippableFact]
    public void Random_initializers_take_their_arguments()
    {
        RequireBackend();
        NF.Random.SetSeed(23);
        var (mean, std) = Moments(Draw(Initializer.RandomNormal(1, 0.2), [20000], 1, 1));
        Assert.Equal(1, mean, 0.01);
        Assert.Equal(0.2, std, 0.01);
        var u = Draw(Initializer.RandomUniform(2, 3), [5000], 1, 1);
        Assert.All(u, x => Assert.InRange(x, 2, 3));
        var t = Draw(Initializer.TruncatedNormal(-1, 0.1), [5000], 1, 1);
        Assert.All(t, x => Assert.InRange(x, -1.2 - 1e-6, -0.8 + 1e-6));
        Assert.Throws<ArgumentException>(() => Initializer.RandomUniform(1, 1));
        Assert.Equal("glorot_uniform", Initializer.Get("GlorotUniform").Name);   // Keras' class names are read too
    }

    [SkippableFact]
    public void Arguments_survive_a_model_file_in_kerases_form()
    {
        RequireBackend();
        var model = new Sequential(Keras.Layers.Input([3]),
            new Keras.Layers.Dense(4, kernelInitializer: Initializer.Constant(0.5), biasInitializer: Initializer.RandomNormal(1, 0.25), name: "d"),
            new Keras.Layers.Dense(4, kernelInitializer: Initializer.Identity(3), biasInitializer: "he_normal", name: "e"),
            new Keras.Layers.Dense(2, kernelInitializer: Initializer.VarianceScaling(2, "fan_avg", "uniform"), biasInitializer: Initializer.RandomUniform(0, 1), name: "f"));
        var config = model.Layers[0].GetConfig();
        Assert.Equal("""{"module":"keras.initializers","class_name":"Constant","config":{"value":0.5},"registered_name":null}""", config["kernel_initializer"]!.ToJsonString());
        Assert.Equal("""{"mean":1,"stddev":0.25,"seed":null}""", config["bias_initializer"]!["config"]!.ToJsonString());
        Assert.Equal("he_normal", model.Layers[1].GetConfig()["bias_initializer"]!.GetValue<string>());
        string path = Temp.File("init.nfmodel");
        model.Save(path);
        var loaded = (Sequential)Model.Load(path);
        for (int i = 0; i < 3; i++)
            Assert.Equal(model.Layers[i].GetConfig().ToJsonString(), loaded.Layers[i].GetConfig().ToJsonString());
        Assert.Equal(new[] { 0.5f, 0.5f }, ((Keras.Layers.Dense)loaded.Layers[0]).KernelInitializer.Create([2], 1, 1).ToArray<float>());
    }
}

public sealed class ManagedInitializerTests() : InitializerTests("managed");

public sealed class NativeCpuInitializerTests() : InitializerTests("cpu");

public sealed class CudaInitializerTests() : InitializerTests("cuda");
