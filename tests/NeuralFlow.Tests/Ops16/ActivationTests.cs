using System.Text.Json;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras' activations (issue 16) on every backend: values and gradients against PyTorch in
/// float64 (Ops16/make_activation_fixtures.py), finite differences, lookup by Keras name.
/// </summary>
public abstract class ActivationTests(string backend) : BackendTest(backend)
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Functions = new()
    {
        ["relu_options"] = x => NF.Relu(x, negativeSlope: 0.1, maxValue: 2.5, threshold: 0.5),
        ["relu_max"] = x => NF.Relu(x, 0, maxValue: 1.5),
        ["relu6"] = NF.Relu6,
        ["leaky_relu"] = x => NF.LeakyRelu(x),
        ["elu"] = x => NF.Elu(x),
        ["selu"] = NF.Selu,
        ["gelu"] = x => NF.Gelu(x),
        ["gelu_tanh"] = x => NF.Gelu(x, approximate: true),
        ["silu"] = NF.Silu,
        ["softplus"] = NF.Softplus,
        ["softsign"] = NF.Softsign,
        ["hard_sigmoid"] = NF.HardSigmoid,
        ["hard_swish"] = NF.HardSwish,
        ["mish"] = NF.Mish,
    };

    public static TheoryData<string> Names() => new(Functions.Keys);

    // The fixture cases that are Keras names with their default arguments.
    public static TheoryData<string> KerasNames() => new(Functions.Keys.Except(["relu_options", "relu_max", "gelu_tanh"]));

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Values_and_gradients_match_pytorch_in_float64(string name)
    {
        RequireBackend();
        var c = ActivationFixtures.Get(name);
        var (y, dx) = TapeReference.ValueAndGradient(Functions[name], c.X, c.W);
        AssertClose(c.Y, y, 1e-13, 1e-15, name);
        AssertClose(c.Dx, dx, 1e-12, 1e-15, name + " dx");
    }

    [SkippableTheory]
    [MemberData(nameof(KerasNames))]
    public void Keras_names_give_the_same_function(string name)
    {
        RequireBackend();
        var c = ActivationFixtures.Get(name);
        using var x = NF.Constant(F(c.X));
        using var y = ActivationFunction.Get(name).Apply(x);
        Assert.Equal(DType.Float32, y.DType);
        AssertClose(c.Y, y.ToArray<float>().Select(v => (double)v).ToArray(), 2e-6, 1e-6, name);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        foreach (var (name, f) in Functions)
        {
            // Inputs kept 0.05 away from every kink (0, ±3, 0.5, 1.5, 2.5, 6) by the seed's draw and shift.
            var input = GradientTests.In([2, 4], name.Length, -0.45, 0.45);
            var shifted = (input.V.Select(v => v + Math.Sign(v) * 0.05).ToArray(), input.Shape);
            GradientTests.Check(t => f(t[0]), shifted);
            GradientTests.Check(t => f(t[0] * 4 + 1.25), shifted);
        }
    }

    [SkippableFact]
    public void Unknown_names_and_bad_options_are_clear_errors()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => ActivationFunction.Get("swishh"));
        Assert.Contains("swishh", e.Message);
        Assert.Contains("gelu", e.Message);
        using var x = NF.Constant(new[] { 1f });
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Relu(x, 0, maxValue: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Relu(x, -0.5));
    }

    [SkippableFact]
    public void Tails_stay_finite()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { -1000f, 1000f });
        foreach (var (name, f) in Functions)
        {
            using var y = f(x);
            Assert.All(y.ToArray<float>(), v => Assert.True(float.IsFinite(v), $"{name}: {v}"));
        }
    }
}

public sealed class ManagedActivationTests() : ActivationTests("managed");

public sealed class NativeCpuActivationTests() : ActivationTests("cpu");

public sealed class CudaActivationTests() : ActivationTests("cuda");

public sealed record ActivationCase(string Name, double[] X, double[] Y, double[] W, double[] Dx);

internal static class ActivationFixtures
{
    private sealed record File(ActivationCase[] Cases);

    private static readonly ActivationCase[] All = Load();

    public static ActivationCase Get(string name) => All.Single(c => c.Name == name);

    private static ActivationCase[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Ops16", "activation_fixtures.json");
        using var stream = System.IO.File.OpenRead(path);
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        return (JsonSerializer.Deserialize<File>(stream, options) ?? throw new InvalidDataException(path)).Cases;
    }
}
