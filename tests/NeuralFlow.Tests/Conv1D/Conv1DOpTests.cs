namespace NeuralFlow.Tests;

/// <summary>
/// NF.Conv1D (valid, same, causal; strides, dilation, groups, both data formats),
/// NF.MaxPool1D and NF.AvgPool1D on every backend: values and gradients against PyTorch
/// (Conv1D/make_conv1d_fixtures.py), finite differences in float64, and the argument errors.
/// </summary>
public abstract class Conv1DOpTests(string backend) : BackendTest(backend)
{
    public static TheoryData<string> Cases() => new(Conv1DFixtures.All.Select(c => c.Name));

    private static Tensor Run(Conv1DCase c, Tensor x, Tensor? kernel)
    {
        string format = c.ChannelsFirst ? "channels_first" : "channels_last";
        return c.Op switch
        {
            "conv1d" => NF.Conv1D(x, kernel!, c.Stride, c.Padding, c.Dilation, c.Groups, format),
            "maxpool" => NF.MaxPool1D(x, c.Pool!.Value, c.Stride, c.Padding, format),
            "avgpool" => NF.AvgPool1D(x, c.Pool!.Value, c.Stride, c.Padding, format),
            _ => throw new InvalidDataException($"conv1d_fixtures.json: case {c.Name} has an unknown op '{c.Op}'."),
        };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_match_pytorch_in_float64(string name)
    {
        RequireBackend();
        var c = Conv1DFixtures.Get(name);
        WindowFixture.AssertFloat64(c, (x, k) => Run(c, x, k));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Float32_values_match_pytorch(string name)
    {
        RequireBackend();
        var c = Conv1DFixtures.Get(name);
        WindowFixture.AssertFloat32(c, (x, k) => Run(c, x, k));
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Conv1D(t[0], t[1]), GradientTests.In([2, 5, 3], 1), GradientTests.In([2, 3, 2], 2));
        GradientTests.Check(t => NF.Conv1D(t[0], t[1], 2, "same", 1, 2), GradientTests.In([1, 7, 4], 3), GradientTests.In([3, 2, 4], 4));
        GradientTests.Check(t => NF.Conv1D(t[0], t[1], 1, "causal", 2, dataFormat: "channels_first"), GradientTests.In([2, 2, 6], 5), GradientTests.In([3, 2, 3], 6));
        GradientTests.Check(t => NF.MaxPool1D(t[0], 2, 1, "same"), GradientTests.In([2, 5, 2], 7));
        GradientTests.Check(t => NF.AvgPool1D(t[0], 3, 2, "same", "channels_first"), GradientTests.In([1, 3, 8], 8));
        // Through a transposed (non-contiguous) input view.
        GradientTests.Check(t => NF.Conv1D(NF.Transpose(t[0], [0, 2, 1]), t[1], padding: "causal"), GradientTests.In([1, 3, 6], 9), GradientTests.In([2, 3, 2], 10));
    }

    [SkippableFact]
    public void Causal_outputs_see_no_later_step()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        using var x = NF.Random.Uniform([1, 8, 2]);
        using var kernel = NF.Random.Uniform([3, 2, 1]);
        var before = NF.Conv1D(x, kernel, padding: "causal", dilation: 2).ToArray<float>();
        // Changing step 5 leaves outputs 0..4 as they were and changes output 5.
        var changed = x.ToArray<float>();
        changed[5 * 2] += 10;
        var after = NF.Conv1D(NF.Constant(changed, [1, 8, 2]), kernel, padding: "causal", dilation: 2).ToArray<float>();
        Assert.Equal(8, after.Length);
        Assert.Equal(before[..5], after[..5]);
        Assert.NotEqual(before[5], after[5]);
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_naming_them()
    {
        RequireBackend();
        using var x = NF.Zeros([2, 6, 4]);
        using var kernel = NF.Zeros([3, 4, 2]);
        var e = Assert.Throws<ArgumentException>(() => NF.Conv1D(NF.Zeros([2, 6, 4, 1]), kernel));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("[batch, steps, channels]", e.Message);
        Assert.Contains("(2, 6, 4, 1)", e.Message);
        Assert.Contains("[batch, channels, steps]", Assert.Throws<ArgumentException>(() => NF.Conv1D(NF.Zeros([6, 4]), kernel, dataFormat: "channels_first")).Message);
        Assert.Equal("kernel", Assert.Throws<ArgumentException>(() => NF.Conv1D(x, NF.Zeros([3, 4, 2, 1]))).ParamName);
        e = Assert.Throws<ArgumentException>(() => NF.Conv1D(x, NF.Zeros([3, 3, 2])));
        Assert.Equal("kernel", e.ParamName);
        Assert.Contains("3 input channels", e.Message);
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => NF.Conv1D(x, NF.Zeros([3, 1, 2]), groups: 3)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Conv1D(x, kernel, groups: 0)).ParamName);
        e = Assert.Throws<ArgumentException>(() => NF.Conv1D(x, kernel, padding: "full"));
        Assert.Equal("padding", e.ParamName);
        Assert.Contains("\"causal\"", e.Message);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Conv1D(x, kernel, stride: 0)).ParamName);
        Assert.Equal("dilation", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Conv1D(x, kernel, dilation: 0)).ParamName);
        e = Assert.Throws<ArgumentException>(() => NF.Conv1D(x, kernel, dilation: 3));
        Assert.Contains("spans 7 steps", e.Message);
        Assert.Contains("only 6", e.Message);
        Assert.StartsWith("Conv1D:", Assert.Throws<ArgumentException>(() => NF.Conv1D(NF.Zeros([2, 6, 4], DType.Float64), kernel)).Message);
        // "causal" pads first, so a window longer than the sequence is fine.
        Assert.Equal(new Shape(2, 6, 2), NF.Conv1D(x, NF.Zeros([9, 4, 2]), padding: "causal").Shape);

        Assert.Equal("poolSize", Assert.Throws<ArgumentOutOfRangeException>(() => NF.MaxPool1D(x, 0)).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentOutOfRangeException>(() => NF.AvgPool1D(x, 2, 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => NF.MaxPool1D(x, 2, padding: "causal")).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => NF.AvgPool1D(NF.Zeros([2, 6]), 2)).ParamName);
        Assert.Contains("spans 7 steps", Assert.Throws<ArgumentException>(() => NF.MaxPool1D(x, 7)).Message);
        Assert.StartsWith("MaxPool1D:", Assert.Throws<ArgumentException>(() => NF.MaxPool1D(NF.Zeros([2, 6, 4], DType.Int32), 2)).Message);
    }
}

public sealed class ManagedConv1DOpTests() : Conv1DOpTests("managed");

public sealed class NativeCpuConv1DOpTests() : Conv1DOpTests("cpu");

public sealed class CudaConv1DOpTests() : Conv1DOpTests("cuda");

public sealed record Conv1DCase(
    string Name, string Op, string Padding, int Stride, int Dilation, int Groups, int? Pool, bool ChannelsFirst,
    double[] X, int[] XShape, double[]? Kernel, int[]? KernelShape,
    double[] Y, int[] YShape, double[] W, double[] Dx, double[]? Dkernel) : IWindowFixture;

internal static class Conv1DFixtures
{
    public static readonly Conv1DCase[] All = WindowFixture.Load<Conv1DCase>("Conv1D", "conv1d_fixtures.json");

    public static Conv1DCase Get(string name) => All.Single(c => c.Name == name);
}
