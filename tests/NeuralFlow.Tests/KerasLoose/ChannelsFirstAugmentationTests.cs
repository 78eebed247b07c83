using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasLoose;

/// <summary>
/// Keras' data_format on MixUp, CutMix, RandomGaussianBlur, RandomPerspective, Equalization,
/// RandomColorDegeneration, RandomElasticTransform, RandAugment and AugMix: a channels_first layer
/// gives, on NCHW images, the transpose of what the same layer (same seed) gives channels_last on
/// the NHWC images, in training and at inference, for batches, single images and labels; the config
/// carries data_format through save and load; a channels_first model fits; bad formats are refused.
/// </summary>
public abstract class ChannelsFirstAugmentationTests(string backend) : BackendFileTest(backend)
{
    private static readonly Dictionary<string, Func<string, Layer>> Makers = new()
    {
        ["MixUp"] = f => new Layers.MixUp(0.4, seed: 3, dataFormat: f),
        ["CutMix"] = f => new Layers.CutMix(1.0, seed: 3, dataFormat: f),
        ["RandomGaussianBlur"] = f => new Layers.RandomGaussianBlur(1.0, 3, 1.0, (0, 255), seed: 3, dataFormat: f),
        ["RandomPerspective"] = f => new Layers.RandomPerspective(1.0, 0.5, seed: 3, dataFormat: f),
        ["Equalization"] = f => new Layers.Equalization((0, 255), dataFormat: f),
        ["RandomColorDegeneration"] = f => new Layers.RandomColorDegeneration(0.8, (0, 255), seed: 3, dataFormat: f),
        ["RandomElasticTransform"] = f => new Layers.RandomElasticTransform(1.0, 0.5, valueRange: (0, 255), seed: 3, dataFormat: f),
        ["RandAugment"] = f => new Layers.RandAugment((0, 255), 2, 0.5, seed: 3, dataFormat: f),
        ["AugMix"] = f => new Layers.AugMix((0, 255), seed: 3, dataFormat: f),
    };

    public static TheoryData<string> Names() => new(Makers.Keys);

    private static Tensor ToFirst(Tensor x) => x.Rank == 4 ? NF.Transpose(x, [0, 3, 1, 2]) : NF.Transpose(x, [2, 0, 1]);

    private static Tensor ToLast(Tensor x) => x.Rank == 4 ? NF.Transpose(x, [0, 2, 3, 1]) : NF.Transpose(x, [1, 2, 0]);

    private static Tensor Images(params int[] shape)
    {
        NF.Random.SetSeed(17);
        return NF.Round(NF.Random.Uniform(shape, 0, 255));
    }

    // The layer's output (global draws seeded alike too), for images in the layer's format.
    private static float[] Run(Layer layer, Tensor images, bool training)
    {
        NF.Random.SetSeed(5);
        return layer.Call(images, training).ToArray<float>();
    }

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Channels_first_is_the_transpose_of_channels_last(string name)
    {
        RequireBackend();
        using var x = Images(2, 6, 5, 3);
        var last = Makers[name]("channels_last");
        var first = Makers[name]("channels_first");
        foreach (var training in new[] { true, false })
        {
            var expected = Run(last, x, training);
            NF.Random.SetSeed(5);
            var y = first.Call(ToFirst(x), training);
            Assert.Equal(new Shape(2, 3, 6, 5), y.Shape);
            Reference.AssertClose(expected.Select(v => (double)v).ToArray(), ToLast(y).ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-4, $"{name} training={training}");
        }
        // One image [C, H, W] as one [H, W, C].
        using var one = Images(6, 5, 3);
        var single = Run(Makers[name]("channels_last"), one, true);
        NF.Random.SetSeed(5);
        var y1 = Makers[name]("channels_first").Call(ToFirst(one), true);
        Assert.Equal(new Shape(3, 6, 5), y1.Shape);
        Reference.AssertClose(single.Select(v => (double)v).ToArray(), ToLast(y1).ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-4, $"{name} one image");
        // data_format is in the config, and a saved entry rebuilds the channels_first layer.
        Assert.Equal("channels_first", first.GetConfig()["data_format"]!.GetValue<string>());
        var again = KerasSerialization.Deserialize(KerasSerialization.Serialize(first), "test");
        Assert.True(JsonNode.DeepEquals(first.GetConfig(), again.GetConfig()), again.GetConfig().ToJsonString());
    }

    [SkippableFact]
    public void Mixing_layers_mix_channels_first_labels_alike()
    {
        RequireBackend();
        using var x = Images(4, 5, 5, 3);
        using var labels = NF.OneHot(NF.Constant(new[] { 0, 1, 2, 1 }), 3);
        foreach (var name in new[] { "MixUp", "CutMix" })
        {
            NF.Random.SetSeed(5);
            var (yl, ll) = ((Layers.RandomImageLayer)Makers[name]("channels_last")).CallWithLabels(x, labels, training: true);
            NF.Random.SetSeed(5);
            var (yf, lf) = ((Layers.RandomImageLayer)Makers[name]("channels_first")).CallWithLabels(ToFirst(x), labels, training: true);
            Assert.Equal(new Shape(4, 3, 5, 5), yf.Shape);
            Assert.Equal(yl.ToArray<float>(), ToLast(yf).ToArray<float>());
            Assert.Equal(ll.ToArray<float>(), lf.ToArray<float>());
        }
    }

    [SkippableFact]
    public void A_channels_first_model_fits_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var model = new Sequential(
            Layers.Input([3, 8, 8]),
            new Layers.RandomGaussianBlur(0.5, 3, 1.0, (0, 1), seed: 1, dataFormat: "channels_first"),
            new Layers.RandomPerspective(0.5, 0.2, seed: 2, dataFormat: "channels_first"),
            new Layers.Conv2D(4, 3, dataFormat: "channels_first"),
            new Layers.GlobalAveragePooling2D(dataFormat: "channels_first"),
            new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.02f), "binary_crossentropy");
        // Bright images (label 1) against dark ones (label 0), NCHW.
        var rng = new Random(2);
        var labels = Enumerable.Range(0, 32).Select(i => (float)(i % 2)).ToArray();
        var pixels = labels.SelectMany(l => Enumerable.Range(0, 3 * 64).Select(_ => (float)(l * 0.5 + rng.NextDouble() * 0.5))).ToArray();
        using var x = NF.Constant(pixels, [32, 3, 8, 8]);
        using var y = NF.Constant(labels, [32, 1]);
        var losses = model.Fit(x, y, batchSize: 8, epochs: 20, verbose: 0)["loss"];
        Assert.True(losses[^1] < 0.7 * losses[0], $"loss {losses[0]} -> {losses[^1]}");
        var loaded = (Sequential)Model.Load(SaveTo(model, "nchw_augment.keras"));
        Assert.Equal("channels_first", Assert.IsType<Layers.RandomGaussianBlur>(loaded.Layers[0]).DataFormat);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void Bad_formats_and_shapes_are_refused()
    {
        RequireBackend();
        Assert.Contains("MixUp: dataFormat must be \"channels_last\" or \"channels_first\", got \"nchw\"",
            Assert.Throws<ArgumentException>(() => new Layers.MixUp(dataFormat: "nchw")).Message);
        Assert.Contains("Equalization: dataFormat must be", Assert.Throws<ArgumentException>(() => new Layers.Equalization(dataFormat: "")).Message);
        var blur = new Layers.RandomGaussianBlur(dataFormat: "channels_first", name: "blur");
        Assert.Contains("blur (RandomGaussianBlur): channels_first images must be NCHW [N, C, H, W] or one image [C, H, W], got shape",
            Assert.Throws<ArgumentException>(() => blur.Call(NF.Zeros([1, 2, 3, 4, 5]), training: true)).Message);
        // Channels-first degeneration needs 3 channels on axis 1: a [2, 4, 4, 3] batch there has 4.
        Assert.Throws<ArgumentException>(() => new Layers.RandomColorDegeneration(0.5, dataFormat: "channels_first").Call(NF.Zeros([2, 4, 4, 3]), training: true));
    }
}

public sealed class ManagedChannelsFirstAugmentationTests() : ChannelsFirstAugmentationTests("managed");

public sealed class NativeCpuChannelsFirstAugmentationTests() : ChannelsFirstAugmentationTests("cpu");

public sealed class CudaChannelsFirstAugmentationTests() : ChannelsFirstAugmentationTests("cuda");
