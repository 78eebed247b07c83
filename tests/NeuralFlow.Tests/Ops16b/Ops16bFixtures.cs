using System.Text.Json;

namespace NeuralFlow.Tests;

/// <summary>The cases of ops16b_fixtures.json (make_ops16b_fixtures.py: NumPy forward values, PyTorch float64 gradients of sum(f * w)).</summary>
internal static class Ops16bFixtures
{
    public sealed record WhereCase(bool[] Cond, int[] CondShape, double[] X, int[] XShape, double[] Y, int[] YShape,
                                   double[] Out, int[] OutShape, double[] W, double[] Dx, double[] Dy);
    public sealed record OneHotCase(long[] Indices, int[] IndicesShape, int Depth, int Axis, double[] Out, int[] OutShape);
    public sealed record TileCase(double[] X, int[] XShape, int[] Multiples, double[] Out, int[] OutShape, double[] W, double[] Dx);
    public sealed record CumulativeCase(string Op, double[] X, int[] XShape, int Axis, bool Exclusive, bool Reverse, double[] Out, double[] W, double[] Dx);
    public sealed record SortCase(double[] X, int[] XShape, int Axis, bool Descending, double[] Values, int[] Indices, double[] W, double[] Dx);
    public sealed record TopKCase(double[] X, int[] XShape, int K, double[] Values, int[] Indices, double[] W, double[] Dx);
    public sealed record EinsumCase(string Equation, double[][] Inputs, int[][] Shapes, double[] Out, int[] OutShape, double[] W, double[][] Grads);

    private sealed record All(WhereCase[] Where, OneHotCase[] OneHot, TileCase[] Tile, CumulativeCase[] Cumulative,
                              SortCase[] Sort, TopKCase[] TopK, EinsumCase[] Einsum);

    private static readonly Lazy<All> Data = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Ops16b", "ops16b_fixtures.json");
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<All>(stream, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })
            ?? throw new InvalidDataException($"{path} holds no cases.");
    });

    public static WhereCase[] Where => Data.Value.Where;
    public static OneHotCase[] OneHot => Data.Value.OneHot;
    public static TileCase[] Tile => Data.Value.Tile;
    public static CumulativeCase[] Cumulative => Data.Value.Cumulative;
    public static SortCase[] Sort => Data.Value.Sort;
    public static TopKCase[] TopK => Data.Value.TopK;
    public static EinsumCase[] Einsum => Data.Value.Einsum;
}
