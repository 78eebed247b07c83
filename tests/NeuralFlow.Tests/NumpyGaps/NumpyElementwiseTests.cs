using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyGaps;

/// <summary>
/// The NumPy functions of keras.ops that NeuralFlow lacked (trunc, hypot, fmax, fmin, logaddexp2,
/// deg2rad, rad2deg, heaviside, sinc, ptp, diff, rot90) on every engine: values and dtypes of
/// the Keras docstrings (keras/src/ops/numpy.py) and of NumPy (numpy_gaps_references.py beside
/// this file, run with /usr/bin/python3), special values, float64 finite-difference gradients,
/// and the exceptions for bad arguments.
/// </summary>
public abstract class NumpyElementwiseTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    private static double[] Values(Tensor t) => t.ToArray<double>();

    [SkippableFact]
    public void Trunc_rounds_toward_zero_and_keeps_integers()
    {
        RequireBackend();
        // numpy_gaps_references.py "trunc" (the first seven are keras.ops.trunc's docstring).
        using var y = NF.Trunc(D(-1.7, -1.5, -0.2, 0.2, 1.5, 1.7, 2.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN));
        Assert.Equal(DType.Float64, y.DType);
        var v = Values(y);
        AssertClose([-1, -1, -0.0, 0, 1, 1, 2, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN], v, 0, 0, "trunc");
        Assert.True(double.IsNegative(v[2]) && double.IsNegative(v[7]), "trunc(-0.2) and trunc(-0) are -0");
        using var f = NF.Trunc(NF.Constant(new[] { -2.5f, 2.5f }));
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal(new[] { -2f, 2f }, f.ToArray<float>());
        using var i = NF.Trunc(NF.Constant(new[] { -3, 4 }));
        Assert.Equal(DType.Int32, i.DType);
        Assert.Equal(new[] { -3, 4 }, i.ToArray<int>());
    }

    [SkippableFact]
    public void Hypot_fmax_fmin_logaddexp2_match_numpy()
    {
        RequireBackend();
        // keras.ops.hypot's docstring: [5, 5, 13] float32; numpy_gaps_references.py "hypot" beyond it.
        using var h32 = NF.Hypot(NF.Constant(new[] { 3f, 4f, 5f }), NF.Constant(new[] { 4f, 3f, 12f }));
        Assert.Equal(DType.Float32, h32.DType);
        Assert.Equal(new[] { 5f, 5f, 13f }, h32.ToArray<float>());
        using var h = NF.Hypot(D(3, 4, 5, 1e200, 0, double.PositiveInfinity, 1e-200), D(4, 3, 12, 1e200, 0, double.NaN, 1e-200));
        AssertClose([5, 5, 13, 1.414213562373095e+200, 0, double.PositiveInfinity, 1.414213562373095e-200], Values(h), 1e-15, 0, "hypot");
        // The docstring's integer case gives float32 (broadcast [2, 2] with [2]).
        using var hi = NF.Hypot(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } }), NF.Constant(new[] { 1, 1 }));
        Assert.Equal(DType.Float32, hi.DType);
        AssertClose([1.4142135381698608, 2.2360680103302, 3.1622776985168457, 4.123105525970459], hi.ToArray<float>().Select(x => (double)x).ToArray(), 1e-7, 0, "hypot int");
        // keras.ops.fmax's docstring: [2, nan] with [1, 4] gives [2, 4].
        using var mx = NF.Fmax(D(2, double.NaN, double.NaN, 1), D(1, 4, double.NaN, 3));
        AssertClose([2, 4, double.NaN, 3], Values(mx), 0, 0, "fmax");
        using var mn = NF.Fmin(D(2, double.NaN, double.NaN, 1), D(1, 4, double.NaN, 3));
        AssertClose([1, 4, double.NaN, 1], Values(mn), 0, 0, "fmin");
        using var mi = NF.Fmax(NF.Constant(new[] { 1, 5 }), NF.Constant(new[] { 3, 2 }));
        Assert.Equal(DType.Int32, mi.DType);
        Assert.Equal(new[] { 3, 5 }, mi.ToArray<int>());
        // keras.ops.logaddexp2's docstring: [1, 2, 3] with itself gives [2, 3, 4] float32 (integers in).
        using var l2i = NF.LogAddExp2(NF.Constant(new[] { 1, 2, 3 }), NF.Constant(new[] { 1, 2, 3 }));
        Assert.Equal(DType.Float32, l2i.DType);
        Assert.Equal(new[] { 2f, 3f, 4f }, l2i.ToArray<float>());
        using var l2 = NF.LogAddExp2(D(1, 2, 3, double.NegativeInfinity, double.PositiveInfinity, 1000, -5), D(1, 2, 3, double.NegativeInfinity, double.PositiveInfinity, 0, 2));
        AssertClose([2, 3, 4, double.NegativeInfinity, double.PositiveInfinity, 1000, 2.011227255423254], Values(l2), 1e-15, 0, "logaddexp2");
    }

    [SkippableFact]
    public void Angles_heaviside_and_sinc_match_numpy()
    {
        RequireBackend();
        // numpy_gaps_references.py "deg2rad", "rad2deg" (keras.ops.deg2rad's docstring: [0, 1.5707963, 3.1415927]).
        AssertClose([0, 1.5707963267948966, 3.141592653589793, -0.7853981633974483], Values(NF.Deg2Rad(D(0, 90, 180, -45))), 1e-15, 0, "deg2rad");
        AssertClose([0, 90, 180, -57.29577951308232], Values(NF.Rad2Deg(D(0, Math.PI / 2, Math.PI, -1))), 1e-15, 0, "rad2deg");
        using var di = NF.Deg2Rad(NF.Constant(new[] { 180 }));
        Assert.Equal(DType.Float32, di.DType);
        Assert.Equal((float)Math.PI, di.ToArray<float>()[0], 6);
        // keras.ops.heaviside's docstring: [-2, 0, 3] with 0.5 gives [0, 0.5, 1] float32; NaN stays NaN, -0 is 0.
        using var hv32 = NF.Heaviside(NF.Constant(new[] { -2f, 0f, 3f }), 0.5);
        Assert.Equal(DType.Float32, hv32.DType);
        Assert.Equal(new[] { 0f, 0.5f, 1f }, hv32.ToArray<float>());
        AssertClose([0, 0.5, 1, double.NaN, 0.5], Values(NF.Heaviside(D(-2, 0, 3, double.NaN, -0.0), 0.5)), 0, 0, "heaviside");
        using var hvt = NF.Heaviside(D(0, 0, 1), D(0.25, 0.75, 9));
        Assert.Equal(new[] { 0.25, 0.75, 1 }, Values(hvt));
        // keras.ops.sinc's docstring: [0, 1, 2] gives [1, 0, 0] float32; numpy_gaps_references.py "sinc".
        using var s32 = NF.Sinc(NF.Constant(new[] { 0f, 1f, 2f }));
        Assert.Equal(DType.Float32, s32.DType);
        AssertClose([1, 0, 0], s32.ToArray<float>().Select(x => (double)x).ToArray(), 0, 1e-7, "sinc float32");
        AssertClose([1, 3.8981718325193755e-17, -3.8981718325193755e-17, 0.6366197723675814, 0.9003163161571062, 1],
            Values(NF.Sinc(D(0, 1, 2, 0.5, -0.25, 1e-9))), 1e-15, 1e-16, "sinc");
    }

    [SkippableFact]
    public void Ptp_diff_and_rot90_match_numpy()
    {
        RequireBackend();
        // keras.ops.ptp's docstring matrix, numpy_gaps_references.py "ptp".
        using var m = NF.Constant(new[,] { { 1.0, 3, 2 }, { 4, 0, 5 } });
        Assert.Equal(5.0, NF.Ptp(m).Item<double>());
        Assert.Equal(new[] { 2.0, 5 }, Values(NF.Ptp(m, 1)));
        using var kept = NF.Ptp(m, 0, keepDims: true);
        Assert.Equal(new Shape(1, 3), kept.Shape);
        Assert.Equal(new[] { 3.0, 3, 3 }, Values(kept));
        Assert.Equal(new[] { 5.0 }, Values(NF.Ptp(NF.Reshape(m, [1, 2, 3]), [1, 2])));
        // keras.ops.diff's docstring (integers stay int32).
        using var seq = NF.Constant(new[] { 1, 2, 4, 7, 0 });
        using var d1 = NF.Diff(seq);
        Assert.Equal(DType.Int32, d1.DType);
        Assert.Equal(new[] { 1, 2, 3, -7 }, d1.ToArray<int>());
        Assert.Equal(new[] { 1, 1, -10 }, NF.Diff(seq, 2).ToArray<int>());
        using var grid = NF.Constant(new[,] { { 1, 3, 6, 10 }, { 0, 5, 6, 8 } });
        Assert.Equal(new[] { 2, 3, 4, 5, 1, 2 }, NF.Diff(grid).ToArray<int>());
        using var d0 = NF.Diff(grid, axis: 0);
        Assert.Equal(new Shape(1, 4), d0.Shape);
        Assert.Equal(new[] { -1, 2, 0, -2 }, d0.ToArray<int>());
        Assert.Equal(new[] { true, false, true }, NF.Diff(NF.Constant(new[] { true, false, false, true })).ToArray<bool>());
        Assert.Equal(new Shape(0), NF.Diff(NF.Constant(new[] { 1, 2, 4 }), 5).Shape);
        // keras.ops.rot90's docstring ([[1, 2], [3, 4]] → [[2, 4], [1, 3]]), numpy_gaps_references.py "rot90".
        Assert.Equal(new[] { 2, 4, 1, 3 }, NF.Rot90(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } })).ToArray<int>());
        using var a = NF.Reshape(NF.Range(24), [2, 3, 4]);
        int[] quarter = [3, 7, 11, 2, 6, 10, 1, 5, 9, 0, 4, 8, 15, 19, 23, 14, 18, 22, 13, 17, 21, 12, 16, 20];
        int[] half = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12];
        int[] threeQuarters = [8, 4, 0, 9, 5, 1, 10, 6, 2, 11, 7, 3, 20, 16, 12, 21, 17, 13, 22, 18, 14, 23, 19, 15];
        using var r1 = NF.Rot90(a, 1, (1, 2));
        Assert.Equal(new Shape(2, 4, 3), r1.Shape);
        Assert.Equal(quarter, r1.ToArray<int>());
        Assert.Equal(half, NF.Rot90(a, 2, (1, 2)).ToArray<int>());
        Assert.Equal(threeQuarters, NF.Rot90(a, 3, (1, 2)).ToArray<int>());
        Assert.Equal(threeQuarters, NF.Rot90(a, -1, (1, 2)).ToArray<int>());
        Assert.Equal(Enumerable.Range(0, 24).ToArray(), NF.Rot90(a, 4, (1, 2)).ToArray<int>());
        using var r20 = NF.Rot90(a, 1, (2, 0));
        Assert.Equal(new Shape(4, 3, 2), r20.Shape);
        Assert.Equal(new[] { 12, 0, 16, 4, 20, 8, 13, 1, 17, 5, 21, 9, 14, 2, 18, 6, 22, 10, 15, 3, 19, 7, 23, 11 }, r20.ToArray<int>());
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Hypot(t[0], t[1]), GradientTests.In([3, 4], 1), GradientTests.In([4], 2, 0.5, 2));
        GradientTests.Check(t => NF.LogAddExp2(t[0], t[1]), GradientTests.In([2, 3], 3), GradientTests.In([2, 1], 4));
        // Fmax/fmin away from ties, with a NaN-free input (the NaN rule is a select).
        GradientTests.Check(t => NF.Fmax(t[0], t[1]) + NF.Fmin(t[0], t[1] * 0.5), GradientTests.In([2, 3], 5), GradientTests.In([3], 6));
        GradientTests.Check(t => NF.Deg2Rad(t[0]) + NF.Rad2Deg(t[0]), GradientTests.In([5], 7));
        GradientTests.Check(t => NF.Sinc(t[0]), GradientTests.In([2, 4], 8, -3, 3));
        GradientTests.Check(t => NF.Heaviside(t[0] + 3, t[1]) + NF.Heaviside(t[0] * 0, t[1]), GradientTests.In([3], 9, -0.5, 0.5), GradientTests.In([3], 10));
        GradientTests.Check(t => NF.Trunc(t[0] + 0.25) * t[0], GradientTests.In([5], 11, -0.2, 0.2));
        GradientTests.Check(t => NF.Ptp(t[0], 1), GradientTests.In([3, 4], 12));
        GradientTests.Check(t => NF.Diff(t[0], 2, 0), GradientTests.In([4, 3], 13));
        GradientTests.Check(t => NF.Rot90(t[0], 1, (0, 1)) * NF.Rot90(t[0], 3, (1, 0)), GradientTests.In([3, 3], 14));
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        using var v = D(1, 2, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.Diff(v, -1));
        Assert.Contains("non-negative", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Diff(v, 1, 1));
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Diff(NF.Constant(1.0))).Message);
        Assert.Contains("at least 2 axes", Assert.Throws<ArgumentException>(() => NF.Rot90(v)).Message);
        using var m = NF.Zeros(new Shape(2, 2));
        Assert.Contains("same axis", Assert.Throws<ArgumentException>(() => NF.Rot90(m, 1, (1, -1))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Rot90(m, 1, (0, 2)));
        Assert.Throws<ArgumentException>(() => NF.Hypot(D(1, 2), D(1, 2, 3)));
        Assert.Throws<ArgumentException>(() => NF.LogAddExp2(D(1, 2), D(1, 2, 3)));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => NF.Ptp(NF.Zeros(new Shape(0, 2)), 0)).Message);
    }
}

public sealed class ManagedNumpyElementwiseTests() : NumpyElementwiseTests("managed");

public sealed class NativeCpuNumpyElementwiseTests() : NumpyElementwiseTests("cpu");

public sealed class CudaNumpyElementwiseTests() : NumpyElementwiseTests("cuda");
