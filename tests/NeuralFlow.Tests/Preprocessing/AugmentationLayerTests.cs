using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras' image preprocessing and augmentation layers: the identity at inference, their training
/// statistics and transforms against hand-worked values (Keras 3's formulas), seeds, and the
/// arguments they refuse.
/// </summary>
public abstract class AugmentationLayerTests(string backend) : BackendTest(backend)
{
    private static Tensor Images(int n = 3, int h = 5, int w = 6, int c = 2, int seed = 1) =>
        NF.Constant(F(RandomValues(n * h * w * c, seed, 0, 255)), [n, h, w, c]);

    public static TheoryData<string> RandomLayers() => ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness"];

    private static Layer Make(string name) => name switch
    {
        "RandomFlip" => new Layers.RandomFlip(),
        "RandomRotation" => new Layers.RandomRotation(0.2),
        "RandomZoom" => new Layers.RandomZoom(0.3, 0.2),
        "RandomTranslation" => new Layers.RandomTranslation(0.2, 0.3),
        "RandomContrast" => new Layers.RandomContrast(0.5),
        "RandomBrightness" => new Layers.RandomBrightness(0.2),
        _ => throw new ArgumentException(name),
    };

    [SkippableTheory]
    [MemberData(nameof(RandomLayers))]
    public void Random_layers_are_the_identity_at_inference_and_change_images_in_training(string name)
    {
        RequireBackend();
        var x = Images();
        var layer = Make(name);
        Assert.Equal(x.ToArray<float>(), layer.Call(x, training: false).ToArray<float>());
        Assert.Equal(x.ToArray<float>(), new Sequential([Make(name)]).Predict(x).ToArray<float>());
        NF.Random.SetSeed(11);
        var trained = layer.Call(x, training: true);
        Assert.Equal(x.Shape, trained.Shape);
        Assert.NotEqual(x.ToArray<float>(), trained.ToArray<float>());
        // Called with no learning phase set, it augments as in training: Keras' call(training=True) default.
        NF.Random.SetSeed(11);
        Assert.Equal(trained.ToArray<float>(), layer.Call(x).ToArray<float>());
        // A single image [H, W, C] works as a batch of one; integer images compute as float32.
        Assert.Equal(new Shape(5, 6, 2), layer.Call(x[0], training: true).Shape);
        Assert.Equal(DType.Float32, layer.Call(NF.Cast(x, DType.Int32), training: true).DType);
    }

    [SkippableFact]
    public void RandomFlip_flips_about_half_the_images_each_way()
    {
        RequireBackend();
        // Image k is the row [k, k + 0.5]: flipped left-right it starts with k + 0.5.
        const int n = 400;
        var x = NF.Constant(Enumerable.Range(0, n).SelectMany(k => new[] { k, k + 0.5f }).ToArray(), [n, 1, 2, 1]);
        var y = new Layers.RandomFlip("horizontal", seed: 3).Call(x, training: true).ToArray<float>();
        int flipped = Enumerable.Range(0, n).Count(k => y[2 * k] == k + 0.5f);
        Assert.All(Enumerable.Range(0, n), k => Assert.Equal(2 * k + 0.5f, y[2 * k] + y[2 * k + 1]));   // each image kept or reversed
        Assert.InRange(flipped, n / 2 - 50, n / 2 + 50);   // binomial(400, 1/2): 5 standard deviations

        // Both ways: each of the four outcomes about a quarter of the time.
        var square = NF.Constant(Enumerable.Range(0, n).SelectMany(k => new float[] { 0, 1, 2, 3 }).ToArray(), [n, 2, 2, 1]);
        var both = new Layers.RandomFlip(seed: 4).Call(square, training: true).ToArray<float>();
        var corners = Enumerable.Range(0, n).GroupBy(k => both[4 * k]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new float[] { 0, 1, 2, 3 }, corners.Keys.Order());
        Assert.All(corners.Values, count => Assert.InRange(count, 60, 140));
        var vertical = new Layers.RandomFlip("vertical", seed: 5).Call(square, training: true).ToArray<float>();
        Assert.All(Enumerable.Range(0, n), k => Assert.Contains(vertical[4 * k], new float[] { 0, 2 }));
    }

    [SkippableFact]
    public void RandomRotation_turns_about_the_centre()
    {
        RequireBackend();
        var x = Images(2, 5, 5, 3);
        // Factor 0: exactly the images.
        Assert.Equal(x.ToArray<float>(), new Layers.RandomRotation(0).Call(x, training: true).ToArray<float>());
        // A quarter turn counter-clockwise is np.rot90 over (H, W): out[i, j] = in[j, W - 1 - i].
        var quarter = new Layers.RandomRotation((0.25, 0.25)).Call(x, training: true);
        var expected = NF.Transpose(NF.Reverse(x, 2), [0, 2, 1, 3]);
        AssertClose(expected.ToArray<float>().Select(v => (double)v).ToArray(), quarter.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-3, "rot90");
        // Half a turn of a non-square image reverses both axes.
        var wide = Images(2, 3, 6, 1);
        var half = new Layers.RandomRotation((0.5, 0.5), fillMode: "constant").Call(wide, training: true);
        AssertClose(NF.Reverse(wide, 1, 2).ToArray<float>().Select(v => (double)v).ToArray(), half.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-3, "rot180");
    }

    private static float[] Row(Layer layer) =>
        layer.Call(NF.Constant(new float[] { 1, 2, 3, 4 }, [1, 1, 4, 1]), training: true).ToArray<float>();

    [SkippableFact]
    public void RandomZoom_and_RandomTranslation_read_the_fills_keras_defines()
    {
        RequireBackend();
        // Zoom 2 (factor 1): output x reads 2x - 1.5, so -1.5, 0.5, 2.5, 4.5; reflect gives the taps
        // -2 -> 1 and -1 -> 0, 4 -> 3 and 5 -> 2.
        Assert.Equal(new[] { 1.5f, 1.5f, 3.5f, 3.5f }, Row(new Layers.RandomZoom((1, 1))));
        Assert.Equal(new[] { 0f, 1.5f, 3.5f, 0f }, Row(new Layers.RandomZoom((1, 1), fillMode: "constant")));
        // Zoom 0.5 (factor -0.5): x reads 0.5x + 0.75.
        Assert.Equal(new[] { 1.75f, 2.25f, 2.75f, 3.25f }, Row(new Layers.RandomZoom((-0.5, -0.5))));
        // A shift of half the width: x reads x - 2.
        Assert.Equal(new float[] { 2, 1, 1, 2 }, Row(new Layers.RandomTranslation((0, 0), (0.5, 0.5))));
        Assert.Equal(new float[] { 3, 4, 1, 2 }, Row(new Layers.RandomTranslation((0, 0), (0.5, 0.5), fillMode: "wrap")));
        Assert.Equal(new float[] { 7, 7, 1, 2 }, Row(new Layers.RandomTranslation((0, 0), (0.5, 0.5), fillMode: "constant", fillValue: 7)));
        Assert.Equal(new float[] { 1, 1, 1, 2 }, Row(new Layers.RandomTranslation((0, 0), (0.5, 0.5), fillMode: "nearest", interpolation: "nearest")));
        // Random shifts stay within the factor: a constant image with a zero fill keeps at least 3 of 4 pixels at 0.25 width.
        var ones = NF.Ones([50, 1, 4, 1]);
        var shifted = new Layers.RandomTranslation(0, 0.25, fillMode: "constant", seed: 2).Call(ones, training: true).ToArray<float>();
        Assert.All(shifted.Chunk(4), image => Assert.InRange(image.Sum(), 3f - 1e-5f, 4f + 1e-5f));
    }

    [SkippableFact]
    public void RandomContrast_and_RandomBrightness_follow_keras_formulas()
    {
        RequireBackend();
        var x = Images(4, 3, 3, 2);
        var y = new Layers.RandomContrast((0.4, 0.3), valueRange: (-1e6, 1e6), seed: 5).Call(x, training: true);
        // (x - mean) * c + mean with one c per image in [0.6, 1.3], the mean per image and channel.
        var mean = NF.ReduceMean(x, [1, 2], keepDims: true);
        var centred = (x - mean).ToArray<float>();
        var moved = (y - mean).ToArray<float>();
        int size = centred.Length / 4;
        for (int k = 0; k < 4; k++)
        {
            // c from the pixel farthest from the mean, then every pixel of the image must agree.
            int far = Enumerable.Range(k * size, size).MaxBy(i => Math.Abs(centred[i]));
            float c = moved[far] / centred[far];
            Assert.InRange(c, 0.6f, 1.3f);
            Assert.All(Enumerable.Range(k * size, size), i => Assert.Equal(centred[i] * c, moved[i], 1e-3f));
        }
        // Clipped to the value range, as Keras 3.
        var clipped = new Layers.RandomContrast((0, 1), valueRange: (100, 150)).Call(x, training: true).ToArray<float>();
        Assert.All(clipped, v => Assert.InRange(v, 100f, 150f));

        var b = new Layers.RandomBrightness((-0.1, 0.2), valueRange: (-1e3, 1e3), seed: 6).Call(x, training: true);
        var shift = (b - x).ToArray<float>();
        foreach (var image in shift.Chunk(shift.Length / 4))
        {
            Assert.InRange(image[0], -200f, 400f);   // the factor times the range's width, 2000
            Assert.All(image, s => Assert.Equal(image[0], s, 0.05f));
        }
        Assert.All(new Layers.RandomBrightness((1, 1), valueRange: (0, 255)).Call(x, training: true).ToArray<float>(), v => Assert.Equal(255f, v));
    }

    [SkippableFact]
    public void Seeds_repeat_and_nf_random_seeds_repeat()
    {
        RequireBackend();
        var x = Images();
        Assert.Equal(new Layers.RandomRotation(0.3, seed: 9).Call(x, training: true).ToArray<float>(),
            new Layers.RandomRotation(0.3, seed: 9).Call(x, training: true).ToArray<float>());
        var layer = new Layers.RandomZoom(0.3);
        NF.Random.SetSeed(4);
        var first = layer.Call(x, training: true).ToArray<float>();
        var second = layer.Call(x, training: true).ToArray<float>();
        Assert.NotEqual(first, second);   // a fresh draw each call
        NF.Random.SetSeed(4);
        Assert.Equal(first, layer.Call(x, training: true).ToArray<float>());
    }

    [SkippableFact]
    public void Crops_and_resizing_give_the_target_shape_in_both_modes()
    {
        RequireBackend();
        var x = NF.Constant(Enumerable.Range(0, 2 * 6 * 8).Select(v => (float)v).ToArray(), [2, 6, 8, 1]);
        Assert.Equal(x[.., 1..5, 2..6].ToArray<float>(), new Layers.CenterCrop(4, 4).Call(x).ToArray<float>());
        Assert.Equal(new Shape(2, 8, 10, 1), new Layers.CenterCrop(8, 10).Call(x).Shape);   // smaller: resized
        Assert.Equal(NF.Image.Resize(x, 3, 4, "nearest").ToArray<float>(), new Layers.Resizing(3, 4, "nearest").Call(x).ToArray<float>());
        Assert.Equal(NF.Image.ResizeCropped(x, 3, 3).ToArray<float>(), new Layers.Resizing(3, 3, cropToAspectRatio: true).Call(x).ToArray<float>());

        // RandomCrop: inference resizes the centred window of the target ratio; training crops one
        // random window per image, so each output is a block of its image (columns step 1, rows step 8).
        var crop = new Layers.RandomCrop(3, 4, seed: 1);
        Assert.Equal(NF.Image.ResizeCropped(x, 3, 4).ToArray<float>(), crop.Call(x, training: false).ToArray<float>());
        var starts = new HashSet<float>();
        for (int step = 0; step < 8; step++)
        {
            var y = crop.Call(x, training: true).ToArray<float>();
            for (int b = 0; b < 2; b++)
            {
                var block = y.Skip(b * 12).Take(12).ToArray();
                float top = block[0];
                Assert.InRange(top - b * 48, 0, 3 * 8 + 4);   // rows 0..3, columns 0..4
                Assert.All(Enumerable.Range(0, 12), k => Assert.Equal(top + k / 4 * 8 + k % 4, block[k]));
                starts.Add(top - b * 48);
            }
        }
        Assert.True(starts.Count > 3, $"windows start at {string.Join(", ", starts)}");
        // An image smaller than the window is resized in training too.
        Assert.Equal(new Shape(2, 9, 9, 1), new Layers.RandomCrop(9, 9).Call(x, training: true).Shape);
    }

    [SkippableFact]
    public void Bad_arguments_are_refused()
    {
        RequireBackend();
        Assert.Contains("mode \"diagonal\"", Assert.Throws<ArgumentException>(() => new Layers.RandomFlip("diagonal")).Message);
        // A negative single factor is taken by its size, as Keras 3 does (TrustSweep4AugmentationTests); NaN is refused.
        Assert.Contains("factor must be finite", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomRotation(double.NaN)).Message);
        Assert.Contains("heightFactor must lie in [-1, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomZoom(1.5)).Message);
        Assert.Contains("widthFactor must lie in [-1, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomTranslation((0, 0.1), (-2, 0))).Message);
        Assert.Contains("fill mode \"edge\"", Assert.Throws<ArgumentException>(() => new Layers.RandomRotation(0.1, fillMode: "edge")).Message);
        Assert.Contains("factor must not be negative", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomContrast(-0.2)).Message);
        Assert.Contains("factor must lie in [-1, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomBrightness(1.2)).Message);
        // A reversed range is sorted, as Keras 3's RandomBrightness sorts it (LeftoversAugmentationTests); a point is refused.
        Assert.Contains("valueRange", Assert.Throws<ArgumentException>(() => new Layers.RandomBrightness(0.1, (1, 1))).Message);
        Assert.Contains("must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomCrop(0, 3)).Message);
        Assert.Contains("\"cubic\" is not supported", Assert.Throws<ArgumentException>(() => new Layers.Resizing(2, 2, "cubic")).Message);
        Assert.Contains("NHWC", Assert.Throws<ArgumentException>(() => new Layers.RandomFlip().Call(NF.Zeros([3, 4]), training: true)).Message);
    }
}

public sealed class ManagedAugmentationLayerTests() : AugmentationLayerTests("managed");

public sealed class NativeCpuAugmentationLayerTests() : AugmentationLayerTests("cpu");

public sealed class CudaAugmentationLayerTests() : AugmentationLayerTests("cuda");
