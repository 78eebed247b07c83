using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.Conv2D (grouped too), NF.DepthwiseConv2D, NF.Conv2DTranspose, NF.MaxPool2D and NF.AvgPool2D
/// on every backend: values and gradients against
/// PyTorch (Conv/make_conv_fixtures.py), finite differences in float64, views, the max tie and
/// NaN rules of the contract, and the error messages.
/// </summary>
public abstract class ConvTests(string backend) : BackendTest(backend)
{
    public static TheoryData<string> Cases() => new(ConvFixtures.All.Select(c => c.Name));

    private static Tensor Run(ConvCase c, Tensor x, Tensor? kernel) => c.Op switch
    {
        "conv2d" => NF.Conv2D(x, kernel!, c.Strides, c.Padding, c.Dilations, c.Groups ?? 1),
        "depthwise" => NF.DepthwiseConv2D(x, kernel!, c.Strides, c.Padding, c.Dilations),
        "conv2d_transpose" => NF.Conv2DTranspose(x, kernel!, c.Strides, c.Padding, c.OutputPadding, c.Dilations),
        "maxpool" => NF.MaxPool2D(x, c.Pool!, c.Strides, c.Padding),
        "avgpool" => NF.AvgPool2D(x, c.Pool!, c.Strides, c.Padding),
        _ => throw new InvalidDataException($"conv_fixtures.json: case {c.Name} has an unknown op '{c.Op}'."),
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_match_pytorch_in_float64(string name)
    {
        RequireBackend();
        var c = ConvFixtures.Get(name);
        WindowFixture.AssertFloat64(c, (x, k) => Run(c, x, k));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Float32_values_match_pytorch(string name)
    {
        RequireBackend();
        var c = ConvFixtures.Get(name);
        WindowFixture.AssertFloat32(c, (x, k) => Run(c, x, k));
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Conv2D(t[0], t[1]), GradientTests.In([2, 5, 4, 3], 1), GradientTests.In([3, 2, 3, 2], 2));
        GradientTests.Check(t => NF.Conv2D(t[0], t[1], [2, 1], "same", [1, 2]), GradientTests.In([1, 6, 7, 2], 3), GradientTests.In([2, 3, 2, 3], 4));
        GradientTests.Check(t => NF.MaxPool2D(t[0], [2, 2], [1, 1], "same"), GradientTests.In([2, 4, 5, 2], 5));
        GradientTests.Check(t => NF.AvgPool2D(t[0], [3, 2], [2, 2], "same"), GradientTests.In([1, 5, 6, 3], 6));
        // Through a transposed (non-contiguous) input view and a broadcast output gradient.
        GradientTests.Check(t => NF.ReduceSum(NF.Conv2D(NF.Transpose(t[0], [0, 2, 1, 3]), t[1], padding: "same")),
            GradientTests.In([1, 4, 5, 2], 7), GradientTests.In([3, 3, 2, 2], 8));
        GradientTests.Check(t => NF.ReduceMean(NF.MaxPool2D(NF.Transpose(t[0], [0, 2, 1, 3]), [2])), GradientTests.In([2, 4, 6, 2], 9));
    }

    [SkippableFact]
    public void Views_give_the_same_values_as_packed_inputs()
    {
        RequireBackend();
        var (v, _) = GradientTests.In([2, 6, 5, 3], 11);
        using var packed = NF.Constant(v.Select(d => (float)d).ToArray(), [2, 5, 6, 3]);
        using var view = NF.Transpose(packed, [0, 2, 1, 3]);
        using var copy = view.Contiguous();
        using var k = NF.Constant(GradientTests.In([3, 3, 3, 4], 12).V.Select(d => (float)d).ToArray(), [3, 3, 3, 4]);
        Assert.Equal(NF.Conv2D(copy, k, [2], "same").ToArray<float>(), NF.Conv2D(view, k, [2], "same").ToArray<float>());
        Assert.Equal(NF.MaxPool2D(copy, [3], [2], "same").ToArray<float>(), NF.MaxPool2D(view, [3], [2], "same").ToArray<float>());
        Assert.Equal(NF.AvgPool2D(copy, [2]).ToArray<float>(), NF.AvgPool2D(view, [2]).ToArray<float>());
    }

    [SkippableFact]
    public void Max_pool_gives_a_tie_to_the_first_tap_and_propagates_nan()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { 1f, 3f, 3f, 2f, float.NaN, 5f, 7f, float.NaN }, [1, 2, 4, 1]);
        float[] grad;
        Tensor y;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            y = NF.MaxPool2D(x, [2, 2]);
            grad = tape.Gradient(NF.ReduceSum(y), [x])[0].ToArray<float>();
        }
        var values = y.ToArray<float>();
        Assert.True(float.IsNaN(values[0]));
        Assert.True(float.IsNaN(values[1]));
        // Window 0 (1, 3 / NaN, 5): the NaN wins; window 1 (3, 2 / 7, NaN): the NaN wins.
        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 1f, 0f, 0f, 1f }, grad);

        using var ties = NF.Constant(new[] { 4f, 4f, 4f, 4f }, [1, 2, 2, 1]);
        using (var tape = new GradientTape())
        {
            tape.Watch(ties);
            grad = tape.Gradient(NF.ReduceSum(NF.MaxPool2D(ties, [2, 2])), [ties])[0].ToArray<float>();
        }
        Assert.Equal(new[] { 1f, 0f, 0f, 0f }, grad);
    }

    [SkippableFact]
    public void Same_padding_never_lets_padding_win_or_count()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { -1f, -2f, -3f, -4f }, [1, 2, 2, 1]);
        Assert.Equal(new[] { -1f, -2f, -3f, -4f }, NF.MaxPool2D(x, [2, 2], [1, 1], "same").ToArray<float>());
        Assert.Equal(new[] { -2.5f, -3f, -3.5f, -4f }, NF.AvgPool2D(x, [2, 2], [1, 1], "same").ToArray<float>());
    }

    [SkippableFact]
    public void Errors_name_the_shapes_and_arguments()
    {
        RequireBackend();
        using var x = NF.Zeros([1, 5, 5, 3]);
        using var k = NF.Zeros([3, 3, 2, 4]);
        var e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, k));
        Assert.Contains("(3, 3, 2, 4)", e.Message);
        Assert.Contains("(1, 5, 5, 3)", e.Message);
        Assert.Contains("channels", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(NF.Zeros([5, 5, 3]), NF.Zeros([3, 3, 3, 4])));
        Assert.Contains("NHWC", e.Message);
        Assert.Contains("(5, 5, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 3])));
        Assert.Contains("HWIO", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(NF.Zeros([1, 5, 5, 3], DType.Int32), NF.Zeros([3, 3, 3, 4], DType.Int32)));
        Assert.Contains("int32", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 3, 4]), padding: "full"));
        Assert.Contains("\"full\"", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 3, 4]), strides: [1, 1, 1]));
        Assert.Contains("strides", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([6, 3, 3, 4])));
        Assert.Contains("\"same\"", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.MaxPool2D(x, [2, 2], [0, 1]));
        Assert.Contains("strides", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.AvgPool2D(NF.Zeros([5, 5]), [2]));
        Assert.Contains("AvgPool2D", e.Message);
        Assert.Contains("(5, 5)", e.Message);
    }

    [SkippableFact]
    public void Operands_on_different_devices_are_refused()
    {
        RequireBackend();
        if (BackendName == "managed") return; // needs a second backend: checked from the native classes
        using var x = NF.Zeros([1, 5, 5, 3]);
        Tensor k;
        using (NF.UseBackend("managed")) k = NF.Zeros([3, 3, 3, 4]);
        var e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, k));
        Assert.Contains("Conv2D", e.Message);
        Assert.Contains("different devices", e.Message);
    }
}

public sealed class ManagedConvTests() : ConvTests("managed");

public sealed class NativeCpuConvTests() : ConvTests("cpu");

public sealed class CudaConvTests() : ConvTests("cuda");

/// <summary>One case of Conv/conv_fixtures.json.</summary>
public sealed record ConvCase(
    string Name, string Op, string Padding, int[] Strides, int[]? Dilations, int[]? Pool,
    double[] X, int[] XShape, double[]? Kernel, int[]? KernelShape,
    double[] Y, int[] YShape, double[] W, double[] Dx, double[]? Dkernel, int? Groups = null, int[]? OutputPadding = null) : IWindowFixture;

internal static class ConvFixtures
{
    public static readonly ConvCase[] All = WindowFixture.Load<ConvCase>("Conv", "conv_fixtures.json");

    public static ConvCase Get(string name) => All.Single(c => c.Name == name);
}
