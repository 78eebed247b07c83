using System.Text.Json;
using System.Text.Json.Serialization;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// The elementwise ops of issue 16 (Floor, Ceil, Round, Sin, Cos, Log1p, Expm1, Rsqrt, Erf,
/// Softplus, FloorDiv, FloorMod, TruncateMod and the % operator) on every backend: values
/// against NumPy, gradients against PyTorch (Ops16/make_elementwise_fixtures.py), finite
/// differences in float64, special values (NaN, ±inf, -0, halves), integer edges and errors.
/// </summary>
public abstract class ElementwiseMathTests(string backend) : BackendTest(backend)
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Unary = new()
    {
        ["floor"] = NF.Floor, ["ceil"] = NF.Ceil, ["round"] = NF.Round, ["sin"] = NF.Sin, ["cos"] = NF.Cos,
        ["log1p"] = NF.Log1p, ["expm1"] = NF.Expm1, ["rsqrt"] = NF.Rsqrt, ["erf"] = NF.Erf, ["softplus"] = NF.Softplus,
    };

    private static readonly Dictionary<string, Func<Tensor, Tensor, Tensor>> Binary = new()
    {
        ["floor_div"] = NF.FloorDiv, ["floor_mod"] = NF.FloorMod, ["truncate_mod"] = NF.TruncateMod,
    };

    public static TheoryData<string> UnaryNames() => new(Unary.Keys);
    public static TheoryData<string> BinaryNames() => new(Binary.Keys);

    // Equal, with NaN equal to NaN and zeros compared with their signs.
    private static void AssertSame(double[] expected, double[] actual, double rtol, string what)
    {
        AssertClose(expected, actual, rtol, 0, what);
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] == 0) Assert.True(double.IsNegative(expected[i]) == double.IsNegative(actual[i]), $"{what} [{i}]: expected {expected[i]}, got {actual[i]} (sign of zero)");
    }

    [SkippableTheory]
    [MemberData(nameof(UnaryNames))]
    public void Unary_special_values_match_numpy_in_float64(string name)
    {
        RequireBackend();
        var c = ElementwiseFixtures.UnaryCase(name);
        using var x = NF.Constant(c.SpecialX);
        using var y = Unary[name](x);
        Assert.Equal(DType.Float64, y.DType);
        AssertSame(c.SpecialY, y.ToArray<double>(), 4e-15, name);
    }

    [SkippableTheory]
    [MemberData(nameof(UnaryNames))]
    public void Unary_values_and_gradients_match_pytorch(string name)
    {
        RequireBackend();
        var c = ElementwiseFixtures.UnaryCase(name);
        var (y, dx) = TapeReference.ValueAndGradient(Unary[name], c.X, c.W);
        AssertClose(c.Y, y, 1e-14, 1e-15, name);
        AssertClose(c.Dx, dx, 1e-13, 1e-15, name + " dx");
        // float32: one rounding of the same values (sinf, erff: within 1-2 ulp).
        using var x32 = NF.Constant(F(c.X));
        using var y32 = Unary[name](x32);
        Assert.Equal(DType.Float32, y32.DType);
        AssertClose(c.Y, y32.ToArray<float>().Select(v => (double)v).ToArray(), 1e-6, 1e-7, name + " float32");
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Sin(t[0]), GradientTests.In([3, 4], 1));
        GradientTests.Check(t => NF.Cos(NF.Transpose(t[0], [1, 0])), GradientTests.In([3, 4], 2));
        GradientTests.Check(t => NF.Log1p(t[0]), GradientTests.In([2, 5], 3, -0.8, 3));
        GradientTests.Check(t => NF.Expm1(t[0]), GradientTests.In([2, 5], 4));
        GradientTests.Check(t => NF.Rsqrt(t[0]), GradientTests.In([2, 5], 5, 0.3, 3));
        GradientTests.Check(t => NF.Erf(t[0]), GradientTests.In([2, 5], 6));
        GradientTests.Check(t => NF.Softplus(t[0] * 10), GradientTests.In([2, 5], 7));
        // The remainders away from their jumps: a / b stays inside (-1, 1), and FloorMod's a rarely near 0.
        GradientTests.Check(t => NF.FloorMod(t[0], t[1] + 5), GradientTests.In([2, 3], 8, -4, 4), GradientTests.In([3], 9, -0.5, 0.5));
        GradientTests.Check(t => NF.TruncateMod(t[0] * 3, t[1] - 5), GradientTests.In([2, 3], 10, -1, 1), GradientTests.In([2, 1], 11, -0.5, 0.5));
        // Rounding: the gradient is zero (PyTorch's), never missing.
        GradientTests.Check(t => NF.Floor(t[0] + 0.25) + NF.Ceil(t[0] + 0.25) + NF.Round(t[0] + 0.25), GradientTests.In([5], 12, -0.2, 0.2));
    }

    [SkippableTheory]
    [MemberData(nameof(BinaryNames))]
    public void Float_division_matches_numpy(string name)
    {
        RequireBackend();
        var f = ElementwiseFixtures.Data.FloatBinary;
        var want = f.Op(name);
        using var a = NF.Constant(f.A);
        using var b = NF.Constant(f.B);
        using var y = Binary[name](a, b);
        AssertSame(want, y.ToArray<double>(), 1e-15, name);
        using var a32 = NF.Constant(F(f.A));
        using var b32 = NF.Constant(F(f.B));
        using var y32 = Binary[name](a32, b32);
        // 0.1f is not 0.1: compare with the same op in double on the float32 inputs.
        var want32 = ElementwiseFixtures.FloatReference(name, F(f.A), F(f.B));
        AssertSame(want32, y32.ToArray<float>().Select(v => (double)v).ToArray(), 2.5e-7, name + " float32");
    }

    [SkippableTheory]
    [MemberData(nameof(BinaryNames))]
    public void Integer_division_matches_numpy(string name)
    {
        RequireBackend();
        var d = ElementwiseFixtures.Data;
        using (var a = NF.Constant(d.Int32Binary.A.Select(v => (int)v).ToArray()))
        using (var b = NF.Constant(d.Int32Binary.B.Select(v => (int)v).ToArray()))
        using (var y = Binary[name](a, b))
        {
            Assert.Equal(DType.Int32, y.DType);
            Assert.Equal(d.Int32Binary.Op(name).Select(v => (int)v), y.ToArray<int>());
        }
        using (var a = NF.Constant(d.Int64Binary.A))
        using (var b = NF.Constant(d.Int64Binary.B))
        using (var y = Binary[name](a, b))
            Assert.Equal(d.Int64Binary.Op(name), y.ToArray<long>());
        using (var a = NF.Constant(d.Uint8Binary.A.Select(v => (byte)v).ToArray()))
        using (var b = NF.Constant(d.Uint8Binary.B.Select(v => (byte)v).ToArray()))
        using (var y = Binary[name](a, b))
            Assert.Equal(d.Uint8Binary.Op(name).Select(v => (byte)v), y.ToArray<byte>());
    }

    [SkippableFact]
    public void MinValue_by_minus_one_wraps_instead_of_trapping()
    {
        RequireBackend();
        // NumPy also gives int.MinValue for MIN // -1 (with an overflow warning); both remainders are 0.
        using var a = NF.Constant(new[] { int.MinValue, 5 });
        using var m1 = NF.Constant(new[] { -1, -1 });
        using var q = NF.FloorDiv(a, m1);
        Assert.Equal(int.MinValue, q.ToArray<int>()[0]);
        using var r = NF.FloorMod(a, m1);
        Assert.Equal([0, 0], r.ToArray<int>());
        using var t = a % m1;
        Assert.Equal([0, 0], t.ToArray<int>());
        using var a64 = NF.Constant(new[] { long.MinValue });
        using var q64 = NF.FloorDiv(a64, NF.Constant(new[] { -1L }));
        Assert.Equal(long.MinValue, q64.ToArray<long>()[0]);
    }

    [SkippableFact]
    public void Percent_operator_is_csharps_remainder()
    {
        RequireBackend();
        int[] ai = [7, -7, 7, -7, 0, 13];
        int[] bi = [3, 3, -3, -3, 5, 4];
        using var a = NF.Constant(ai);
        using var b = NF.Constant(bi);
        using var r = a % b;
        Assert.Equal(ai.Zip(bi, (x, y) => x % y), r.ToArray<int>());
        using var rs = a % 4; // a C# int stays a weak int32 scalar
        Assert.Equal(DType.Int32, rs.DType);
        Assert.Equal(ai.Select(x => x % 4), rs.ToArray<int>());
        double[] ad = [5.5, -5.5, 5.5, -0.0, 1e300];
        double[] bd = [2.0, 2.0, -2.0, 3.0, 7.0];
        using var rd = NF.Constant(ad) % NF.Constant(bd);
        AssertSame(ad.Zip(bd, (x, y) => x % y).ToArray(), rd.ToArray<double>(), 0, "%");
    }

    [SkippableFact]
    public void Integer_division_by_zero_is_a_clear_error()
    {
        RequireBackend();
        using var a = NF.Constant(new[] { 1, 2, 3 });
        using var b = NF.Constant(new[] { 1, 0, 3 });
        var e = Assert.Throws<DivideByZeroException>(() => NF.FloorDiv(a, b));
        Assert.Contains("FloorDiv", e.Message);
        Assert.Contains("int32", e.Message);
        Assert.Throws<DivideByZeroException>(() => NF.FloorMod(a, b));
        Assert.Throws<DivideByZeroException>(() => a % 0);
        using var l = NF.Constant(new[] { 5L });
        Assert.Throws<DivideByZeroException>(() => NF.TruncateMod(l, NF.Constant(new[] { 0L })));
        // Floats follow IEEE instead (NumPy): inf and NaN, no exception.
        using var f = NF.FloorDiv(NF.Constant(new[] { 1f, -1f, 0f }), NF.Constant(new[] { 0f, 0f, 0f }));
        var v = f.ToArray<float>();
        Assert.Equal(float.PositiveInfinity, v[0]);
        Assert.Equal(float.NegativeInfinity, v[1]);
        Assert.True(float.IsNaN(v[2]));
    }

    [SkippableFact]
    public void Bool_operands_and_integer_inputs()
    {
        RequireBackend();
        using var t = NF.Constant(new[] { true, false });
        var e = Assert.Throws<ArgumentException>(() => NF.FloorMod(t, t));
        Assert.Contains("FloorMod", e.Message);
        Assert.Throws<ArgumentException>(() => NF.Sin(t));
        // Rounding leaves integers alone (torch.floor); the other functions compute in float32.
        using var i = NF.Constant(new[] { -3, 4 });
        using var fl = NF.Floor(i);
        Assert.Equal(DType.Int32, fl.DType);
        Assert.Equal([-3, 4], fl.ToArray<int>());
        using var s = NF.Sin(i);
        Assert.Equal(DType.Float32, s.DType);
        Assert.Equal(MathF.Sin(4f), s.ToArray<float>()[1], 6);
    }

    [SkippableFact]
    public void Softplus_and_log1p_keep_precision_on_the_tails()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { -80f, -20f, 0f, 30f, 100f });
        var sp = NF.Softplus(x).ToArray<float>();
        Assert.Equal(1.0, sp[0] / Math.Exp(-80), 5);
        Assert.Equal(1.0, sp[1] / 2.061153620314381e-09, 5); // log1p(e^-20)
        Assert.Equal(MathF.Log(2f), sp[2], 6);
        Assert.Equal(30f, sp[3]);
        Assert.Equal(100f, sp[4]);
        using var tiny = NF.Constant(new[] { 1e-10, -1e-12 });
        var l = NF.Log1p(tiny).ToArray<double>();
        // log(1 + x) and exp(x) - 1 computed naively keep only ~6 of these 16 digits.
        Assert.Equal(1.0, l[0] / (1e-10 - 5e-21), 15);
        Assert.Equal(1.0, l[1] / (-1e-12 - 5e-25), 15);
        var m = NF.Expm1(tiny).ToArray<double>();
        Assert.Equal(1.0, m[0] / (1e-10 + 5e-21), 15);
        Assert.Equal(1.0, m[1] / (-1e-12 + 5e-25), 15);
    }
}

public sealed class ManagedElementwiseMathTests() : ElementwiseMathTests("managed");

public sealed class NativeCpuElementwiseMathTests() : ElementwiseMathTests("cpu");

public sealed class CudaElementwiseMathTests() : ElementwiseMathTests("cuda");

public sealed record UnaryFixture(string Name, double[] SpecialX, double[] SpecialY, double[] X, double[] Y, double[] W, double[] Dx);

public sealed record BinaryFixture<T>(T[] A, T[] B, T[] FloorDiv, T[] FloorMod, T[] TruncateMod)
{
    public T[] Op(string name) => name switch { "floor_div" => FloorDiv, "floor_mod" => FloorMod, _ => TruncateMod };
}

public sealed record ElementwiseFixtureFile(
    UnaryFixture[] Unary, BinaryFixture<double> FloatBinary, BinaryFixture<long> Int32Binary,
    BinaryFixture<long> Int64Binary, BinaryFixture<long> Uint8Binary);

internal static class ElementwiseFixtures
{
    public static readonly ElementwiseFixtureFile Data = Load();

    public static UnaryFixture UnaryCase(string name) => Data.Unary.Single(c => c.Name == name);

    // CPython's float_divmod and fmod in double, for float32 inputs widened exactly.
    public static double[] FloatReference(string name, float[] a, float[] b) => a.Zip(b, (x, y) => (double)Narrow(name, x, y)).ToArray();

    private static float Narrow(string name, double x, double y)
    {
        if (name == "truncate_mod") return (float)(x % y);
        if (y == 0) return (float)(name == "floor_div" ? x / y : double.NaN);
        double mod = x % y, div = (x - mod) / y;
        if (mod != 0 && (y < 0) != (mod < 0)) { mod += y; div -= 1; }
        if (name == "floor_mod") return (float)(mod == 0 ? Math.CopySign(0.0, y) : mod);
        if (div == 0) return (float)Math.CopySign(0.0, x / y);
        double q = Math.Floor(div);
        return (float)(div - q > 0.5 ? q + 1 : q);
    }

    private static ElementwiseFixtureFile Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Ops16", "elementwise_fixtures.json");
        using var stream = File.OpenRead(path);
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        return JsonSerializer.Deserialize<ElementwiseFixtureFile>(stream, options) ?? throw new InvalidDataException(path);
    }
}
