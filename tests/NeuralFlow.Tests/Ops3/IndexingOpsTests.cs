using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Ops3's selections, scatters, gathers, rearrangements, matrices and clipping beyond the
/// fixtures: dtypes, empty and edge cases, duplicates, NaN/inf handling, central differences in
/// float64, and what NF.Function does with them (replays, or runs eagerly where values are read
/// on the host).
/// </summary>
public abstract class IndexingOpsTests(string backend) : BackendTest(backend)
{
    private static Tensor Longs(long[,] v) => NF.Constant(v);

    [SkippableFact]
    public void Gradients_match_central_differences()
    {
        RequireBackend();
        var mask = NF.Constant(new[,] { { true, false, true }, { false, true, true } });
        GradientTests.Check(t => NF.BooleanMask(t[0], mask, 1), GradientTests.In([2, 2, 3, 2], 320));
        GradientTests.Check(t => NF.GatherNd(t[0], Longs(new long[,] { { 1, 0 }, { 0, 2 }, { 1, 0 } })), GradientTests.In([2, 3, 2], 321));
        GradientTests.Check(t => NF.ScatterNd(Longs(new long[,] { { 2 }, { 0 }, { 2 } }), t[0], new Shape(4, 2)), GradientTests.In([3, 2], 322));
        GradientTests.Check(t => NF.TensorScatterUpdate(t[0], Longs(new long[,] { { 1, 1 }, { 0, 2 } }), t[1]), GradientTests.In([2, 3], 323), GradientTests.In([2], 324));
        GradientTests.Check(t => NF.TensorScatterAdd(t[0], Longs(new long[,] { { 1 }, { 1 } }), t[1]), GradientTests.In([2, 3], 325), GradientTests.In([2, 3], 326));
        GradientTests.Check(t => NF.Roll(t[0], [1, -2], [0, 2]), GradientTests.In([2, 2, 3], 327));
        GradientTests.Check(t => NF.Repeat(t[0], [2, 0, 1], 0), GradientTests.In([3, 2], 328));
        GradientTests.Check(t => NF.Repeat(t[0], 3, -1), GradientTests.In([2, 2], 329));
        GradientTests.Check(t => NF.Slice(t[0], [0, 1], [-1, 2]), GradientTests.In([2, 4], 330));
        GradientTests.Check(t => NF.Unstack(t[0], axis: 1)[1] * NF.Unstack(t[0], axis: 1)[2], GradientTests.In([2, 3], 331));
        GradientTests.Check(t => NF.Diag(t[0]), GradientTests.In([2, 3], 332));
        GradientTests.Check(t => NF.Trace(t[0]), GradientTests.In([2, 3, 2], 333));
        GradientTests.Check(t => NF.BandPart(t[0], 1, 0), GradientTests.In([3, 4], 334));
        GradientTests.Check(t => NF.Meshgrid(t[0], t[1])[0] * NF.Meshgrid(t[0], t[1])[1], GradientTests.In([3], 335), GradientTests.In([2], 336));
        GradientTests.Check(t => NF.Outer(t[0], t[1]), GradientTests.In([2, 2], 337), GradientTests.In([3], 338));
        GradientTests.Check(t => NF.ClipByNorm(t[0], 0.7, [0]), GradientTests.In([3, 2], 339));
        GradientTests.Check(t => NF.Linspace(t[0], t[1], 4, axis: 1), GradientTests.In([2], 342), GradientTests.In([3, 1], 343));
        GradientTests.Check(t => NF.ClipByGlobalNorm([t[0], null, t[1]], 1.0).ListClipped[2]!, GradientTests.In([2, 2], 340), GradientTests.In([3], 341));
    }

    [SkippableFact]
    public void Unique_handles_nan_empty_integers_and_int64_indices()
    {
        RequireBackend();
        var (y, idx) = NF.Unique(NF.Constant(new[] { double.NaN, 1, double.NaN, 1 }));
        var yv = y.ToArray<double>();
        Assert.Equal(3, yv.Length);   // every NaN is its own value, as in TensorFlow
        Assert.True(double.IsNaN(yv[0]) && yv[1] == 1 && double.IsNaN(yv[2]));
        Assert.Equal(new[] { 0, 1, 2, 1 }, idx.ToArray<int>());
        var (ye, ie) = NF.Unique(NF.Zeros([0]));
        Assert.Equal(new Shape(0), ye.Shape);
        Assert.Equal(new Shape(0), ie.Shape);
        var (yi, ii) = NF.Unique(NF.Constant(new long[] { 5, long.MaxValue, 5, long.MaxValue - 1 }), DType.Int64);
        Assert.Equal(new[] { 5L, long.MaxValue, long.MaxValue - 1 }, yi.ToArray<long>());
        Assert.Equal(new[] { 0L, 1, 0, 2 }, ii.ToArray<long>());
        var (yb, ib) = NF.Unique(NF.Constant(new[] { true, true, false }));
        Assert.Equal(new[] { true, false }, yb.ToArray<bool>());
        Assert.Equal(new[] { 0, 0, 1 }, ib.ToArray<int>());
    }

    [SkippableFact]
    public void Scatters_keep_dtypes_infinities_and_the_last_duplicate_update()
    {
        RequireBackend();
        // Integers, and an inf that must not turn the other rows into NaN (as 0 * inf would).
        var ints = NF.ScatterNd(Longs(new long[,] { { 1 }, { 1 }, { 0 } }), NF.Constant(new[] { 3, 4, 5 }), new Shape(3));
        Assert.Equal(DType.Int32, ints.DType);
        Assert.Equal(new[] { 5, 7, 0 }, ints.ToArray<int>());
        var inf = NF.ScatterNd(NF.Constant(new[,] { { 0 } }), NF.Constant(new[] { float.PositiveInfinity }), new Shape(3));
        Assert.Equal(new[] { float.PositiveInfinity, 0, 0 }, inf.ToArray<float>());
        var updated = NF.TensorScatterUpdate(NF.Zeros([3]), Longs(new long[,] { { 2 }, { 2 } }), NF.Constant(new[] { 1f, 2f }));
        Assert.Equal(new[] { 0f, 0, 2 }, updated.ToArray<float>());
        var added = NF.TensorScatterAdd(NF.Ones([2, 2], DType.Int64), Longs(new long[,] { { 1, 0 } }), NF.Constant(new long[] { 9 }));
        Assert.Equal(new[] { 1L, 1, 10, 1 }, added.ToArray<long>());
        // No updates at all: the tensor itself, and zeros.
        Assert.Equal(new[] { 0f, 0 }, NF.ScatterNd(NF.Zeros([0, 1], DType.Int32), NF.Zeros([0]), new Shape(2)).ToArray<float>());
    }

    [SkippableFact]
    public void Matrices_eye_masks_and_clipping_edges()
    {
        RequireBackend();
        Assert.Equal(new[] { 1f, 0, 0, 0, 1, 0 }, NF.Eye(2, 3).ToArray<float>());
        var batch = NF.Eye(2, batchShape: [3], dtype: DType.Int32);
        Assert.Equal(new Shape(3, 2, 2), batch.Shape);
        Assert.Equal(Enumerable.Repeat(new[] { 1, 0, 0, 1 }, 3).SelectMany(r => r).ToArray(), batch.ToArray<int>());
        Assert.Equal(new Shape(0, 4), NF.Eye(0, 4).Shape);
        // Diag of inf: the off-diagonal stays 0 (a product with the identity would make NaN).
        Assert.Equal(new[] { float.PositiveInfinity, 0, 0, 2 }, NF.Diag(NF.Constant(new[] { float.PositiveInfinity, 2f })).ToArray<float>());
        Assert.Equal(new[] { 0.0, 0, 1, 0 }, NF.Tril(NF.Ones([2, 2], DType.Float64), -1).ToArray<double>());
        Assert.Equal(new[] { 0.0, 0, 0, 0 }, NF.Triu(NF.Ones([2, 2], DType.Float64), 9).ToArray<double>());
        Assert.Equal(new[] { 1.0, 1, 1, 1 }, NF.Tril(NF.Ones([2, 2], DType.Float64), 9).ToArray<double>());
        // Global norm: nulls kept in place, a zero list unchanged, an infinite norm NaN everywhere.
        var (clipped, norm) = NF.ClipByGlobalNorm([NF.Constant(new[] { 3.0 }), null, NF.Constant(new[] { 4.0 })], 1.0);
        Assert.Null(clipped[1]);
        Assert.Equal(5.0, norm.Item<double>(), 15);
        Assert.Equal(0.6, clipped[0]!.ToArray<double>()[0], 15);
        var (zeros, zeroNorm) = NF.ClipByGlobalNorm([NF.Zeros([2])], 1.0);
        Assert.Equal(new[] { 0f, 0 }, zeros[0]!.ToArray<float>());
        Assert.Equal(0f, zeroNorm.Item<float>());
        var (nan, _) = NF.ClipByGlobalNorm([NF.Constant(new[] { float.PositiveInfinity, 1f })], 1.0);
        Assert.All(nan[0]!.ToArray<float>(), v => Assert.True(float.IsNaN(v)));
        var (given, usedNorm) = NF.ClipByGlobalNorm([NF.Constant(new[] { 1f })], 1.0, useNorm: NF.Constant(4f));
        Assert.Equal(0.25f, given[0]!.Item<float>());
        Assert.Equal(4f, usedNorm.Item<float>());
        // A zero tensor keeps a finite gradient through ClipByNorm (TensorFlow's safe square root).
        var z = NF.Zeros([3], DType.Float64);
        using var tape = new GradientTape();
        tape.Watch(z);
        var dz = tape.Gradient(NF.ReduceSum(NF.ClipByNorm(z, 1.0)), [z])[0].ToArray<double>();
        Assert.Equal(new[] { 1.0, 1, 1 }, dz);
    }

    [SkippableFact]
    public void Rearrangements_of_empty_and_whole_axes()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, NF.Roll(x, 3, 1).ToArray<int>());
        Assert.Equal(new[] { 3, 1, 2, 6, 4, 5 }, NF.Roll(x, -5, -1).ToArray<int>());
        Assert.Equal(new Shape(0, 3), NF.Roll(NF.Zeros([0, 3]), 2, 0).Shape);
        Assert.Equal(new Shape(2, 0), NF.Repeat(x, 0, 1).Shape);
        var parts = NF.Unstack(x, 3, axis: -1);
        Assert.Equal(3, parts.Length);
        Assert.Equal(new[] { 2, 5 }, parts[1].ToArray<int>());
        Assert.Empty(NF.Unstack(NF.Zeros([0, 2])));
        Assert.Equal(new Shape(0, 3), NF.Slice(x, [2, 0], [0, 3]).Shape);
        Assert.Equal(new[] { 5, 6 }, NF.Slice(x, [1, 1], [1, -1]).ToArray<int>());
        Assert.Empty(NF.Meshgrid());
        var grids = NF.Meshgrid(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 10, 20 }));
        var (gx, gy) = (grids[0], grids[1]);
        Assert.Equal(new Shape(2, 3), gx.Shape);   // np.meshgrid([1, 2, 3], [10, 20]): xy puts y's length first
        Assert.Equal(new[] { 1, 2, 3, 1, 2, 3 }, gx.ToArray<int>());
        Assert.Equal(new[] { 10, 10, 10, 20, 20, 20 }, gy.ToArray<int>());
        Assert.Equal(new Shape(0), NF.Linspace(0, 1, 0).Shape);
        var starts = NF.Constant(new[] { 1.0, 2.0 });
        Assert.Equal(new[] { 1.0, 2.0 }, NF.Linspace(starts, NF.Constant(3.0), 1).ToArray<double>());
        Assert.Equal(new Shape(2, 0), NF.Linspace(starts, NF.Constant(3.0), 0, axis: -1).Shape);
    }

    [SkippableFact]
    public void NF_Function_replays_device_side_ops_and_runs_host_reads_eagerly()
    {
        RequireBackend();
        var indices = Longs(new long[,] { { 1, 0 }, { 0, 1 } });
        var f = NF.Function((Tensor p) => NF.Atan2(NF.GatherNd(p, indices), NF.Roll(NF.Diag(NF.Tan(p[0])), 1, 0)[..2, 0]));
        for (int i = 0; i < 3; i++)
        {
            var p = NF.Constant(new[,] { { 0.1 * i, 0.2 }, { 0.3, 0.4 + i } });
            var eager = NF.Atan2(NF.GatherNd(p, indices), NF.Roll(NF.Diag(NF.Tan(p[0])), 1, 0)[..2, 0]);
            Assert.Equal(eager.ToArray<double>(), f(p).ToArray<double>());
        }
        var info = TracedFunction.Of(f);
        Assert.Null(info.EagerReason);
        Assert.True(info.LastCallReplayed);

        using var log = new WarningLogCapture();   // the eager fallback warns once
        var masked = NF.Function((Tensor t) => NF.BooleanMask(t, NF.Greater(t, 0)));
        for (int i = 0; i < 3; i++)
        {
            var t = NF.Constant(new[] { 1f - i, -1f, 2f });
            Assert.Equal(NF.BooleanMask(t, NF.Greater(t, 0)).ToArray<float>(), masked(t).ToArray<float>());
        }
        Assert.Contains("host", TracedFunction.Of(masked).EagerReason);

        // A replayed GatherNd still refuses an index tuple outside params (its merged row is -1).
        var table = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f } });
        var lookup = NF.Function((Tensor i) => NF.GatherNd(table, i));
        for (int i = 0; i < 4; i++) Assert.Equal(new[] { 2f, 3f }, lookup(Longs(new long[,] { { 0, 1 }, { 1, 0 } })).ToArray<float>());
        Assert.True(TracedFunction.Of(lookup).LastCallReplayed, TracedFunction.Of(lookup).EagerReason);
        Assert.Throws<ArgumentException>(() => lookup(Longs(new long[,] { { 0, 1 }, { 0, 2 } })).ToArray<float>());
    }

    [SkippableFact]
    public void Bad_arguments_are_named()
    {
        RequireBackend();
        var p = NF.Zeros([3, 4]);
        var e = Assert.Throws<ArgumentException>(() => NF.GatherNd(p, Longs(new long[,] { { 0, 0 }, { 0, 5 } })));
        Assert.Contains("index tuple 1", e.Message);
        Assert.Contains("component 1 = 5 is outside [0, 4)", e.Message);
        Assert.Contains("component 0 = -1", Assert.Throws<ArgumentException>(() => NF.GatherNd(p, Longs(new long[,] { { -1, 0 } }))).Message);
        Assert.Contains("need params of rank at least 3", Assert.Throws<ArgumentException>(() => NF.GatherNd(p, NF.Zeros([1, 3], DType.Int32))).Message);
        Assert.Contains("int32, int64 or uint8", Assert.Throws<ArgumentException>(() => NF.GatherNd(p, NF.Zeros([1, 2]))).Message);
        Assert.Contains("must match", Assert.Throws<ArgumentException>(() => NF.GatherNd(NF.Zeros([2, 3]), NF.Zeros([3, 1], DType.Int32), batchDims: 1)).Message);
        Assert.Contains("component 0 = 3 is outside [0, 3)",
            Assert.Throws<ArgumentException>(() => NF.ScatterNd(Longs(new long[,] { { 3 } }), NF.Zeros([1, 4]), new Shape(3, 4))).Message);
        Assert.Contains("updates must have shape",
            Assert.Throws<ArgumentException>(() => NF.ScatterNd(Longs(new long[,] { { 1 } }), NF.Zeros([1, 3]), new Shape(3, 4))).Message);
        Assert.Contains("updates are float64",
            Assert.Throws<ArgumentException>(() => NF.TensorScatterUpdate(p, Longs(new long[,] { { 1 } }), NF.Zeros([1, 4], DType.Float64))).Message);
        Assert.Contains("does not match tensor of shape",
            Assert.Throws<ArgumentException>(() => NF.BooleanMask(p, NF.Constant(new[] { true, false }))).Message);
        Assert.Contains("must be bool", Assert.Throws<ArgumentException>(() => NF.BooleanMask(p, NF.Ones([3]))).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.BooleanMask(p, NF.Constant(true))).Message);
        Assert.Contains("does not fit", Assert.Throws<ArgumentOutOfRangeException>(() => NF.BooleanMask(p, NF.Ones([4], DType.Bool), axis: 2)).Message);
        Assert.Contains("k = 5 must be in [0, 4]", Assert.Throws<ArgumentOutOfRangeException>(() => NF.TopK(p, 5)).Message);
        Assert.Contains("vector", Assert.Throws<ArgumentException>(() => NF.Unique(p)).Message);
        Assert.Contains("axis 2 is out of range", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Roll(p, 1, 2)).Message);
        Assert.Contains("same length", Assert.Throws<ArgumentException>(() => NF.Roll(p, [1, 2], [0])).Message);
        Assert.Contains("num = 2", Assert.Throws<ArgumentException>(() => NF.Unstack(p, 2)).Message);
        Assert.Contains("begin + size", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Slice(p, [2, 0], [2, 1])).Message);
        Assert.Contains("one entry per axis", Assert.Throws<ArgumentException>(() => NF.Slice(p, [0], [1])).Message);
        Assert.Contains("at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Repeat(p, -1, 0)).Message);
        Assert.Contains("has 2 entries", Assert.Throws<ArgumentException>(() => NF.Repeat(p, [1, 2], 0)).Message);
        Assert.Contains("numLower 4", Assert.Throws<ArgumentOutOfRangeException>(() => NF.BandPart(p, 4, 0)).Message);
        Assert.Contains("at least 2 axes", Assert.Throws<ArgumentException>(() => NF.DiagPart(NF.Zeros([3]))).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Diag(NF.Constant(1f))).Message);
        Assert.Contains("clipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => NF.ClipByNorm(p, -1)).Message);
        Assert.Contains("no tensor", Assert.Throws<ArgumentException>(() => NF.ClipByGlobalNorm([null], 1)).Message);
        Assert.Contains("cannot be broadcast", Assert.Throws<ArgumentException>(() => NF.Atan2(p, NF.Zeros([3]))).Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("neither", Assert.Throws<ArgumentException>(() => NF.Meshgrid([p], "yx")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Linspace(0, 1, -1));
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.Linspace(NF.Constant(1), NF.Constant(2), 3)).Message);
        Assert.Contains("axis 3 is outside [-3, 2]", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Linspace(NF.Zeros([2]), NF.Ones([3, 1]), 3, 3)).Message);
        Assert.Contains("more positions than a dimension holds",
            Assert.Throws<ArgumentException>(() => NF.ScatterNd(Longs(new long[,] { { 0, 0 } }), NF.Zeros([1]), new Shape(100000, 100000))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Eye(-1));
    }
}

public sealed class ManagedIndexingOpsTests() : IndexingOpsTests("managed");

public sealed class NativeCpuIndexingOpsTests() : IndexingOpsTests("cpu");

public sealed class CudaIndexingOpsTests() : IndexingOpsTests("cuda");
