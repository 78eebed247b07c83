using NeuralFlow.Backends;
using static NeuralFlow.Tests.Float16.Float16Testing;

namespace NeuralFlow.Tests.Float16;

/// <summary>
/// DType.Float16 (np.float16, torch.half) as a storage dtype on every engine: creation and
/// readback, NF.Cast from and to every dtype (round to nearest even, overflow to inf, NaN kept,
/// subnormals exact; NumPy's astype values from float16_references.py beside this file),
/// fills, printing as NumPy prints float16, and the refusal of a kernel that cannot take it.
/// </summary>
public abstract class Float16CastTests(string backend) : BackendTest(backend)
{
    // float16_references.py "specials": ties, overflow at 65520, the smallest subnormal 6e-8,
    // 2^-25 (a tie to zero), NaN and infinities, 1 + 2^-11 + 2^-40 (double rounding through float32
    // would give 1.0), and the largest subnormal's neighbourhood.
    private static readonly double[] Specials =
    [
        0.0, -0.0, 1.0, 65504.0, 65519.99, 65520.0, 1e5, -1e5, 6e-8, Math.Pow(2, -25), 1.5 * Math.Pow(2, -25), 0.1, 1.0 / 3,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1 + Math.Pow(2, -11), 1 + 3 * Math.Pow(2, -11),
        1 + Math.Pow(2, -11) + Math.Pow(2, -40), Math.Pow(2, -14) - Math.Pow(2, -25),
    ];

    [SkippableFact]
    public void Float64_and_float32_cast_to_float16_as_numpy_rounds()
    {
        RequireBackend();
        using var d = NF.Constant(Specials);
        using var h64 = NF.Cast(d, DType.Float16);
        Exactly([0x0000, 0x8000, 0x3C00, 0x7BFF, 0x7BFF, 0x7C00, 0x7C00, 0xFC00, 0x0001, 0x0000, 0x0001, 0x2E66, 0x3555,
                 0x7E00, 0x7C00, 0xFC00, 0x3C00, 0x3C02, 0x3C01, 0x0400], h64, "float64 -> float16");
        using var f = NF.Constant(Specials.Select(v => (float)v).ToArray());
        using var h32 = NF.Cast(f, DType.Float16);
        Exactly([0x0000, 0x8000, 0x3C00, 0x7BFF, 0x7BFF, 0x7C00, 0x7C00, 0xFC00, 0x0001, 0x0000, 0x0001, 0x2E66, 0x3555,
                 0x7E00, 0x7C00, 0xFC00, 0x3C00, 0x3C02, 0x3C00, 0x0400], h32, "float32 -> float16");
        // A strided (transposed) source casts element by element in the view's order.
        using var m = NF.Constant(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var mt = NF.Transpose(m);
        using var ht = NF.Cast(mt, DType.Float16);
        Assert.Equal(new[] { 1.0, 4, 2, 5, 3, 6 }, ht.ToArray<Half>().Select(v => (double)v));
    }

    [SkippableFact]
    public void Integers_and_bools_cast_to_float16_as_numpy_rounds()
    {
        RequireBackend();
        int[] ints = [0, 1, -1, 2049, 2051, 65504, 65519, 65520, 100000, -100000];
        ushort[] want = [0x0000, 0x3C00, 0xBC00, 0x6800, 0x6802, 0x7BFF, 0x7BFF, 0x7C00, 0x7C00, 0xFC00];
        using var i32 = NF.Constant(ints);
        using var h32 = NF.Cast(i32, DType.Float16);
        Exactly(want, h32, "int32 -> float16");
        using var i64 = NF.Constant(ints.Select(v => (long)v).ToArray());
        using var h64 = NF.Cast(i64, DType.Float16);
        Exactly(want, h64, "int64 -> float16");
        using var u8 = NF.Constant(new byte[] { 0, 7, 255 });
        using var hu = NF.Cast(u8, DType.Float16);
        Exactly([0x0000, 0x4700, 0x5BF8], hu, "uint8 -> float16");
        using var b = NF.Constant(new[] { true, false });
        using var hb = NF.Cast(b, DType.Float16);
        Exactly([0x3C00, 0x0000], hb, "bool -> float16");
    }

    [SkippableFact]
    public void Float16_casts_to_every_dtype()
    {
        RequireBackend();
        using var h = NF.Constant(new[] { 1.5, -1.5, 2.5, -2.7, 65504, -65504, 0.0999 }.Select(v => (Half)v).ToArray());
        using var i32 = NF.Cast(h, DType.Int32);
        Assert.Equal(new[] { 1, -1, 2, -2, 65504, -65504, 0 }, i32.ToArray<int>());
        using var i64 = NF.Cast(h, DType.Int64);
        Assert.Equal(new long[] { 1, -1, 2, -2, 65504, -65504, 0 }, i64.ToArray<long>());
        using var f64 = NF.Cast(h, DType.Float64);
        Assert.Equal(new[] { 1.5, -1.5, 2.5, -2.69921875, 65504.0, -65504.0, 0.09991455078125 }, f64.ToArray<double>());
        using var f32 = NF.Cast(h, DType.Float32);
        Assert.Equal(new[] { 1.5f, -1.5f, 2.5f, -2.69921875f, 65504f, -65504f, 0.09991455078125f }, f32.ToArray<float>());
        using var z = NF.Constant(new[] { (Half)0, (Half)(-0.0), (Half)0.5, Half.NaN });
        using var zb = NF.Cast(z, DType.Bool);
        Assert.Equal(new[] { false, false, true, true }, zb.ToArray<bool>());
        using var u = NF.Constant(new[] { (Half)3.7, (Half)200.5, (Half)255 });
        using var uu = NF.Cast(u, DType.UInt8);
        Assert.Equal(new byte[] { 3, 200, 255 }, uu.ToArray<byte>());
        // NumPy leaves inf and NaN to int undefined; NF's rule for every float: saturate, NaN -> 0.
        using var s = NF.Constant(new[] { Half.PositiveInfinity, Half.NegativeInfinity, Half.NaN, (Half)(-0.0) });
        using var si = NF.Cast(s, DType.Int32);
        Assert.Equal(new[] { int.MaxValue, int.MinValue, 0, 0 }, si.ToArray<int>());
        // Subnormals and -0 widen exactly, and the bits survive float16 -> float32 -> float16.
        ushort[] edge = [0x0001, 0x03FF, 0x0400, 0x8000, 0x7BFF, 0xFBFF, 0x7C00];
        using var e = FromBits(edge);
        using var ew = NF.Cast(e, DType.Float32);
        Assert.Equal(new[] { MathF.Pow(2, -24), 1023 * MathF.Pow(2, -24), MathF.Pow(2, -14), -0f, 65504f, -65504f, float.PositiveInfinity },
                     ew.ToArray<float>());
        Assert.True(float.IsNegative(ew.ToArray<float>()[3]), "-0 stays -0");
        using var back = NF.Cast(ew, DType.Float16);
        Exactly(edge, back, "round trip");
    }

    [SkippableFact]
    public void Creation_readback_and_fills_keep_float16()
    {
        RequireBackend();
        using var c = NF.Constant(new Half[,] { { (Half)1, (Half)(-2.5) }, { (Half)0.1, Half.MaxValue } });
        Assert.Equal(DType.Float16, c.DType);
        Assert.Equal(new Shape(2, 2), c.Shape);
        Assert.Equal(new ushort[] { 0x3C00, 0xC100, 0x2E66, 0x7BFF }, Bits(c));
        using var one = NF.Constant((Half)0.5);
        Assert.Equal((Half)0.5, one.Item<Half>());
        using var zeros = NF.Zeros([2, 3], DType.Float16);
        Assert.Equal(Enumerable.Repeat((ushort)0, 6), Bits(zeros));
        using var ones = NF.Ones([3], DType.Float16);
        Assert.Equal(new ushort[] { 0x3C00, 0x3C00, 0x3C00 }, Bits(ones));
        // np.full(2, v, np.float16): 0.1 rounds to 0x2E66, 1e6 overflows to inf, NaN stays NaN.
        using var tenth = NF.Fill([2], 0.1, DType.Float16);
        Assert.Equal(new ushort[] { 0x2E66, 0x2E66 }, Bits(tenth));
        using var big = NF.Fill([1], 1e6, DType.Float16);
        Assert.Equal(new ushort[] { 0x7C00 }, Bits(big));
        using var nan = NF.Fill([1], double.NaN, DType.Float16);
        Assert.True(Half.IsNaN(nan.Item<Half>()));
        using var empty = NF.Cast(NF.Zeros([0, 3]), DType.Float16);
        Assert.Equal(new Shape(0, 3), empty.Shape);
        Assert.Empty(empty.ToArray<Half>());
        Assert.Throws<InvalidCastException>(() => c.ToArray<float>());   // the element type must be Half
    }

    [SkippableFact]
    public void Float16_prints_as_numpy_prints_it()
    {
        RequireBackend();
        // repr(np.array([0.1, 1.5, -2], np.float16)) = array([ 0.1,  1.5, -2. ], dtype=float16);
        // repr(np.float16(1/3)) = 0.3333 (float32's is 0.33333334).
        using var v = NF.Constant(new[] { (Half)0.1, (Half)1.5, (Half)(-2) });
        Assert.Equal("tensor([ 0.1,  1.5, -2. ], shape=(3,), dtype=float16)", v.ToString());
        using var s = NF.Constant((Half)(1.0 / 3));
        Assert.Equal("tensor(0.3333, shape=(), dtype=float16)", s.ToString());
        Assert.Equal("float16", DType.Float16.Name());
        Assert.Equal(2, DType.Float16.SizeInBytes());
        Assert.True(DType.Float16.IsFloating());
    }

    [SkippableFact]
    public void A_backend_kernel_handed_float16_refuses_it_by_name()
    {
        RequireBackend();
        // The Engine never hands a compute kernel float16 (it runs float32 stand-ins); a backend
        // used directly refuses it with NotSupportedException naming float16, never a wrong answer.
        using var x = NF.Constant(new[] { (Half)1, (Half)2 });
        var e = Assert.Throws<NotSupportedException>(() =>
            x.Backend.Unary(UnaryOp.Neg, DType.Float16, x.Data, x.Layout, x.Data, x.Layout));
        Assert.Contains("float16", e.Message);
        // Mixing float16 and float32 tensors in an elementwise op is the usual dtype error.
        using var f = NF.Constant(new[] { 1f, 2f });
        var m = Assert.Throws<ArgumentException>(() => NF.Add(x, f));
        Assert.Contains("float16", m.Message);
        Assert.Contains("float32", m.Message);
    }
}

public sealed class ManagedFloat16CastTests() : Float16CastTests("managed");

public sealed class NativeCpuFloat16CastTests() : Float16CastTests("cpu");

public sealed class CudaFloat16CastTests() : Float16CastTests("cuda");
