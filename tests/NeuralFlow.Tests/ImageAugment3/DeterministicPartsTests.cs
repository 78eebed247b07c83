using NeuralFlow.Keras;
using static NeuralFlow.Tests.ImageOps.ImageOpsData;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ImageAugment3;

/// <summary>
/// The deterministic parts of Keras 3's later augmentation layers against numpy (Augment3References.cs,
/// make_augment3_references.py) on every engine: Equalization on fixed images, RandomGaussianBlur with a fixed
/// sigma, RandomPerspective with fixed corner offsets, RandomElasticTransform with a fixed displacement, and
/// float64 finite-difference gradients (first and second order) of the differentiable ones.
/// </summary>
public abstract class DeterministicPartsTests(string backend) : BackendTest(backend)
{
    private static Tensor Bytes() => NF.Cast(NF.Floor(Images([2, 5, 6, 3]) * 255.0), DType.Float32);

    [SkippableFact]
    public void Equalization_matches_numpy_per_image_and_channel()
    {
        RequireBackend();
        var x = Bytes();
        AssertClose(Augment3References.Equalized, D(new Layers.Equalization().Call(x, training: true)), 0, 1e-4, "(0, 255), 256 bins");
        // uint8 images give the same values, as float32.
        var bytes = new Layers.Equalization().Call(NF.Cast(x, DType.UInt8), training: true);
        Assert.Equal(DType.Float32, bytes.DType);
        AssertClose(Augment3References.Equalized, D(bytes), 0, 1e-4, "uint8");
        var signed = Unit() * 2f - 1f;
        AssertClose(Augment3References.EqualizedSigned64, D(new Layers.Equalization((-1, 1), bins: 64).Call(signed, training: true)), 1e-5, 1e-5, "(-1, 1), 64 bins");
        // float64 stays float64; one image is equalized on its own histogram, the first of the batch.
        var wide = new Layers.Equalization().Call(NF.Cast(x, DType.Float64), training: true);
        Assert.Equal(DType.Float64, wide.DType);
        AssertClose(Augment3References.Equalized, D(wide), 0, 1e-9, "float64");
        var first = new Layers.Equalization().Call(NF.Squeeze(NF.Slice(x, [0, 0, 0, 0], [1, -1, -1, -1]), 0), training: true);
        Assert.Equal(Augment3References.Equalized.Take(90), D(first).Select(v => Math.Round(v, 4)));
        // A constant channel (one bin) is kept; at inference the layer is the identity.
        var flat = NF.Fill([1, 3, 3, 3], 77.0);
        Assert.Equal(D(flat), D(new Layers.Equalization().Call(flat, training: true)));
        Assert.Equal(D(x), D(new Layers.Equalization().Call(x, training: false)));
        // NaN falls in bin 0 and comes out as a number; an empty batch stays empty.
        var withNan = NF.Concat([NF.Fill([1, 1, 2, 1], double.NaN), NF.Constant(new float[] { 10, 200 }, [1, 1, 2, 1])], 2);
        Assert.All(D(new Layers.Equalization().Call(withNan, training: true)), v => Assert.False(double.IsNaN(v)));
        Assert.Equal([0, 4, 4, 3], new Layers.Equalization().Call(NF.Zeros([0, 4, 4, 3]), training: true).Shape.ToArray());
    }

    [SkippableFact]
    public void Gaussian_blur_with_a_fixed_sigma_matches_numpy()
    {
        RequireBackend();
        var x = Unit();
        var layer = new Layers.RandomGaussianBlur((1, 1), (5, 3), (0.8, 0.8), (0, 1), seed: 1);
        AssertClose(Augment3References.Blurred53, D(layer.Call(x, training: true)), 1e-5, 1e-6, "kernel (5, 3), sigma 0.8");
        // Probability 0 blurs nothing; inference is the identity; one image is the batch's first.
        Assert.Equal(D(x), D(new Layers.RandomGaussianBlur((0, 0), (3, 3), (0.5, 1), (0, 1)).Call(x, training: true)));
        Assert.Equal(D(x), D(layer.Call(x, training: false)));
        var one = layer.Call(NF.Squeeze(NF.Slice(x, [0, 0, 0, 0], [1, -1, -1, -1]), 0), training: true);
        AssertClose(Augment3References.Blurred53.Take(90).ToArray(), D(one), 1e-5, 1e-6, "one image");
        GradientTests.Check(t => new Layers.RandomGaussianBlur((1, 1), (3, 5), (0.3, 0.9), (-10, 10), seed: 2).Call(t[0], training: true),
            GradientTests.In([2, 4, 5, 2], 11, 0, 1));
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.Square(new Layers.RandomGaussianBlur((1, 1), (3, 3), (0.7, 0.7), (-10, 10)).Call(t, training: true)), [1, 3, 4, 1]);
    }

    [SkippableFact]
    public void Perspective_with_fixed_corner_offsets_matches_numpy()
    {
        RequireBackend();
        var x = Unit();
        var offsets = NF.Cast(NF.Constant(Augment3References.Offsets, [2, 4, 2]), DType.Float32);
        AssertClose(Augment3References.Perspective, D(Layers.RandomPerspective.Warp(x, offsets, "bilinear", 0.5)), 1e-4, 1e-4, "bilinear, fill 0.5");
        // Zero offsets, scale 0 or probability 0 keep the images (the homography is the identity).
        AssertClose(D(x), D(Layers.RandomPerspective.Warp(x, NF.ZerosLike(offsets), "bilinear", 0.5)), 1e-5, 1e-5, "zero offsets");
        AssertClose(D(x), D(new Layers.RandomPerspective(1.0, scale: 0, seed: 1).Call(x, training: true)), 1e-5, 1e-5, "scale 0");
        Assert.Equal(D(x), D(new Layers.RandomPerspective(0.0, seed: 1).Call(x, training: true)));
        // An image one pixel high has no perspective: kept.
        var line = NF.Slice(x, [0, 0, 0, 0], [-1, 1, -1, -1]);
        Assert.Equal(D(line), D(new Layers.RandomPerspective((1, 1), seed: 1).Call(line, training: true)));
        GradientTests.Check(t => Layers.RandomPerspective.Warp(t[0], NF.Cast(NF.Constant(Augment3References.Offsets, [2, 4, 2]), DType.Float64), "bilinear", 0.5),
            GradientTests.In([2, 5, 6, 1], 12, 0, 1));
    }

    [SkippableFact]
    public void Elastic_displacement_matches_numpy()
    {
        RequireBackend();
        var x = Images([2, 5, 6, 3]);
        Tensor dy = NF.Constant(Augment3References.DisplaceY, [2, 5, 6]), dx = NF.Constant(Augment3References.DisplaceX, [2, 5, 6]);
        AssertClose(Augment3References.ElasticConstant, D(Layers.RandomElasticTransform.Displace(x, dy, dx, "bilinear", "constant", 0.25)), 1e-9, 1e-9, "constant");
        AssertClose(Augment3References.ElasticReflect, D(Layers.RandomElasticTransform.Displace(x, dy, dx, "bilinear", "reflect", 0)), 1e-9, 1e-9, "reflect");
        AssertClose(Augment3References.ElasticNearest, D(Layers.RandomElasticTransform.Displace(x, dy, dx, "nearest", "constant", 0.25)), 1e-9, 1e-9, "nearest");
        GradientTests.Check(t => Layers.RandomElasticTransform.Displace(t[0], NF.Constant(Augment3References.DisplaceY, [2, 5, 6]),
            NF.Constant(Augment3References.DisplaceX, [2, 5, 6]), "bilinear", "reflect", 0), GradientTests.In([2, 5, 6, 2], 13, 0, 1));
        // The displacement blur: taps beyond the drawn sigma's int(6 sigma) | 1 window are zero, the rest NF.Image.Gaussian's.
        var sigma = NF.Constant(new[] { 1.0 }, [1, 1]);
        var taps = D(Layers.RandomGaussianBlur.Taps(sigma, 13, sigma.Backend, NF.Constant(new[] { 3.0 }, [1, 1])));
        AssertClose([0, 0, 0, .. NF.Image.Gaussian(7, 1.0), 0, 0, 0], taps, 1e-12, 1e-12, "taps of sigma 1 in 13");
    }

    [SkippableFact]
    public void Color_degeneration_at_forced_factors()
    {
        RequireBackend();
        var x = Unit();
        var gray = D(NF.BroadcastTo(NF.Image.RgbToGrayscale(x), x.Shape));
        AssertClose(gray, D(new Layers.RandomColorDegeneration((1, 1), (0, 1)).Call(x, training: true)), 1e-6, 1e-6, "factor 1: grey");
        Assert.Equal(D(x), D(new Layers.RandomColorDegeneration(0, (0, 1)).Call(x, training: true)));
        var half = D(new Layers.RandomColorDegeneration((0.5, 0.5), (0, 1)).Call(x, training: true));
        AssertClose(D(x).Zip(gray, (a, g) => (a + g) / 2).ToArray(), half, 1e-6, 1e-6, "factor 0.5");
        GradientTests.Check(t => new Layers.RandomColorDegeneration((0.3, 0.8), (-10, 10), seed: 4).Call(t[0], training: true), GradientTests.In([2, 2, 3, 3], 14, 0, 1));
    }
}

public sealed class ManagedDeterministicPartsTests() : DeterministicPartsTests("managed");

public sealed class NativeCpuDeterministicPartsTests() : DeterministicPartsTests("cpu");

public sealed class CudaDeterministicPartsTests() : DeterministicPartsTests("cuda");
