using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe3;

/// <summary>
/// Keras' UpSampling2D arguments beyond the default: <c>interpolation="bilinear"</c> (half-pixel
/// centers, tf.image.resize) and <c>data_format="channels_first"</c>, which the layer refused or
/// lacked. Values and gradients from PyTorch 1.13:
/// <c>F.interpolate(x, scale_factor=(2, 3), mode="bilinear", align_corners=False)</c>, the same rule.
/// </summary>
public abstract class UpSamplingTests(string backend) : BackendTest(backend)
{
    // x = arange(12).reshape(1, 2, 3, 2) ** 2 / 10 (NHWC).
    private static Tensor Image() => NF.Reshape(NF.Square(NF.Range(0f, 12f)) / 10f, [1, 2, 3, 2]);

    // torch's output [1, 2, 4, 9] (NCHW), rounded to 6 digits.
    private static readonly float[] BilinearNchw =
    [
        0f, 0f, 0.133333f, 0.266667f, 0.4f, 0.8f, 1.2f, 1.6f, 1.6f, 0.9f, 0.9f, 1.233333f, 1.566667f, 1.9f, 2.5f, 3.1f, 3.7f, 3.7f,
        2.7f, 2.7f, 3.433333f, 4.166667f, 4.9f, 5.9f, 6.9f, 7.9f, 7.9f, 3.6f, 3.6f, 4.533333f, 5.466667f, 6.4f, 7.6f, 8.8f, 10f, 10f,
        0.1f, 0.1f, 0.366667f, 0.633333f, 0.9f, 1.433333f, 1.966667f, 2.5f, 2.5f, 1.3f, 1.3f, 1.766667f, 2.233333f, 2.7f, 3.433333f, 4.166667f, 4.9f, 4.9f,
        3.7f, 3.7f, 4.566667f, 5.433333f, 6.3f, 7.433333f, 8.566667f, 9.7f, 9.7f, 4.9f, 4.9f, 5.966667f, 7.033333f, 8.1f, 9.433333f, 10.766667f, 12.1f, 12.1f,
    ];

    // d/dx sum(y * arange(72).reshape(y.shape) / 7), y NCHW, the gradient in NHWC.
    private static readonly float[] BilinearGradNhwc = [5.77381f, 36.630952f, 8.25f, 39.107143f, 10.72619f, 41.583333f, 19.27381f, 50.130952f, 21.75f, 52.607143f, 24.22619f, 55.083333f];

    private static void Near(float[] expected, Tensor actual) =>
        Assert.Equal(expected, actual.ToArray<float>(), (a, b) => Math.Abs(a - b) <= 1e-4f * Math.Max(1, Math.Abs(a)));

    [SkippableTheory]
    [InlineData("channels_last")]
    [InlineData("channels_first")]
    public void Bilinear_matches_torch_interpolate_with_its_gradient(string dataFormat)
    {
        RequireBackend();
        bool first = dataFormat == "channels_first";
        var x = new Variable(first ? NF.Transpose(Image(), [0, 3, 1, 2]) : Image());
        var layer = new Layers.UpSampling2D([2, 3], "bilinear", dataFormat: dataFormat);
        using var tape = new GradientTape();
        var y = layer.Call(x);
        var nchw = first ? y : NF.Transpose(y, [0, 3, 1, 2]);
        Near(BilinearNchw, nchw);
        var grad = tape.Gradient(NF.ReduceSum(nchw * (NF.Reshape(NF.Range(0f, 72f), [1, 2, 4, 9]) / 7f)), x);
        Near(BilinearGradNhwc, first ? NF.Transpose(grad, [0, 2, 3, 1]) : grad);
    }

    [SkippableFact]
    public void Nearest_channels_first_repeats_rows_and_columns()
    {
        RequireBackend();
        var x = NF.Reshape(NF.Range(0f, 8f), [1, 2, 2, 2]);   // NCHW: two 2x2 channels
        var y = new Layers.UpSampling2D([1, 2], dataFormat: "channels_first").Call(x);
        Assert.Equal(new Shape(1, 2, 2, 4), y.Shape);
        Assert.Equal(new[] { 0f, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7 }, y.ToArray<float>());
    }
}

public sealed class ManagedUpSamplingTests() : UpSamplingTests("managed");

public sealed class NativeCpuUpSamplingTests() : UpSamplingTests("cpu");

public sealed class CudaUpSamplingTests() : UpSamplingTests("cuda");

/// <summary>The new arguments survive Save/Load, and a bad interpolation is named.</summary>
public sealed class UpSamplingConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Saves_and_loads_interpolation_and_data_format()
    {
        var model = new Sequential(Layers.Input([3, 2, 2]), new Layers.UpSampling2D(2, "bilinear", dataFormat: "channels_first"));
        var x = NF.Reshape(NF.Range(0f, 24f), [2, 3, 2, 2]);
        string path = _temp.File("up.nfmodel");
        model.Save(path);
        var loaded = (Sequential)Model.Load(path);
        var up = Assert.IsType<Layers.UpSampling2D>(loaded.Layers[^1]);
        Assert.Equal(("bilinear", "channels_first"), (up.Interpolation, up.DataFormat));
        Assert.Equal(model.Predict(x, verbose: 0).ToArray<float>(), loaded.Predict(x, verbose: 0).ToArray<float>());
    }

    [Fact]
    public void An_unsupported_interpolation_is_named()
    {
        var e = Assert.Throws<NotSupportedException>(() => new Layers.UpSampling2D(2, "bicubic"));
        Assert.Contains("\"bicubic\"", e.Message);
    }
}
