using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Keras' GaussianNoise (x + N(0, stddev)) and GaussianDropout (x * N(1, rate / (1 - rate))), by
/// keras/src/layers/regularization/gaussian_noise.py and gaussian_dropout.py: active only in training,
/// Keras 3's argument ranges, configs saved with the seed. The statistical bounds are four standard
/// errors of the sample mean (sigma / sqrt(n)) and of the sample standard deviation (sigma / sqrt(2n)).
/// </summary>
public abstract class GaussianLayerTests(string backend) : BackendTest(backend)
{
    private const int Rows = 200, Columns = 100;  // n = 20,000 draws

    private static (double Mean, double Std) Moments(Tensor t)
    {
        var v = t.ToArray<float>().Select(f => (double)f).ToArray();
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Sum(d => (d - mean) * (d - mean)) / (v.Length - 1)));
    }

    private static void AssertMoments(Tensor noise, double mean, double std)
    {
        double n = Rows * Columns;
        var (m, s) = Moments(noise);
        Assert.InRange(m, mean - 4 * std / Math.Sqrt(n), mean + 4 * std / Math.Sqrt(n));
        Assert.InRange(s, std - 4 * std / Math.Sqrt(2 * n), std + 4 * std / Math.Sqrt(2 * n));
    }

    [SkippableFact]
    public void Gaussian_noise_adds_noise_of_its_stddev_in_training_only()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([Rows, Columns]);
        var layer = new Layers.GaussianNoise(0.4);
        Assert.Equal(x.ToArray<float>(), layer.Call(x).ToArray<float>());
        Assert.Equal(x.ToArray<float>(), layer.Call(x, training: false).ToArray<float>());
        AssertMoments(layer.Call(x, training: true) - x, 0, 0.4);
    }

    [SkippableFact]
    public void Gaussian_dropout_multiplies_by_noise_around_one_in_training_only()
    {
        RequireBackend();
        var ones = NF.Ones([Rows, Columns]);
        var layer = new Layers.GaussianDropout(0.2);
        Assert.Equal(ones.ToArray<float>(), layer.Call(ones).ToArray<float>());
        NF.Random.SetSeed(12);
        AssertMoments(layer.Call(ones, training: true), 1, Math.Sqrt(0.2 / 0.8));  // Keras: stddev sqrt(rate / (1 - rate)) = 0.5
        var model = new Sequential(Layers.Input([Columns]), layer);
        Assert.Equal(ones.ToArray<float>(), model.Predict(ones).ToArray<float>());  // Predict runs in inference mode
    }

    [SkippableFact]
    public void Noise_follows_nf_random_or_the_layers_own_seed()
    {
        RequireBackend();
        var x = NF.Zeros([4, 5]);
        float[] Draw(Layer layer, int globalSeed)
        {
            NF.Random.SetSeed(globalSeed);
            return layer.Call(x, training: true).ToArray<float>();
        }
        // Unseeded: NF.Random's seed decides, as for Dropout.
        Assert.Equal(Draw(new Layers.GaussianNoise(0.5), 1), Draw(new Layers.GaussianNoise(0.5), 1));
        Assert.NotEqual(Draw(new Layers.GaussianNoise(0.5), 1), Draw(new Layers.GaussianNoise(0.5), 2));
        // Seeded: the layer's seed decides, whatever NF.Random's; each call draws afresh.
        var seeded = new Layers.GaussianNoise(0.5, seed: 3);
        var first = Draw(seeded, 1);
        Assert.Equal(first, Draw(new Layers.GaussianNoise(0.5, seed: 3), 2));
        Assert.NotEqual(first, Draw(seeded, 1));
        Assert.NotEqual(first, Draw(new Layers.GaussianNoise(0.5, seed: 4), 1));
        Assert.NotEqual(first, Draw(new Layers.GaussianNoise(0.5), 3));  // not NF.Random.SetSeed(3)'s numbers
    }

    [SkippableFact]
    public void Integer_inputs_get_float32_noise()
    {
        RequireBackend();
        var y = new Layers.GaussianNoise(0.1, seed: 1).Call(NF.Constant(new[] { 1, 2, 3 }), training: true);
        Assert.Equal(DType.Float32, y.DType);
    }

    // Keras 3: stddev in [0, 1]; rate in [0, 1]. Rate 1 is taken (Keras' constructor takes it) but refused in training,
    // where Keras' sqrt(rate / (1 - rate)) divides by zero (UserProbe23/DropoutRateOneTests).
    [Theory]
    [InlineData("stddev", -0.1)]
    [InlineData("stddev", 1.5)]
    [InlineData("stddev", double.NaN)]
    [InlineData("rate", -0.1)]
    [InlineData("rate", 1.5)]
    [InlineData("rate", double.NaN)]
    public void An_argument_outside_keras_range_is_refused(string argument, double value)
    {
        Action make = argument == "stddev" ? () => new Layers.GaussianNoise(value) : () => new Layers.GaussianDropout(value);
        Assert.Equal(argument, Assert.Throws<ArgumentOutOfRangeException>(make).ParamName);
    }

    [SkippableFact]
    public void They_save_and_load_with_their_arguments()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        var model = new Sequential(Layers.Input([4]), new Layers.GaussianNoise(0.25, seed: 5, name: "noise"),
                                   new Layers.GaussianDropout(0.3, name: "gdrop"), new Layers.Dense(2));
        model.Save(temp.File("m.nfmodel"));
        var loaded = (Sequential)Model.Load(temp.File("m.nfmodel"));
        var noise = Assert.IsType<Layers.GaussianNoise>(loaded.Layers.Single(l => l.Name == "noise"));
        var drop = Assert.IsType<Layers.GaussianDropout>(loaded.Layers.Single(l => l.Name == "gdrop"));
        Assert.Equal((0.25, 5), (noise.Stddev, noise.Seed));
        Assert.Equal((0.3, (int?)null), (drop.Rate, drop.Seed));
        var x = NF.Ones([3, 4]);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }
}

public sealed class ManagedGaussianLayerTests() : GaussianLayerTests("managed");

public sealed class NativeCpuGaussianLayerTests() : GaussianLayerTests("cpu");

public sealed class CudaGaussianLayerTests() : GaussianLayerTests("cuda");
