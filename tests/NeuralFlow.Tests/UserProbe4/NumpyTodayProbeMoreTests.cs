using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.UserProbe4;

/// <summary>
/// More of the day's NumPy-style ops as a NumPy user calls them (see NumpyTodayProbeTests):
/// index lists, mixed-dtype stacks and products, the modes and ranges of the statistics, the
/// creation ops' corner arguments, and the float and integer edge values of the elementwise ops.
/// Expected values: the second half of numpy_today_probe.py.
/// </summary>
public abstract class NumpyTodayProbeMoreTests(string backend) : BackendTest(backend)
{
    private static double[] Doubles(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    private static Tensor Arange(int n) => NF.Cast(NF.Range(0, n, 1), DType.Float64);

    [SkippableFact]
    public void Splits_stacks_and_views_match_numpy()
    {
        RequireBackend();
        var parts = NF.ArraySplit(Arange(5), [-2, 10, 1]);
        Assert.Equal(4, parts.Length);
        Assert.Equal(new[] { 0.0, 1, 2 }, parts[0].ToArray<double>());
        Assert.Equal(new[] { 3.0, 4 }, parts[1].ToArray<double>());
        Assert.Equal(new Shape(0), parts[2].Shape);
        Assert.Equal(new[] { 1.0, 2, 3, 4 }, parts[3].ToArray<double>());
        var v = NF.Vstack([NF.Constant(1.0), NF.Constant(2.0)]);
        Assert.Equal(new Shape(2, 1), v.Shape);
        var cs = NF.ColumnStack([NF.Constant(new[] { 1, 2 }), NF.Constant(new[,] { { 3.5 }, { 4.5 } })]);
        Assert.Equal(new[] { 1.0, 3.5, 2.0, 4.5 }, cs.ToArray<double>());
        Assert.Equal(new[] { 0.0, 3, 1, 4, 2, 5 }, NF.Ravel(NF.Transpose(NF.Reshape(Arange(6), [2, 3]))).ToArray<double>());
        Assert.Contains("VSplit", Assert.Throws<ArgumentException>(() => NF.VSplit(Arange(4), 2)).Message);
        Assert.Contains("Fliplr", Assert.Throws<ArgumentException>(() => NF.Fliplr(Arange(4))).Message);
        Assert.Equal(new[] { 3.0 }, NF.Flip(NF.Constant(new[] { 3.0 })).ToArray<double>());
    }

    [SkippableFact]
    public void Products_of_integers_scalars_and_high_ranks_match_numpy()
    {
        RequireBackend();
        var td = NF.Tensordot(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } }), NF.Constant(new[,] { { 5, 6 }, { 7, 8 } }), 2);
        Assert.Equal(new Shape(), td.Shape);
        Assert.Equal(70.0, Doubles(td)[0]);
        Assert.Equal(new[] { 2.0, 4, 6 }, Doubles(NF.Inner(NF.Constant(2), NF.Constant(new[] { 1, 2, 3 }))));
        Assert.Equal(32.0, Doubles(NF.Vdot(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[,] { { 4, 5, 6 } })))[0]);
        var k = NF.Kron(NF.Reshape(Arange(4), [2, 1, 2]), NF.Constant(new[] { 1.0, 2.0 }));
        Assert.Equal(new Shape(2, 1, 4), k.Shape);
        Assert.Equal(new[] { 0.0, 0, 1, 2, 2, 4, 3, 6 }, k.ToArray<double>());
        Assert.Equal(new[] { -4.0, -2.0 }, NF.Cross(NF.Constant(new[,] { { 1.0, 2.0 }, { 3.0, 4.0 } }), NF.Constant(new[] { 5.0, 6.0 })).ToArray<double>());
        var cols = NF.Cross(NF.Reshape(Arange(6), [3, 2]), NF.Constant(new[,] { { 1.0 }, { 0.0 }, { 2.0 } }), axis: 0);
        Assert.Equal(new Shape(3, 2), cols.Shape);
        Assert.Equal(new[] { 4.0, 6, 4, 3, -2, -3 }, cols.ToArray<double>());
    }

    [SkippableFact]
    public void Products_of_bools_are_bool_as_numpy()
    {
        RequireBackend();
        // Tensordot, Inner and Vdot refused bool (MatMul's exception), Kron too (Multiply's);
        // Correlate and Convolve gave int32 counts.
        var b = NF.Constant(new[] { true, false, true });
        var td = NF.Tensordot(b, b, 1);
        Assert.Equal(DType.Bool, td.DType);
        Assert.True(td.Item<bool>());
        Assert.False(NF.Tensordot(NF.Constant(new[,] { { true, false } }), NF.Constant(new[,] { { false }, { false } }), 1).ToArray<bool>()[0]);
        Assert.True(NF.Inner(b, b).Item<bool>());
        Assert.True(NF.Vdot(b, b).Item<bool>());
        Assert.Equal(new[] { true, false, true }, NF.Inner(NF.Constant(true), b).ToArray<bool>());
        Assert.Equal(new[] { true, false, true, false, false, false, true, false, true }, NF.Kron(b, b).ToArray<bool>());
        var c = NF.Correlate(b, NF.Constant(new[] { true, true }));
        Assert.Equal(DType.Bool, c.DType);
        Assert.Equal(new[] { true, true }, c.ToArray<bool>());
        Assert.Equal(new[] { true, false, true, false, true }, NF.Convolve(b, b).ToArray<bool>());
    }

    [SkippableFact]
    public void Statistics_modes_ranges_and_dtypes_match_numpy()
    {
        RequireBackend();
        var a = NF.Constant(new[] { 1.0, 2.0 });
        var v = NF.Constant(new[] { 1.0, 2.0, 3.0, 4.0 });
        Assert.Equal(new[] { 11.0, 8, 5, 2 }, NF.Correlate(a, v, "same").ToArray<double>());
        Assert.Equal(new[] { 1.0, 4, 7, 10 }, NF.Convolve(a, v, "same").ToArray<double>());
        var (counts, edges) = NF.Histogram(NF.Constant(new[] { 0, 1, 2, 5, 9 }), 3, (0, 6));
        Assert.Equal(new[] { 2.0, 1, 1 }, Doubles(counts));
        Assert.Equal(new[] { 0.0, 2, 4, 6 }, Doubles(edges));
        var (special, _) = NF.Histogram(NF.Constant(new[] { double.PositiveInfinity, 1.0, double.NaN, double.NegativeInfinity, 2.0 }), 2, (0, 2));
        Assert.Equal(new[] { 0.0, 2 }, Doubles(special));
        AssertClose([7.5], [Doubles(NF.Trapezoid(NF.Constant(new[] { 1, 2, 4 }), NF.Constant(new[] { 0, 1, 3 })))[0]], 1e-7, 0);
        Assert.Equal(double.PositiveInfinity, NF.Cov(a, ddof: 3).Item<double>());
        var cov = NF.Cov(NF.Constant(new[,] { { 1.0, 2.0 }, { 2.0, 1.0 }, { 3.0, 5.0 } }), NF.Constant(new[] { 1.0, 0.0, 2.0 }), rowvar: false);
        AssertClose([1, 1.5, 0.5, 1.5, 4.333333333333333, 2, 0.5, 2, 1], cov.ToArray<double>(), 1e-14, 0);
    }

    [SkippableFact]
    public void Creation_corner_arguments_match_numpy()
    {
        RequireBackend();
        Assert.All(NF.Tri(2, 3, -5).ToArray<float>(), x => Assert.Equal(0f, x));
        var ti = NF.Tri(2, 3, 5, DType.Int32);
        Assert.Equal(DType.Int32, ti.DType);
        Assert.All(ti.ToArray<int>(), x => Assert.Equal(1, x));
        var d = NF.Diagflat(NF.Constant(new[,] { { 1.0, 2.0 }, { 3.0, 4.0 } }), -1);
        Assert.Equal(new Shape(5, 5), d.Shape);
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0 }, new[] { 5, 11, 17, 23 }.Select(i => d.ToArray<double>()[i]).ToArray());
        Assert.Equal(new[] { 1.0 }, NF.Logspace(0, 3, 1, @base: 2, dtype: DType.Float64).ToArray<double>());
        Assert.Equal(new[] { 1.0, 2, 4 }, NF.Logspace(0, 3, 3, endpoint: false, @base: 2, dtype: DType.Float64).ToArray<double>());
        Assert.Equal(new[] { 0.0, 0.0 }, NF.Bartlett(2, DType.Float64).ToArray<double>());
    }

    [SkippableFact]
    public void Elementwise_edge_values_match_numpy()
    {
        RequireBackend();
        Assert.Equal(new[] { float.PositiveInfinity, 0.5f, -0.25f }, NF.Reciprocal(NF.Constant(new[] { 0, 2, -4 })).ToArray<float>());
        var ld = NF.Ldexp(NF.Constant(new[,] { { 1.0 }, { -3.0 } }), NF.Constant(new long[] { 2, -1 }));
        Assert.Equal(new[] { 4.0, 0.5, -12, -1.5 }, ld.ToArray<double>());
        var fm = NF.Fmod(NF.Constant(new[] { -7.5, 7.5, double.PositiveInfinity, 1.0, -0.0 }), NF.Constant(new[] { 2.0, -2.0, 2.0, double.PositiveInfinity, 1.0 })).ToArray<double>();
        AssertClose([-1.5, 1.5, double.NaN, 1.0, -0.0], fm, 0, 0);
        Assert.True(double.IsNegative(fm[4]), "fmod(-0, 1) is -0");
        var na = NF.Nextafter(NF.Constant(new[] { 5e-324, 1.0, 1.0, -1.0, Math.Pow(2, -1022) }), NF.Constant(new[] { 0.0, 1.0, double.NaN, -2.0, 0.0 }));
        AssertClose([0, 1, double.NaN, -1.0000000000000002, 2.225073858507201e-308], na.ToArray<double>(), 0, 0);
        AssertClose([double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.NaN], Doubles(NF.Erfinv(NF.Constant(new[] { 1, -1, 2, -3 }))), 0, 0);
        Assert.Equal(new[] { true, false, false }, NF.Signbit(NF.Constant(new[] { -1, 0, 3 })).ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, NF.Signbit(NF.Constant(new[] { -0.0, double.NaN, double.NegativeInfinity })).ToArray<bool>());
        var g = NF.Gcd(NF.Constant(new[] { 12, 18 }), NF.Constant(new long[,] { { 8 }, { 27 } }));
        Assert.Equal(DType.Int64, g.DType);
        Assert.Equal(new long[] { 4, 2, 3, 9 }, g.ToArray<long>());
        Assert.Equal(new[] { 6, 6 }, NF.Gcd(NF.Constant(new[] { 12, 18 }), 6).ToArray<int>());
        // |int.MinValue| overflows: NumPy's gcd(-2^31, 6) is 2 (NeuralFlow gave -2), gcd(-2^31, 0) -2^31.
        Assert.Equal(new[] { int.MinValue, 2, 2 }, NF.Gcd(NF.Constant(new[] { int.MinValue, int.MinValue, 6 }), NF.Constant(new[] { 0, 6, int.MinValue })).ToArray<int>());
        Assert.Equal(new[] { true, false, false, false, true, false }, NF.IsClose(NF.Constant(new[,] { { 1.0 }, { 2.0 } }), NF.Constant(new[] { 1.0, 2.0, 3.0 })).ToArray<bool>());
        Assert.True(NF.AllClose(NF.Zeros(new Shape(0)), NF.Zeros(new Shape(0))));
    }

    [SkippableFact]
    public void Nan_statistics_shapes_and_dtypes_match_numpy()
    {
        RequireBackend();
        Assert.Equal(new[] { 1.0, 1, 4, 8 }, NF.NanCumSum(NF.Constant(new[,] { { 1.0, double.NaN }, { 3.0, 4.0 } })).ToArray<double>());
        AssertClose([double.NaN, double.NaN, double.NaN], NF.NanVar(NF.Zeros(new Shape(0, 3), DType.Float64), 0).ToArray<double>(), 0, 0);
        var vi = NF.NanVar(NF.Constant(new[,] { { 1, 2 }, { 3, 5 } }), [0, 1], keepDims: true);
        Assert.Equal(new Shape(1, 1), vi.Shape);
        AssertClose([2.1875], Doubles(vi), 1e-6, 0);
        Assert.Equal(1L, NF.Cast(NF.NanArgMax(NF.Constant(new[] { false, true, true })), DType.Int64).Item<long>());
        Assert.Contains("All-NaN", Assert.Throws<ArgumentException>(() => NF.NanArgMax(NF.Constant(new[,] { { 1.0, 2.0 }, { double.NaN, double.NaN } }), 1)).Message);
        var qs = NF.NanQuantile(NF.Constant(new[,] { { 1.0, double.NaN, 3.0, 2.0 } }), [0.0, 0.25, 1.0], 1);
        Assert.Equal(new Shape(3, 1), qs.Shape);
        Assert.Equal(new[] { 1.0, 1.5, 3.0 }, qs.ToArray<double>());
        AssertClose([2.2], Doubles(NF.NanPercentile(NF.Constant(new[] { 1, 2, 3, 4 }), 40.0)), 1e-6, 0);
        var m = NF.NanMedian(NF.Transpose(NF.Constant(new[,] { { 1.0, 5.0 }, { double.NaN, 2.0 }, { 3.0, 0.0 } })), null, keepDims: true);
        Assert.Equal(new Shape(1, 1), m.Shape);
        Assert.Equal(2.0, m.ToArray<double>()[0]);
    }

    [SkippableFact]
    public void Index_arithmetic_along_axes_matches_numpy()
    {
        RequireBackend();
        var put = NF.PutAlongAxis(NF.Reshape(Arange(6), [2, 3]), NF.Constant(new long[,] { { -1 }, { 0 } }), NF.Constant(new[,] { { 10.0 }, { 20.0 } }), 1);
        Assert.Equal(new[] { 0.0, 1, 10, 20, 4, 5 }, put.ToArray<double>());
        Assert.Equal(new[] { 5.0, 0, 5 }, NF.TakeAlongAxis(NF.Reshape(Arange(6), [2, 3]), NF.Constant(new[] { 5, 0, -1 }), null).ToArray<double>());
        var flat = NF.RavelMultiIndex([NF.Constant(new[] { 1 }), NF.Constant(new[] { 3 })], [3, int.MaxValue]);
        Assert.Equal(new[] { 2147483650L }, flat.ToArray<long>());
        Assert.Equal(1L, NF.Cast(NF.Argpartition(NF.Constant(new[] { 3, 1, 2 }), 1), DType.Int64).ToArray<long>()[0]);
        Assert.Contains("TakeAlongAxis", Assert.Throws<ArgumentException>(() => NF.TakeAlongAxis(Arange(3), NF.Constant(new[] { 3 }), 0)).Message);
        GradientTests.Check(t => NF.PutAlongAxis(NF.Transpose(t[0]), NF.Constant(new long[,] { { -1, 0 } }), t[1], 0), GradientTests.In([2, 3], 41), GradientTests.In([1, 2], 42));
        GradientTests.Check(t => NF.Vander(NF.StridedSlice(t[0], [0], [4], [2]), 3), GradientTests.In([4], 43));
    }
}

public sealed class ManagedNumpyTodayProbeMoreTests() : NumpyTodayProbeMoreTests("managed");

public sealed class NativeCpuNumpyTodayProbeMoreTests() : NumpyTodayProbeMoreTests("cpu");

public sealed class CudaNumpyTodayProbeMoreTests() : NumpyTodayProbeMoreTests("cuda");
