using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// AlphaDropout, SpatialDropout3D and Identity on every backend. AlphaDropout's reference is Keras 3's
/// formula (keras/src/layers/regularization/alpha_dropout.py) written out by hand: kept values become
/// a * x + b, dropped ones a * alpha_p + b, with alpha_p = -alpha * scale of SELU,
/// a = ((1 - rate)(1 + rate alpha_p^2))^-1/2 and b = -a alpha_p rate, so standardized inputs keep
/// mean 0 and variance 1.
/// </summary>
public abstract class AlphaDropoutTests(string backend) : BackendFileTest(backend)
{
    private const double AlphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;

    [SkippableFact]
    public void Alpha_dropout_applies_keras_affine_map_to_kept_and_dropped_values()
    {
        RequireBackend();
        const double rate = 0.2;
        double a = Math.Pow((1 - rate) * (1 + rate * AlphaP * AlphaP), -0.5), b = -a * AlphaP * rate;
        using var x = NF.Constant(Enumerable.Range(0, 4000).Select(i => Math.Sin(i * 0.37) * 2).ToArray(), [40, 100]);
        var layer = new Layers.AlphaDropout(rate, seed: 11);
        var input = x.ToArray<double>();
        var y = layer.Call(NF.Cast(x, DType.Float32), training: true).ToArray<float>();
        int dropped = 0;
        for (int i = 0; i < y.Length; i++)
        {
            bool isDropped = Math.Abs(y[i] - (a * AlphaP + b)) < 1e-5 && Math.Abs(y[i] - (a * input[i] + b)) > 1e-5;
            if (isDropped) dropped++;
            else Assert.Equal(a * input[i] + b, y[i], 1e-5);
        }
        Assert.InRange(dropped / 4000.0, 0.17, 0.23);
        // Inference, and rate 0, are the identity.
        Assert.Equal(x.ToArray<double>(), layer.Call(x).ToArray<double>());
        Assert.Equal(x.ToArray<double>(), new Layers.AlphaDropout(0).Call(x, training: true).ToArray<double>());
    }

    [SkippableFact]
    public void Alpha_dropout_keeps_mean_zero_and_variance_one()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        using var x = NF.Random.Normal([200_000], dtype: DType.Float64);
        var y = new Layers.AlphaDropout(0.3).Call(x, training: true).ToArray<double>();
        double mean = y.Average(), variance = y.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.012, 0.012);
        Assert.InRange(variance, 0.98, 1.02);
    }

    [SkippableFact]
    public void Spatial_dropout_3d_drops_whole_volumes_per_channel()
    {
        RequireBackend();
        foreach (var format in new[] { "channels_last", "channels_first" })
        {
            bool first = format == "channels_first";
            Shape shape = first ? [2, 6, 3, 2, 2] : [2, 3, 2, 2, 6];
            var y = new Layers.SpatialDropout3D(0.5, format, seed: 4).Call(NF.Ones(shape), training: true);
            // One value per sample and channel: reduce max and min over the spatial axes agree.
            int[] spatial = first ? [2, 3, 4] : [1, 2, 3];
            Assert.Equal(NF.ReduceMax(y, spatial).ToArray<float>(), NF.ReduceMin(y, spatial).ToArray<float>());
            var values = y.ToArray<float>();
            Assert.Contains(0f, values);
            Assert.Contains(2f, values);
        }
        var e = Assert.Throws<ArgumentException>(() => new Layers.SpatialDropout3D(0.2, name: "s3").Call(NF.Ones([2, 3, 4, 5]), training: true));
        Assert.Contains("s3: SpatialDropout3D needs inputs of rank 5", e.Message);
        Assert.Throws<ArgumentException>(() => new Layers.SpatialDropout3D(0.2, "ndhwc"));
    }

    [SkippableFact]
    public void Identity_returns_its_input_and_all_three_save_and_load()
    {
        RequireBackend();
        using var x = NF.Random.Normal([2, 3]);
        Assert.Equal(x.ToArray<float>(), new Layers.Identity().Call(x).ToArray<float>());
        var model = new Sequential(Layers.Input([2, 2, 2, 4]),
            new Layers.SpatialDropout3D(0.25, "channels_first", seed: 5, name: "sd3"),
            new Layers.Identity(name: "same"),
            new Layers.Reshape([32]),
            new Layers.AlphaDropout(0.1, noiseShape: [null, 32], seed: 2, name: "alpha"),
            new Layers.Dense(2));
        var configs = model.Layers.Select(l => l.GetConfig().ToJsonString()).ToList();
        Assert.Contains("\"data_format\":\"channels_first\"", configs[0]);
        Assert.Contains("\"noise_shape\":[null,32]", configs[3]);
        string path = Temp.File("alpha.nfmodel");
        model.Save(path);
        var loaded = (Sequential)Model.Load(path);
        Assert.Equal(configs, loaded.Layers.Select(l => l.GetConfig().ToJsonString()).ToList());
        Assert.IsType<Layers.AlphaDropout>(loaded.Layers[3]);
        using var input = NF.Random.Normal([3, 2, 2, 2, 4]);
        Assert.Equal(model.Predict(input).ToArray<float>(), loaded.Predict(input).ToArray<float>());
    }
}

public sealed class ManagedAlphaDropoutTests() : AlphaDropoutTests("managed");

public sealed class NativeCpuAlphaDropoutTests() : AlphaDropoutTests("cpu");

public sealed class CudaAlphaDropoutTests() : AlphaDropoutTests("cuda");
