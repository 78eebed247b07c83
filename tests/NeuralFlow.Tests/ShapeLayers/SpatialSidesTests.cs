using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// ZeroPadding1D/3D, Cropping1D/3D, UpSampling1D/3D and the channels-first forms of ZeroPadding2D
/// and Cropping2D on every backend: Keras shapes and defaults, values against NF.Pad / slicing /
/// numpy's repeat rule written out, float64 finite differences, errors naming the layer, configs
/// as Keras writes them, and Save/Load round trips.
/// </summary>
public abstract class SpatialSidesTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Iota(params int[] shape) => NF.Constant(Enumerable.Range(0, (int)new Shape(shape).Count).Select(v => (float)v).ToArray(), shape);

    [SkippableFact]
    public void One_dimensional_layers_pad_crop_and_repeat_steps()
    {
        RequireBackend();
        using var x = Iota(2, 5, 3);
        // Keras' defaults: ZeroPadding1D(1), Cropping1D((1, 1)), UpSampling1D(2).
        var padded = new Layers.ZeroPadding1D().Call(x);
        Assert.Equal(NF.Pad(x, new[,] { { 0, 0 }, { 1, 1 }, { 0, 0 } }).ToArray<float>(), padded.ToArray<float>());
        Assert.Equal(new Shape(2, 9, 3), new Layers.ZeroPadding1D((3, 1)).Call(x).Shape);
        var cropped = new Layers.Cropping1D().Call(x);
        Assert.Equal(x[.., 1..4].ToArray<float>(), cropped.ToArray<float>());
        Assert.Equal(x[.., 2..4].ToArray<float>(), new Layers.Cropping1D((2, 1)).Call(x).ToArray<float>());
        // np.repeat(x, 3, axis=1): step t of the output is step t / 3 of the input.
        var up = new Layers.UpSampling1D(3).Call(x);
        Assert.Equal(new Shape(2, 15, 3), up.Shape);
        for (int t = 0; t < 15; t++) Assert.Equal(x[.., t / 3].ToArray<float>(), up[.., t].ToArray<float>());
    }

    [SkippableFact]
    public void Three_dimensional_layers_pad_crop_and_repeat_voxels_in_both_formats()
    {
        RequireBackend();
        using var x = Iota(2, 3, 4, 5, 2);
        var pad = new Layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1)));
        Assert.Equal(NF.Pad(x, new[,] { { 0, 0 }, { 1, 0 }, { 0, 2 }, { 1, 1 }, { 0, 0 } }).ToArray<float>(), pad.Call(x).ToArray<float>());
        Assert.Equal(new Shape(2, 5, 6, 7, 2), new Layers.ZeroPadding3D().Call(x).Shape);
        var crop = new Layers.Cropping3D(((1, 1), (0, 2), (2, 0)));
        Assert.Equal(x[.., 1..2, 0..2, 2..5].ToArray<float>(), crop.Call(x).ToArray<float>());
        var up = new Layers.UpSampling3D([2, 1, 3]).Call(x);
        Assert.Equal(new Shape(2, 6, 4, 15, 2), up.Shape);
        Assert.Equal(x[1, 2, 3, 4].ToArray<float>(), up[1, 5, 3, 14].ToArray<float>());
        Assert.Equal(x[0, 1, 0, 2].ToArray<float>(), up[0, 2, 0, 6].ToArray<float>());

        // channels_first: the same results on the transposed volume.
        using var xf = NF.Transpose(x, [0, 4, 1, 2, 3]);
        Assert.Equal(NF.Transpose(pad.Call(x), [0, 4, 1, 2, 3]).ToArray<float>(),
                     new Layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1)), dataFormat: "channels_first").Call(xf).ToArray<float>());
        Assert.Equal(NF.Transpose(crop.Call(x), [0, 4, 1, 2, 3]).ToArray<float>(),
                     new Layers.Cropping3D(((1, 1), (0, 2), (2, 0)), dataFormat: "channels_first").Call(xf).ToArray<float>());
        Assert.Equal(NF.Transpose(up, [0, 4, 1, 2, 3]).ToArray<float>(),
                     new Layers.UpSampling3D([2, 1, 3], dataFormat: "channels_first").Call(xf).ToArray<float>());
    }

    [SkippableFact]
    public void Two_dimensional_layers_take_channels_first_images()
    {
        RequireBackend();
        using var x = Iota(2, 4, 5, 3);
        using var xf = NF.Transpose(x, [0, 3, 1, 2]);
        var pad = ((1, 2), (0, 1));
        Assert.Equal(NF.Transpose(new Layers.ZeroPadding2D(pad).Call(x), [0, 3, 1, 2]).ToArray<float>(),
                     new Layers.ZeroPadding2D(pad, dataFormat: "channels_first").Call(xf).ToArray<float>());
        Assert.Equal(NF.Transpose(new Layers.Cropping2D(pad).Call(x), [0, 3, 1, 2]).ToArray<float>(),
                     new Layers.Cropping2D(pad, dataFormat: "channels_first").Call(xf).ToArray<float>());
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => new Layers.ZeroPadding1D((2, 1)).Call(t[0]) * 1.5, GradientTests.In([2, 3, 2], 1));
        GradientTests.Check(t => NF.Square(new Layers.Cropping1D((1, 0)).Call(t[0])), GradientTests.In([2, 3, 2], 2));
        GradientTests.Check(t => NF.Square(new Layers.UpSampling1D(2).Call(t[0])), GradientTests.In([1, 3, 2], 3));
        GradientTests.Check(t => new Layers.ZeroPadding3D(((1, 0), (0, 1), (1, 1))).Call(t[0]) * 2.0, GradientTests.In([1, 2, 2, 2, 1], 4));
        GradientTests.Check(t => NF.Square(new Layers.Cropping3D(((1, 0), (0, 1), (1, 0))).Call(t[0])), GradientTests.In([1, 2, 3, 2, 2], 5));
        GradientTests.Check(t => NF.Square(new Layers.UpSampling3D([1, 2, 2], dataFormat: "channels_first").Call(t[0])), GradientTests.In([1, 2, 2, 1, 2], 6));
    }

    [SkippableFact]
    public void Bad_arguments_and_inputs_name_the_layer()
    {
        RequireBackend();
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => new Layers.ZeroPadding1D(-1)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => new Layers.Cropping3D((0, -2, 0))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.UpSampling1D(0));
        Assert.Throws<ArgumentException>(() => new Layers.UpSampling3D([2, 2]));
        var rank = Assert.Throws<ArgumentException>(() => new Layers.ZeroPadding3D(name: "pad3").Call(NF.Zeros([2, 3, 4, 5])));
        Assert.Contains("pad3", rank.Message);
        Assert.Contains("NDHWC", rank.Message);
        var nothing = Assert.Throws<ArgumentException>(() => new Layers.Cropping1D((2, 3), name: "crop").Call(NF.Zeros([1, 5, 2])));
        Assert.Contains("leaves nothing", nothing.Message);
        Assert.Throws<ArgumentException>(() => new Layers.UpSampling1D().Call(NF.Zeros([2, 3])));
    }

    [SkippableFact]
    public void Configs_are_keras_and_models_round_trip()
    {
        RequireBackend();
        // Keras' get_config: ZeroPadding1D writes its pair, the 3-D layers a pair per axis and their data format.
        Assert.Equal("[2,1]", new Layers.ZeroPadding1D((2, 1)).GetConfig()["padding"]!.ToJsonString());
        Assert.Equal("[[1,0],[0,2],[1,1]]", new Layers.Cropping3D(((1, 0), (0, 2), (1, 1))).GetConfig()["cropping"]!.ToJsonString());
        Assert.Equal("channels_last", new Layers.ZeroPadding3D().GetConfig()["data_format"]!.GetValue<string>());
        Assert.Equal(2, new Layers.UpSampling1D().GetConfig()["size"]!.GetValue<int>());

        NF.Random.SetSeed(9);
        var seq = new Sequential(new Layers.ZeroPadding1D((1, 2)), new Layers.Conv1D(4, 3), new Layers.UpSampling1D(2), new Layers.Cropping1D((1, 0)),
                                 new Layers.Flatten(), new Layers.Dense(2));
        var vol = new Sequential(new Layers.ZeroPadding3D((1, 0, 1)), new Layers.UpSampling3D([1, 2, 1]), new Layers.Cropping3D(((0, 1), (1, 1), (0, 0))),
                                 new Layers.Flatten(), new Layers.Dense(2));
        foreach (var (model, x) in new[] { (seq, NF.Random.Normal([3, 6, 2])), (vol, NF.Random.Normal([3, 2, 3, 2, 2])) })
        {
            model.Compile(new Optimizers.SGD(0.05f), "mse");
            model.Fit(x, NF.Random.Normal([3, 2]), batchSize: 3, epochs: 2, verbose: 0);
            string path = Temp.File("sides.nfmodel");
            model.Save(path);
            var loaded = Assert.IsType<Sequential>(Model.Load(path));
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
            for (int l = 0; l < model.Layers.Count; l++)
                Assert.True(JsonNode.DeepEquals(model.Layers[l].GetConfig(), loaded.Layers[l].GetConfig()), $"layer {l}");
        }
    }
}

public sealed class ManagedSpatialSidesTests() : SpatialSidesTests("managed");

public sealed class NativeCpuSpatialSidesTests() : SpatialSidesTests("cpu");

public sealed class CudaSpatialSidesTests() : SpatialSidesTests("cuda");
