using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.GroupNormalization and Keras' GroupNormalization layer on every backend: values against
/// PyTorch's F.group_norm (channels-last data permuted to NCHW; both cut the channels into
/// consecutive groups), float64 finite differences, the groups = 1 / -1 special cases, Keras'
/// defaults and errors, Fit and a Save/Load round trip.
/// </summary>
public abstract class GroupNormalizationTests(string backend) : BackendFileTest(backend)
{
    // x[i] = 3 sin(0.7 i) + 0.1 i for i = 0..47, shape [2, 2, 3, 4] (NHWC).
    private static double[] Images() => Enumerable.Range(0, 48).Select(i => 3 * Math.Sin(0.7 * i) + 0.1 * i).ToArray();

    [SkippableFact]
    public void Matches_pytorch_group_norm_with_gamma_and_beta()
    {
        RequireBackend();
        // torch.nn.functional.group_norm(x.permute(0, 3, 1, 2), 2, gamma, beta, eps=1e-3).permute(0, 2, 3, 1), float64, torch 1.13.
        double[] want =
        [
            -0.6752590553, 0.4002464222, -0.5172249337, -0.0458148067, -0.0008219084, -0.2202041078, 4.2323058531, -3.5844792650,
            -1.2003252183, 0.1404948171, -0.3469484676, 0.7635107635, 1.1315085988, 0.4541648422, 2.1057581633, -2.8210359383,
            -1.3173265942, -0.1246912275, 0.6359084871, 0.6561895240, 1.7114073751, 1.0253976549, -0.4740617706, -1.2415672788,
            -1.5689118907, -0.5726293624, 3.3682429599, -1.5650595189, 0.8067255174, 0.8934120651, -0.3249186763, -0.9143505341,
            -0.5132828933, -0.3305089253, 3.6034570396, -2.2248270149, 0.3211124719, 0.8711360203, -1.3207916838, 0.5049371612,
            0.7912989191, 0.1918985564, 2.8157032811, -2.4177232143, -0.2065868511, 0.6315140092, -1.2696475671, 1.2710571362,
        ];
        using var x = NF.Constant(Images(), [2, 2, 3, 4]);
        using var gamma = NF.Constant(new[] { 1.0, 0.5, -2.0, 1.5 });
        using var beta = NF.Constant(new[] { 0.0, 0.25, 1.0, -1.0 });
        using var y = NF.GroupNormalization(x, 2, gamma, beta);
        AssertClose(want, y.ToArray<double>(), 1e-9, 1e-9, "float64");
        using var xf = NF.Cast(x, DType.Float32);
        using var yf = NF.GroupNormalization(xf, 2, NF.Cast(gamma, DType.Float32), NF.Cast(beta, DType.Float32));
        AssertClose(want, yf.ToArray<float>().Select(f => (double)f).ToArray(), 1e-5, 1e-5, "float32");
    }

    [SkippableFact]
    public void Sequences_without_gamma_and_beta_match_pytorch()
    {
        RequireBackend();
        // [N, T, C] = [2, 4, 6], 3 groups: F.group_norm(x.permute(0, 2, 1), 3, eps=1e-3).permute(0, 2, 1) (torch 1.13).
        double[] want =
        [
            1.4678750560, 0.4244318271, -1.2446653825, -1.0593433380, 0.6701719948, 1.3841910935, 0.1202406095, -1.3066418963,
            -0.8259183371, 0.8843954999, 1.2870237926, -0.2160873973, -1.3728182037, -0.4833510662, 1.0949066326, 1.0941459928,
            -0.5090738540, -1.3852949455, -0.1863009896, 1.3365646631, 0.8834374253, -0.8269584930, -1.3197440596, 0.0888133754,
            1.4288733735, 0.7051945620, -1.0495644199, -1.2327805789, 0.3791614220, 1.4063136042, 0.4193193165, -1.1785842679,
            -1.0478411386, 0.6372614409, 1.3731768961, 0.0769227215, -1.3074674859, -0.7562197942, 0.8897141959, 1.2547711917,
            -0.2264016656, -1.3934337261, -0.4842524452, 1.1731367412, 1.0970741405, -0.5486348315, -1.3930290078, -0.2227102444,
        ];
        using var x = NF.Constant(Enumerable.Range(0, 48).Select(i => 2 * Math.Cos(1.3 * i)).ToArray(), [2, 4, 6]);
        var layer = new Layers.GroupNormalization(groups: 3, center: false, scale: false);
        AssertClose(want, layer.Call(x).ToArray<double>(), 1e-9, 1e-9);
        Assert.Empty(layer.Variables);
    }

    [SkippableFact]
    public void One_group_is_layer_normalization_and_minus_one_is_instance_normalization()
    {
        RequireBackend();
        using var x = NF.Constant(Images(), [2, 2, 3, 4]);
        // groups = 1: every non-batch axis, as LayerNormalization over [1, 2, 3].
        AssertClose(NF.LayerNormalization(x, axes: [1, 2, 3]).ToArray<double>(), NF.GroupNormalization(x, 1).ToArray<double>(), 1e-12, 1e-12, "one group");
        // groups = -1 (the layer): one group per channel, i.e. each channel over H and W. The layer's
        // weights are float32, so (as in Keras) it computes in float32.
        var instance = new Layers.GroupNormalization(groups: -1);
        var y = instance.Call(x);
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal(4, instance.GroupCount);
        AssertClose(NF.LayerNormalization(x, axes: [1, 2]).ToArray<double>(), y.ToArray<float>().Select(f => (double)f).ToArray(), 1e-5, 1e-5, "instance");
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.GroupNormalization(t[0], 2, t[1], t[2]), GradientTests.In([2, 3, 4], 11), GradientTests.In([4], 12), GradientTests.In([4], 13));
        // Channels first (axis 1), no affine parameters.
        GradientTests.Check(t => NF.GroupNormalization(t[0], 3, axis: 1), GradientTests.In([2, 6, 2, 2], 14));
    }

    [SkippableFact]
    public void Layer_has_keras_defaults_config_and_errors()
    {
        RequireBackend();
        var gn = new Layers.GroupNormalization();
        Assert.Equal((32, -1, 1e-3), (gn.Groups, gn.Axis, gn.Epsilon));
        Assert.True(gn.Center && gn.Scale);
        gn.Call(NF.Zeros([2, 3, 3, 64]));
        Assert.Equal(["gamma", "beta"], gn.Variables.Select(v => v.Name!.Split('/')[1]));
        Assert.Equal(new Shape(64), gn.Gamma!.Shape);
        var config = gn.GetConfig();
        Assert.Equal(32, config["groups"]!.GetValue<int>());
        Assert.Equal("ones", config["gamma_initializer"]!.GetValue<string>());

        var tooMany = Assert.Throws<ArgumentException>(() => new Layers.GroupNormalization(groups: 8).Call(NF.Zeros([1, 4])));
        Assert.Contains("cannot be more than the number of channels (4)", tooMany.Message);
        var uneven = Assert.Throws<ArgumentException>(() => new Layers.GroupNormalization(groups: 4).Call(NF.Zeros([1, 6])));
        Assert.Contains("do not split into 4 groups", uneven.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.GroupNormalization(groups: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.GroupNormalization(epsilon: -1));
        Assert.Throws<ArgumentException>(() => NF.GroupNormalization(NF.Zeros([2, 4], DType.Int32), 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.GroupNormalization(NF.Zeros([2, 4]), 2, axis: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.GroupNormalization(NF.Zeros([2, 6]), 4));
        var wrongGamma = Assert.Throws<ArgumentException>(() => NF.GroupNormalization(NF.Zeros([2, 6]), 3, NF.Ones([3])));
        Assert.Contains("gamma", wrongGamma.Message);
        var built = new Layers.GroupNormalization(groups: 2);
        built.Call(NF.Zeros([1, 4]));
        Assert.Throws<ArgumentException>(() => built.Call(NF.Zeros([1, 6])));
    }

    [SkippableFact]
    public void A_small_cnn_trains_and_round_trips_through_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var x = NF.Random.Normal([16, 6, 6, 2]);
        var y = NF.Cast(NF.Greater(NF.ReduceMean(x, [1, 2, 3]), 0f), DType.Float32);
        var model = new Sequential(
            new Layers.Conv2D(8, 3, padding: "same"),
            new Layers.GroupNormalization(groups: 4, gammaInitializer: "ones"),
            new Layers.ReLU(),
            new Layers.GlobalAveragePooling2D(),
            new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.02f), "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 8, epochs: 6, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], "the loss falls");
        // Weights 177: conv 3*3*2*8 + 8, gamma and beta 8 each, dense 8 + 1; Adam's 356: iteration, rate, two slots per weight.
        Assert.Contains("Trainable params: 177 ", model.SummaryText());
        Assert.Contains("Total params: 533 ", model.SummaryText());
        string path = Temp.File("group.nfmodel");
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.True(JsonNode.DeepEquals(model.Layers[1].GetConfig(), loaded.Layers[1].GetConfig()));
    }
}

public sealed class ManagedGroupNormalizationTests() : GroupNormalizationTests("managed");

public sealed class NativeCpuGroupNormalizationTests() : GroupNormalizationTests("cpu");

public sealed class CudaGroupNormalizationTests() : GroupNormalizationTests("cuda");
