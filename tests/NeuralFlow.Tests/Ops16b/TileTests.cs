using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>NF.Tile (tf.tile) on every backend: NumPy values, PyTorch gradients, finite differences, errors.</summary>
public abstract class TileTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Tiles_and_sums_the_gradient_over_the_tiles()
    {
        RequireBackend();
        foreach (var c in Ops16bFixtures.Tile)
        {
            var x = NF.Constant(c.X, c.XShape);
            using var tape = new GradientTape();
            tape.Watch(x);
            var t = NF.Tile(x, c.Multiples);
            var dx = tape.Gradient(NF.ReduceSum(t * NF.Constant(c.W, c.OutShape)), [x])[0];
            string what = $"tile {string.Join("x", c.XShape)} by [{string.Join(", ", c.Multiples)}]";
            Assert.Equal(new Shape(c.OutShape), t.Shape);
            AssertClose(c.Out, t.ToArray<double>(), 0, 0, what);
            AssertClose(c.Dx, dx.ToArray<double>(), 1e-14, 1e-14, what + " dx");
        }
    }

    [SkippableFact]
    public void Many_repeated_axes_integers_and_finite_differences()
    {
        RequireBackend();
        // Rank 5 with every axis repeated: past Shape.MaxRank if done in one pass.
        var x = NF.Reshape(NF.Range(0, 32), [2, 2, 2, 2, 2]);
        using var t = NF.Tile(x, 2, 1, 3, 1, 2);
        Assert.Equal(new Shape(4, 2, 6, 2, 4), t.Shape);
        var xs = x.ToArray<int>();
        var ts = t.ToArray<int>();
        for (int i = 0; i < ts.Length; i++)
        {
            int r = i, e = r % 4; r /= 4; int d = r % 2; r /= 2; int c = r % 6; r /= 6; int b = r % 2; r /= 2; int a = r;
            Assert.Equal(xs[((((a % 2) * 2 + b) * 2 + c % 2) * 2 + d) * 2 + e % 2], ts[i]);
        }
        GradientTests.Check(u => NF.Tile(u[0], 3, 2), GradientTests.In([2, 3], 41));
        GradientTests.Check(u => NF.Tile(u[0] * u[0], 2, 1, 2), GradientTests.In([1, 2, 2], 42));
    }

    [SkippableFact]
    public void Bad_multiples_are_named()
    {
        RequireBackend();
        var x = NF.Zeros([2, 3]);
        var e = Assert.Throws<ArgumentException>(() => NF.Tile(x, 2));
        Assert.Contains("multiples [2] has 1 entries but x of shape (2, 3) has rank 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Tile(x, 1, -2));
        Assert.Contains("multiples[1] = -2 is negative", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Tile(x, int.MaxValue, 1));
        Assert.Contains("axis 0 would have", e.Message);
    }
}

public sealed class ManagedTileTests() : TileTests("managed");

public sealed class NativeCpuTileTests() : TileTests("cpu");

public sealed class CudaTileTests() : TileTests("cuda");
