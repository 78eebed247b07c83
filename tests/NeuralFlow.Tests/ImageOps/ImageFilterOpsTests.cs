using static NeuralFlow.Tests.ImageOps.ImageOpsData;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ImageOps;

/// <summary>
/// The windowed ops of NF.Image (keras.ops.image's gaussian_blur, extract_patches, map_coordinates;
/// tf.image's sobel_edges, total_variation, psnr, ssim) on every engine. References: ImageReferences.cs
/// (torch 1.13 conv2d / unfold / grid_sample and numpy, make_references.py), Keras' extract_patches
/// docstring shapes (keras/src/ops/image.py) and the fill-mode diagrams of scipy.ndimage; float64
/// finite-difference gradients (GradientTests.Check).
/// </summary>
public abstract class ImageFilterOpsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Gaussian_blur_matches_torch_in_both_layouts()
    {
        RequireBackend();
        var x = Images([2, 5, 6, 3]);
        AssertClose(ImageReferences.Blur35, D(NF.Image.GaussianBlur(x, (3, 5), (1.0, 2.0))), 1e-9, 1e-12, "NHWC");
        var first = NF.Image.GaussianBlur(NF.Transpose(x, [0, 3, 1, 2]), (3, 5), (1.0, 2.0), "channels_first");
        AssertClose(ImageReferences.Blur35, D(NF.Transpose(first, [0, 2, 3, 1])), 1e-9, 1e-12, "NCHW");
        // One image, float32 input.
        var one = NF.Image.GaussianBlur(NF.Cast(NF.Squeeze(NF.Slice(x, [1, 0, 0, 0], [1, -1, -1, -1]), 0), DType.Float32), (3, 5), (1.0, 2.0));
        Assert.Equal(DType.Float32, one.DType);
        AssertClose(ImageReferences.Blur35.Skip(90).ToArray(), D(one), 1e-5, 1e-6, "HWC float32");
    }

    [SkippableFact]
    public void Patches_match_torch_unfold_in_tf_order()
    {
        RequireBackend();
        var x = Images([2, 5, 6, 3]);
        var p = NF.Image.ExtractPatches(x, (2, 3), (2, 2));
        Assert.Equal([2, 2, 2, 18], p.Shape.ToArray());
        AssertClose(ImageReferences.Patches23, D(p), 1e-12, 1e-12, "2 x 3, strides 2");
        var dilated = NF.Image.ExtractPatches(x, (2, 2), (1, 1), dilation: 2);
        Assert.Equal([2, 3, 4, 12], dilated.Shape.ToArray());
        AssertClose(ImageReferences.PatchesDilated, D(dilated), 1e-12, 1e-12, "dilation 2");
        // keras/src/ops/image.py: (2, 20, 20, 3) with (5, 5) -> (2, 4, 4, 75); one (20, 20, 3) image with (3, 3), (1, 1) -> (18, 18, 27).
        Assert.Equal([2, 4, 4, 75], NF.Image.ExtractPatches(NF.Zeros([2, 20, 20, 3]), (5, 5)).Shape.ToArray());
        Assert.Equal([18, 18, 27], NF.Image.ExtractPatches(NF.Zeros([20, 20, 3]), (3, 3), (1, 1)).Shape.ToArray());
        // "same" keeps ceil(size / stride) patches; channels_first puts the patch depth on axis 1; integers stay integers.
        Assert.Equal([2, 3, 3, 12], NF.Image.ExtractPatches(x, (2, 2), (2, 2), padding: "same").Shape.ToArray());
        var nchw = NF.Image.ExtractPatches(NF.Transpose(x, [0, 3, 1, 2]), (2, 3), (2, 2), dataFormat: "channels_first");
        AssertClose(ImageReferences.Patches23, D(NF.Transpose(nchw, [0, 2, 3, 1])), 1e-12, 1e-12, "NCHW");
        var ints = NF.Image.ExtractPatches(NF.Constant(Enumerable.Range(0, 16).ToArray(), [4, 4, 1]), (2, 2));
        Assert.Equal(DType.Int32, ints.DType);
        Assert.Equal([0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15], ints.ToArray<int>());
    }

    [SkippableFact]
    public void Sobel_variation_psnr_and_ssim_match_their_references()
    {
        RequireBackend();
        var x = Images([2, 5, 6, 3]);
        var sobel = NF.Image.SobelEdges(x);
        Assert.Equal([2, 5, 6, 3, 2], sobel.Shape.ToArray());
        AssertClose(ImageReferences.Sobel, D(sobel), 1e-12, 1e-12, "sobel_edges");
        var sobelFirst = NF.Image.SobelEdges(NF.Transpose(x, [0, 3, 1, 2]), "channels_first");
        AssertClose(D(NF.Transpose(sobel, [0, 3, 1, 2, 4])), D(sobelFirst), 1e-12, 1e-12, "NCHW sobel");
        AssertClose(ImageReferences.TotalVariation, D(NF.Image.TotalVariation(x)), 1e-12, 1e-12, "total_variation");
        Assert.Equal(0, NF.Image.TotalVariation(NF.Squeeze(NF.Slice(x, [1, 0, 0, 0], [1, -1, -1, -1]), 0)).Rank);
        var y = Other([2, 5, 6, 3]);
        AssertClose(ImageReferences.Psnr, D(NF.Image.Psnr(x, y, 1)), 1e-12, 1e-12, "psnr");
        Assert.True(double.IsPositiveInfinity(D(NF.Image.Psnr(x, x, 1))[0]));
        AssertClose(ImageReferences.Ssim5, D(NF.Image.Ssim(x, y, 1, filterSize: 5)), 1e-10, 1e-12, "ssim 5 x 5");
        AssertClose([1, 1], D(NF.Image.Ssim(x, x, 1, filterSize: 5)), 1e-12, 1e-12, "ssim of equal images");
        // TF's default 11 x 11 window with sigma 1.5 on one 12 x 13 image (a scalar).
        var a = Images([1, 12, 13, 3]);
        var noise = NF.Constant(Enumerable.Range(0, 12 * 13 * 3).Select(i => 0.1 * Math.Sin(i)).ToArray(), [1, 12, 13, 3]);
        var ssim = NF.Image.Ssim(NF.Squeeze(a, 0), NF.Squeeze(NF.Clip(a + noise, 0.0, 1.0), 0), 1);
        Assert.Equal(0, ssim.Rank);
        AssertClose(ImageReferences.Ssim11, D(ssim), 1e-10, 1e-12, "ssim 11 x 11");
    }

    [SkippableFact]
    public void Map_coordinates_matches_grid_sample_and_the_fill_mode_diagrams()
    {
        RequireBackend();
        var image = NF.Constant(ImageReferences.MapImage, [5, 6]);
        var points = NF.Constant(ImageReferences.MapRows.Concat(ImageReferences.MapColumns).ToArray(), [2, 7]);
        foreach (var (mode, linear, nearest) in new[] {
            ("constant", ImageReferences.MapLinearConstant, ImageReferences.MapNearestConstant),
            ("nearest", ImageReferences.MapLinearNearest, ImageReferences.MapNearestNearest),
            ("mirror", ImageReferences.MapLinearMirror, ImageReferences.MapNearestMirror) })
        {
            AssertClose(linear, D(NF.Image.MapCoordinates(image, points, 1, mode)), 1e-12, 1e-12, $"order 1 {mode}");
            AssertClose(nearest, D(NF.Image.MapCoordinates(image, points, 0, mode)), 1e-12, 1e-12, $"order 0 {mode}");
        }
        // scipy.ndimage's diagrams for a b c d = 1 2 3 4 read at -1 and 4: reflect (d c b a | a b c d | d c b a),
        // mirror (d c b | a b c d | c b a), wrap (a b c d | a b c d), nearest (a a | a b c d | d d), constant k.
        var line = NF.Constant(new double[] { 1, 2, 3, 4 }, [4]);
        var outside = NF.Constant(new double[] { -1, 4, 1.5 }, [1, 3]);
        Assert.Equal([1.0, 4, 2.5], NF.Image.MapCoordinates(line, outside, 1, "reflect").ToArray<double>());
        Assert.Equal([2.0, 3, 2.5], NF.Image.MapCoordinates(line, outside, 1, "mirror").ToArray<double>());
        Assert.Equal([4.0, 1, 2.5], NF.Image.MapCoordinates(line, outside, 1, "wrap").ToArray<double>());
        Assert.Equal([1.0, 4, 2.5], NF.Image.MapCoordinates(line, outside, 1, "nearest").ToArray<double>());
        Assert.Equal([9.0, 9, 2.5], NF.Image.MapCoordinates(line, outside, 1, "constant", 9).ToArray<double>());
        // Order 0 rounds half to even (1.5 -> 2, 2.5 -> 2), as jnp.round and torch.round.
        Assert.Equal([3.0, 3], NF.Image.MapCoordinates(line, NF.Constant(new double[] { 1.5, 2.5 }, [1, 2]), 0).ToArray<double>());
        // Integer inputs come back in their dtype, rounded (Keras' torch and TF backends): 1 2 3 4 at 0.3 and 1.7 -> 1.3, 2.7.
        var ints = NF.Image.MapCoordinates(NF.Constant(new[] { 1, 2, 3, 4 }, [4]), NF.Constant(new double[] { 0.3, 1.7 }, [1, 2]), 1);
        Assert.Equal(DType.Int32, ints.DType);
        Assert.Equal([1, 3], ints.ToArray<int>());
    }

    [SkippableFact]
    public void Perspective_transform_solves_keras_homography_and_reads_like_grid_sample()
    {
        RequireBackend();
        var x = Images([2, 5, 6, 3]);
        var start = NF.Constant(new double[] { 0, 0, 0, 5, 6, 0, 6, 5 }, [4, 2]);
        var end = NF.Constant(new double[] { 0.5, 0.3, 0.2, 4.6, 5.4, -0.4, 6.3, 4.8 }, [4, 2]);
        var y = NF.Image.PerspectiveTransform(x, start, end);
        Assert.Equal([2, 5, 6, 3], y.Shape.ToArray());
        // The transform's coordinates are float32 (as AffineTransform computes them), the reference's float64.
        AssertClose(ImageReferences.Perspective, D(y), 1e-5, 1e-5, "bilinear, zeros outside");
        // Per-image points [N, 4, 2], channels_first, one image: the same numbers.
        var both = NF.Image.PerspectiveTransform(NF.Transpose(x, [0, 3, 1, 2]), NF.Stack([start, start], 0), NF.Stack([end, end], 0), dataFormat: "channels_first");
        AssertClose(D(y), D(NF.Transpose(both, [0, 2, 3, 1])), 1e-12, 1e-12, "NCHW");
        var one = NF.Image.PerspectiveTransform(NF.Squeeze(NF.Slice(x, [1, 0, 0, 0], [1, -1, -1, -1]), 0), start, end);
        AssertClose(ImageReferences.Perspective.Skip(90).ToArray(), D(one), 1e-5, 1e-5, "HWC");
        // Equal points are the identity; Keras' docstring shapes (2, 64, 80, 3) -> (2, 64, 80, 3).
        AssertClose(D(x), D(NF.Image.PerspectiveTransform(x, start, start)), 1e-6, 1e-6, "identity");
        var corners = NF.Constant(new float[] { 0, 0, 0, 64, 80, 0, 80, 64 }, [4, 2]);
        var moved = NF.Constant(new float[] { 3, 5, 7, 64, 76, -10, 84, 61 }, [4, 2]);
        Assert.Equal([2, 64, 80, 3], NF.Image.PerspectiveTransform(NF.Zeros([2, 64, 80, 3]), corners, moved).Shape.ToArray());
        Assert.Contains("must have shape [4, 2] or [2, 4, 2]", Assert.Throws<ArgumentException>(() => NF.Image.PerspectiveTransform(x, NF.Zeros([3, 2]), NF.Zeros([3, 2]))).Message);
        Assert.Contains("same shape", Assert.Throws<ArgumentException>(() => NF.Image.PerspectiveTransform(x, start, NF.Stack([end, end], 0))).Message);
        Assert.Contains("singular", Assert.Throws<ArgumentException>(() => NF.Image.PerspectiveTransform(x, start, NF.Zeros([4, 2]))).Message);
    }

    [SkippableFact]
    public void The_windowed_ops_have_float64_gradients()
    {
        RequireBackend();
        var x = GradientTests.In([2, 4, 5, 2], 11, 0, 1);
        GradientTests.Check(t => NF.Image.GaussianBlur(t[0], (3, 2), (0.8, 1.3)), x);
        GradientTests.Check(t => NF.Image.ExtractPatches(t[0], (2, 2), (1, 2), padding: "same"), x);
        GradientTests.Check(t => NF.Image.SobelEdges(t[0]), x);
        GradientTests.Check(t => NF.Image.TotalVariation(t[0]), x);
        GradientTests.Check(t => NF.Image.Psnr(t[0], t[1], 2), x, GradientTests.In([2, 4, 5, 2], 12, 0, 1));
        GradientTests.Check(t => NF.Image.Ssim(t[0], t[1], 1, filterSize: 3), x, GradientTests.In([2, 4, 5, 2], 13, 0, 1));
        GradientTests.Check(t => NF.Image.PerspectiveTransform(t[0], NF.Constant(new double[] { 0, 0, 0, 3, 4, 0, 4, 3 }, [4, 2]),
            NF.Constant(new double[] { 0.3, 0.2, 0.1, 3.2, 3.7, -0.1, 4.2, 2.9 }, [4, 2])), x);
        // Both the image and the coordinates (away from integer points, where the weights kink).
        GradientTests.Check(t => NF.Image.MapCoordinates(t[0], t[1], 1, "mirror"),
            GradientTests.In([3, 4], 14), (new[] { 0.3, 1.6, -0.7, 2.4, 0.2, 3.7, 1.1, -0.6 }, [2, 4]));
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_by_name()
    {
        RequireBackend();
        var x = Images([1, 4, 4, 3]);
        Assert.Contains("patch size must be at least 1 x 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.ExtractPatches(x, (0, 2))).Message);
        Assert.Contains("strides must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.ExtractPatches(x, (2, 2), (0, 1))).Message);
        Assert.Contains("dilation must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.ExtractPatches(x, (2, 2), dilation: 0)).Message);
        Assert.Contains("padding must be \"valid\" or \"same\"", Assert.Throws<ArgumentException>(() => NF.Image.ExtractPatches(x, (2, 2), padding: "full")).Message);
        Assert.Contains("kernel size must be at least 1 x 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.GaussianBlur(x, (0, 3))).Message);
        Assert.Contains("sigma must be two finite positive", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.GaussianBlur(x, sigma: (1.0, 0.0))).Message);
        Assert.Contains("at least 2 x 2 pixels", Assert.Throws<ArgumentException>(() => NF.Image.SobelEdges(Images([1, 1, 4, 3]))).Message);
        Assert.Contains("same shape", Assert.Throws<ArgumentException>(() => NF.Image.Psnr(x, Images([1, 4, 5, 3]), 1)).Message);
        Assert.Contains("maxVal", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.Psnr(x, x, 0)).Message);
        Assert.Contains("smaller than the 11 x 11 filter", Assert.Throws<ArgumentException>(() => NF.Image.Ssim(x, x, 1)).Message);
        var image = NF.Zeros([3, 4]);
        Assert.Contains("coordinates must have shape [2, ...]", Assert.Throws<ArgumentException>(() => NF.Image.MapCoordinates(image, NF.Zeros([3, 5]), 1)).Message);
        Assert.Contains("order must be 0 (nearest) or 1 (linear)", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Image.MapCoordinates(image, NF.Zeros([2, 5]), 3)).Message);
        Assert.Contains("fill mode \"edge\" is not supported", Assert.Throws<ArgumentException>(() => NF.Image.MapCoordinates(image, NF.Zeros([2, 5]), 1, "edge")).Message);
    }
}

public sealed class ManagedImageFilterOpsTests() : ImageFilterOpsTests("managed");

public sealed class NativeCpuImageFilterOpsTests() : ImageFilterOpsTests("cpu");

public sealed class CudaImageFilterOpsTests() : ImageFilterOpsTests("cuda");
