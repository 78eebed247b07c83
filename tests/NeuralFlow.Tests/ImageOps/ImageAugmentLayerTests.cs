using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.ImageOps.ImageOpsData;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ImageOps;

/// <summary>
/// Keras 3's colour augmentation layers (keras/src/layers/preprocessing/image_preprocessing/:
/// random_grayscale.py, random_hue.py, random_saturation.py, random_sharpness.py, random_color_jitter.py,
/// auto_contrast.py) on every engine: their transforms at fixed factors against NF.Image's ops and
/// torch (ImageReferences.cs), the identity at inference (AutoContrast applies always), auto_contrast_test.py's
/// values, save/load and Keras-written configs, and refusals by name.
/// </summary>
public abstract class ImageAugmentLayerTests(string backend) : BackendFileTest(backend)
{
    private static float[] Train(Layer layer, Tensor x) => layer.Call(x, training: true).ToArray<float>();

    [SkippableFact]
    public void Grayscale_turns_images_grey_with_its_probability()
    {
        RequireBackend();
        var x = Unit();
        var gray = NF.Image.RgbToGrayscale(x);
        AssertClose(D(NF.BroadcastTo(gray, x.Shape)), Train(new Layers.RandomGrayscale(1), x).Select(v => (double)v).ToArray(), 1e-6, 1e-6, "factor 1");
        Assert.Equal(x.ToArray<float>(), Train(new Layers.RandomGrayscale(0), x));
        Assert.Equal(x.ToArray<float>(), new Layers.RandomGrayscale(1).Call(x, training: false).ToArray<float>());
        // Half of 200 one-pixel images, each either grey (equal channels) or itself.
        var many = NF.Random.Uniform([200, 1, 1, 3], 0.1, 0.9);
        var y = Train(new Layers.RandomGrayscale(0.5, seed: 4), many);
        var source = many.ToArray<float>();
        int grey = Enumerable.Range(0, 200).Count(i => y[3 * i] == y[3 * i + 1] && y[3 * i + 1] == y[3 * i + 2]);
        Assert.InRange(grey, 70, 130);
        Assert.All(Enumerable.Range(0, 200).Where(i => y[3 * i] != y[3 * i + 1]), i => Assert.Equal(source.AsSpan(3 * i, 3).ToArray(), y.AsSpan(3 * i, 3).ToArray()));
    }

    [SkippableFact]
    public void Hue_and_saturation_apply_the_drawn_factor_to_each_image()
    {
        RequireBackend();
        var x = Unit();
        var scaled = x * 255f;
        // Factor (0.4, 0.4): every image turns by 0.2 one way or the other (value range (0, 255)).
        var y = Train(new Layers.RandomHue((0.4, 0.4), seed: 2), scaled);
        var plus = (NF.Image.AdjustHue(x, 0.2) * 255f).ToArray<float>();
        var minus = (NF.Image.AdjustHue(x, -0.2) * 255f).ToArray<float>();
        for (int n = 0; n < 2; n++)
        {
            var image = y.AsSpan(n * 90, 90).ToArray();
            double toPlus = image.Select((v, i) => Math.Abs(v - plus[n * 90 + i])).Max(), toMinus = image.Select((v, i) => Math.Abs(v - minus[n * 90 + i])).Max();
            Assert.True(Math.Min(toPlus, toMinus) < 1e-3, $"image {n}: {toPlus} from +0.2, {toMinus} from -0.2");
        }
        Assert.Equal(scaled.ToArray<float>(), new Layers.RandomHue(0.5).Call(scaled, training: false).ToArray<float>());

        // u = 0 gives grey (every channel the value), u = 0.5 the image (factor 0.5 / (0.5 + 1e-7)), u = 1 full saturation.
        var grey = Train(new Layers.RandomSaturation((0, 0)), x);
        var value = D(NF.ReduceMax(x, -1));
        AssertClose(value.SelectMany(v => new[] { v, v, v }).ToArray(), grey.Select(v => (double)v).ToArray(), 1e-6, 1e-6, "u = 0");
        AssertClose(D(x), Train(new Layers.RandomSaturation((0.5, 0.5)), x).Select(v => (double)v).ToArray(), 1e-5, 1e-6, "u = 0.5");
        AssertClose(D(NF.Image.AdjustSaturation(x, 1e7)), Train(new Layers.RandomSaturation((1, 1), valueRange: (0, 1)), x).Select(v => (double)v).ToArray(), 1e-5, 1e-6, "u = 1");
    }

    [SkippableFact]
    public void Sharpness_and_jitter_follow_keras()
    {
        RequireBackend();
        var x = Unit();
        AssertClose(ImageReferences.Sharpness0, Train(new Layers.RandomSharpness((0, 0), valueRange: (0, 1)), x).Select(v => (double)v).ToArray(), 1e-5, 1e-6, "s = 0");
        AssertClose(ImageReferences.Sharpness2, Train(new Layers.RandomSharpness((1, 1), valueRange: (0, 1)), x).Select(v => (double)v).ToArray(), 1e-5, 1e-6, "s = 2");
        Assert.Equal(x.ToArray<float>(), Train(new Layers.RandomSharpness((0.5, 0.5), valueRange: (0, 1)), x));

        // Brightness (0.1, 0.1) then saturation u = 0: the brighter image's value in every channel.
        var jitter = new Layers.RandomColorJitter((0, 1), brightnessFactor: (0.1, 0.1), saturationFactor: (0, 0), seed: 3);
        var value = D(NF.ReduceMax(NF.Clip(x + 0.1f, 0f, 1f), -1));
        AssertClose(value.SelectMany(v => new[] { v, v, v }).ToArray(), Train(jitter, x).Select(v => (double)v).ToArray(), 1e-5, 1e-6, "jitter");
        Assert.Equal(x.ToArray<float>(), jitter.Call(x, training: false).ToArray<float>());
        // Every step at once stays in the value range.
        var all = new Layers.RandomColorJitter((0, 1), (-0.2, 0.2), (0.5, 0.5), (0.2, 0.8), (0, 0.5), seed: 5);
        Assert.All(Train(all, x), v => Assert.InRange(v, -1e-6f, 1 + 1e-6f));
    }

    [SkippableFact]
    public void Erasing_fills_one_rectangle_of_the_chosen_images()
    {
        RequireBackend();
        var x = NF.Fill([40, 8, 10, 2], 0.5);
        var y = Train(new Layers.RandomErasing((1, 1), (0.1, 0.4), fillValue: 2, valueRange: (0, 1), seed: 6), x);
        // Every image erased (probability 1): the fill clipped to the range (1), on one axis-aligned
        // rectangle of sqrt(0.1..0.4) of each side, the same in both channels.
        for (int n = 0; n < 40; n++)
        {
            var image = y.AsSpan(n * 160, 160).ToArray();
            Assert.All(image, v => Assert.True(v == 0.5f || v == 1f));
            var erased = Enumerable.Range(0, 80).Where(p => image[2 * p] == 1f).ToArray();
            Assert.All(Enumerable.Range(0, 80), p => Assert.Equal(image[2 * p], image[2 * p + 1]));
            int top = erased.Min() / 10, bottom = erased.Max() / 10, left = erased.Min(p => p % 10), right = erased.Max(p => p % 10);
            Assert.Equal((bottom - top + 1) * (right - left + 1), erased.Length);
            Assert.InRange(bottom - top + 1, 2, 6); // ceil-ish of sqrt(0.1..0.4) * 8 = 2.5..5.1 rows
            Assert.InRange(right - left + 1, 3, 7);
        }
        // Factor (0, 0) erases nothing; inference is the identity; noise fill stays in the range.
        Assert.Equal(x.ToArray<float>(), Train(new Layers.RandomErasing((0, 0)), x));
        Assert.Equal(x.ToArray<float>(), new Layers.RandomErasing(1).Call(x, training: false).ToArray<float>());
        Assert.All(Train(new Layers.RandomErasing((1, 1), valueRange: (0, 1), seed: 2), x), v => Assert.InRange(v, 0f, 1f));
        Assert.Contains("scale must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomErasing(1, (0.1, 1.5))).Message);
        var keras = Assert.IsType<Layers.RandomErasing>(KerasSerialization.Deserialize(JsonNode.Parse(
            """{"class_name": "RandomErasing", "config": {"name": "e", "factor": 1.0, "scale": [0.02, 0.33], "fill_value": null, "value_range": [0, 255], "seed": null}}""")!, "keras"));
        Assert.Equal((0, 1), keras.Factor);
        Assert.Null(keras.FillValue);
    }

    [SkippableFact]
    public void Auto_contrast_gives_the_keras_test_values_in_training_and_inference()
    {
        RequireBackend();
        // auto_contrast_test.py: each channel of [[[1..3], [4..6]], [[7..9], [10..12]]] stretched to 0, 85, 170, 255.
        var layer = new Layers.AutoContrast((0, 255));
        var x = NF.ExpandDims(Docstring(), 0);
        float[] expected = [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255];
        AssertClose(expected.Select(v => (double)v).ToArray(), layer.Call(x, training: true).ToArray<float>().Select(v => (double)v).ToArray(), 1e-6, 1e-4, "training");
        AssertClose(expected.Select(v => (double)v).ToArray(), new Sequential(layer).Predict(x).ToArray<float>().Select(v => (double)v).ToArray(), 1e-6, 1e-4, "inference");
        // A constant channel is kept (Keras puts the input back where 0 / 0 gave NaN); uint8 [0, 128] spans 0..255.
        Assert.Equal([1f, 1f], layer.Call(NF.Constant(new float[] { 1, 1 }, [1, 2, 1, 1])).ToArray<float>());
        Assert.Equal([0f, 255f], layer.Call(NF.Constant(new byte[] { 0, 128 }, [1, 2, 1, 1])).ToArray<float>());
        Assert.Equal([-1f, 1f], new Layers.AutoContrast((-1, 1)).Call(NF.Constant(new float[] { 0.2f, 0.3f }, [2, 1, 1])).ToArray<float>());
        GradientTests.Check(t => new Layers.AutoContrast((0, 1)).Call(t[0]), GradientTests.In([2, 3, 3, 2], 21, 0, 1));
    }

    [SkippableFact]
    public void Configs_round_trip_and_keras_configs_load()
    {
        RequireBackend();
        var x = Unit();
        Layer[] layers = [new Layers.RandomGrayscale(0.3, seed: 1), new Layers.RandomHue((0.1, 0.3), (0, 1), seed: 2), new Layers.RandomSaturation(0.6, (0, 1)),
            new Layers.RandomSharpness((0.2, 0.4), (0, 1), seed: 3), new Layers.RandomColorJitter((0, 1), (-0.1, 0.2), null, (0.3, 0.5), (0, 0.1), seed: 4), new Layers.AutoContrast((0, 1)),
            new Layers.RandomErasing((0.2, 0.6), (0.1, 0.2), fillValue: 0.5, valueRange: (0, 1), seed: 5)];
        var model = new Sequential(layers);
        var expected = model.Predict(x).ToArray<float>();
        var loaded = Assert.IsType<Sequential>(Model.Load(SaveTo(model, "colour.nfmodel")));
        for (int i = 0; i < layers.Length; i++)
            Assert.True(JsonNode.DeepEquals(model.Layers[i].GetConfig(), loaded.Layers[i].GetConfig()), model.Layers[i].GetType().Name);
        Assert.Equal(expected, loaded.Predict(x).ToArray<float>());

        // Keras writes single factors: (0, f) for hue, saturation and sharpness; jitter's as each layer reads them.
        Layer Keras(string json) => KerasSerialization.Deserialize(JsonNode.Parse(json)!, "keras");
        Assert.Equal((0, 0.3), Assert.IsType<Layers.RandomHue>(Keras("""{"class_name": "RandomHue", "config": {"name": "h", "factor": 0.3, "value_range": [0, 255], "seed": null}}""")).Factor);
        Assert.Equal((0, 0.5), Assert.IsType<Layers.RandomSharpness>(Keras("""{"class_name": "RandomSharpness", "config": {"name": "s", "factor": 0.5, "value_range": [0, 255], "seed": 1}}""")).Factor);
        Assert.Equal(0.2, Assert.IsType<Layers.RandomGrayscale>(Keras("""{"class_name": "RandomGrayscale", "config": {"name": "g", "factor": 0.2, "data_format": "channels_last"}}""")).Factor);
        var jitter = Assert.IsType<Layers.RandomColorJitter>(Keras("""{"class_name": "RandomColorJitter", "config": {"name": "j", "value_range": [0, 1], "brightness_factor": 0.2, "contrast_factor": 0.3, "saturation_factor": [0.4, 0.6], "hue_factor": 0.1, "seed": null}}"""));
        Assert.Equal(((double, double)?)(-0.2, 0.2), jitter.BrightnessFactor);
        Assert.Equal(((double, double)?)(0.3, 0.3), jitter.ContrastFactor);
        Assert.Equal(((double, double)?)(0.4, 0.6), jitter.SaturationFactor);
        Assert.Equal(((double, double)?)(0, 0.1), jitter.HueFactor);
        Assert.Null(Assert.IsType<Layers.RandomColorJitter>(Keras("""{"class_name": "RandomColorJitter", "config": {"name": "k", "hue_factor": null}}""")).HueFactor);
    }

    [SkippableFact]
    public void Bad_factors_and_images_are_refused_by_name()
    {
        RequireBackend();
        Assert.Contains("factor (a probability) must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomGrayscale(1.5)).Message);
        Assert.Contains("RandomHue: factor must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomHue(1.2)).Message);
        Assert.Contains("lower <= upper", Assert.Throws<ArgumentException>(() => new Layers.RandomSaturation((0.6, 0.2))).Message);
        Assert.Contains("RandomSharpness: valueRange", Assert.Throws<ArgumentException>(() => new Layers.RandomSharpness(0.5, (1, 1))).Message);
        Assert.Contains("RandomHue: factor must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomColorJitter(hueFactor: (0, 2))).Message);
        Assert.Contains("AutoContrast: valueRange", Assert.Throws<ArgumentException>(() => new Layers.AutoContrast((2, 1))).Message);
        var four = NF.Zeros([1, 2, 2, 4]);
        Assert.Contains("must have 3 channels", Assert.Throws<ArgumentException>(() => new Layers.RandomHue(0.2).Call(four, training: true)).Message);
        Assert.Contains("1 or 3 channels", Assert.Throws<ArgumentException>(() => new Layers.RandomGrayscale().Call(four, training: true)).Message);
        Assert.Contains("images must be NHWC", Assert.Throws<ArgumentException>(() => new Layers.AutoContrast().Call(NF.Zeros([4, 4]))).Message);
    }
}

public sealed class ManagedImageAugmentLayerTests() : ImageAugmentLayerTests("managed");

public sealed class NativeCpuImageAugmentLayerTests() : ImageAugmentLayerTests("cpu");

public sealed class CudaImageAugmentLayerTests() : ImageAugmentLayerTests("cuda");
