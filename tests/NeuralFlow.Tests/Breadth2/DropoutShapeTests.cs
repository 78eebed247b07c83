using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth2;

/// <summary>
/// Keras 3's <c>Dropout(rate, noise_shape, seed)</c> and the spatial dropouts built on it
/// (keras/src/layers/regularization/spatial_dropout.py: the mask is (batch, 1, channels) for 1-D,
/// (batch, 1, 1, channels) or (batch, channels, 1, 1) for 2-D). Kept values are x / (1 - rate),
/// dropped ones 0, so each mask entry reads back from an input of ones.
/// </summary>
public abstract class DropoutShapeTests(string backend) : BackendFileTest(backend)
{
    private const double Rate = 0.5;
    private const float Kept = (float)(1 / (1 - Rate));

    // The [..] values of y indexed as shape, checking each is 0 or 1/(1-rate).
    private static float[] Values(Tensor y)
    {
        var v = y.ToArray<float>();
        Assert.All(v, e => Assert.True(e == 0 || Math.Abs(e - Kept) < 1e-6, $"{e} is neither 0 nor {Kept}"));
        return v;
    }

    [SkippableFact]
    public void A_noise_shape_shares_one_draw_along_its_axes_of_one()
    {
        RequireBackend();
        var layer = new Keras.Layers.Dropout(Rate, noiseShape: [null, 1, null], seed: 7);
        var v = Values(layer.Call(NF.Ones([3, 6, 5]), training: true));
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 5; c++)
                for (int t = 1; t < 6; t++)
                    Assert.Equal(v[(b * 6) * 5 + c], v[(b * 6 + t) * 5 + c]);
        Assert.Contains(0f, v);
        Assert.Contains(Kept, v);
        Assert.Equal(NF.Ones([3, 6, 5]).ToArray<float>(), layer.Call(NF.Ones([3, 6, 5])).ToArray<float>());   // inference: the identity
    }

    [SkippableFact]
    public void A_seed_gives_the_same_masks_whatever_the_global_seed()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var a = new Keras.Layers.Dropout(Rate, seed: 42).Call(NF.Ones([64]), training: true).ToArray<float>();
        NF.Random.SetSeed(2);
        var b = new Keras.Layers.Dropout(Rate, seed: 42).Call(NF.Ones([64]), training: true).ToArray<float>();
        var c = new Keras.Layers.Dropout(Rate, seed: 43).Call(NF.Ones([64]), training: true).ToArray<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [SkippableFact]
    public void SpatialDropout1D_drops_whole_channels()
    {
        RequireBackend();
        var v = Values(new Keras.Layers.SpatialDropout1D(Rate, seed: 3).Call(NF.Ones([4, 7, 6]), training: true));
        for (int b = 0; b < 4; b++)
            for (int c = 0; c < 6; c++)
                Assert.Single(Enumerable.Range(0, 7).Select(t => v[(b * 7 + t) * 6 + c]).Distinct());
        Assert.Contains(0f, v);
        Assert.Contains(Kept, v);
    }

    [SkippableTheory]
    [InlineData("channels_last")]
    [InlineData("channels_first")]
    public void SpatialDropout2D_drops_whole_feature_maps(string dataFormat)
    {
        RequireBackend();
        bool first = dataFormat == "channels_first";
        Shape shape = first ? [3, 5, 4, 2] : [3, 4, 2, 5];   // 3 samples, 5 channels, 4x2 maps
        var v = Values(new Keras.Layers.SpatialDropout2D(Rate, dataFormat, seed: 9).Call(NF.Ones(shape), training: true));
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 5; c++)
            {
                var map = new List<float>();
                for (int h = 0; h < 4; h++)
                    for (int w = 0; w < 2; w++)
                        map.Add(v[first ? ((b * 5 + c) * 4 + h) * 2 + w : ((b * 4 + h) * 2 + w) * 5 + c]);
                Assert.Single(map.Distinct());
            }
        Assert.Contains(0f, v);
        Assert.Contains(Kept, v);
    }

    [SkippableFact]
    public void Wrong_shapes_are_refused_naming_the_layer()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Keras.Layers.Dropout(0.2, "d", noiseShape: [null, 1]).Call(NF.Ones([2, 3, 4])));
        Assert.Contains("d: noiseShape [null, 1] has 2 entries", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Keras.Layers.Dropout(0.2, "d2", noiseShape: [null, 2]).Call(NF.Ones([2, 3])));
        Assert.Contains("axis 1 must be 1, null or 3", e.Message);
        Assert.Throws<ArgumentException>(() => new Keras.Layers.Dropout(0.2, noiseShape: [0, 1]));
        e = Assert.Throws<ArgumentException>(() => new Keras.Layers.SpatialDropout2D(0.2, name: "s").Call(NF.Ones([2, 3, 4]), training: true));
        Assert.Contains("s: SpatialDropout2D needs inputs of rank 4", e.Message);
        Assert.Throws<ArgumentException>(() => new Keras.Layers.SpatialDropout2D(0.2, "nchw"));
        // Keras 3 takes rates in [0, 1] (1 drops everything: UserProbe23/DropoutRateOneTests); above 1 is refused.
        Assert.Throws<ArgumentOutOfRangeException>(() => new Keras.Layers.SpatialDropout1D(1.5));
    }

    [SkippableFact]
    public void Seeds_noise_shapes_and_data_formats_are_saved()
    {
        RequireBackend();
        var model = new Sequential(Keras.Layers.Input([4, 4, 3]),
            new Keras.Layers.SpatialDropout2D(0.25, "channels_first", seed: 5, name: "sd2"),
            new Keras.Layers.Reshape([16, 3]),
            new Keras.Layers.SpatialDropout1D(0.125, name: "sd1"),
            new Keras.Layers.Dropout(0.5, "drop", noiseShape: [null, 1, null], seed: 3));
        var configs = model.Layers.Select(l => l.GetConfig().ToJsonString()).ToList();
        Assert.Contains("\"noise_shape\":[null,1,null]", configs[3]);
        Assert.Contains("\"data_format\":\"channels_first\"", configs[0]);
        Assert.DoesNotContain("noise_shape", configs[0]);
        string path = Temp.File("dropouts.nfmodel");
        model.Save(path);
        var loaded = (Sequential)Model.Load(path);
        Assert.Equal(configs, loaded.Layers.Select(l => l.GetConfig().ToJsonString()).ToList());
        Assert.IsType<Keras.Layers.SpatialDropout2D>(loaded.Layers[0]);
    }
}

public sealed class ManagedDropoutShapeTests() : DropoutShapeTests("managed");

public sealed class NativeCpuDropoutShapeTests() : DropoutShapeTests("cpu");

public sealed class CudaDropoutShapeTests() : DropoutShapeTests("cuda");
