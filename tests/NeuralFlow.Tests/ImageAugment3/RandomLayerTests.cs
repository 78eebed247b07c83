using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.ImageOps.ImageOpsData;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ImageAugment3;

/// <summary>
/// The random parts of RandomGaussianBlur, RandomPerspective, RandomColorDegeneration, RandomElasticTransform,
/// RandAugment and AugMix on every engine: seeded reproducibility, shape, dtype and value-range preservation,
/// the share of images a probability factor changes, the identity at inference; save/load round trips of every
/// new layer and Keras-written configs; refusals by name.
/// </summary>
public abstract class RandomLayerTests(string backend) : BackendFileTest(backend)
{
    // Random 0..255 images [n, 6, 7, 3] (float32).
    private static Tensor Photos(int n = 6) => NF.Cast(NF.Floor(NF.Constant(SecondOrderCheck.Values(n * 6 * 7 * 3, 9), [n, 6, 7, 3]) * 127.5 + 127.5), DType.Float32);

    private static IEnumerable<Func<int?, Layer>> RandomLayers() =>
    [
        s => new Layers.RandomGaussianBlur(1.0, 5, 1.0, seed: s),
        s => new Layers.RandomPerspective(1.0, 0.6, fillValue: 17, seed: s),
        s => new Layers.RandomColorDegeneration(0.9, seed: s),
        s => new Layers.RandomElasticTransform(1.0, 1.0, seed: s),
        s => new Layers.RandAugment(seed: s),
        s => new Layers.AugMix(seed: s),
        s => new Layers.AugMix(allOps: false, numChains: 2, chainDepth: 2, seed: s),
        s => new Layers.RandAugment(numOps: 3, factor: 1.0, interpolation: "nearest", seed: s),
    ];

    [SkippableFact]
    public void Seeded_layers_repeat_and_keep_shape_dtype_and_range()
    {
        RequireBackend();
        var x = Photos();
        foreach (var make in RandomLayers())
        {
            var layer = make(11);
            string what = layer.GetType().Name;
            var y = layer.Call(x, training: true);
            Assert.Equal(x.Shape, y.Shape);
            Assert.Equal(DType.Float32, y.DType);
            var values = D(y);
            Assert.All(values, v => Assert.InRange(v, 0, 255));
            Assert.Equal(values, D(make(11).Call(x, training: true)));
            Assert.NotEqual(values, D(make(12).Call(x, training: true)));
            Assert.NotEqual(values, D(layer.Call(x, training: true)));
            Assert.True(values.Zip(D(x)).Any(p => Math.Abs(p.First - p.Second) > 1), $"{what} changed nothing");
            Assert.Equal(D(x), D(make(11).Call(x, training: false)));
            // uint8 in gives float32 out; float64 stays float64; one image keeps its shape.
            Assert.Equal(DType.Float32, make(11).Call(NF.Cast(x, DType.UInt8), training: true).DType);
            Assert.Equal(DType.Float64, make(11).Call(NF.Cast(x, DType.Float64), training: true).DType);
            var one = NF.Squeeze(NF.Slice(x, [1, 0, 0, 0], [1, -1, -1, -1]), 0);
            Assert.Equal(one.Shape, make(11).Call(one, training: true).Shape);
            Assert.All(D(make(11).Call(one, training: true)), v => Assert.False(double.IsNaN(v), $"{what}: NaN"));
            // An empty batch stays empty.
            Assert.Equal([0, 6, 7, 3], make(11).Call(NF.Zeros([0, 6, 7, 3]), training: true).Shape.ToArray());
        }
    }

    [SkippableFact]
    public void Probability_factors_change_about_that_share_of_images()
    {
        RequireBackend();
        var x = Photos(60);
        var source = D(x);
        int per = 6 * 7 * 3;
        int Changed(Tensor y)
        {
            var v = D(y);
            return Enumerable.Range(0, 60).Count(i => Enumerable.Range(i * per, per).Any(k => Math.Abs(v[k] - source[k]) > 1e-3));
        }
        Assert.InRange(Changed(new Layers.RandomGaussianBlur((0.5, 0.5), (3, 3), (1, 1), seed: 1).Call(x, training: true)), 18, 42);
        Assert.InRange(Changed(new Layers.RandomPerspective((0.5, 0.5), 1.0, seed: 2).Call(x, training: true)), 18, 42);
        Assert.InRange(Changed(new Layers.RandomElasticTransform((0.5, 0.5), (1, 1), seed: 3).Call(x, training: true)), 18, 42);
        Assert.Equal(60, Changed(new Layers.RandomGaussianBlur((1, 1), (3, 3), (1, 1), seed: 1).Call(x, training: true)));
        Assert.Equal(0, Changed(new Layers.RandomElasticTransform((1, 1), (0, 0), seed: 3).Call(x, training: true)));
        // RandAugment without operations and AugMix mixing nothing in (its chains can be all empty) stay near the images.
        Assert.Equal(0, Changed(new Layers.RandAugment(numOps: 0, seed: 4).Call(x, training: true)));
    }

    [SkippableFact]
    public void Every_new_layer_round_trips_through_a_saved_model()
    {
        RequireBackend();
        var x = Photos(2);
        Layer[] layers =
        [
            new Layers.MixUp(0.4, seed: 1), new Layers.CutMix((0.2, 0.9), seed: 2), new Layers.RandomGaussianBlur((0.1, 0.7), (3, 5), (0.2, 2), (0, 255), seed: 3),
            new Layers.RandomPerspective((0, 0.8), 0.4, "nearest", 3, seed: 4), new Layers.Equalization((0, 255), 128),
            new Layers.RandomColorDegeneration((0.2, 0.6), (0, 255), seed: 5),
            new Layers.RandomElasticTransform((0, 0.5), (0.1, 0.9), "nearest", "constant", 2, (0, 255), seed: 6),
            new Layers.RandAugment((0, 255), 3, (0.1, 0.4), "nearest", seed: 7), new Layers.AugMix((0, 255), 2, 4, (0, 0.5), 0.7, false, "bilinear", seed: 8),
            new Layers.Pipeline([new Layers.RandomColorDegeneration(0.5, seed: 9), new Layers.Pipeline([new Layers.MixUp(seed: 10)])]),
        ];
        foreach (var layer in layers)
        {
            var model = new Sequential(layer);
            var expected = D(model.Predict(x));
            var loaded = Assert.IsType<Sequential>(Model.Load(SaveTo(model, $"{layer.GetType().Name}.keras")));
            Assert.True(JsonNode.DeepEquals(layer.GetConfig(), loaded.Layers[0].GetConfig()), $"{layer.GetType().Name}: {loaded.Layers[0].GetConfig().ToJsonString()}");
            Assert.Equal(expected, D(loaded.Predict(x)));
        }
    }

    [SkippableFact]
    public void Keras_written_configs_load()
    {
        RequireBackend();
        T Keras<T>(string json) => Assert.IsType<T>(KerasSerialization.Deserialize(JsonNode.Parse(json)!, "keras"));
        Assert.Equal(0.2, Keras<Layers.MixUp>("""{"class_name": "MixUp", "config": {"name": "m", "alpha": 0.2, "seed": null, "data_format": "channels_last"}}""").Alpha);
        Assert.Equal((0, 1), Keras<Layers.CutMix>("""{"class_name": "CutMix", "config": {"name": "c", "factor": 1.0, "seed": 3}}""").Factor);
        var blur = Keras<Layers.RandomGaussianBlur>("""{"class_name": "RandomGaussianBlur", "config": {"name": "b", "factor": [0.0, 1.0], "kernel_size": [3, 3], "sigma": [0.0, 1.0], "value_range": [0, 255], "seed": null}}""");
        Assert.Equal(((0.0, 1.0), (3, 3), (0.0, 1.0)), (blur.Factor, blur.KernelSize, blur.Sigma));
        Assert.Equal((5, 5), Keras<Layers.RandomGaussianBlur>("""{"class_name": "RandomGaussianBlur", "config": {"name": "b", "kernel_size": 5, "sigma": 0.5}}""").KernelSize);
        var perspective = Keras<Layers.RandomPerspective>("""{"class_name": "RandomPerspective", "config": {"name": "p", "factor": [0.0, 1.0], "scale": 0.5, "interpolation": "nearest", "fill_value": 1.0, "seed": 2}}""");
        Assert.Equal(((0.0, 1.0), 0.5, "nearest", 1.0), (perspective.Factor, perspective.Scale, perspective.Interpolation, perspective.FillValue));
        var equalization = Keras<Layers.Equalization>("""{"class_name": "Equalization", "config": {"name": "e", "value_range": [-1, 1], "bins": 64, "data_format": "channels_last"}}""");
        Assert.Equal(((-1.0, 1.0), 64), (equalization.ValueRange, equalization.Bins));
        Assert.Equal((0, 0.5), Keras<Layers.RandomColorDegeneration>("""{"class_name": "RandomColorDegeneration", "config": {"name": "d", "factor": 0.5, "value_range": [0, 255]}}""").Factor);
        var elastic = Keras<Layers.RandomElasticTransform>("""{"class_name": "RandomElasticTransform", "config": {"name": "el", "factor": 1.0, "scale": [0.0, 0.5], "interpolation": "bilinear", "fill_mode": "wrap", "fill_value": 0.0, "value_range": [0, 1]}}""");
        Assert.Equal(((0.0, 1.0), (0.0, 0.5), "wrap", (0.0, 1.0)), (elastic.Factor, elastic.Scale, elastic.FillMode, elastic.ValueRange));
        var rand = Keras<Layers.RandAugment>("""{"class_name": "RandAugment", "config": {"name": "r", "value_range": [0, 255], "num_ops": 3, "factor": [0, 0.7], "interpolation": "bilinear", "seed": 1}}""");
        Assert.Equal((3, (0.0, 0.7)), (rand.NumOps, rand.Factor));
        var augmix = Keras<Layers.AugMix>("""{"class_name": "AugMix", "config": {"name": "a", "value_range": [0, 1], "num_chains": 2, "chain_depth": 1, "factor": 0.3, "alpha": 0.5, "all_ops": false}}""");
        Assert.Equal((2, 1, (0.0, 0.3), 0.5, false), (augmix.NumChains, augmix.ChainDepth, augmix.Factor, augmix.Alpha, augmix.AllOps));
        var pipeline = Keras<Layers.Pipeline>("""{"class_name": "Pipeline", "config": {"name": "pl", "layers": [{"class_name": "RandomFlip", "config": {"name": "f", "mode": "horizontal"}}, {"class_name": "MixUp", "config": {"name": "m2"}}]}}""");
        Assert.Equal(["f", "m2"], pipeline.Layers.Select(l => l.Name));
        // These layers take data_format (KerasLoose's ChannelsFirstAugmentationTests); the older image layers still refuse channels_first.
        Assert.Equal("channels_first", Keras<Layers.MixUp>("""{"class_name": "MixUp", "config": {"name": "m", "data_format": "channels_first"}}""").DataFormat);
        Assert.Contains("channels_first", Assert.ThrowsAny<Exception>(() => KerasSerialization.Deserialize(JsonNode.Parse("""{"class_name": "RandomFlip", "config": {"name": "f", "mode": "horizontal", "data_format": "channels_first"}}""")!, "keras")).Message);
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_by_name()
    {
        RequireBackend();
        void Refused<T>(Func<object> make, string message) where T : Exception => Assert.Contains(message, Assert.Throws<T>(make).Message);
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandomGaussianBlur(1.5), "RandomGaussianBlur: factor must lie in [0, 1]");
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandomGaussianBlur(kernelSize: 4), "RandomGaussianBlur: kernelSize must be odd");
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandomGaussianBlur(sigma: -1), "RandomGaussianBlur: sigma must lie in");
        Refused<ArgumentException>(() => new Layers.RandomGaussianBlur(valueRange: (5, 1)), "RandomGaussianBlur: valueRange");
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandomPerspective(2), "RandomPerspective: factor must lie in [0, 1]");
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandomPerspective(scale: 1.5), "RandomPerspective: scale must lie in [0, 1]");
        Refused<ArgumentException>(() => new Layers.RandomPerspective(interpolation: "bicubic"), "RandomPerspective: interpolation");
        Refused<ArgumentOutOfRangeException>(() => new Layers.Equalization(bins: 1), "Equalization: bins must lie in [2, 65536]");
        Refused<ArgumentException>(() => new Layers.Equalization((1, 1)), "Equalization: valueRange");
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandomColorDegeneration(1.2), "RandomColorDegeneration: factor must lie in [0, 1]");
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandomElasticTransform(scale: -0.1), "RandomElasticTransform: scale must lie in [0, 1]");
        Refused<ArgumentException>(() => new Layers.RandomElasticTransform(fillMode: "edge"), "RandomElasticTransform: fill mode");
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandAugment(numOps: -1), "RandAugment: numOps must be >= 0");
        Refused<ArgumentOutOfRangeException>(() => new Layers.RandAugment(factor: 1.5), "RandAugment: factor must lie in [0, 1]");
        Refused<ArgumentOutOfRangeException>(() => new Layers.AugMix(numChains: 0), "AugMix: numChains must be >= 1");
        Refused<ArgumentOutOfRangeException>(() => new Layers.AugMix(chainDepth: 0), "AugMix: chainDepth must be >= 1");
        Refused<ArgumentOutOfRangeException>(() => new Layers.AugMix(alpha: 0), "AugMix: alpha must be a positive");
        // Wrong ranks and channel counts name the layer.
        var flat = NF.Zeros([4, 4]);
        Refused<ArgumentException>(() => new Layers.Equalization().Call(flat, training: true), "(Equalization): images must be NHWC");
        Refused<ArgumentException>(() => new Layers.RandAugment().Call(flat, training: true), "(RandAugment): images must be NHWC");
        Refused<ArgumentException>(() => new Layers.RandomGaussianBlur().Call(NF.Zeros([1, 2, 3, 4, 5]), training: true), "(RandomGaussianBlur): images must be NHWC");
        Refused<ArgumentException>(() => new Layers.RandomColorDegeneration(0.5).Call(NF.Zeros([1, 4, 4, 2]), training: true), "RandomColorDegeneration: images must have 3 (RGB) channels");
    }
}

public sealed class ManagedRandomLayerTests() : RandomLayerTests("managed");

public sealed class NativeCpuRandomLayerTests() : RandomLayerTests("cpu");

public sealed class CudaRandomLayerTests() : RandomLayerTests("cuda");
