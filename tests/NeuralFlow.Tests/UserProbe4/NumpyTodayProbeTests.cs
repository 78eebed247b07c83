using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.UserProbe4;

/// <summary>
/// The NumPy-style ops that landed together (NF.NumpyArrays, NumpySplits, NumpyAlongAxis,
/// NumpyLinear, NumpyStatistics, NumpyCreation, Windows, NumpyMath, SpecialFunctions, GcdLcm,
/// NumpyFloatChecks, NanStatistics, NanQuantile) called as a NumPy user would, with the inputs
/// their own tests left out: empty and scalar tensors, high ranks, negative axes, integer, bool
/// and float64 dtypes, NaN/inf/-0, views (transposes, strided slices), broadcasting, extreme
/// values, and NF.Function replays. Expected values: numpy_today_probe.py beside this file.
/// </summary>
public abstract class NumpyTodayProbeTests(string backend) : BackendTest(backend)
{
    private static double[] Doubles(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    [SkippableFact]
    public void UnravelIndex_takes_strides_past_the_index_dtype()
    {
        RequireBackend();
        // A stride (or an axis length) that the indices' dtype cannot hold made the op throw Fill's
        // OverflowException ("300 does not fit uint8") for a valid call: uint8 index 200 in shape (1, 300).
        var small = NF.UnravelIndex(NF.Constant(new byte[] { 200, 7 }), [1, 300]);
        Assert.Equal(DType.UInt8, small[0].DType);
        Assert.Equal(new byte[] { 0, 0 }, small[0].ToArray<byte>());
        Assert.Equal(new byte[] { 200, 7 }, small[1].ToArray<byte>());
        // int32 indices in a shape of 2^33 elements: the stride of axis 0 (2^32) is not an int32.
        var wide = NF.UnravelIndex(NF.Constant(new[] { 5, int.MaxValue }), [2, 1 << 30, 4]);
        Assert.Equal(new[] { 0, 0 }, wide[0].ToArray<int>());
        Assert.Equal(new[] { 1, 536870911 }, wide[1].ToArray<int>());
        Assert.Equal(new[] { 1, 3 }, wide[2].ToArray<int>());
    }

    [SkippableFact]
    public void Splits_of_short_and_empty_axes_match_numpy()
    {
        RequireBackend();
        var pieces = NF.ArraySplit(NF.Constant(new[] { 0.0, 1.0 }), 3);
        Assert.Equal(3, pieces.Length);
        Assert.Equal(new[] { 0.0 }, pieces[0].ToArray<double>());
        Assert.Equal(new[] { 1.0 }, pieces[1].ToArray<double>());
        Assert.Equal(new Shape(0), pieces[2].Shape);
        var empty = NF.ArraySplit(NF.Zeros(new Shape(0, 3)), 2);
        Assert.All(empty, p => Assert.Equal(new Shape(0, 3), p.Shape));
        // A transposed view split along its (strided) last axis.
        var x = NF.Reshape(NF.Cast(NF.Range(0, 12, 1), DType.Float64), [3, 4]);
        var cols = NF.HSplit(NF.Transpose(x), 3);
        Assert.Equal(new[] { 0.0, 1.0, 2.0, 3.0 }, cols[0].ToArray<double>());
        Assert.Equal(new[] { 8.0, 9.0, 10.0, 11.0 }, cols[2].ToArray<double>());
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.ArraySplit(x, 2, axis: -3));
    }

    [SkippableFact]
    public void Axis_moves_and_stacks_of_high_rank_and_mixed_dtypes_match_numpy()
    {
        RequireBackend();
        Assert.Equal(new Shape(2, 5, 3, 1, 4), NF.Moveaxis(NF.Zeros(new Shape(1, 2, 3, 4, 5)), [-1, 0], [1, -2]).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Moveaxis(NF.Zeros(new Shape(1, 2)), 2, 0));
        var h = NF.Hstack([NF.Constant(1), NF.Constant(new[] { 2.5 })]);
        Assert.Equal(DType.Float64, h.DType);
        Assert.Equal(new[] { 1.0, 2.5 }, h.ToArray<double>());
        var x = NF.Reshape(NF.Cast(NF.Range(0, 6, 1), DType.Float64), [2, 3]);
        var picked = NF.TakeAlongAxis(NF.Transpose(x), NF.Constant(new long[,] { { 1, -1 } }), axis: 0);
        Assert.Equal(new[] { 1.0, 5.0 }, picked.ToArray<double>());
    }

    [SkippableFact]
    public void Products_of_empty_integer_and_broadcast_operands_match_numpy()
    {
        RequireBackend();
        var t = NF.Tensordot(NF.Ones(new Shape(3, 0)), NF.Ones(new Shape(0, 2)), 1);
        Assert.Equal(new Shape(3, 2), t.Shape);
        Assert.All(t.ToArray<float>(), v => Assert.Equal(0f, v));
        var c = NF.Cross(NF.Reshape(NF.Cast(NF.Range(0, 6, 1), DType.Float64), [2, 3]), NF.Constant(new[] { 1.0, -1.0, 2.0 }));
        Assert.Equal(new[] { 4.0, 2.0, -1.0, 13.0, -1.0, -7.0 }, c.ToArray<double>());
        var ci = NF.Cross(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 4, 5, 6 }));
        Assert.Equal(DType.Int32, ci.DType);
        Assert.Equal(new[] { -3, 6, -3 }, ci.ToArray<int>());
        Assert.Equal(new[] { 3, 6 }, NF.Kron(NF.Constant(3), NF.Constant(new[] { 1, 2 })).ToArray<int>());
    }

    [SkippableFact]
    public void Correlations_of_small_integer_bool_and_strided_inputs_match_numpy()
    {
        RequireBackend();
        var u = NF.Convolve(NF.Constant(new byte[] { 1, 2, 3 }), NF.Constant(new byte[] { 1, 1 }));
        Assert.Equal(new byte[] { 1, 3, 5, 3 }, NF.Cast(u, DType.UInt8).ToArray<byte>());
        var b = NF.Correlate(NF.Constant(new[] { true, false, true }), NF.Constant(new[] { true, true }));
        Assert.Equal(new[] { true, true }, b.ToArray<bool>());
        var strided = NF.StridedSlice(NF.Cast(NF.Range(0, 10, 1), DType.Float64), [0], [10], [2]);
        Assert.Equal(new[] { 1.0, 4.0, 7.0, 10.0 }, NF.Correlate(strided, NF.Constant(new[] { 1.0, 0.5 })).ToArray<double>());
    }

    [SkippableFact]
    public void Statistics_of_short_integer_and_view_inputs_match_numpy()
    {
        RequireBackend();
        var (counts, edges) = NF.Histogram(NF.Constant(new[] { 1.0, 2.0, 3.0 }), bins: 1);
        Assert.Equal(new[] { 3 }, NF.Cast(counts, DType.Int32).ToArray<int>());
        Assert.Equal(new[] { 1.0, 3.0 }, edges.ToArray<double>());
        var (none, noEdges) = NF.Histogram(NF.Zeros(new Shape(0), DType.Float64), bins: 3);
        Assert.Equal(new[] { 0, 0, 0 }, NF.Cast(none, DType.Int32).ToArray<int>());
        AssertClose([0, 1 / 3.0, 2 / 3.0, 1], noEdges.ToArray<double>(), 1e-15, 0);
        Assert.Equal(new[] { 0.0, 0.0 }, NF.Trapezoid(NF.Constant(new[,] { { 5.0 }, { 6.0 } })).ToArray<double>());
        Assert.Equal(new[] { 0.0, 0.0 }, NF.Trapezoid(NF.Zeros(new Shape(2, 0), DType.Float64)).ToArray<double>());
        var x = NF.Reshape(NF.Cast(NF.Range(0, 12, 1), DType.Float64), [3, 4]);
        Assert.Equal(new[] { 14.0, 17.0, 20.0, 23.0 }, NF.Trapezoid(NF.Transpose(x), NF.Constant(new[] { 0.0, 1.0, 3.0 }), axis: 1).ToArray<double>());
        var cov = NF.Cov(NF.Constant(new[,] { { 1, 2 }, { 3, 5 }, { 4, 4 } }), rowvar: false);
        AssertClose([2.3333333333333335, 1.8333333333333333, 1.8333333333333333, 2.3333333333333335], Doubles(cov), 1e-6, 0);
        AssertClose([1, -0.9819805060619656, -0.9819805060619656, 1], NF.Corrcoef(NF.Constant(new[] { 1.0, 2.0, 4.0 }), NF.Constant(new[] { 2.0, 1.0, 0.0 })).ToArray<double>(), 1e-14, 0);
    }

    [SkippableFact]
    public void Creation_and_windows_match_numpy_and_refuse_nan_ends()
    {
        RequireBackend();
        Assert.Equal(new[] { 4, 2, 1, 9, 3, 1 }, NF.Vander(NF.Constant(new[] { 2, 3 }), 3).ToArray<int>());
        Assert.Equal(new Shape(0, 0), NF.Vander(NF.Zeros(new Shape(0))).Shape);
        AssertClose([-1000, -100, -10, -1], NF.Geomspace(-1000, -1, 4, dtype: DType.Float64).ToArray<double>(), 1e-15, 0);
        Assert.Contains("Geomspace", Assert.ThrowsAny<ArgumentException>(() => NF.Geomspace(double.NaN, 10, 3)).Message);
        Assert.Contains("Geomspace", Assert.ThrowsAny<ArgumentException>(() => NF.Geomspace(1, double.NaN, 3)).Message);
        // NaN ends give np.logspace's NaN rather than an error (LeftoversLinspaceTests).
        Assert.Equal([double.NaN, double.NaN, 10], NF.Logspace(double.NaN, 1, 3, dtype: DType.Float64).ToArray<double>());
        AssertClose([0.036710892271286676, 0.7753221044454067, 0.7753221044454067, 0.036710892271286676], NF.Kaiser(4, 5.0, DType.Float64).ToArray<double>(), 1e-14, 0);
        Assert.Equal(new Shape(0), NF.Hamming(-3).Shape);
        Assert.Equal(new[] { 1f }, NF.Blackman(1).ToArray<float>());
    }

    [SkippableFact]
    public void Elementwise_math_at_the_edges_matches_numpy()
    {
        RequireBackend();
        var l = NF.Log10(NF.Constant(new[] { 1000f, 1e-3f, 0f, -0f, float.PositiveInfinity }));
        Assert.Equal(DType.Float32, l.DType);
        AssertClose([3.000000238418579, -3.000000238418579, double.NegativeInfinity, double.NegativeInfinity, double.PositiveInfinity], Doubles(l), 1e-6, 0);
        AssertClose([3, 0, 1.584962500721156], Doubles(NF.Log2(NF.Constant(new[] { 8, 1, 3 }))), 1e-6, 0);
        var cb = NF.Cbrt(NF.Constant(new[] { -27.0, -0.0, 1e-300, 1e300, double.NegativeInfinity })).ToArray<double>();
        AssertClose([-3, -0.0, 1e-100, 9.999999999999998e+99, double.NegativeInfinity], cb, 1e-15, 0);
        Assert.True(double.IsNegative(cb[1]));
        AssertClose([0, 5e-324, 8.98846567431158e+307, double.PositiveInfinity], NF.Exp2(NF.Constant(new[] { -1075.0, -1074.0, 1023.0, 1024.0 })).ToArray<double>(), 1e-15, 0);
        var ld = NF.Ldexp(NF.Constant(new[] { 1f, 3f, 1.5f }), NF.Constant(new[] { 128, -149, -1 }));
        AssertClose([double.PositiveInfinity, 4.203895392974451e-45, 0.75], Doubles(ld), 0, 0);
        var na = NF.Nextafter(NF.Constant(new[] { 1f, 0f, -0f, float.PositiveInfinity, float.MaxValue }), NF.Constant(new[] { 2f, -1f, 1f, 0f, float.PositiveInfinity }));
        AssertClose([1.0000001192092896, -1.401298464324817e-45, 1.401298464324817e-45, 3.4028234663852886e+38, double.PositiveInfinity], Doubles(na), 0, 0);
        AssertClose([-1, 2, -3], NF.Copysign(NF.Constant(new[] { 1.0, -2.0, 3.0 }), NF.Constant(new[] { -0.0, 0.0, double.NegativeInfinity })).ToArray<double>(), 0, 0);
        AssertClose([1, 1.2660658777520082, 2815.716628466254], NF.I0(NF.Constant(new[] { -0.0, 1.0, -10.0 })).ToArray<double>(), 1e-13, 0);
        Assert.Equal(new Shape(0, 3), NF.Erfinv(NF.Zeros(new Shape(0, 3))).Shape);
        Assert.Equal(new Shape(), NF.Cbrt(NF.Constant(8.0)).Shape);
    }

    [SkippableFact]
    public void Gcd_lcm_and_closeness_of_integer_operands_match_numpy()
    {
        RequireBackend();
        Assert.Equal(new byte[] { 85, 0, 1 }, NF.Gcd(NF.Constant(new byte[] { 255, 0, 144 }), NF.Constant(new byte[] { 85, 0, 233 })).ToArray<byte>());
        var lcm = NF.Lcm(NF.Constant(new long[] { 4, -6, 0 }), NF.Constant(new long[,] { { 6 }, { -10 } }));
        Assert.Equal(new long[] { 12, 6, 0, 20, 30, 0 }, lcm.ToArray<long>());
        Assert.Equal(new[] { true, true, false }, NF.IsClose(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 1.0, 2.00001, double.PositiveInfinity })).ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, NF.IsClose(NF.Constant(new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN }), NF.Constant(new[] { double.PositiveInfinity, double.PositiveInfinity, double.NaN }), equalNan: true).ToArray<bool>());
        Assert.Equal(new[] { 0f, float.MaxValue, float.MinValue, 1f }, NF.NanToNum(NF.Constant(new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f })).ToArray<float>());
        Assert.Contains("Gcd", Assert.Throws<ArgumentException>(() => NF.Gcd(NF.Constant(new[] { 1.5 }), NF.Constant(new[] { 1.0 }))).Message);
    }

    [SkippableFact]
    public void Nan_statistics_of_integer_bool_and_scalar_inputs_match_numpy()
    {
        RequireBackend();
        Assert.Equal(new long[] { 1, 3, 3, 7 }, NF.Cast(NF.NanCumSum(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } }), -1), DType.Int64).ToArray<long>());
        Assert.Equal(new long[] { 1, 1, 0 }, NF.Cast(NF.NanCumProd(NF.Constant(new[] { true, true, false })), DType.Int64).ToArray<long>());
        Assert.Equal(0.0, NF.NanVar(NF.Constant(3.0)).Item<double>());
        var std = NF.NanStd(NF.Constant(new[,] { { 1.0, double.NaN, 3.0 }, { 2.0, 2.0, double.NaN } }), 1, keepDims: true, ddof: 1);
        Assert.Equal(new Shape(2, 1), std.Shape);
        AssertClose([1.4142135623730951, 0], std.ToArray<double>(), 1e-15, 0);
        var am = NF.NanArgMax(NF.Constant(new[,] { { 1, 5 }, { 7, 2 } }), null, keepDims: true);
        Assert.Equal(new Shape(1, 1), am.Shape);
        Assert.Equal(2L, NF.Cast(am, DType.Int64).ToArray<long>()[0]);
        Assert.Equal(new long[] { 1, 0 }, NF.Cast(NF.NanArgMin(NF.Constant(new[,] { { double.NaN, double.NegativeInfinity }, { 1.0, double.NaN } }), -1), DType.Int64).ToArray<long>());
        // np.nanmedian's inf (np.nanquantile(·, 0.5) gives NaN there; NeuralFlow's quantiles take the median's form).
        AssertClose([double.PositiveInfinity, 2], NF.NanMedian(NF.Constant(new[,] { { double.NaN, 1.0, double.PositiveInfinity }, { 2.0, double.NaN, double.NaN } }), 1).ToArray<double>(), 0, 0);
        AssertClose([2], Doubles(NF.NanMedian(NF.Constant(new[,] { { 1, 2, 4 } }), -1)), 0, 0);
    }

    [SkippableFact]
    public void Float64_gradients_through_views_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Cbrt(NF.Transpose(t[0]) + 3), GradientTests.In([2, 3], 31));
        GradientTests.Check(t => NF.Tensordot(NF.Transpose(t[0]), t[1], 1), GradientTests.In([3, 2], 32), GradientTests.In([3, 4], 33));
        GradientTests.Check(t => NF.NanVar(NF.Transpose(t[0]), 0, ddof: 1), GradientTests.In([3, 2], 34));
        GradientTests.Check(t => NF.TakeAlongAxis(NF.Transpose(t[0]), NF.Constant(new long[,] { { 1, -1 } }), 0), GradientTests.In([2, 3], 35));
        GradientTests.Check(t => NF.Cross(NF.Transpose(t[0]), t[1]), GradientTests.In([3, 2], 36), GradientTests.In([3], 37));
        GradientTests.Check(t => NF.Erfinv(NF.Transpose(t[0]) * 0.3), GradientTests.In([2, 3], 38));
    }

    [SkippableFact]
    public void Traced_functions_replay_with_the_new_values()
    {
        RequireBackend();
        Func<Tensor, Tensor> body = p => NF.Log10(NF.Abs(p) + 1) + NF.Cbrt(p) + NF.NanVar(p, -1, keepDims: true) + NF.Nextafter(p, NF.Constant(0.0));
        var f = NF.Function(body);
        for (int i = 0; i < 3; i++)
        {
            var p = NF.Constant(new[,] { { 0.5 + i, -2.0 * i, double.NaN }, { 1.0 + i, 8.0, -0.25 } });
            AssertClose(body(p).ToArray<double>(), f(p).ToArray<double>(), 0, 0, $"call {i}");
        }
        Func<Tensor, Tensor> take = p => NF.TakeAlongAxis(p, NF.Constant(new long[,] { { 2 }, { 0 } }), 1);
        var g = NF.Function(take);
        for (int i = 0; i < 3; i++)
        {
            var p = NF.Constant(new[,] { { 1.0 * i, 2.0, 3.0 + i }, { 4.0 - i, 5.0, 6.0 } });
            Assert.Equal(take(p).ToArray<double>(), g(p).ToArray<double>());
        }
    }
}

public sealed class ManagedNumpyTodayProbeTests() : NumpyTodayProbeTests("managed");

public sealed class NativeCpuNumpyTodayProbeTests() : NumpyTodayProbeTests("cpu");

public sealed class CudaNumpyTodayProbeTests() : NumpyTodayProbeTests("cuda");
