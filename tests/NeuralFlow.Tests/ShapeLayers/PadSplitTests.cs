using System.Text.Json;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.Pad and NF.Split on every backend: values and gradients against NumPy/PyTorch
/// (ShapeLayers/make_shape_fixtures.py), finite differences in float64 (with Concat, Stack and
/// Transpose, whose rules GradientTests checks too), views, and the error messages.
/// </summary>
public abstract class PadSplitTests(string backend) : BackendTest(backend)
{
    public static TheoryData<string> PadCases() => new(ShapeFixtures.Value.Pads.Select(c => c.Name));

    [SkippableTheory]
    [MemberData(nameof(PadCases))]
    public void Pad_values_and_gradients_match_numpy_and_pytorch_in_float64(string name)
    {
        RequireBackend();
        var c = ShapeFixtures.Value.Pads.Single(p => p.Name == name);
        var x = NF.Constant(c.X, c.XShape);
        Tensor y, dx;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            y = NF.Pad(x, c.PaddingArray, c.Mode, c.Value);
            dx = tape.Gradient(NF.ReduceSum(y * NF.Constant(c.W, c.YShape)), x);
        }
        Assert.Equal(new Shape(c.YShape), y.Shape);
        AssertClose(c.Y, y.ToArray<double>(), 1e-15, 1e-15, "y");
        AssertClose(c.Dx, dx.ToArray<double>(), 1e-12, 1e-12, "dx");
    }

    [SkippableTheory]
    [MemberData(nameof(PadCases))]
    public void Pad_float32_and_int_values_match(string name)
    {
        RequireBackend();
        var c = ShapeFixtures.Value.Pads.Single(p => p.Name == name);
        using var x = NF.Constant(c.X.Select(v => (float)v).ToArray(), c.XShape);
        Assert.Equal(c.Y.Select(v => (float)v), NF.Pad(x, c.PaddingArray, c.Mode, c.Value).ToArray<float>());
        // Integers pad too: the positions are the same, whatever the dtype.
        using var ints = NF.Constant(Enumerable.Range(0, c.X.Length).ToArray(), c.XShape);
        var positions = NF.Pad(ints, c.PaddingArray, c.Mode, c.Mode == "constant" ? -1 : 0).ToArray<int>();
        var picked = positions.Select(p => p < 0 ? c.Value : c.X[p]).ToArray();
        Assert.Equal(c.Y, picked);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Pad(t[0], new[,] { { 1, 0 }, { 2, 3 } }), GradientTests.In([3, 2], 1));
        GradientTests.Check(t => NF.Pad(t[0], new[,] { { 0, 1 }, { 1, 1 }, { 2, 0 } }, "reflect"), GradientTests.In([2, 3, 3], 2));
        GradientTests.Check(t => NF.Pad(t[0], new[,] { { 2, 1 }, { 3, 3 } }, "symmetric", 0), GradientTests.In([2, 3], 3));
        // Through a transposed view, with the pad feeding a product (the gradient is not all ones).
        GradientTests.Check(t => NF.Pad(NF.Transpose(t[0]), new[,] { { 1, 1 }, { 0, 2 } }, "reflect") * 2.5, GradientTests.In([4, 3], 4));
        GradientTests.Check(t => NF.Split(t[0], 3, axis: 1)[1] * NF.Split(t[0], [1, -1, 2], axis: 1)[0], GradientTests.In([2, 6], 5));
        GradientTests.Check(t => NF.Concat([.. NF.Split(NF.Transpose(t[0]), [2, 1])], axis: 0) * 3.0, GradientTests.In([4, 3], 6));
        // Concat, Stack and Transpose, also on higher ranks and negative axes.
        GradientTests.Check(t => NF.Concat([t[0], NF.Exp(t[1]), t[0]], axis: -1), GradientTests.In([2, 2, 3], 7), GradientTests.In([2, 2, 1], 8));
        GradientTests.Check(t => NF.Stack([t[0], t[1] * t[0]], axis: -1), GradientTests.In([3, 2], 9), GradientTests.In([3, 2], 10));
        GradientTests.Check(t => NF.Transpose(t[0], [2, 0, 3, 1]) * NF.Transpose(t[0], [2, 0, 3, 1]), GradientTests.In([2, 3, 2, 2], 11));
    }

    [SkippableFact]
    public void Split_gives_the_pieces_as_tensorflow()
    {
        RequireBackend();
        using var x = NF.Constant(Enumerable.Range(0, 12).Select(v => (float)v).ToArray(), [2, 6]);
        var thirds = NF.Split(x, 3, axis: 1);
        Assert.Equal(3, thirds.Length);
        Assert.Equal(new[] { 2f, 3f, 8f, 9f }, thirds[1].ToArray<float>());
        var sized = NF.Split(x, [1, -1, 2], axis: -1);
        Assert.Equal(new[] { new Shape(2, 1), new Shape(2, 3), new Shape(2, 2) }, sized.Select(p => p.Shape));
        Assert.Equal(new[] { 1f, 2f, 3f, 7f, 8f, 9f }, sized[1].ToArray<float>());
        Assert.Equal(x.ToArray<float>(), NF.Concat(sized, axis: 1).ToArray<float>());
        var rows = NF.Split(x, [2, 0]);
        Assert.Equal(new Shape(0, 6), rows[1].Shape);
    }

    [SkippableFact]
    public void Errors_name_the_shapes_and_arguments()
    {
        RequireBackend();
        using var x = NF.Zeros([2, 6]);
        var e = Assert.Throws<ArgumentException>(() => NF.Split(x, 4, axis: 1));
        Assert.Contains("(2, 6)", e.Message);
        Assert.Contains("4 equal pieces", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Split(x, [2, 2], axis: 1));
        Assert.Contains("[2, 2]", e.Message);
        Assert.Contains("size 6", e.Message);
        Assert.Throws<ArgumentException>(() => NF.Split(x, [-1, -1], axis: 1));
        Assert.Throws<ArgumentException>(() => NF.Split(x, [7, -1], axis: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Split(x, 2, axis: 2));
        e = Assert.Throws<ArgumentException>(() => NF.Pad(x, new[,] { { 1, 1 } }));
        Assert.Contains("(2, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Pad(x, new[,] { { 1, 1 }, { -1, 0 } }));
        Assert.Contains("negative", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Pad(x, new[,] { { 2, 0 }, { 0, 0 } }, "reflect"));
        Assert.Contains("at most 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Pad(x, new[,] { { 3, 0 }, { 0, 0 } }, "symmetric"));
        Assert.Contains("at most 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Pad(x, new[,] { { 1, 0 }, { 0, 0 } }, "edge"));
        Assert.Contains("\"edge\"", e.Message);
    }
}

public sealed class ManagedPadSplitTests() : PadSplitTests("managed");

public sealed class NativeCpuPadSplitTests() : PadSplitTests("cpu");

public sealed class CudaPadSplitTests() : PadSplitTests("cuda");

/// <summary>One NF.Pad case of ShapeLayers/shape_fixtures.json.</summary>
public sealed record PadCase(string Name, string Mode, double Value, int[][] Paddings,
    double[] X, int[] XShape, double[] Y, int[] YShape, double[] W, double[] Dx)
{
    public int[,] PaddingArray
    {
        get
        {
            var a = new int[Paddings.Length, 2];
            for (int i = 0; i < Paddings.Length; i++) (a[i, 0], a[i, 1]) = (Paddings[i][0], Paddings[i][1]);
            return a;
        }
    }
}

/// <summary>One UpSampling2D case (NHWC, nearest).</summary>
public sealed record UpSamplingCase(string Name, int[] Size, double[] X, int[] XShape, double[] Y, int[] YShape, double[] W, double[] Dx);

/// <summary>The Embedding case: a table, repeated indices, the lookup and the table's gradient.</summary>
public sealed record EmbeddingCase(double[] Table, int[] TableShape, int[] Indices, int[] IndicesShape, double[] Y, double[] W, double[] Dtable);

public sealed record ShapeFixtureFile(PadCase[] Pads, UpSamplingCase[] Upsampling, EmbeddingCase Embedding);

internal static class ShapeFixtures
{
    public static readonly ShapeFixtureFile Value = Load();

    private static ShapeFixtureFile Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "ShapeLayers", "shape_fixtures.json");
        using var stream = File.OpenRead(path);
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        return JsonSerializer.Deserialize<ShapeFixtureFile>(stream, options) ?? throw new InvalidDataException(path);
    }
}
