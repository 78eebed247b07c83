namespace NeuralFlow.Tests;

/// <summary>
/// NF.Conv3D (valid, same, strides, dilation, groups, both data formats), NF.Conv3DTranspose
/// (Keras' output sizes, output padding), NF.MaxPool3D and NF.AvgPool3D on every backend: values
/// and gradients against PyTorch (Conv3D/make_conv3d_fixtures.py), finite differences in float64,
/// max's tie rule and the argument errors.
/// </summary>
public abstract class Conv3DOpTests(string backend) : BackendTest(backend)
{
    public static TheoryData<string> Cases() => new(Conv3DFixtures.All.Select(c => c.Name));

    private static Tensor Run(Conv3DCase c, Tensor x, Tensor? kernel)
    {
        string format = c.ChannelsFirst ? "channels_first" : "channels_last";
        return c.Op switch
        {
            "conv3d" => NF.Conv3D(x, kernel!, c.Strides, c.Padding, c.Dilations, c.Groups, format),
            "conv3d_transpose" => NF.Conv3DTranspose(x, kernel!, c.Strides, c.Padding, c.OutputPadding, c.Dilations, format),
            "maxpool" => NF.MaxPool3D(x, c.Pool!, c.Strides, c.Padding, format),
            "avgpool" => NF.AvgPool3D(x, c.Pool!, c.Strides, c.Padding, format),
            _ => throw new InvalidDataException($"conv3d_fixtures.json: case {c.Name} has an unknown op '{c.Op}'."),
        };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_match_pytorch_in_float64(string name)
    {
        RequireBackend();
        var c = Conv3DFixtures.Get(name);
        WindowFixture.AssertFloat64(c, (x, k) => Run(c, x, k));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Float32_values_match_pytorch(string name)
    {
        RequireBackend();
        var c = Conv3DFixtures.Get(name);
        WindowFixture.AssertFloat32(c, (x, k) => Run(c, x, k));
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Conv3D(t[0], t[1]), GradientTests.In([1, 3, 3, 4, 2], 1), GradientTests.In([2, 2, 3, 2, 2], 2));
        GradientTests.Check(t => NF.Conv3D(t[0], t[1], [2], "same", [1, 2, 1], groups: 2), GradientTests.In([1, 4, 5, 3, 2], 3), GradientTests.In([2, 2, 2, 1, 2], 4));
        GradientTests.Check(t => NF.Conv3D(t[0], t[1], [1, 2, 1], "valid", [2, 1, 1], dataFormat: "channels_first"),
                            GradientTests.In([1, 2, 5, 4, 3], 5), GradientTests.In([2, 2, 2, 2, 1], 6));
        GradientTests.Check(t => NF.Conv3DTranspose(t[0], t[1], [2, 1, 2], "same", [1, 0, 1]), GradientTests.In([1, 2, 3, 2, 2], 7), GradientTests.In([3, 3, 2, 1, 2], 8));
        GradientTests.Check(t => NF.MaxPool3D(t[0], [2], [1], "same"), GradientTests.In([1, 3, 3, 3, 2], 9));
        GradientTests.Check(t => NF.AvgPool3D(t[0], [3, 2, 2], [2, 1, 2], "same", "channels_first"), GradientTests.In([1, 2, 4, 3, 5], 10));
        // Through a transposed (non-contiguous) input view.
        GradientTests.Check(t => NF.Conv3D(NF.Transpose(t[0], [0, 2, 3, 4, 1]), t[1], padding: "same"), GradientTests.In([1, 2, 3, 3, 2], 11), GradientTests.In([2, 2, 2, 2, 1], 12));
    }

    [SkippableFact]
    public void A_transposed_convolution_is_the_adjoint_of_the_convolution()
    {
        RequireBackend();
        // <Conv3D(x, k), y> == <x, Conv3DTranspose(y, k)> for the forward op's sizes (Keras'
        // Conv3DTranspose with the same kernel variable inverts Conv3D's shapes).
        NF.Random.SetSeed(7);
        using var x = NF.Random.Uniform([2, 6, 5, 7, 3], -1, 1, DType.Float64);
        using var kernel = NF.Random.Uniform([3, 2, 3, 3, 4], -1, 1, DType.Float64);
        using var forward = NF.Conv3D(x, kernel, [2, 2, 3], "same");
        using var y = NF.Random.Uniform(forward.Shape.ToArray(), -1, 1, DType.Float64);
        using var back = NF.Conv3DTranspose(y, kernel, [2, 2, 3], "same", [1, 1, 0]);
        Assert.Equal(x.Shape, back.Shape);
        double lhs = NF.ReduceSum(forward * y).Item<double>(), rhs = NF.ReduceSum(x * back).Item<double>();
        Assert.Equal(lhs, rhs, 10);
    }

    [SkippableFact]
    public void Second_order_gradients_follow_the_composition()
    {
        RequireBackend();
        // Conv3D is im2cols, copies and products, all twice differentiable: d/dx of ||dL/dk||^2
        // against finite differences.
        using var kernel = NF.Constant(GradientTests.In([2, 2, 1, 2, 2], 21).V, [2, 2, 1, 2, 2]);
        GradientTests.Check(t =>
        {
            using var inner = new GradientTape();
            inner.Watch(kernel);
            var y = NF.Conv3D(t[0], kernel, [2, 1, 1], "same");
            var dk = inner.Gradient(NF.ReduceSum(y * y), [kernel])[0];
            return NF.ReduceSum(dk * dk);
        }, GradientTests.In([1, 3, 3, 2, 2], 22));
        // The pools' backward is recorded under an outer tape now (it was refused): their second
        // derivative against finite differences too.
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(NF.Square(NF.MaxPool3D(x, [2]))), [1, 2, 2, 2, 1]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(NF.Square(NF.AvgPool3D(x, [2], [1], "same"))), [1, 3, 2, 2, 1]);
    }

    [SkippableFact]
    public void An_empty_batch_gives_an_empty_result()
    {
        RequireBackend();
        Assert.Equal(new Shape(0, 2, 3, 2, 4), NF.Conv3D(NF.Zeros([0, 3, 3, 2, 2]), NF.Zeros([2, 1, 1, 2, 4])).Shape);
        Assert.Equal(new Shape(0, 6, 3, 2, 4), NF.Conv3DTranspose(NF.Zeros([0, 3, 3, 2, 2]), NF.Zeros([2, 1, 1, 4, 2]), [2, 1, 1], "same").Shape);
        Assert.Equal(new Shape(0, 1, 1, 1, 2), NF.AvgPool3D(NF.Zeros([0, 3, 3, 2, 2]), [2]).Shape);
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_naming_them()
    {
        RequireBackend();
        using var x = NF.Zeros([2, 4, 5, 6, 3]);
        using var kernel = NF.Zeros([2, 2, 2, 3, 4]);
        var e = Assert.Throws<ArgumentException>(() => NF.Conv3D(NF.Zeros([2, 5, 6, 3]), kernel));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("NDHWC [N, D, H, W, C]", e.Message);
        Assert.Contains("(2, 5, 6, 3)", e.Message);
        Assert.Contains("NCDHW", Assert.Throws<ArgumentException>(() => NF.Conv3D(NF.Zeros([2, 3, 4, 5, 6, 1]), kernel, dataFormat: "channels_first")).Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv3D(x, NF.Zeros([2, 2, 3, 4])));
        Assert.Equal("kernel", e.ParamName);
        Assert.Contains("[KD, KH, KW, C / groups, O]", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv3D(x, NF.Zeros([2, 2, 2, 2, 4])));
        Assert.Equal("kernel", e.ParamName);
        Assert.Contains("2 input channels", e.Message);
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => NF.Conv3D(x, NF.Zeros([2, 2, 2, 1, 4]), groups: 2)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Conv3D(x, kernel, groups: 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => NF.Conv3D(x, kernel, padding: "causal")).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentException>(() => NF.Conv3D(x, kernel, [1, 0, 1])).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentException>(() => NF.Conv3D(x, kernel, [1, 2])).ParamName);
        Assert.Equal("dilations", Assert.Throws<ArgumentException>(() => NF.Conv3D(x, kernel, dilations: [-1])).ParamName);
        Assert.Equal("dataFormat", Assert.Throws<ArgumentException>(() => NF.Conv3D(x, kernel, dataFormat: "ndhwc")).ParamName);
        // A window larger than a "valid" input names the axis it does not fit.
        e = Assert.Throws<ArgumentException>(() => NF.Conv3D(x, NF.Zeros([5, 2, 2, 3, 4])));
        Assert.Contains("spans 5 along the depth", e.Message);
        Assert.Contains("only 4", e.Message);
        Assert.Contains("along the width", Assert.Throws<ArgumentException>(() => NF.Conv3D(x, kernel, dilations: [1, 1, 6])).Message);
        Assert.Contains("at least 1 deep", Assert.Throws<ArgumentException>(() => NF.Conv3D(x, NF.Zeros([0, 2, 2, 3, 4]))).Message);
        Assert.StartsWith("Conv3D:", Assert.Throws<ArgumentException>(() => NF.Conv3D(NF.Zeros([2, 4, 5, 6, 3], DType.Float64), kernel)).Message);

        e = Assert.Throws<ArgumentException>(() => NF.Conv3DTranspose(x, NF.Zeros([2, 2, 2, 4, 2])));
        Assert.Equal("kernel", e.ParamName);
        Assert.Contains("[KD, KH, KW, filters, C]", e.Message);
        Assert.Equal("outputPadding", Assert.Throws<ArgumentException>(() => NF.Conv3DTranspose(x, NF.Zeros([2, 2, 2, 4, 3]), [2], outputPadding: [1, 1])).ParamName);
        Assert.Contains("smaller than the stride", Assert.Throws<ArgumentException>(() => NF.Conv3DTranspose(x, NF.Zeros([2, 2, 2, 4, 3]), [2], outputPadding: [2, 0, 0])).Message);

        Assert.Equal("poolSize", Assert.Throws<ArgumentException>(() => NF.MaxPool3D(x, [2, 0, 2])).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentException>(() => NF.AvgPool3D(x, [2], [-1])).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => NF.MaxPool3D(x, [2], padding: "full")).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => NF.AvgPool3D(NF.Zeros([2, 4, 5, 6]), [2])).ParamName);
        Assert.Contains("spans 5 along the depth", Assert.Throws<ArgumentException>(() => NF.MaxPool3D(x, [5, 1, 1])).Message);
        Assert.StartsWith("MaxPool3D:", Assert.Throws<ArgumentException>(() => NF.MaxPool3D(NF.Zeros([2, 4, 5, 6, 3], DType.Int32), [2])).Message);
    }
}

public sealed class ManagedConv3DOpTests() : Conv3DOpTests("managed");

public sealed class NativeCpuConv3DOpTests() : Conv3DOpTests("cpu");

public sealed class CudaConv3DOpTests() : Conv3DOpTests("cuda");

public sealed record Conv3DCase(
    string Name, string Op, string Padding, int[] Strides, int[] Dilations, int Groups, int[]? Pool, int[]? OutputPadding, bool ChannelsFirst,
    double[] X, int[] XShape, double[]? Kernel, int[]? KernelShape,
    double[] Y, int[] YShape, double[] W, double[] Dx, double[]? Dkernel) : IWindowFixture;

internal static class Conv3DFixtures
{
    public static readonly Conv3DCase[] All = WindowFixture.Load<Conv3DCase>("Conv3D", "conv3d_fixtures.json");

    public static Conv3DCase Get(string name) => All.Single(c => c.Name == name);
}
