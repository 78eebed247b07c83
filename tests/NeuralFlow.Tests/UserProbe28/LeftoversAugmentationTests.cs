using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// Keras 3's argument rules and output dtype in the Random* image layers. A reversed value_range is sorted where
/// Keras' constructor writes <c>self.value_range = sorted(value_range)</c> (RandomBrightness, RandomSaturation,
/// RandomSharpness, RandomColorDegeneration, RandomPosterization, Solarization; NF refused it before) and still
/// refused where Keras takes it as given (RandomContrast, RandomHue, RandomInvert). RandomRotation's single
/// factor must lie in [-1, 1], as Keras' _set_factor requires (NF took 1.5 turns before); a pair is refused only
/// when it lies wholly outside, as Keras checks it. Float64 images work in every layer, in float64.
/// Rules read from keras/src/layers/preprocessing/image_preprocessing/*.py in the keras-team/keras snapshot.
/// </summary>
public abstract class LeftoversAugmentationTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_reversed_value_range_is_sorted_where_Keras_sorts_it()
    {
        RequireBackend();
        Assert.Equal((0.0, 255.0), new Layers.RandomBrightness(0.2, valueRange: (255, 0)).ValueRange);
        Assert.Equal((0.0, 1.0), new Layers.RandomSaturation(0.5, valueRange: (1, 0)).ValueRange);
        Assert.Equal((0.0, 1.0), new Layers.RandomSharpness(0.5, valueRange: (1, 0)).ValueRange);
        Assert.Equal((0.0, 1.0), new Layers.RandomColorDegeneration(0.5, valueRange: (1, 0)).ValueRange);
        Assert.Equal((0.0, 255.0), new Layers.RandomPosterization(4, valueRange: (255, 0)).ValueRange);
        Assert.Equal((0.0, 255.0), new Layers.Solarization(0.2, 0.2, valueRange: (255, 0)).ValueRange);

        // The sorted layer draws and clips as the one given in order.
        var images = NF.Reshape(NF.Range(0f, 48f) * 5f, [1, 4, 4, 3]);
        var reversed = new Layers.RandomBrightness((0.1, 0.3), valueRange: (200, 0), seed: 3).Call(images, training: true);
        var ordered = new Layers.RandomBrightness((0.1, 0.3), valueRange: (0, 200), seed: 3).Call(images, training: true);
        Assert.Equal(ordered.ToArray<float>(), reversed.ToArray<float>());
        Assert.Equal(200f, NF.ReduceMax(reversed).ToArray<float>()[0]);

        // Where Keras keeps the pair as given, a reversed one would clip every pixel to one bound: refused.
        foreach (var make in new Func<Layer>[] { () => new Layers.RandomContrast(0.5, valueRange: (255, 0)), () => new Layers.RandomHue(0.5, valueRange: (255, 0)), () => new Layers.RandomInvert(valueRange: (255, 0)) })
        {
            var e = Assert.Throws<ArgumentException>(make);
            Assert.Equal("valueRange", e.ParamName);
            Assert.Contains("low < high", e.Message);
        }
    }

    [SkippableFact]
    public void RandomRotation_takes_factors_in_Keras_bounds()
    {
        RequireBackend();
        var above = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomRotation(1.5));
        Assert.Equal("factor", above.ParamName);
        Assert.Contains("RandomRotation: factor must lie in [-1, 1]", above.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomRotation(-1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomRotation(double.NaN));
        Assert.Equal((-1.0, 1.0), new Layers.RandomRotation(1).Factor);
        Assert.Equal((-1.0, 1.0), new Layers.RandomRotation(-1).Factor);

        // Keras checks a pair as given (factor[0] > 1 or factor[1] < -1), then sorts it.
        Assert.Equal((-2.0, 2.0), new Layers.RandomRotation((-2, 2)).Factor);
        Assert.Equal((0.5, 3.0), new Layers.RandomRotation((0.5, 3)).Factor);
        Assert.Equal((-0.1, 0.2), new Layers.RandomRotation((0.2, -0.1)).Factor);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomRotation((2, -2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomRotation((1.5, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomRotation((-3, -1.5)));

        // A full turn either way is the image itself (up to the float arithmetic of the rotation matrix).
        var images = NF.Reshape(NF.Range(0f, 27f), [1, 3, 3, 3]);
        var turned = new Layers.RandomRotation((1, 1), interpolation: "nearest", seed: 1).Call(images, training: true);
        Assert.Equal(images.ToArray<float>(), turned.ToArray<float>());
    }

    [SkippableFact]
    public void Float64_images_stay_float64_in_every_random_image_layer()
    {
        RequireBackend();
        // NeuralFlow keeps float32 and float64 images in their dtype (integer ones become float32), under any
        // layer policy; Keras 3 would cast them to the compute dtype (float32 by default) instead, which this
        // library has not adopted (finite-difference gradient checks run these layers in float64).
        var img64 = NF.Constant(Enumerable.Range(0, 384).Select(i => i * 37 % 255 + 0.25).ToArray(), new Shape(2, 8, 8, 3));
        var bytes = NF.Cast(img64, DType.UInt8);
        foreach (var layer in AllLayers())
        {
            string what = layer.GetType().Name;
            foreach (var (input, training, expected) in new[] { (img64, true, DType.Float64), (img64, false, DType.Float64), (bytes, true, DType.Float32) })
            {
                var y = layer.Call(input, training);
                Assert.True(expected == y.DType, $"{what} (training {training}, {input.DType.Name()} images) gave {y.DType.Name()}");
                Assert.True(NF.ReduceAll(NF.IsFinite(y)).ToArray<bool>()[0], $"{what}: not finite");
            }
        }

        // Computed in float64, not through float32: a step of 1e-9 survives (float32 would round it away).
        var fine = NF.Constant(new[] { 100.000000001, 100.000000002, 100.000000003 }, new Shape(1, 1, 1, 3));
        Assert.Equal(fine.ToArray<double>(), new Layers.RandomBrightness((0, 0)).Call(fine, training: true).ToArray<double>());
        Assert.Equal(fine.ToArray<double>(), new Layers.RandomRotation((0, 0)).Call(fine, training: true).ToArray<double>());
    }

    private static Layer[] AllLayers() =>
    [
        new Layers.RandomZoom(0.2, seed: 1), new Layers.RandomErasing(seed: 1), new Layers.RandomFlip(seed: 1),
        new Layers.RandomTranslation(0.1, 0.1, seed: 1), new Layers.RandomPosterization(4, seed: 1), new Layers.RandomGaussianBlur(seed: 1),
        new Layers.RandomCrop(4, 4, seed: 1), new Layers.RandomSharpness(0.5, seed: 1),
        new Layers.RandomColorJitter(brightnessFactor: (0.1, 0.2), contrastFactor: (0.1, 0.2), saturationFactor: (0.1, 0.2), hueFactor: (0.1, 0.2), seed: 1),
        new Layers.RandomSaturation(0.5, seed: 1), new Layers.RandAugment(seed: 1), new Layers.AugMix(seed: 1), new Layers.RandomGrayscale(seed: 1),
        new Layers.RandomElasticTransform(seed: 1), new Layers.RandomContrast(0.5, seed: 1), new Layers.RandomBrightness(0.2, seed: 1),
        new Layers.RandomRotation(0.2, seed: 1), new Layers.RandomInvert(seed: 1), new Layers.RandomColorDegeneration(0.5, seed: 1),
        new Layers.RandomHue(0.5, seed: 1), new Layers.RandomShear(0.2, 0.2, seed: 1), new Layers.RandomPerspective(seed: 1),
        new Layers.Solarization(0.2, 0.2, seed: 1), new Layers.MixUp(seed: 1), new Layers.CutMix(seed: 1),
    ];
}

/// <summary>Image layer rules on the managed backend.</summary>
public sealed class ManagedLeftoversAugmentationTests() : LeftoversAugmentationTests("managed");

/// <summary>Image layer rules on the native CPU backend.</summary>
public sealed class NativeCpuLeftoversAugmentationTests() : LeftoversAugmentationTests("cpu");

/// <summary>Image layer rules on CUDA.</summary>
public sealed class CudaLeftoversAugmentationTests() : LeftoversAugmentationTests("cuda");
