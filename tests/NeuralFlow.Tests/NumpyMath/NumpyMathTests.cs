using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyMath;

/// <summary>
/// NumPy's elementwise math that NeuralFlow lacked (log2, log10, exp2, cbrt, reciprocal, ldexp,
/// copysign, signbit, fmod, nextafter, erfinv, i0, gcd, lcm, nan_to_num, isclose, allclose,
/// isneginf, isposinf, isreal) on every engine: values of NumPy and PyTorch
/// (numpy_math_references.py beside this file, run with /usr/bin/python3), special values,
/// float64 finite-difference gradients, second derivatives, and the exceptions for bad arguments.
/// </summary>
public abstract class NumpyMathTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    private static Tensor F(params float[] v) => NF.Constant(v);

    private static double[] Values(Tensor t) => t.DType == DType.Float32 ? t.ToArray<float>().Select(v => (double)v).ToArray() : t.ToArray<double>();

    private const double Inf = double.PositiveInfinity, NaN = double.NaN;

    [SkippableFact]
    public void Logarithms_and_exp2_match_numpy_and_are_exact_at_powers()
    {
        RequireBackend();
        // numpy_math_references.py "log2", "log10", "exp2".
        AssertClose([3, 0, -1, 1.584962500721156, -Inf, NaN, Inf, -996.5784284662087],
            Values(NF.Log2(D(8, 1, 0.5, 3, 0, -1, Inf, 1e-300))), 1e-15, 0, "log2");
        AssertClose([3, -5, 0.3010299956639812, 22, -Inf, NaN, Inf], Values(NF.Log10(D(1000, 1e-5, 2, 1e22, 0, -2, Inf))), 1e-15, 0, "log10");
        AssertClose([8, 0.25, 1.4142135623730951, 8.98846567431158e+307, Inf, 0, 1260.6918792651948],
            Values(NF.Exp2(D(3, -2, 0.5, 1023, 1024, double.NegativeInfinity, 10.3))), 1e-15, 0, "exp2");
        // Exact, as the task asks and NumPy's float64 gives (NumPy 1.24's float32 log10(1000) is 3.0000002).
        Assert.Equal(3.0, NF.Log2(D(8)).ToArray<double>()[0]);
        Assert.Equal(3.0, NF.Log10(D(1000)).ToArray<double>()[0]);
        Assert.Equal(8.0, NF.Exp2(D(3)).ToArray<double>()[0]);
        using var l2 = NF.Log2(F(8, 1024, 3, 0.1f));
        Assert.Equal(DType.Float32, l2.DType);
        Assert.Equal(new[] { 3f, 10f, 1.5849624872207642f, -3.321928024291992f }, l2.ToArray<float>());
        Assert.Equal(new[] { 3f, 5f, 0.3010300099849701f, -3f }, NF.Log10(F(1000, 100000, 2, 0.001f)).ToArray<float>());
        Assert.Equal(new[] { 8f, 1024f, 0.5f, 1.4142135381698608f }, NF.Exp2(F(3, 10, -1, 0.5f)).ToArray<float>());
        // Integers give float32.
        using var li = NF.Log2(NF.Constant(new[] { 4, 16 }));
        Assert.Equal(DType.Float32, li.DType);
        Assert.Equal(new[] { 2f, 4f }, li.ToArray<float>());
    }

    [SkippableFact]
    public void Cbrt_reciprocal_and_ldexp_match_numpy()
    {
        RequireBackend();
        // numpy_math_references.py "cbrt": negative inputs have a real root; perfect cubes are exact.
        var c = Values(NF.Cbrt(D(27, -8, 2, 0, double.NegativeInfinity, 1e-300, -1e300, 0.001, -0.0)));
        AssertClose([3, -2, 1.2599210498948732, 0, double.NegativeInfinity, 1e-100, -9.999999999999998e+99, 0.1, 0], c, 1e-15, 0, "cbrt");
        Assert.Equal(3.0, c[0]);
        Assert.Equal(-2.0, c[1]);
        Assert.True(double.IsNegative(c[8]), "cbrt(-0) is -0");
        // "cbrt f32": the float64 root rounded once (NumPy 1.24's float32 loop gives 2.9999998 for 27
        // and is an ulp off at 3).
        AssertClose([3, -4, 1.4422495365142822, 10], Values(NF.Cbrt(F(27, -64, 3, 1000))), 0, 0, "cbrt f32");
        // "reciprocal"; integers give float32 (torch.reciprocal).
        AssertClose([0.5, -0.25, Inf, 0], Values(NF.Reciprocal(D(2, -4, 0, Inf))), 0, 0, "reciprocal");
        using var ri = NF.Reciprocal(NF.Constant(new[] { 4, -2 }));
        Assert.Equal(DType.Float32, ri.DType);
        Assert.Equal(new[] { 0.25f, -0.5f }, ri.ToArray<float>());
        // "ldexp": exact, past 2^1023 in between (2^-1074 · 2^1100), overflow to inf.
        using var ld = NF.Ldexp(D(1.5, 3, -1, Math.Pow(2, -1074), 1), NF.Constant(new[] { 3, -2, 10, 1100, 1024 }));
        AssertClose([12, 0.75, -1024, 67108864, Inf], ld.ToArray<double>(), 0, 0, "ldexp");
        using var lf = NF.Ldexp(F(1.5f, 3f), NF.Constant(new[] { 3, 200 }));
        Assert.Equal(DType.Float32, lf.DType);
        AssertClose([12, Inf], Values(lf), 0, 0, "ldexp f32");
        using var lb = NF.Ldexp(NF.Constant(new[,] { { 1.0 }, { 2.0 } }), NF.Constant(new long[] { 1, 2, 3 }));
        AssertClose([2, 4, 8, 4, 8, 16], lb.ToArray<double>(), 0, 0, "ldexp broadcast");
        AssertClose([12, -16], NF.Ldexp(D(1.5, -2), 3).ToArray<double>(), 0, 0, "ldexp C# exponent");
    }

    [SkippableFact]
    public void Sign_functions_fmod_and_nextafter_match_numpy()
    {
        RequireBackend();
        // numpy_math_references.py "copysign", "signbit", "fmod".
        var cs = Values(NF.Copysign(D(1, -2, 3, 0, Inf), D(-1, 2, -0.0, -5, -1)));
        AssertClose([-1, 2, -3, 0, double.NegativeInfinity], cs, 0, 0, "copysign");
        Assert.True(double.IsNegative(cs[3]), "copysign(0, -5) is -0");
        using var ci = NF.Copysign(NF.Constant(new[] { 3, -4 }), NF.Constant(new[] { -1, 1 }));
        Assert.Equal(DType.Float32, ci.DType);
        Assert.Equal(new[] { -3f, 4f }, ci.ToArray<float>());
        Assert.Equal(new[] { true, false, true, false, true, false, false }, NF.Signbit(D(-1, 0, -0.0, Inf, double.NegativeInfinity, NaN, 2)).ToArray<bool>());
        Assert.Equal(new[] { true, false }, NF.Signbit(NF.Constant(new[] { -3, 3 })).ToArray<bool>());
        AssertClose([1, -1, 1, -1, 1.5, NaN, NaN], Values(NF.Fmod(D(7, -7, 7, -7, 5.5, 1, Inf), D(2, 2, -2, -2, 2, 0, 2))), 0, 0, "fmod");
        Assert.Equal(new[] { 1, -1, 1, -1 }, NF.Fmod(NF.Constant(new[] { 7, -7, 7, -7 }), NF.Constant(new[] { 2, 2, -2, -2 })).ToArray<int>());
        // "nextafter": both directions, across zero, powers of two, infinities, subnormals, equal and NaN operands.
        using var na = NF.Nextafter(D(1, 1, 0, 0, 2, -2, Inf, 5e-324, 1, NaN, double.MaxValue), D(2, 0, 1, -1, 0, -3, 0, 0, 1, 1, Inf));
        AssertClose([1.0000000000000002, 0.9999999999999999, 5e-324, -5e-324, 1.9999999999999998, -2.0000000000000004, double.MaxValue, 0, 1, NaN, Inf], na.ToArray<double>(), 0, 0, "nextafter");
        AssertClose([1.0000000000000002, 5e-324], NF.Nextafter(D(1, 0), Inf).ToArray<double>(), 0, 0, "nextafter toward a C# number");
        using var nf = NF.Nextafter(F(1, 1, 0, 2, -2, 1e-40f, float.MaxValue), F(2, 0, 1, 0, 0, 0, float.PositiveInfinity));
        Assert.Equal(DType.Float32, nf.DType);
        AssertClose([1.0000001192092896, 0.9999999403953552, 1.401298464324817e-45, 1.9999998807907104, -1.9999998807907104, 9.999805971268327e-41, Inf], Values(nf), 0, 0, "nextafter f32");
    }

    [SkippableFact]
    public void Erfinv_and_i0_match_pytorch_and_numpy()
    {
        RequireBackend();
        // numpy_math_references.py "erfinv" (torch.erfinv in float64). Near ±1 erfinv magnifies
        // an ulp of x (by 86 at 0.999), which bounds any float64 result's agreement there.
        AssertClose([-2.3267537655135153, -0.4769362762044699, -0.08885599049425769, 0, 0.1791434546212917, 0.7328690779592169, 2.751063905712083, Inf, double.NegativeInfinity, NaN, NaN],
            Values(NF.Erfinv(D(-0.999, -0.5, -0.1, 0, 0.2, 0.7, 0.9999, 1, -1, 1.5, NaN))), 1e-13, 0, "erfinv");
        // "erfinv f32": the float64 erfinv of the float32 inputs rounded to float32, to an ulp
        // (torch's float32 erfinv(0.999999) is 3.4570882, 1.4e5 ulps off).
        AssertClose([0.4769362807273865, -0.27246272563934326, 1.8213865756988525, 3.4570746421813965], Values(NF.Erfinv(F(0.5f, -0.3f, 0.99f, 0.999999f))), 1.2e-7, 0, "erfinv f32");
        // "i0" (np.i0) across both of Cephes' intervals, negative inputs and large ones.
        AssertClose([1, 1.0634833707413234, 1.2660658777520082, 4.880792585865024, 389.406283282158, 427.56411572180474, 683.1619269901155, 43558282.559553534, 1.0737517071310738e+42, 1.5295933476718735e+302],
            Values(NF.I0(D(0, 0.5, -1, 3, 7.9, 8, 8.5, -20, 100, 700))), 1e-14, 0, "i0");
        // "i0 f32": np.i0 in float64 rounded to float32 (NumPy's float32 loop is 2 ulps off at 1).
        // At ±inf the limit +inf (np.i0 and torch.i0 give NaN there: 0 · inf in the same series).
        AssertClose([Inf, Inf, NaN], Values(NF.I0(D(Inf, double.NegativeInfinity, NaN))), 0, 0, "i0 inf");
        AssertClose([1.2660658359527588, 2.279585361480713, 2815.716552734375], Values(NF.I0(F(1, 2, 10))), 0, 0, "i0 f32");
    }

    [SkippableFact]
    public void Gcd_and_lcm_match_numpy()
    {
        RequireBackend();
        // numpy_math_references.py "gcd", "lcm" (NumPy's int64 for C# int32 input here: the values, not the dtype).
        using var g = NF.Gcd(NF.Constant(new[] { 12, -20, 0, 0, 17, 1071, 832040 }), NF.Constant(new[] { 20, 12, 5, 0, 5, 462, 514229 }));
        Assert.Equal(DType.Int32, g.DType);
        Assert.Equal(new[] { 4, 4, 5, 0, 1, 21, 1 }, g.ToArray<int>());
        Assert.Equal(new[] { 12, 12, 0, 42, 0 }, NF.Lcm(NF.Constant(new[] { 4, -6, 0, 21, 7 }), NF.Constant(new[] { 6, 4, 5, 6, 0 })).ToArray<int>());
        // Consecutive Fibonacci numbers, Euclid's worst case, in int64; broadcast with a C# number.
        Assert.Equal(new[] { 1L }, NF.Gcd(NF.Constant(new[] { 7540113804746346429L }), NF.Constant(new[] { 4660046610375530309L })).ToArray<long>());
        Assert.Equal(new[] { 3, 6, 3 }, NF.Gcd(NF.Constant(new[] { 9, 12, 15 }), 6).ToArray<int>());
        Assert.Equal(new byte[] { 6, 0 }, NF.Gcd(NF.Constant(new byte[] { 144, 0 }), NF.Constant(new byte[] { 6, 0 })).ToArray<byte>());
    }

    [SkippableFact]
    public void Nan_to_num_and_float_predicates_match_numpy()
    {
        RequireBackend();
        // numpy_math_references.py "nan_to_num", "nan_to_num f32", "nan_to_num args".
        Assert.Equal(new[] { 0, double.MaxValue, double.MinValue, 1.5 }, NF.NanToNum(D(NaN, Inf, double.NegativeInfinity, 1.5)).ToArray<double>());
        Assert.Equal(new[] { 0, float.MaxValue, float.MinValue, 1.5f }, NF.NanToNum(F(float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1.5f)).ToArray<float>());
        Assert.Equal(new[] { -1, 9, -9, 1.5 }, NF.NanToNum(D(NaN, Inf, double.NegativeInfinity, 1.5), nan: -1, posinf: 9, neginf: -9).ToArray<double>());
        Assert.Equal(new[] { 1, 2 }, NF.NanToNum(NF.Constant(new[] { 1, 2 })).ToArray<int>());
        // "isclose": not symmetric, infinities equal to themselves, NaN only with equalNan.
        using var a = D(1, 1, Inf, Inf, NaN, 1e10, 0, 1e-9);
        using var b = D(1 + 1e-6, 1.1, Inf, double.NegativeInfinity, NaN, 1.00001e10, 1e-9, 0);
        Assert.Equal(new[] { true, false, true, false, false, true, true, true }, NF.IsClose(a, b).ToArray<bool>());
        Assert.Equal(new[] { true, false, true, false, true, true, true, true }, NF.IsClose(a, b, equalNan: true).ToArray<bool>());
        Assert.Equal(new[] { true, true, true, false, false, false, true, true }, NF.IsClose(a, b, rtol: 0, atol: 0.2).ToArray<bool>());
        Assert.Equal(new[] { true, false }, NF.IsClose(NF.Constant(new[] { 3, 4 }), NF.Constant(new[] { 3, 5 })).ToArray<bool>());
        Assert.False(NF.AllClose(a, b));
        Assert.True(NF.AllClose(D(1, 2), D(1 + 1e-7, 2)));
        Assert.True(NF.AllClose(D(NaN), D(NaN), equalNan: true));
        Assert.True(NF.AllClose(NF.Zeros(new Shape(0)), NF.Zeros(new Shape(0))));
        // "isneginf", "isposinf"; isreal is all true.
        Assert.Equal(new[] { true, false, false, false }, NF.IsNegInf(D(double.NegativeInfinity, Inf, NaN, 1)).ToArray<bool>());
        Assert.Equal(new[] { false, true, false, false }, NF.IsPosInf(D(double.NegativeInfinity, Inf, NaN, 1)).ToArray<bool>());
        Assert.Equal(new[] { false, false }, NF.IsPosInf(NF.Constant(new[] { 1, 2 })).ToArray<bool>());
        using var real = NF.IsReal(NF.Zeros(new Shape(2, 3)));
        Assert.Equal(DType.Bool, real.DType);
        Assert.Equal(new Shape(2, 3), real.Shape);
        Assert.All(real.ToArray<bool>(), Assert.True);
    }

    [SkippableFact]
    public void Empty_tensors_keep_their_shape()
    {
        RequireBackend();
        using var e = NF.Zeros(new Shape(0, 3), DType.Float64);
        foreach (var y in new[] { NF.Log2(e), NF.Log10(e), NF.Exp2(e), NF.Cbrt(e), NF.Erfinv(e), NF.I0(e), NF.NanToNum(e), NF.Nextafter(e, e), NF.Copysign(e, e), NF.IsClose(e, e) })
            Assert.Equal(new Shape(0, 3), y.Shape);
        using var ei = NF.Zeros(new Shape(0), DType.Int32);
        Assert.Equal(new Shape(0), NF.Gcd(ei, ei).Shape);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences_and_pytorch()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Log2(t[0]) + NF.Log10(t[0]), GradientTests.In([2, 3], 1, 0.2, 3));
        GradientTests.Check(t => NF.Exp2(t[0]), GradientTests.In([5], 2));
        GradientTests.Check(t => NF.Cbrt(t[0]), GradientTests.In([6], 3, 0.2, 3));
        GradientTests.Check(t => NF.Cbrt(-t[0]), GradientTests.In([3], 4, 0.2, 3));
        GradientTests.Check(t => NF.Reciprocal(t[0]), GradientTests.In([4], 5, 0.5, 2));
        GradientTests.Check(t => NF.Ldexp(t[0], NF.Constant(new[] { -1, 3, 0 })), GradientTests.In([2, 3], 6));
        GradientTests.Check(t => NF.Copysign(t[0], NF.Constant(new[] { -1.0, 2, -0.5, 3 })), GradientTests.In([4], 7));
        GradientTests.Check(t => NF.Erfinv(t[0]), GradientTests.In([6], 8, -0.95, 0.95));
        GradientTests.Check(t => NF.I0(t[0]), GradientTests.In([6], 9, -10, 10));
        GradientTests.Check(t => NF.NanToNum(t[0] + NF.Constant(new[] { 0, NaN, Inf, 0 }), posinf: 5), GradientTests.In([4], 10));
        // numpy_math_references.py "grad ...": torch.autograd at 0.3 and 1.7 (erfinv at x / 2).
        using var x = D(0.3, 1.7);
        AssertClose([4.808983469629878, 0.8486441416993903], Grad(NF.Log2, x), 1e-14, 0, "log2'");
        AssertClose([1.4476482730108395, 0.2554673422960305], Grad(NF.Log10, x), 1e-14, 0, "log10'");
        AssertClose([0.8533642789721566, 2.2520418337495354], Grad(NF.Exp2, x), 1e-14, 0, "exp2'");
        AssertClose([0.451108889441878, 1.2488161339718762], Grad(t => NF.Erfinv(t / 2), x), 1e-13, 0, "erfinv'");
        AssertClose([0.15169384000359282, 1.1963465656344825], Grad(NF.I0, x), 1e-14, 0, "i0'");
        // Cbrt's slope at 0 is +inf, as d/dx x^(1/3) in PyTorch.
        Assert.Equal(Inf, Grad(NF.Cbrt, D(0))[0]);
    }

    private static double[] Grad(Func<Tensor, Tensor> f, Tensor x)
    {
        using var tape = new GradientTape();
        tape.Watch(x);
        using var y = NF.ReduceSum(f(x));
        return tape.Gradient(y, x).ToArray<double>();
    }

    [SkippableFact]
    public void Second_derivatives_match_finite_differences()
    {
        RequireBackend();
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.Log2(t + 2) + NF.Log10(t + 3), [2, 3]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(NF.Exp2, [5]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.Cbrt(t + 2), [4]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.Erfinv(t * 0.9), [5]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.I0(t * 5), [5]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.Ldexp(t * t, NF.Constant(new[] { 2, -1, 0 })), [3]);
    }

    [SkippableFact]
    public void Bad_arguments_throw_clear_exceptions()
    {
        RequireBackend();
        Assert.Contains("integer", Assert.Throws<ArgumentException>(() => NF.Ldexp(D(1, 2), D(1, 2))).Message);
        Assert.Contains("Gcd", Assert.Throws<ArgumentException>(() => NF.Gcd(D(4), D(6))).Message);
        Assert.Contains("Lcm", Assert.Throws<ArgumentException>(() => NF.Lcm(NF.Constant(new[] { true }), NF.Constant(new[] { true }))).Message);
        Assert.Throws<ArgumentException>(() => NF.Gcd(NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 1, 2, 3 })));
        Assert.Throws<ArgumentException>(() => NF.Nextafter(D(1, 2), D(1, 2, 3)));
        Assert.Throws<ArgumentException>(() => NF.Copysign(D(1, 2), D(1, 2, 3)));
        Assert.Contains("rtol", Assert.Throws<ArgumentOutOfRangeException>(() => NF.IsClose(D(1), D(1), rtol: -1)).Message);
        Assert.Contains("atol", Assert.Throws<ArgumentOutOfRangeException>(() => NF.AllClose(D(1), D(1), atol: double.NaN)).Message);
        Assert.Throws<DivideByZeroException>(() => NF.Fmod(NF.Constant(new[] { 1 }), NF.Constant(new[] { 0 })));
    }
}

public sealed class ManagedNumpyMathTests() : NumpyMathTests("managed");

public sealed class NativeCpuNumpyMathTests() : NumpyMathTests("cpu");

public sealed class CudaNumpyMathTests() : NumpyMathTests("cuda");
