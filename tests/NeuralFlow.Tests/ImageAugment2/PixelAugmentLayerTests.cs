using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.ImageOps.ImageOpsData;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ImageAugment2;

/// <summary>
/// keras.layers.RandomInvert and RandomPosterization (keras/src/layers/preprocessing/image_preprocessing/
/// random_invert.py, random_posterization.py) on every engine: the transforms at forced factors against numpy's
/// uint8 bit shifts (AugmentReferences.cs, make_references.py) and the Keras test files' values, the share of images
/// a drawn factor changes, the identity at inference, save/load and Keras-written configs, refusals by name.
/// </summary>
public abstract class PixelAugmentLayerTests(string backend) : BackendFileTest(backend)
{
    private static double[] Train(Layer layer, Tensor x) => D(layer.Call(x, training: true));

    [SkippableFact]
    public void Invert_complements_the_images_it_draws()
    {
        RequireBackend();
        var x = Unit();
        // random_invert_test.py: factor (1, 1) on value_range [0, 1] gives 1 - x; factor 0 is a no-op.
        AssertClose(D(1f - x), Train(new Layers.RandomInvert((1, 1), (0, 1)), x), 1e-6, 1e-6, "factor (1, 1)");
        Assert.Equal(D(x), Train(new Layers.RandomInvert(0, (0, 1)), x));
        AssertClose(D(255f - x * 255f), Train(new Layers.RandomInvert((1, 1)), x * 255f), 1e-4, 1e-6, "(0, 255)");
        // Another range stays inside itself: (-1, 1) maps x to -x (Keras' 1 - x would leave it).
        AssertClose(D(-(x * 2f - 1f)), Train(new Layers.RandomInvert((1, 1), (-1, 1)), x * 2f - 1f), 1e-6, 1e-6, "(-1, 1)");
        Assert.Equal(D(x), D(new Layers.RandomInvert((1, 1), (0, 1)).Call(x, training: false)));

        // Probability 0.5 for each of 200 one-pixel images: each either inverted or itself, about half of each.
        var many = NF.Random.Uniform([200, 1, 1, 3], 0.1, 0.4);
        var source = D(many);
        var y = Train(new Layers.RandomInvert((0.5, 0.5), (0, 1), seed: 3), many);
        int inverted = Enumerable.Range(0, 200).Count(i => y[3 * i] > 0.5);
        Assert.InRange(inverted, 70, 130);
        for (int i = 0; i < 600; i++)
            Assert.True(Math.Abs(y[i] - source[i]) < 1e-6 || Math.Abs(y[i] - (1 - source[i])) < 1e-6, $"value {i}: {y[i]} from {source[i]}");
        // Single factor f draws the probability from (0, f): f = 1 inverts about half.
        var drawn = Train(new Layers.RandomInvert(1, (0, 1), seed: 4), many);
        int half = Enumerable.Range(0, 200).Count(i => drawn[3 * i] > 0.5);
        Assert.InRange(half, 70, 130);
    }

    [SkippableFact]
    public void Posterization_keeps_the_top_bits_as_numpy_shifts()
    {
        RequireBackend();
        var x = Unit() * 255f;
        foreach (var (bits, expected) in new[] { (1, AugmentReferences.Posterize1), (3, AugmentReferences.Posterize3), (6, AugmentReferences.Posterize6), (8, AugmentReferences.Posterize8) })
            AssertClose(expected, Train(new Layers.RandomPosterization((bits, bits)), x), 1e-4, 1e-6, $"{bits} bits");
        AssertClose(AugmentReferences.Posterize4Signed, Train(new Layers.RandomPosterization((4, 4), (-1, 1)), Unit() * 2f - 1f), 1e-5, 1e-6, "(-1, 1)");
        Assert.Equal(D(x), D(new Layers.RandomPosterization(1).Call(x, training: false)));

        // random_posterization_test.py's basic case: one bit keeps 128 or 0.
        var keras = NF.Constant(new float[] { 128, 235, 87, 12, 1, 23, 24, 18, 121 }, [1, 1, 3, 3]);
        Assert.Equal([128.0, 128, 0, 0, 0, 0, 0, 0, 0], Train(new Layers.RandomPosterization(1, (0, 255), seed: 3481), keras));

        // Bits drawn from [2, 5): a white pixel keeps 256 - 2^(8 - b): 192, 224 or 240, never 248 (b = 5).
        var white = Train(new Layers.RandomPosterization((2, 5), seed: 5), NF.Fill([300, 1, 1, 1], 255));
        Assert.All(white, v => Assert.Contains(v, new[] { 192.0, 224, 240 }));
        Assert.Equal(3, white.Distinct().Count());
    }

    [SkippableFact]
    public void Configs_round_trip_and_keras_configs_load()
    {
        RequireBackend();
        var x = Unit();
        Layer[] layers = [new Layers.RandomInvert((0.2, 0.7), (0, 1), seed: 1), new Layers.RandomPosterization((3, 6), (0, 1), seed: 2)];
        var model = new Sequential(layers);
        var expected = model.Predict(x).ToArray<float>();
        var loaded = Assert.IsType<Sequential>(Model.Load(SaveTo(model, "pixel.nfmodel")));
        for (int i = 0; i < layers.Length; i++)
            Assert.True(JsonNode.DeepEquals(model.Layers[i].GetConfig(), loaded.Layers[i].GetConfig()), model.Layers[i].GetType().Name);
        Assert.Equal(expected, loaded.Predict(x).ToArray<float>());

        // Keras' configs: invert's single factor f is (0, f) and its default (0, 1); posterization's f bits are (1, f).
        Layer Keras(string json) => KerasSerialization.Deserialize(JsonNode.Parse(json)!, "keras");
        Assert.Equal((0, 0.75), Assert.IsType<Layers.RandomInvert>(Keras("""{"class_name": "RandomInvert", "config": {"name": "i", "factor": 0.75, "value_range": [0, 1], "seed": null}}""")).Factor);
        Assert.Equal((0, 1), Assert.IsType<Layers.RandomInvert>(Keras("""{"class_name": "RandomInvert", "config": {"name": "j"}}""")).Factor);
        var posterize = Assert.IsType<Layers.RandomPosterization>(Keras("""{"class_name": "RandomPosterization", "config": {"name": "p", "factor": [1, 4], "value_range": [0, 255], "seed": 7, "data_format": "channels_last"}}"""));
        Assert.Equal((1, 4), posterize.Factor);
        Assert.Equal(7, posterize.Seed);
        Assert.Equal((1, 6), Assert.IsType<Layers.RandomPosterization>(Keras("""{"class_name": "RandomPosterization", "config": {"name": "q", "factor": 6}}""")).Factor);
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_by_name()
    {
        RequireBackend();
        Assert.Contains("RandomInvert: factor must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomInvert(1.5)).Message);
        Assert.Contains("lower <= upper", Assert.Throws<ArgumentException>(() => new Layers.RandomInvert((0.8, 0.2))).Message);
        Assert.Contains("RandomInvert: valueRange", Assert.Throws<ArgumentException>(() => new Layers.RandomInvert(0.5, (1, 0))).Message);
        Assert.Contains("RandomPosterization: factor must lie in [1, 8]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomPosterization(9)).Message);
        Assert.Contains("RandomPosterization: factor must lie in [1, 8]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomPosterization(0)).Message);
        Assert.Contains("RandomPosterization: valueRange", Assert.Throws<ArgumentException>(() => new Layers.RandomPosterization(4, (double.NaN, 1))).Message);
        Assert.Contains("images must be NHWC", Assert.Throws<ArgumentException>(() => new Layers.RandomInvert().Call(NF.Zeros([4, 4]), training: true)).Message);
    }
}

public sealed class ManagedPixelAugmentLayerTests() : PixelAugmentLayerTests("managed");

public sealed class NativeCpuPixelAugmentLayerTests() : PixelAugmentLayerTests("cpu");

public sealed class CudaPixelAugmentLayerTests() : PixelAugmentLayerTests("cuda");
