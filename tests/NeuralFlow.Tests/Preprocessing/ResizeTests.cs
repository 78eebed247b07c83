using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.Image.Resize against tf.image.resize's rules (Preprocessing/make_resize_fixtures.py: PyTorch
/// where it computes the same thing, a NumPy transcription of TF's kernels where it does not),
/// gradients by finite differences, dtypes, crop_to_aspect_ratio and errors; and
/// NF.Image.AffineTransform's fill modes against values worked out by hand.
/// </summary>
public abstract class ResizeTests(string backend) : BackendTest(backend)
{
    internal sealed record Case(string Name, string Method, bool Antialias, int[] XShape, int Height, int Width, double[] X, double[] Y, string Source);

    private static readonly Lazy<Case[]> Cases = new(() => FixtureFile.Cases<Case>("Preprocessing", "resize_fixtures.json"));

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases.Value) data.Add(c.Name);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Resize_matches_the_reference(string name)
    {
        RequireBackend();
        var c = Cases.Value.Single(k => k.Name == name);
        var y64 = NF.Image.Resize(NF.Constant(c.X, c.XShape), c.Height, c.Width, c.Method, c.Antialias);
        Assert.Equal(new Shape(c.XShape[0], c.Height, c.Width, c.XShape[3]), y64.Shape);
        Assert.Equal(DType.Float64, y64.DType);
        AssertClose(c.Y, y64.ToArray<double>(), 1e-12, 1e-12, $"{name} float64 ({c.Source})");
        var y32 = NF.Image.Resize(NF.Constant(F(c.X), c.XShape), c.Height, c.Width, c.Method, c.Antialias);
        Assert.Equal(DType.Float32, y32.DType);
        AssertClose(c.Y, y32.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-5, $"{name} float32");
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        foreach (var method in new[] { "bilinear", "bicubic", "area", "nearest" })
        {
            GradientTests.Check(t => NF.Image.Resize(t[0], 5, 3, method), GradientTests.In([2, 3, 4, 2], 1));     // up rows, down columns
            GradientTests.Check(t => NF.Image.Resize(t[0], 2, 7, method, antialias: true), GradientTests.In([1, 5, 3, 1], 2));
        }
        GradientTests.Check(t => NF.Image.ResizeCropped(t[0], 2, 2), GradientTests.In([3, 4, 2], 3));
    }

    [SkippableFact]
    public void Single_images_dtypes_and_the_identity()
    {
        RequireBackend();
        var x = NF.Constant(RandomValues(5 * 7 * 3, 4), [5, 7, 3]);
        var batch = NF.Image.Resize(NF.ExpandDims(x, 0), 4, 9);
        var single = NF.Image.Resize(x, 4, 9);
        Assert.Equal(new Shape(4, 9, 3), single.Shape);
        Assert.Equal(batch[0].ToArray<double>(), single.ToArray<double>());

        // Same size: the values themselves, for every method.
        foreach (var method in ImageResampling.Methods)
            Assert.Equal(x.ToArray<double>(), NF.Image.Resize(x, 5, 7, method).ToArray<double>());

        // As tf.image.resize: nearest keeps an integer dtype, the others return float32.
        var pixels = NF.Constant(new byte[] { 0, 10, 20, 30, 40, 50 }, [1, 2, 3, 1]);
        var nearest = NF.Image.Resize(pixels, 4, 6, "nearest");
        Assert.Equal(DType.UInt8, nearest.DType);
        Assert.Equal(new byte[] { 0, 0, 10, 10, 20, 20, 0, 0, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 30, 30, 40, 40, 50, 50 }, nearest.ToArray<byte>());
        var bilinear = NF.Image.Resize(pixels, 1, 3);
        Assert.Equal(DType.Float32, bilinear.DType);
        Assert.Equal(new[] { 15f, 25f, 35f }, bilinear.ToArray<float>());   // each column's two rows averaged
    }

    [SkippableFact]
    public void ResizeCropped_resizes_the_largest_centred_window_of_the_target_ratio()
    {
        RequireBackend();
        // 4 x 8 to 2 x 2: the window is the centre 4 x 4 (columns 2..5), then halved in both axes.
        var x = NF.Constant(Enumerable.Range(0, 32).Select(v => (float)v).ToArray(), [1, 4, 8, 1]);
        var expected = NF.Image.Resize(x[.., .., 2..6], 2, 2);
        Assert.Equal(expected.ToArray<float>(), NF.Image.ResizeCropped(x, 2, 2).ToArray<float>());
        // Keras: bilinear halving averages 2 x 2 blocks: (2+3+10+11)/4 = 6.5, ...
        Assert.Equal(new[] { 6.5f, 8.5f, 22.5f, 24.5f }, expected.ToArray<float>());
    }

    [SkippableFact]
    public void Bad_arguments_are_refused()
    {
        RequireBackend();
        var x = NF.Zeros([1, 4, 4, 1]);
        Assert.Contains("must be NHWC", Assert.Throws<ArgumentException>(() => NF.Image.Resize(NF.Zeros([4, 4]), 2, 2)).Message);
        Assert.Contains("must be positive", Assert.Throws<ArgumentException>(() => NF.Image.Resize(x, 0, 2)).Message);
        Assert.Contains("\"lanczos7\" is not supported", Assert.Throws<ArgumentException>(() => NF.Image.Resize(x, 2, 2, "lanczos7")).Message);
        var shift = NF.Constant(new float[] { 1, 0, 0, 0, 1, 0, 0, 0 });
        Assert.Contains("fill mode \"edge\"", Assert.Throws<ArgumentException>(() => NF.Image.AffineTransform(x, shift, fillMode: "edge")).Message);
        Assert.Contains("interpolation \"cubic\"", Assert.Throws<ArgumentException>(() => NF.Image.AffineTransform(x, shift, "cubic")).Message);
        Assert.Contains("transform must have shape", Assert.Throws<ArgumentException>(() => NF.Image.AffineTransform(x, NF.Zeros([2, 8]))).Message);
    }

    // A row [1, 2, 3, 4] read through a transform that shifts it right by dx: output x reads input x - dx.
    private static float[] Shifted(float dx, string fillMode, string interpolation = "bilinear", double fillValue = 0)
    {
        var row = NF.Constant(new float[] { 1, 2, 3, 4 }, [1, 1, 4, 1]);
        var transform = NF.Constant(new float[] { 1, 0, -dx, 0, 1, 0, 0, 0 }, [1, 8]);
        return NF.Image.AffineTransform(row, transform, interpolation, fillMode, fillValue).ToArray<float>();
    }

    [SkippableFact]
    public void AffineTransform_fill_modes_match_keras_definitions()
    {
        RequireBackend();
        // Keras' docs: reflect (d c b a | a b c d), mirror (d c b | a b c d), wrap (a b c d | a b c d),
        // nearest (a a | a b c d), constant (k k | a b c d). Shift by 2: inputs -2, -1, 0, 1.
        Assert.Equal(new float[] { 2, 1, 1, 2 }, Shifted(2, "reflect"));
        Assert.Equal(new float[] { 3, 2, 1, 2 }, Shifted(2, "mirror"));
        Assert.Equal(new float[] { 3, 4, 1, 2 }, Shifted(2, "wrap"));
        Assert.Equal(new float[] { 1, 1, 1, 2 }, Shifted(2, "nearest"));
        Assert.Equal(new float[] { 9, 9, 1, 2 }, Shifted(2, "constant", fillValue: 9));
        Assert.Equal(new float[] { 3, 4, 4, 3 }, Shifted(-2, "reflect"));
        // Half a pixel: each output is the mean of two taps; outside taps follow the fill mode.
        Assert.Equal(new[] { 0.5f, 1.5f, 2.5f, 3.5f }, Shifted(0.5f, "constant"));
        Assert.Equal(new[] { 1f, 1.5f, 2.5f, 3.5f }, Shifted(0.5f, "reflect"));
        Assert.Equal(new[] { 2.5f, 1.5f, 2.5f, 3.5f }, Shifted(0.5f, "wrap"));
        // Nearest interpolation rounds half up: input x - 0.5 reads pixel x.
        Assert.Equal(new float[] { 1, 2, 3, 4 }, Shifted(0.5f, "constant", "nearest"));
        Assert.Equal(new float[] { 0, 1, 2, 3 }, Shifted(0.6f, "constant", "nearest"));
    }

    [SkippableFact]
    public void AffineTransform_stays_in_range_for_any_transform()
    {
        RequireBackend();
        // Far outside the image (float32 wrap arithmetic loses the pixel) or not a number at all:
        // every gather stays in range; a NaN transform gives NaN pixels, not an index error.
        var x = NF.Ones([1, 3, 4, 1]);
        foreach (var mode in new[] { "reflect", "wrap", "mirror", "nearest", "constant" })
        {
            var far = NF.Image.AffineTransform(x, NF.Constant(new float[] { 1, 0, 3e30f, 0, 1, -1e38f, 0, 0 }), fillMode: mode, fillValue: 1).ToArray<float>();
            Assert.All(far, v => Assert.Equal(1f, v));
            var nan = NF.Image.AffineTransform(x, NF.Constant(new float[] { float.NaN, 0, 0, 0, 1, 0, 0, 0 }), fillMode: mode).ToArray<float>();
            Assert.All(nan, v => Assert.True(float.IsNaN(v)));
        }
    }

    [SkippableFact]
    public void AffineTransform_has_gradients_for_the_images()
    {
        RequireBackend();
        var transform = NF.Constant(new double[] { 0.9, 0.2, 0.3, -0.1, 1.1, 0.4, 0, 0, 1, 0, -1.5, 0, 1, 0.7, 0, 0 }, [2, 8]);
        foreach (var mode in new[] { "reflect", "constant", "wrap" })
            GradientTests.Check(t => NF.Image.AffineTransform(t[0], transform, fillMode: mode, fillValue: 0.5), GradientTests.In([2, 3, 4, 2], 5));
    }
}

public sealed class ManagedResizeTests() : ResizeTests("managed");

public sealed class NativeCpuResizeTests() : ResizeTests("cpu");

public sealed class CudaResizeTests() : ResizeTests("cuda");
