using NeuralFlow.Data;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.ImageOps.ImageOpsData;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ImageAugment3;

/// <summary>
/// keras.layers.MixUp and CutMix (keras/src/layers/preprocessing/image_preprocessing/mix_up.py, cut_mix.py) and
/// keras.layers.Pipeline on every engine: labels mixed with the very weights and partners that mix the images,
/// MixUp's weights distributed as Beta(alpha, alpha), CutMix's rectangles and exact-area label weights, seeded
/// reproducibility, dtype and shape, the identity at inference, and refusals by name.
/// </summary>
public abstract class MixingLayerTests(string backend) : BackendTest(backend)
{
    // n one-pixel images, image i holding the value i in every channel, and one-hot labels.
    private static (Tensor Images, Tensor Labels) Indexed(int n, int side = 1, int channels = 1)
    {
        var values = Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat((float)i, side * side * channels)).ToArray();
        return (NF.Constant(values, [n, side, side, channels]), NF.OneHot(NF.Range(n), n));
    }

    // From mixed one-hot labels [n, n]: per image its own weight and its partner (-1 when it was paired with itself).
    private static (double Weight, int Partner)[] Pairs(Tensor labels, int n)
    {
        var l = D(labels);
        return Enumerable.Range(0, n).Select(i =>
        {
            int partner = Enumerable.Range(0, n).Where(j => j != i && l[i * n + j] > 0).DefaultIfEmpty(-1).Single();
            return (l[i * n + i], partner);
        }).ToArray();
    }

    [SkippableFact]
    public void MixUp_mixes_labels_with_the_image_weights()
    {
        RequireBackend();
        const int n = 32;
        var (images, labels) = Indexed(n, 2, 3);
        var (x, y) = new Layers.MixUp(0.5, seed: 7).CallWithLabels(images, labels, training: true);
        Assert.Equal(images.Shape, x.Shape);
        Assert.Equal(labels.Shape, y.Shape);
        var pixels = D(x);
        var rows = D(y);
        int paired = 0;
        foreach (var (i, (w, partner)) in Pairs(y, n).Select((p, i) => (i, p)))
        {
            // Each label row sums to 1; the image is the same blend of the two images.
            Assert.Equal(1.0, rows.Skip(i * n).Take(n).Sum(), 5);
            double expected = partner < 0 ? i : w * i + (1 - w) * partner;
            for (int k = 0; k < 12; k++) Assert.Equal(expected, pixels[i * 12 + k], 3);
            if (partner >= 0) paired++;
        }
        Assert.True(paired >= n / 2, $"{paired} of {n} images were paired with another");
        // The same seed gives the same mix; images alone mix as with labels.
        var again = new Layers.MixUp(0.5, seed: 7).CallWithLabels(images, labels, training: true);
        Assert.Equal(pixels, D(again.Images));
        Assert.Equal(pixels, D(new Layers.MixUp(0.5, seed: 7).Call(images, training: true)));
        Assert.NotEqual(pixels, D(new Layers.MixUp(0.5, seed: 8).Call(images, training: true)));
        // Gradients reach the images (and both partners of each blend) on the float64 path; CutMix's through its selection.
        GradientTests.Check(t => new Layers.MixUp(0.5, seed: 3).Call(t[0], training: true), GradientTests.In([4, 2, 3, 2], 21, 0, 1));
        GradientTests.Check(t => new Layers.CutMix(seed: 4).Call(t[0], training: true), GradientTests.In([4, 3, 3, 1], 22, 0, 1));
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.Square(new Layers.MixUp(0.5, seed: 3).Call(t, training: true)), [3, 2, 2, 1]);
    }

    [SkippableFact]
    public void MixUp_weights_follow_beta_alpha_alpha()
    {
        RequireBackend();
        const int n = 1000;
        var (images, labels) = Indexed(n);
        foreach (var (alpha, seed) in new[] { (0.2, 1), (2.0, 2), (1.0, 3) })
        {
            var (_, y) = new Layers.MixUp(alpha, seed: seed).CallWithLabels(images, labels, training: true);
            var weights = Pairs(y, n).Where(p => p.Partner >= 0).Select(p => p.Weight).ToArray();
            Assert.True(weights.Length > 900, $"alpha {alpha}: {weights.Length} paired");
            Assert.All(weights, w => Assert.InRange(w, 0, 1));
            double mean = weights.Average(), variance = weights.Select(w => (w - mean) * (w - mean)).Average();
            // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)).
            Assert.InRange(mean, 0.45, 0.55);
            Assert.InRange(variance, 0.8 / (4 * (2 * alpha + 1)), 1.2 / (4 * (2 * alpha + 1)));
            // Small alpha puts most weights near 0 or 1; alpha 2 puts most in the middle.
            double extreme = weights.Count(w => w < 0.1 || w > 0.9) / (double)weights.Length;
            if (alpha < 1) Assert.True(extreme > 0.5, $"alpha {alpha}: {extreme} extreme");
            else if (alpha > 1) Assert.True(extreme < 0.15, $"alpha {alpha}: {extreme} extreme");
        }
    }

    [SkippableFact]
    public void MixUp_dtypes_single_images_and_inference()
    {
        RequireBackend();
        var x = NF.Cast(Unit() * 255f, DType.UInt8);
        var y = new Layers.MixUp(seed: 1).Call(x, training: true);
        Assert.Equal(DType.Float32, y.DType);
        Assert.All(D(y), v => Assert.InRange(v, 0, 255));
        Assert.Equal(DType.Float64, new Layers.MixUp(seed: 1).Call(Images([2, 5, 6, 3]), training: true).DType);
        // One image mixes with itself; inference is the identity and leaves the labels alone.
        var one = NF.Cast(NF.Squeeze(NF.Slice(x, [0, 0, 0, 0], [1, -1, -1, -1]), 0), DType.Float32);
        var single = new Layers.MixUp(seed: 1).CallWithLabels(one, NF.Constant(new float[] { 0, 1 }), training: true);
        AssertClose(D(one), D(single.Images), 1e-5, 1e-4, "one image");
        Assert.Equal([0.0, 1.0], D(single.Labels).Select(v => Math.Round(v, 5)));
        var (images, labels) = Indexed(4);
        var inference = new Layers.MixUp(seed: 1).CallWithLabels(images, labels, training: false);
        Assert.Equal(D(images), D(inference.Images));
        Assert.Same(labels, inference.Labels);
    }

    [SkippableFact]
    public void CutMix_pastes_a_box_and_mixes_labels_by_its_area()
    {
        RequireBackend();
        const int n = 16, side = 8;
        var (images, labels) = Indexed(n, side, 2);
        var (x, y) = new Layers.CutMix(seed: 5).CallWithLabels(images, labels, training: true);
        var pixels = D(x);
        int boxes = 0;
        foreach (var (i, (w, partner)) in Pairs(y, n).Select((p, i) => (i, p)))
        {
            var image = pixels.Skip(i * side * side * 2).Take(side * side * 2).ToArray();
            var pasted = Enumerable.Range(0, side * side).Where(p => image[2 * p] != i).ToArray();
            Assert.All(image, v => Assert.True(v == i || v == partner, $"image {i}: {v} is neither itself nor partner {partner}"));
            // The label weight is the share of pixels the image kept.
            Assert.Equal(1 - pasted.Length / (double)(side * side), w, 5);
            if (pasted.Length == 0) continue;
            boxes++;
            // The pasted pixels form a rectangle.
            int top = pasted.Min(p => p / side), bottom = pasted.Max(p => p / side), left = pasted.Min(p => p % side), right = pasted.Max(p => p % side);
            Assert.Equal((bottom - top + 1) * (right - left + 1), pasted.Length);
        }
        Assert.True(boxes >= 4, $"{boxes} of {n} images got a box");
        Assert.Equal(pixels, D(new Layers.CutMix(seed: 5).Call(images, training: true)));
        // One image, inference and uint8.
        var one = NF.Squeeze(NF.Slice(images, [3, 0, 0, 0], [1, -1, -1, -1]), 0);
        Assert.Equal(D(one), D(new Layers.CutMix(seed: 5).Call(one, training: true)));
        Assert.Equal(D(images), D(new Layers.CutMix(seed: 5).Call(images, training: false)));
        Assert.Equal(DType.Float32, new Layers.CutMix(seed: 5).Call(NF.Cast(images, DType.UInt8), training: true).DType);
    }

    [SkippableFact]
    public void Pipeline_threads_images_and_labels_through_its_layers()
    {
        RequireBackend();
        var (images, labels) = Indexed(8, 3, 3);
        var scaled = images * 30f;
        Layers.Pipeline Make() => new([new Layers.MixUp(seed: 2), new Layers.RandomColorDegeneration((1, 1)), new Layers.Rescaling(1.0 / 255)]);
        var pipeline = Make();
        var (x, y) = pipeline.CallWithLabels(scaled, labels, training: true);
        var (mixed, mixedLabels) = new Layers.MixUp(seed: 2).CallWithLabels(scaled, labels, training: true);
        var expected = new Layers.Rescaling(1.0 / 255).Call(new Layers.RandomColorDegeneration((1, 1)).Call(mixed, training: true));
        AssertClose(D(expected), D(x), 1e-6, 1e-6, "pipeline images");
        Assert.Equal(D(mixedLabels), D(y));
        // Called on images alone it applies the same layers (a fresh pipeline: the MixUp's generator has moved on);
        // at inference only the Rescaling acts.
        AssertClose(D(expected), D(Make().Call(scaled, training: true)), 1e-6, 1e-6, "images only");
        Assert.NotEqual(D(expected), D(pipeline.Call(scaled, training: true)));
        AssertClose(D(scaled / 255f), D(pipeline.Call(scaled, training: false)), 1e-6, 1e-6, "inference");
        Assert.Equal(3, pipeline.Layers.Count);
        Assert.Equal(3, pipeline.SubLayers.Count);
    }

    [SkippableFact]
    public void Mixing_fits_a_labelled_dataset_pipeline_and_empty_batches()
    {
        RequireBackend();
        const int n = 12;
        var (images, _) = Indexed(n, 4, 3);
        var mix = new Layers.Pipeline([new Layers.RandAugment((0, 20), seed: 1), new Layers.MixUp(seed: 2), new Layers.CutMix(seed: 3)]);
        var batches = Dataset.FromTensorSlices(images, NF.Range(n)).Batch(5).Map((x, y) => mix.CallWithLabels(x, NF.OneHot(y, n), training: true)).ToList();
        Assert.Equal([5, 5, 2], batches.Select(b => b.Images.Shape[0]));
        foreach (var (x, y) in batches)
        {
            Assert.Equal([x.Shape[0], 4, 4, 3], x.Shape.ToArray());
            var rows = D(y);
            for (int i = 0; i < x.Shape[0]; i++) Assert.Equal(1.0, rows.Skip(i * n).Take(n).Sum(), 5);
            Assert.All(D(x), v => Assert.InRange(v, 0, 20));
        }
        // An empty batch and its labels stay empty.
        foreach (var layer in new Layers.RandomImageLayer[] { new Layers.MixUp(seed: 1), new Layers.CutMix(seed: 1) })
        {
            var (x, y) = layer.CallWithLabels(NF.Zeros([0, 4, 4, 3]), NF.Zeros([0, 5]), training: true);
            Assert.Equal([0, 4, 4, 3], x.Shape.ToArray());
            Assert.Equal([0, 5], y.Shape.ToArray());
        }
    }

    [SkippableFact]
    public void Bad_mixing_arguments_are_refused_by_name()
    {
        RequireBackend();
        var (images, labels) = Indexed(4);
        Assert.Contains("MixUp: alpha must be a positive", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.MixUp(0)).Message);
        Assert.Contains("MixUp: alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.MixUp(double.NaN)).Message);
        Assert.Contains("CutMix: factor must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.CutMix(1.5)).Message);
        Assert.Contains("CutMix: factor must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.CutMix((-0.1, 0.5))).Message);
        Assert.Contains("labels must be float", Assert.Throws<ArgumentException>(() => new Layers.MixUp(seed: 1).CallWithLabels(images, NF.Range(4), training: true)).Message);
        Assert.Contains("labels must be float", Assert.Throws<ArgumentException>(() => new Layers.CutMix(seed: 1).CallWithLabels(images, NF.Range(4), training: true)).Message);
        Assert.Contains("one row per image", Assert.Throws<ArgumentException>(() => new Layers.MixUp(seed: 1).CallWithLabels(images, NF.Zeros([3, 4]), training: true)).Message);
        Assert.Contains("(MixUp): images must be NHWC", Assert.Throws<ArgumentException>(() => new Layers.MixUp().Call(NF.Zeros([4, 4]), training: true)).Message);
        Assert.Contains("(CutMix): images must be NHWC", Assert.Throws<ArgumentException>(() => new Layers.CutMix().CallWithLabels(NF.Zeros([4, 4]), labels, training: true)).Message);
        Assert.Contains("Pipeline: layer 1 is null", Assert.Throws<ArgumentException>(() => new Layers.Pipeline([new Layers.MixUp(), null!])).Message);
    }
}

public sealed class ManagedMixingLayerTests() : MixingLayerTests("managed");

public sealed class NativeCpuMixingLayerTests() : MixingLayerTests("cpu");

public sealed class CudaMixingLayerTests() : MixingLayerTests("cuda");
