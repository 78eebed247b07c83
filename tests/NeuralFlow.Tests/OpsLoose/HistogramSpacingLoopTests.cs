using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.OpsLoose;

/// <summary>
/// The tensor arguments NumPy / Keras take that NeuralFlow lacked: NF.Histogram with explicit bin
/// edges and with weights, NF.Logspace / NF.Geomspace between tensor ends, and NF.ForiLoop with
/// scalar tensor bounds. Values from ops_loose_references.py beside this file (NumPy) and
/// keras.ops.fori_loop's docstring, float64 finite-difference gradients, and bad-argument messages.
/// </summary>
public abstract class HistogramSpacingLoopTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    private static readonly double[] Xs = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 7.5, 10.0, -1.0, double.NaN, 12.0];
    private static readonly double[] Ws = [1.0, 2.0, 0.5, -1.0, 3.0, 4.0, 0.25, 8.0, 100.0, 50.0, 9.0];

    [SkippableFact]
    public void Histogram_with_edges_and_weights_matches_numpy()
    {
        RequireBackend();
        // "hist edges" / "hist edges weights": uneven edges, NaN and values outside not counted, 10 in the last bin.
        var (counts, edges) = NF.Histogram(D(Xs), D(0, 1, 2, 5, 10));
        Assert.Equal(DType.Int32, counts.DType);
        Assert.Equal(new[] { 1, 2, 3, 2 }, counts.ToArray<int>());
        AssertClose([0, 1, 2, 5, 10], edges.ToArray<double>(), 0, 0, "edges");
        var (sums, _) = NF.Histogram(D(Xs), D(0, 1, 2, 5, 10), D(Ws));
        Assert.Equal(DType.Float64, sums.DType);
        AssertClose([1.0, 2.5, 6.0, 8.25], sums.ToArray<double>(), 0, 0, "weighted");
        // "hist 3 bins weights": the equal-bins form with weights.
        var (even, evenEdges) = NF.Histogram(D(Xs[..6]), 3, weights: D(Ws[..6]));
        AssertClose([3.5, -1.0, 7.0], even.ToArray<double>(), 0, 0, "3 bins weighted");
        AssertClose([0.5, 1.6666666666666667, 2.8333333333333335, 4.0], evenEdges.ToArray<double>(), 1e-15, 0, "3 bins edges");
        // "hist repeated edge": an empty bin of zero width.
        Assert.Equal(new[] { 1, 0, 3 }, NF.Histogram(D(1, 2, 2, 3), D(1, 2, 2, 3)).Counts.ToArray<int>());
        // Integer x and float32 edges meet in float32; a [2, 3] x is flattened, int32 weights sum as int32.
        var (ic, ie) = NF.Histogram(NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } }), NF.Constant(new[] { 0f, 3f, 6f }), NF.Constant(new[,] { { 1, 1, 1 }, { 2, 2, 2 } }));
        Assert.Equal(DType.Int32, ic.DType);
        Assert.Equal(new[] { 2, 7 }, ic.ToArray<int>());
        Assert.Equal(DType.Float32, ie.DType);
        // Empty x gives zeros.
        Assert.Equal(new[] { 0, 0 }, NF.Histogram(NF.Zeros(new Shape(0), DType.Float64), D(0, 1, 2)).Counts.ToArray<int>());
    }

    [SkippableFact]
    public void Logspace_and_geomspace_between_tensors_match_numpy()
    {
        RequireBackend();
        // "logspace arrays": ends [2] and [2, 2] broadcast to [2, 2]; the result is [3, 2, 2].
        using var l = NF.Logspace(D(0, 1), NF.Constant(new[,] { { 2.0, 3.0 }, { 1.0, -1.0 } }), num: 3);
        Assert.Equal(new Shape(3, 2, 2), l.Shape);
        Assert.Equal(DType.Float64, l.DType);
        AssertClose([1.0, 10.0, 1.0, 10.0, 10.0, 100.0, 3.162277660168379, 1.0, 100.0, 1000.0, 10.0, 0.09999999999999999], l.ToArray<double>(), 1e-14, 0, "logspace");
        // "logspace axis -1 noend base 2".
        using var l2 = NF.Logspace(D(0, 1), D(4, 2), num: 4, endpoint: false, @base: 2.0, axis: -1);
        Assert.Equal(new Shape(2, 4), l2.Shape);
        AssertClose([1.0, 2.0, 4.0, 8.0, 2.0, 2.378414230005442, 2.8284271247461903, 3.363585661014858], l2.ToArray<double>(), 1e-14, 0, "logspace base 2");
        // Integer ends give float32.
        using var li = NF.Logspace(NF.Constant(new[] { 0, 1 }), NF.Constant(2), num: 3);
        Assert.Equal(DType.Float32, li.DType);
        AssertClose([1, 10, 10, 31.622776601683793, 100, 100], li.ToArray<float>().Select(v => (double)v).ToArray(), 1e-6, 0, "logspace int");
        // "geomspace arrays": the ends exact, a negative pair negated, equal ends constant.
        using var g = NF.Geomspace(D(1, -8, 2), D(1000, -1, 2), num: 4);
        Assert.Equal(new Shape(4, 3), g.Shape);
        AssertClose([1.0, -8.0, 2.0, 10.0, -4.0, 2.0, 100.0, -2.0000000000000004, 2.0, 1000.0, -1.0, 2.0], g.ToArray<double>(), 1e-14, 0, "geomspace");
        var gv = g.ToArray<double>();
        Assert.Equal(1000.0, gv[9]);
        Assert.Equal(-8.0, gv[1]);
        // "geomspace noend axis 1".
        using var g1 = NF.Geomspace(D(1, 3), D(16, 48), num: 4, endpoint: false, axis: 1);
        Assert.Equal(new Shape(2, 4), g1.Shape);
        AssertClose([1.0, 2.0, 4.0, 7.999999999999999, 3.0, 6.0, 12.000000000000002, 23.999999999999993], g1.ToArray<double>(), 1e-14, 0, "geomspace noend");
        // "geomspace mixed signs": NaN between the pinned ends, as NumPy 1.24.
        var mixed = NF.Geomspace(D(-1), D(1), num: 3).ToArray<double>();
        Assert.Equal(-1.0, mixed[0]);
        Assert.True(double.IsNaN(mixed[1]));
        Assert.Equal(1.0, mixed[2]);
        Assert.Equal(new Shape(0, 2), NF.Geomspace(D(1, 2), D(4, 8), num: 0).Shape);
        AssertClose([1, 2], NF.Geomspace(D(1, 2), D(4, 8), num: 1).ToArray<double>(), 0, 0, "num 1");
    }

    [SkippableFact]
    public void ForiLoop_with_tensor_bounds_runs_the_data_trip_count()
    {
        RequireBackend();
        // keras.ops.fori_loop's docstring: lower 0, upper 10, (i, s) -> (i + 1, s + i) from (0, 0) gives (10, 45).
        var both = NF.ForiLoop(NF.Constant(0), NF.Constant(10), (i, v) => [v[0] + 1, v[1] + i], [NF.Constant(0), NF.Constant(0)]);
        Assert.Equal(10, both[0].Item<int>());
        Assert.Equal(45, both[1].Item<int>());
        // int64 bounds give an int64 index; upper <= lower runs no iteration.
        var seen = new List<DType>();
        var sum = NF.ForiLoop(NF.Constant(2L), NF.Constant(5L), (i, v) => { seen.Add(i.DType); return v + NF.Cast(i, DType.Float64); }, D(0.5));
        AssertClose([9.5], sum.ToArray<double>(), 0, 0, "2 + 3 + 4");
        Assert.All(seen, d => Assert.Equal(DType.Int64, d));
        AssertClose([0.5], NF.ForiLoop(NF.Constant(5), NF.Constant(2), (i, v) => v * 100, D(0.5)).ToArray<double>(), 0, 0, "no iteration");
        // Under NF.Function the bounds are data: the loop is traced once and each replay loops its own count.
        var step = NF.Function((Tensor n) => NF.ForiLoop(NF.Constant(0), n, (i, v) => v + NF.Cast(i, DType.Float32), NF.Constant(0f)));
        Assert.Equal(6f, step(NF.Constant(4)).Item<float>());
        Assert.Equal(10f, step(NF.Constant(5)).Item<float>());
        Assert.True(TracedFunction.Of(step).LastCallReplayed, TracedFunction.Of(step).EagerReason);
        Assert.Equal(1, TracedFunction.Of(step).TraceCount);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        var edges = D(-1, 0, 0.5, 2);
        var x = D(0.3, -0.5, 1.5, 0.1, 3.0, 0.7);
        GradientTests.Check(t => NF.Histogram(x, edges, t[0]).Counts * D(1, 2, 3), GradientTests.In([6], 1));
        GradientTests.Check(t => NF.Logspace(t[0], t[1], num: 4, @base: 3.0, axis: 1), GradientTests.In([2], 2, -1, 1), GradientTests.In([3, 2], 3, -1, 1));
        GradientTests.Check(t => NF.Geomspace(NF.Exp(t[0]), NF.Exp(t[1]) * 5, num: 3), GradientTests.In([3], 4), GradientTests.In([3], 5));
        GradientTests.Check(t => -NF.Geomspace(-NF.Exp(t[0]), -NF.Exp(t[1]), num: 4, endpoint: false), GradientTests.In([2], 6), GradientTests.In([2], 7));
        GradientTests.Check(t => NF.ForiLoop(NF.Constant(1), NF.Constant(4), (i, v) => v * t[1] + NF.Cast(i, DType.Float64), t[0]), GradientTests.In([3], 8), GradientTests.In([3], 9));
        SecondOrderCheck.AssertMatchesFiniteDifferences(v => NF.Geomspace(NF.Exp(v), NF.Exp(v) * 2 + 1, num: 3, axis: 1), [3]);
    }

    [SkippableFact]
    public void Bad_arguments_name_the_op_and_the_problem()
    {
        RequireBackend();
        Assert.Contains("Histogram: edges must increase monotonically",
            Assert.Throws<ArgumentException>(() => NF.Histogram(D(1, 2), D(0, 2, 1))).Message);
        Assert.Contains("Histogram: edges must increase monotonically",
            Assert.Throws<ArgumentException>(() => NF.Histogram(D(1, 2), D(0, double.NaN, 1))).Message);
        Assert.Contains("Histogram: edges must be 1-D with at least 2 values",
            Assert.Throws<ArgumentException>(() => NF.Histogram(D(1, 2), D(0))).Message);
        Assert.Contains("Histogram: weights has shape (3,); it needs x's shape (2,)",
            Assert.Throws<ArgumentException>(() => NF.Histogram(D(1, 2), D(0, 1, 2), D(1, 1, 1))).Message);
        Assert.Contains("Histogram: weights has shape",
            Assert.Throws<ArgumentException>(() => NF.Histogram(D(1, 2), 4, null, D(1))).Message);
        Assert.Contains("Logspace: num must be at least 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => NF.Logspace(D(0), D(1), num: -1)).Message);
        Assert.Contains("Geomspace: axis 3 is outside [-3, 2]",
            Assert.Throws<ArgumentOutOfRangeException>(() => NF.Geomspace(D(1, 2), NF.Constant(new[,] { { 3.0, 4.0 } }), num: 2, axis: 3)).Message);
        Assert.Contains("Logspace",
            Assert.Throws<ArgumentException>(() => NF.Logspace(D(1, 2), D(1, 2, 3), num: 2)).Message);
        Assert.Contains("ForiLoop: upper must be an integer scalar tensor, got float32",
            Assert.Throws<ArgumentException>(() => NF.ForiLoop(NF.Constant(0), NF.Constant(2f), (i, v) => v, D(1))).Message);
        Assert.Contains("ForiLoop: lower must be an integer scalar tensor, got int32 of shape (2,)",
            Assert.Throws<ArgumentException>(() => NF.ForiLoop(NF.Constant(new[] { 0, 1 }), NF.Constant(2), (i, v) => v, D(1))).Message);
        Assert.Contains("ForiLoop: value 0 is float64",
            Assert.Throws<InvalidOperationException>(() => NF.ForiLoop(NF.Constant(0), NF.Constant(2), (i, v) => NF.Cast(v, DType.Float32), D(1))).Message);
    }
}

/// <summary>Histogram edges / weights, tensor log-spacing and tensor-bound loops on the managed engine.</summary>
public sealed class ManagedHistogramSpacingLoopTests() : HistogramSpacingLoopTests("managed");

/// <summary>Histogram edges / weights, tensor log-spacing and tensor-bound loops on the native CPU engine.</summary>
public sealed class NativeCpuHistogramSpacingLoopTests() : HistogramSpacingLoopTests("cpu");

/// <summary>Histogram edges / weights, tensor log-spacing and tensor-bound loops on the CUDA engine.</summary>
public sealed class CudaHistogramSpacingLoopTests() : HistogramSpacingLoopTests("cuda");
