using System.Text.Json;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>A PyTorch reference case of a window op (convolution or pooling): its input, optional kernel, result and the gradients of sum(y * w).</summary>
public interface IWindowFixture
{
    double[] X { get; }
    int[] XShape { get; }
    double[]? Kernel { get; }
    int[]? KernelShape { get; }
    double[] Y { get; }
    int[] YShape { get; }
    double[] W { get; }
    double[] Dx { get; }
    double[]? Dkernel { get; }
}

/// <summary>The checks the 2-D and 1-D window op suites run on their fixtures.</summary>
internal static class WindowFixture
{
    /// <summary><paramref name="run"/> (the op on x and the kernel, or null) gives the case's values and gradients in float64, to 1e-12.</summary>
    public static void AssertFloat64(IWindowFixture c, Func<Tensor, Tensor?, Tensor> run)
    {
        var x = NF.Constant(c.X, c.XShape);
        var k = c.Kernel is null ? null : NF.Constant(c.Kernel, c.KernelShape!);
        Tensor[] grads;
        Tensor y;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            if (k is not null) tape.Watch(k);
            y = run(x, k);
            var loss = NF.ReduceSum(y * NF.Constant(c.W, c.YShape));
            grads = tape.Gradient(loss, k is null ? [x] : [x, k]);
        }
        Assert.Equal(new Shape(c.YShape), y.Shape);
        AssertClose(c.Y, y.ToArray<double>(), 1e-12, 1e-12, "y");
        AssertClose(c.Dx, grads[0].ToArray<double>(), 1e-12, 1e-12, "dx");
        if (k is not null) AssertClose(c.Dkernel!, grads[1].ToArray<double>(), 1e-12, 1e-12, "dkernel");
    }

    /// <summary><paramref name="run"/> gives the case's values in float32, to 1e-5.</summary>
    public static void AssertFloat32(IWindowFixture c, Func<Tensor, Tensor?, Tensor> run)
    {
        using var x = NF.Constant(c.X.Select(v => (float)v).ToArray(), c.XShape);
        using var k = c.Kernel is null ? null : NF.Constant(c.Kernel.Select(v => (float)v).ToArray(), c.KernelShape!);
        using var y = run(x, k);
        AssertClose(c.Y, y.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-5, "y");
    }

    /// <summary>The cases of a fixture file ({ "cases": [...] }, snake_case keys) copied beside the tests.</summary>
    public static T[] Load<T>(string folder, string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, folder, file);
        using var stream = File.OpenRead(path);
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        return (JsonSerializer.Deserialize<Cases<T>>(stream, options) ?? throw new InvalidDataException(path)).Items;
    }

    private sealed record Cases<T>([property: System.Text.Json.Serialization.JsonPropertyName("cases")] T[] Items);
}
