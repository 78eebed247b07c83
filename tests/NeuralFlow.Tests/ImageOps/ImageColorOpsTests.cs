using static NeuralFlow.Tests.ImageOps.ImageOpsData;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ImageOps;

/// <summary>
/// The colour and geometry ops of NF.Image (tf.image's adjust_*, flips, central_crop,
/// per_image_standardization; keras.ops.image's rgb_to_grayscale, rgb_to_hsv, hsv_to_rgb, pad_images,
/// crop_images) on every engine. References: TF's docstrings (tensorflow/python/ops/image_ops_impl.py,
/// the image [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]) and ImageReferences.cs (Python's
/// colorsys, make_references.py); float64 finite-difference gradients (GradientTests.Check).
/// </summary>
public abstract class ImageColorOpsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void The_tf_image_docstring_examples_give_their_printed_values()
    {
        RequireBackend();
        var x = Docstring();
        AssertClose([2, 2.5, 3, 5, 5.5, 6, 8, 8.5, 9, 11, 11.5, 12], D(NF.Image.AdjustSaturation(x, 0.5)), 1e-6, 1e-5, "adjust_saturation");
        AssertClose([2.3999996, 1, 3, 5.3999996, 4, 6, 8.4, 7, 9, 11.4, 10, 12], D(NF.Image.AdjustHue(x, 0.2)), 1e-6, 1e-5, "adjust_hue");
        AssertClose([-3.5, -2.5, -1.5, 2.5, 3.5, 4.5, 8.5, 9.5, 10.5, 14.5, 15.5, 16.5], D(NF.Image.AdjustContrast(x, 2)), 1e-6, 1e-5, "adjust_contrast");
        AssertClose([1, 1.1486983, 1.2457309, 1.319508, 1.3797297, 1.4309691, 1.4757731, 1.5157166, 1.5518456, 1.5848932, 1.6153942, 1.6437519],
            D(NF.Image.AdjustGamma(x, 0.2)), 1e-6, 1e-6, "adjust_gamma");
        AssertClose(Enumerable.Range(1, 12).Select(v => v + 0.1).ToArray(), D(NF.Image.AdjustBrightness(x, 0.1)), 1e-6, 1e-6, "adjust_brightness");
        // rgb_to_grayscale([[[1, 2, 3]]]) prints [[[1.81...]]]: 0.2989 + 2 * 0.5870 + 3 * 0.1140 = 1.8149.
        var gray = NF.Image.RgbToGrayscale(NF.Constant(new float[] { 1, 2, 3 }, [1, 1, 3]));
        Assert.Equal([1, 1, 1], gray.Shape.ToArray());
        Assert.Equal(1.8149, gray.ToArray<float>()[0], 5);
    }

    [SkippableFact]
    public void Hsv_matches_colorsys_both_ways_in_both_layouts()
    {
        RequireBackend();
        var x = Images([2, 5, 6, 3]);
        AssertClose(ImageReferences.Hsv, D(NF.Image.RgbToHsv(x)), 1e-9, 1e-12, "rgb_to_hsv");
        AssertClose(D(x), D(NF.Image.HsvToRgb(NF.Image.RgbToHsv(x))), 1e-9, 1e-12, "round trip");
        // channels_first gives the same numbers with the channels on axis 1 (one image: axis 0).
        var first = NF.Transpose(x, [0, 3, 1, 2]);
        AssertClose(D(NF.Transpose(NF.Image.RgbToHsv(x), [0, 3, 1, 2])), D(NF.Image.RgbToHsv(first, "channels_first")), 1e-12, 1e-12, "NCHW");
        var one = NF.Slice(first, [1, 0, 0, 0], [1, -1, -1, -1]);
        AssertClose(D(NF.Image.RgbToHsv(NF.Squeeze(one, 0), "channels_first")), D(NF.Squeeze(NF.Image.RgbToHsv(one, "channels_first"), 0)), 0, 0, "CHW");
        AssertClose(D(NF.Image.RgbToGrayscale(NF.Transpose(x, [0, 3, 1, 2]), "channels_first")), D(NF.Transpose(NF.Image.RgbToGrayscale(x), [0, 3, 1, 2])), 1e-12, 1e-12, "gray NCHW");
        // float32 keeps float32; one-channel images are returned as they are; integer luma is truncated.
        Assert.Equal(DType.Float32, NF.Image.RgbToHsv(NF.Cast(x, DType.Float32)).DType);
        var g = NF.Image.RgbToGrayscale(NF.Constant(new int[] { 10, 20, 30 }, [1, 1, 3]));
        Assert.Equal(DType.Int32, g.DType);
        Assert.Equal(18, g.ToArray<int>()[0]); // 18.149 truncated as Keras' astype
    }

    [SkippableFact]
    public void Saturation_and_hue_match_colorsys()
    {
        RequireBackend();
        var x = Images([2, 5, 6, 3]);
        AssertClose(ImageReferences.Saturation04, D(NF.Image.AdjustSaturation(x, 0.4)), 1e-9, 1e-12, "saturation 0.4");
        AssertClose(ImageReferences.Saturation3, D(NF.Image.AdjustSaturation(x, 3)), 1e-9, 1e-12, "saturation 3 (clipped to 1)");
        AssertClose(ImageReferences.HueMinus03, D(NF.Image.AdjustHue(x, -0.3)), 1e-9, 1e-12, "hue -0.3");
        AssertClose(D(x), D(NF.Image.AdjustHue(x, 1)), 1e-9, 1e-12, "a full turn");
    }

    [SkippableFact]
    public void Standardization_flips_and_crops_follow_tf()
    {
        RequireBackend();
        var x = Images([2, 5, 6, 3]);
        var values = D(x);
        var s = D(NF.Image.PerImageStandardization(x));
        for (int n = 0; n < 2; n++)
        {
            var image = values.Skip(n * 90).Take(90).ToArray();
            double mean = image.Average(), std = Math.Sqrt(image.Select(v => (v - mean) * (v - mean)).Average());
            AssertClose(image.Select(v => (v - mean) / std).ToArray(), s.Skip(n * 90).Take(90).ToArray(), 1e-9, 1e-12, "standardized");
        }
        // A uniform image divides by 1 / sqrt(count) rather than 0: all zeros, no NaN.
        Assert.All(NF.Image.PerImageStandardization(NF.Fill([3, 3, 2], 7.0)).ToArray<float>(), v => Assert.Equal(0f, v));

        var small = NF.Constant(Enumerable.Range(0, 12).Select(v => (float)v).ToArray(), [3, 4, 1]);
        Assert.Equal([3f, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8], NF.Image.FlipLeftRight(small).ToArray<float>());
        Assert.Equal([8f, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3], NF.Image.FlipUpDown(small).ToArray<float>());
        // central_crop(0.5) of 3 x 4: start int((3 - 1.5) / 2) = 0 rows, int((4 - 2) / 2) = 1 column; sizes 3 and 2.
        var crop = NF.Image.CentralCrop(small, 0.5);
        Assert.Equal([3, 2, 1], crop.Shape.ToArray());
        Assert.Equal([1f, 2, 5, 6, 9, 10], crop.ToArray<float>());
        Assert.Equal(small.ToArray<float>(), NF.Image.CentralCrop(small, 1).ToArray<float>());

        var padded = NF.Image.PadImages(small, 1, 2, 0, 1);
        Assert.Equal([4, 7, 1], padded.Shape.ToArray());
        Assert.Equal(small.ToArray<float>(), NF.Image.CropImages(padded, 1, 2, 0, 1).ToArray<float>());
        var nchw = NF.Image.PadImages(NF.Transpose(NF.ExpandDims(small, 0), [0, 3, 1, 2]), 1, 2, 0, 1, "channels_first");
        Assert.Equal([1, 1, 4, 7], nchw.Shape.ToArray());
        Assert.Equal(padded.ToArray<float>(), nchw.ToArray<float>());
        Assert.Equal([5f, 6], NF.Image.CropImages(small, 1, 1, 1, 1).ToArray<float>());
    }

    [SkippableFact]
    public void The_colour_ops_have_float64_gradients()
    {
        RequireBackend();
        // Values in (0.05, 0.95) with distinct channels, away from the HSV branch points.
        var x = GradientTests.In([2, 2, 3, 3], 5, 0.05, 0.95);
        GradientTests.Check(t => NF.Image.RgbToHsv(t[0]), x);
        GradientTests.Check(t => NF.Image.HsvToRgb(t[0]), GradientTests.In([2, 2, 3, 3], 6, 0.05, 0.95));
        GradientTests.Check(t => NF.Image.AdjustSaturation(t[0], 0.6), x);
        GradientTests.Check(t => NF.Image.AdjustHue(t[0], 0.15), x);
        GradientTests.Check(t => NF.Image.RgbToGrayscale(t[0], "channels_first"), GradientTests.In([1, 3, 2, 2], 7));
        GradientTests.Check(t => NF.Image.AdjustContrast(t[0], 1.7), x);
        GradientTests.Check(t => NF.Image.AdjustGamma(t[0], 2.2, 0.9), x);
        GradientTests.Check(t => NF.Image.PerImageStandardization(t[0]), x);
        GradientTests.Check(t => NF.Image.CentralCrop(NF.Image.PadImages(t[0], 1, 0, 2, 1), 0.7), x);
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_by_name()
    {
        RequireBackend();
        var rgb = Images([1, 2, 2, 3]);
        var four = Images([1, 2, 2, 4]);
        Assert.Contains("must have 3 channels", Assert.Throws<ArgumentException>(() => NF.Image.RgbToHsv(four)).Message);
        Assert.Contains("must have 3 channels", Assert.Throws<ArgumentException>(() => NF.Image.HsvToRgb(Images([2, 2, 1]))).Message);
        Assert.Contains("1 or 3 channels", Assert.Throws<ArgumentException>(() => NF.Image.RgbToGrayscale(four)).Message);
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.Image.RgbToHsv(NF.Cast(rgb, DType.Int32))).Message);
        Assert.Contains("dataFormat", Assert.Throws<ArgumentException>(() => NF.Image.RgbToHsv(rgb, "nchw_first")).Message);
        Assert.Contains("images must be NHWC", Assert.Throws<ArgumentException>(() => NF.Image.AdjustHue(NF.Zeros([3, 3]), 0.1)).Message);
        Assert.Contains("delta must lie in [-1, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.AdjustHue(rgb, 1.5)).Message);
        Assert.Contains("factor must be a finite number in [0, inf)", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.AdjustSaturation(rgb, -0.1)).Message);
        Assert.Contains("gamma must be a finite non-negative", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.AdjustGamma(rgb, -1)).Message);
        Assert.Contains("fraction must lie in (0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.CentralCrop(rgb, 0)).Message);
        Assert.Contains("must be at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.PadImages(rgb, -1, 0, 0, 0)).Message);
        Assert.Contains("leaves nothing", Assert.Throws<ArgumentException>(() => NF.Image.CropImages(rgb, 1, 0, 1, 0)).Message);
        Assert.Contains("delta must be a finite number", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.AdjustBrightness(rgb, double.NaN)).Message);
    }
}

public sealed class ManagedImageColorOpsTests() : ImageColorOpsTests("managed");

public sealed class NativeCpuImageColorOpsTests() : ImageColorOpsTests("cpu");

public sealed class CudaImageColorOpsTests() : ImageColorOpsTests("cuda");
