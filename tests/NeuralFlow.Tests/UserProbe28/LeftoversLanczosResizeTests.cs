using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// tf.image.resize's "lanczos3" and "lanczos5" methods (NF.Image.Resize refused them before with "not supported"):
/// TensorFlow's scale_and_translate with its Lanczos kernel of radius 3 or 5, renormalised at the borders, widened
/// by antialias when downscaling, not clipped. Values from leftovers_references.py (TF's rule written out in numpy;
/// no TensorFlow here).
/// </summary>
public abstract class LeftoversLanczosResizeTests(string backend) : BackendTest(backend)
{
    // (np.arange(20).reshape(4, 5) ** 1.5) % 17, as leftovers_references.py builds it.
    private static Tensor Image() =>
        NF.Constant(Enumerable.Range(0, 20).Select(i => (float)(Math.Pow(i, 1.5) % 17)).ToArray(), new Shape(1, 4, 5, 1));

    [SkippableFact]
    public void Lanczos_resizes_match_TensorFlows_rule()
    {
        RequireBackend();
        AssertClose([-1.395303, 3.18647, 7.025521, 4.125418, 1.904779, 8.403308, 12.370819, 1.294875, 9.436466, 14.14809, 5.140204,
                     6.045758, 10.689504, 7.475093, 5.179746, 9.659923, 4.18954, 10.685241, 9.457174, 1.256741, 14.822849],
            NF.Image.Resize(Image(), 7, 3, "lanczos3"), new Shape(1, 7, 3, 1));
        AssertClose([0.798629, 2.155623, 3.599918, 2.966541, 2.084938, 4.481447, 7.823304, 9.22558, 17.234732, 14.751142, 8.496545, 4.319078,
                     7.712552, 10.431929, 6.412047, 2.327085, 7.098583, 9.985388, 10.539962, 5.009532, 3.09313, 8.563716, 12.460767, 12.611687],
            NF.Image.Resize(Image(), 3, 8, "LANCZOS5"), new Shape(1, 3, 8, 1));
        AssertClose([5.710727, 5.849398, 8.960047, 8.013882], NF.Image.Resize(Image(), 2, 2, "lanczos3", antialias: true), new Shape(1, 2, 2, 1));
    }

    [SkippableFact]
    public void Lanczos_keeps_constants_returns_float32_for_bytes_and_serves_Keras_Resizing()
    {
        RequireBackend();
        // Renormalised weights: a flat image stays flat, up or down.
        var flat = NF.Fill(new Shape(2, 5, 6, 3), 42.0, DType.Float32);
        foreach (var method in new[] { "lanczos3", "lanczos5" })
        {
            Assert.All(NF.Image.Resize(flat, 9, 4, method).ToArray<float>(), v => Assert.Equal(42f, v, 3));
            Assert.All(NF.Image.Resize(flat, 2, 11, method, antialias: true).ToArray<float>(), v => Assert.Equal(42f, v, 3));
        }
        var bytes = NF.Cast(Image(), DType.UInt8);
        Assert.Equal(DType.Float32, NF.Image.Resize(bytes, 6, 6, "lanczos5").DType);
        Assert.Equal(DType.Float64, NF.Image.Resize(NF.Cast(Image(), DType.Float64), 6, 6, "lanczos3").DType);

        var layer = new Layers.Resizing(7, 3, "lanczos3");
        Assert.Equal("lanczos3", layer.Interpolation);
        Assert.Equal(NF.Image.Resize(Image(), 7, 3, "lanczos3").ToArray<float>(), layer.Call(Image()).ToArray<float>());
        // Other TF kernels are still refused by name.
        Assert.Contains("\"gaussian\" is not supported", Assert.Throws<ArgumentException>(() => NF.Image.Resize(Image(), 2, 2, "gaussian")).Message);
    }

    private static void AssertClose(double[] expected, Tensor actual, Shape shape)
    {
        Assert.Equal(shape, actual.Shape);
        var values = actual.ToArray<float>();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) < 1e-4, $"[{i}]: expected {expected[i]}, got {values[i]}");
    }
}

/// <summary>Lanczos resizing on the managed backend.</summary>
public sealed class ManagedLeftoversLanczosResizeTests() : LeftoversLanczosResizeTests("managed");

/// <summary>Lanczos resizing on the native CPU backend.</summary>
public sealed class NativeCpuLeftoversLanczosResizeTests() : LeftoversLanczosResizeTests("cpu");

/// <summary>Lanczos resizing on CUDA.</summary>
public sealed class CudaLeftoversLanczosResizeTests() : LeftoversLanczosResizeTests("cuda");
