using NeuralFlow.Backends;

namespace NeuralFlow.Tests.Bitwise;

/// <summary>
/// NF.BitwiseAnd/Or/Xor/Not, the shifts and Tensor's &amp; | ^ ~ &lt;&lt; &gt;&gt; on every engine: NumPy's
/// values (bitwise_references.py beside this file, run with /usr/bin/python3) over int32, int64,
/// uint8 and bool, broadcasting, C# scalars, empty and transposed operands, the shift counts
/// outside [0, bit width), the promotion of mixed dtypes, no gradient, replay inside
/// NF.Function, and the exceptions for floats and bool shifts.
/// </summary>
public abstract class BitwiseTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void And_or_xor_not_match_numpy_for_int32_int64_uint8()
    {
        RequireBackend();
        // bitwise_references.py "and/or/xor/not int32".
        using var a32 = NF.Constant(new[] { 12, -7, 0, int.MaxValue, int.MinValue, 5 });
        using var b32 = NF.Constant(new[] { 10, 3, -1, -2, 1, -6 });
        Assert.Equal(new[] { 8, 1, 0, 2147483646, 0, 0 }, NF.BitwiseAnd(a32, b32).ToArray<int>());
        Assert.Equal(new[] { 14, -5, -1, -1, -2147483647, -1 }, NF.BitwiseOr(a32, b32).ToArray<int>());
        Assert.Equal(new[] { 6, -6, -1, -2147483647, -2147483647, -1 }, NF.BitwiseXor(a32, b32).ToArray<int>());
        using var not32 = NF.BitwiseNot(a32);
        Assert.Equal(DType.Int32, not32.DType);
        Assert.Equal(new[] { -13, 6, -1, int.MinValue, int.MaxValue, -6 }, not32.ToArray<int>());

        // "... int64".
        using var a64 = NF.Constant(new[] { 12L, -7, 0, long.MaxValue, long.MinValue, 1L << 40 });
        using var b64 = NF.Constant(new[] { 10L, 3, -1, -2, 1, (1L << 40) + 5 });
        Assert.Equal(new[] { 8L, 1, 0, 9223372036854775806, 0, 1099511627776 }, NF.BitwiseAnd(a64, b64).ToArray<long>());
        Assert.Equal(new[] { 14L, -5, -1, -1, -9223372036854775807, 1099511627781 }, NF.BitwiseOr(a64, b64).ToArray<long>());
        Assert.Equal(new[] { 6L, -6, -1, -9223372036854775807, -9223372036854775807, 5 }, NF.BitwiseXor(a64, b64).ToArray<long>());
        Assert.Equal(new[] { -13L, 6, -1, long.MinValue, long.MaxValue, -1099511627777 }, NF.BitwiseInvert(a64).ToArray<long>());

        // "... uint8".
        using var a8 = NF.Constant(new byte[] { 12, 200, 0, 255, 128, 5 });
        using var b8 = NF.Constant(new byte[] { 10, 3, 255, 254, 1, 250 });
        Assert.Equal(new byte[] { 8, 0, 0, 254, 0, 0 }, NF.BitwiseAnd(a8, b8).ToArray<byte>());
        Assert.Equal(new byte[] { 14, 203, 255, 255, 129, 255 }, NF.BitwiseOr(a8, b8).ToArray<byte>());
        Assert.Equal(new byte[] { 6, 203, 255, 1, 129, 255 }, NF.BitwiseXor(a8, b8).ToArray<byte>());
        using var not8 = NF.BitwiseNot(a8);
        Assert.Equal(DType.UInt8, not8.DType);
        Assert.Equal(new byte[] { 243, 55, 255, 0, 127, 250 }, not8.ToArray<byte>());
    }

    [SkippableFact]
    public void Bool_tensors_are_the_logical_ops()
    {
        RequireBackend();
        // bitwise_references.py "and/or/xor/not bool".
        using var a = NF.Constant(new[] { true, true, false, false });
        using var b = NF.Constant(new[] { true, false, true, false });
        using var and = NF.BitwiseAnd(a, b);
        Assert.Equal(DType.Bool, and.DType);
        Assert.Equal(new[] { true, false, false, false }, and.ToArray<bool>());
        Assert.Equal(new[] { true, true, true, false }, NF.BitwiseOr(a, b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true, false }, NF.BitwiseXor(a, b).ToArray<bool>());
        using var not = NF.BitwiseNot(a);
        Assert.Equal(DType.Bool, not.DType);
        Assert.Equal(new[] { false, false, true, true }, not.ToArray<bool>());
        // The operators on bools keep their logical meaning (and agree with NF.Logical*).
        Assert.Equal(NF.LogicalAnd(a, b).ToArray<bool>(), (a & b).ToArray<bool>());
        Assert.Equal(NF.LogicalOr(a, b).ToArray<bool>(), (a | b).ToArray<bool>());
        Assert.Equal(NF.LogicalXor(a, b).ToArray<bool>(), (a ^ b).ToArray<bool>());
        Assert.Equal(NF.LogicalNot(a).ToArray<bool>(), (~a).ToArray<bool>());
        // A not of a not is the input, its bytes still 0/1: the byte comparison with a agrees.
        Assert.Equal(new[] { true, true, true, true }, NF.Equal(NF.BitwiseNot(not), a).ToArray<bool>());
        Assert.Equal(new[] { true, true, true, true }, NF.Equal(NF.BitwiseXor(not, a), NF.Constant(new[] { true, true, true, true })).ToArray<bool>());
    }

    [SkippableFact]
    public void Broadcasting_scalars_transposed_and_empty_operands()
    {
        RequireBackend();
        using var m = NF.Constant(new[,] { { 1, 2, 3 }, { -4, -5, -6 } });
        // bitwise_references.py "and bcast", "xor scalar 5", "or transposed".
        using var bc = NF.BitwiseAnd(m, NF.Constant(new[] { 6, 5, -1 }));
        Assert.Equal(new Shape(2, 3), bc.Shape);
        Assert.Equal(new[] { 0, 0, 3, 4, 1, -6 }, bc.ToArray<int>());
        Assert.Equal(new[] { 4, 7, 6, -7, -2, -1 }, (m ^ 5).ToArray<int>());
        Assert.Equal(new[] { 4, 7, 6, -7, -2, -1 }, (5 ^ m).ToArray<int>());
        using var t = NF.Transpose(m);
        Assert.Equal(new[] { 9, -4, 18, -5, 35, -6 }, NF.BitwiseOr(t, NF.Constant(new[,] { { 8 }, { 16 }, { 32 } })).ToArray<int>());
        Assert.Equal(new[] { -2, 3, -3, 4, -4, 5 }, NF.BitwiseNot(t).ToArray<int>());
        Assert.Equal(new[] { 2, -8, 4, -10, 6, -12 }, (t << 1).ToArray<int>());
        // C# scalars take the tensor's dtype.
        using var l = NF.Constant(new[] { 5L, -9 });
        using var ls = l << 40;
        Assert.Equal(DType.Int64, ls.DType);
        Assert.Equal(new[] { 5L << 40, -9L << 40 }, ls.ToArray<long>());
        Assert.Equal(new byte[] { 240, 15 }, (NF.Constant(new byte[] { 255, 15 }) & 0xF0 | NF.Constant(new byte[] { 0, 15 })).ToArray<byte>());
        // Empty operands give empty results of the broadcast shape.
        using var e = NF.BitwiseXor(NF.Zeros(new Shape(0, 3), DType.Int32), NF.Constant(new[] { 1, 2, 3 }));
        Assert.Equal(new Shape(0, 3), e.Shape);
        Assert.Equal(DType.Int32, e.DType);
        Assert.Equal(new Shape(0), NF.RightShift(NF.Zeros(new Shape(0), DType.UInt8), 3).Shape);
        Assert.Equal(new Shape(0), NF.BitwiseNot(NF.Zeros(new Shape(0), DType.Bool)).Shape);
    }

    [SkippableFact]
    public void Int32_shifts_match_numpy_including_out_of_range_counts()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { 1, -5, 7, -1, int.MaxValue, int.MinValue });
        // bitwise_references.py "lshift/rshift int32 <count>": counts >= 32 or negative give 0
        // (<<) and the sign fill (>>), NumPy's answer on x86.
        var left = new Dictionary<int, int[]>
        {
            [0] = [1, -5, 7, -1, 2147483647, -2147483648],
            [1] = [2, -10, 14, -2, -2, 0],
            [4] = [16, -80, 112, -16, -16, 0],
            [31] = [-2147483648, -2147483648, -2147483648, -2147483648, -2147483648, 0],
        };
        var right = new Dictionary<int, int[]>
        {
            [0] = [1, -5, 7, -1, 2147483647, -2147483648],
            [1] = [0, -3, 3, -1, 1073741823, -1073741824],
            [4] = [0, -1, 0, -1, 134217727, -134217728],
            [31] = [0, -1, 0, -1, 0, -1],
        };
        foreach (int s in new[] { 32, 33, 100, -1, -3 })
        {
            left[s] = [0, 0, 0, 0, 0, 0];
            right[s] = [0, -1, 0, -1, 0, -1];
        }
        foreach (var (s, expected) in left)
        {
            Assert.Equal(expected, NF.LeftShift(x, s).ToArray<int>());
            Assert.Equal(expected, NF.BitwiseLeftShift(x, NF.Constant(s)).ToArray<int>());
            Assert.Equal(expected, (x << s).ToArray<int>());
        }
        foreach (var (s, expected) in right)
        {
            Assert.Equal(expected, NF.RightShift(x, s).ToArray<int>());
            Assert.Equal(expected, NF.BitwiseRightShift(x, NF.Constant(s)).ToArray<int>());
            Assert.Equal(expected, (x >> s).ToArray<int>());
        }
        // Elementwise counts: "lshift counts", "rshift counts".
        Assert.Equal(new[] { 3, 12, -1073741824, -12, int.MinValue },
            NF.LeftShift(NF.Constant(new[] { 3, 3, 3, -3, -3 }), NF.Constant(new[] { 0, 2, 30, 2, 31 })).ToArray<int>());
        Assert.Equal(new[] { -50, 12, -2, 0, -1 },
            NF.RightShift(NF.Constant(new[] { -100, 100, -100, 100, -1 }), NF.Constant(new[] { 1, 3, 6, 40, 31 })).ToArray<int>());
    }

    [SkippableFact]
    public void Int64_and_uint8_shifts_match_numpy()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { 1L, -5, 7, -1, long.MaxValue, long.MinValue });
        // bitwise_references.py "lshift/rshift int64 <count>".
        Assert.Equal(new[] { 2L, -10, 14, -2, -2, 0 }, (x << 1).ToArray<long>());
        Assert.Equal(new[] { 0L, -3, 3, -1, 4611686018427387903, -4611686018427387904 }, (x >> 1).ToArray<long>());
        Assert.Equal(new[] { 8589934592L, -42949672960, 60129542144, -8589934592, -8589934592, 0 }, (x << 33).ToArray<long>());
        Assert.Equal(new[] { 0L, -1, 0, -1, 1073741823, -1073741824 }, (x >> 33).ToArray<long>());
        Assert.Equal(new[] { long.MinValue, long.MinValue, long.MinValue, long.MinValue, long.MinValue, 0 }, (x << 63).ToArray<long>());
        Assert.Equal(new[] { 0L, -1, 0, -1, 0, -1 }, (x >> 63).ToArray<long>());
        foreach (long s in new[] { 64L, 65, -1 })
        {
            Assert.Equal(new long[6], NF.LeftShift(x, NF.Constant(s)).ToArray<long>());
            Assert.Equal(new[] { 0L, -1, 0, -1, 0, -1 }, NF.RightShift(x, NF.Constant(s)).ToArray<long>());
        }

        using var u = NF.Constant(new byte[] { 1, 200, 7, 255, 128, 0 });
        // "lshift/rshift uint8 <count>": the uint8 width is 8; >> is logical.
        Assert.Equal(new byte[] { 2, 144, 14, 254, 0, 0 }, (u << 1).ToArray<byte>());
        Assert.Equal(new byte[] { 0, 100, 3, 127, 64, 0 }, (u >> 1).ToArray<byte>());
        Assert.Equal(new byte[] { 16, 128, 112, 240, 0, 0 }, (u << 4).ToArray<byte>());
        Assert.Equal(new byte[] { 0, 12, 0, 15, 8, 0 }, (u >> 4).ToArray<byte>());
        Assert.Equal(new byte[] { 128, 0, 128, 128, 0, 0 }, (u << 7).ToArray<byte>());
        Assert.Equal(new byte[] { 0, 1, 0, 1, 1, 0 }, (u >> 7).ToArray<byte>());
        foreach (byte s in new byte[] { 8, 9, 255 })
        {
            Assert.Equal(new byte[6], NF.LeftShift(u, NF.Constant(s)).ToArray<byte>());
            Assert.Equal(new byte[6], NF.RightShift(u, NF.Constant(s)).ToArray<byte>());
        }
    }

    [SkippableFact]
    public void Mixed_dtypes_promote_as_keras()
    {
        RequireBackend();
        // bitwise_references.py "and uint8 int32", "xor bool int32" (Keras' result_type).
        using var ui = NF.BitwiseAnd(NF.Constant(new byte[] { 255, 15 }), NF.Constant(new[] { -16, 12 }));
        Assert.Equal(DType.Int32, ui.DType);
        Assert.Equal(new[] { 240, 12 }, ui.ToArray<int>());
        using var bi = NF.Constant(new[] { true, false }) ^ NF.Constant(new[] { 6, 6 });
        Assert.Equal(DType.Int32, bi.DType);
        Assert.Equal(new[] { 7, 6 }, bi.ToArray<int>());
        using var il = NF.LeftShift(NF.Constant(new[] { 1, -1 }), NF.Constant(new[] { 40L, 1 }));
        Assert.Equal(DType.Int64, il.DType);
        Assert.Equal(new[] { 1L << 40, -2 }, il.ToArray<long>());
    }

    [SkippableFact]
    public void Bitwise_ops_have_no_gradient()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { 1.5, 2.5, 7.0 });
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var bits = NF.Cast(NF.BitwiseAnd(NF.Cast(x, DType.Int32), 3) << 1, DType.Float64);   // [2, 4, 6]
        var y = bits * x;
        // Only the multiply carries a gradient: d(bits * x)/dx is bits, bits itself contributes none.
        Assert.Equal(new[] { 2.0, 4.0, 6.0 }, tape.Gradient(y, x).ToArray<double>());
        var alone = tape.Gradient(bits, [x])[0];
        Assert.True(alone is null || alone.ToArray<double>().All(v => v == 0), "a bitwise op recorded a gradient");
    }

    [SkippableFact]
    public void Traced_function_replays_with_new_values()
    {
        RequireBackend();
        var f = NF.Function((Tensor a, Tensor b) => ((a & b) | (a << 2)) ^ ~(b >> 1));
        for (int i = 0; i < 4; i++)
        {
            using var a = NF.Constant(new[] { 3 + i, -7 * i, 100, i });
            using var b = NF.Constant(new[] { 1, 2 + i, -9, 31 - i });
            int[] av = a.ToArray<int>(), bv = b.ToArray<int>();
            var expected = av.Zip(bv, (p, q) => ((p & q) | (p << 2)) ^ ~(q >> 1)).ToArray();
            Assert.Equal(expected, f(a, b).ToArray<int>());
        }
        var info = TracedFunction.Of(f);
        Assert.Null(info.EagerReason);
        Assert.True(info.LastCallReplayed);
    }

    [SkippableFact]
    public void Floats_and_bool_shifts_are_refused_with_the_op_name()
    {
        RequireBackend();
        using var f = NF.Constant(new[] { 1f, 2f });
        using var i = NF.Constant(new[] { 1, 2 });
        var e = Assert.Throws<ArgumentException>(() => NF.BitwiseAnd(f, f));
        Assert.Contains("BitwiseAnd", e.Message);
        Assert.Contains("float32", e.Message);
        Assert.Contains("BitwiseOr", Assert.Throws<ArgumentException>(() => NF.BitwiseOr(i, f)).Message);
        Assert.Contains("BitwiseXor", Assert.Throws<ArgumentException>(() => i ^ 1.5).Message);
        Assert.Contains("float64", Assert.Throws<ArgumentException>(() => NF.BitwiseNot(NF.Constant(new[] { 1.0 }))).Message);
        Assert.Contains("BitwiseInvert", Assert.Throws<ArgumentException>(() => NF.BitwiseInvert(f)).Message);
        Assert.Contains("LeftShift", Assert.Throws<ArgumentException>(() => f << 1).Message);
        Assert.Contains("RightShift", Assert.Throws<ArgumentException>(() => NF.RightShift(i, NF.Constant(new[] { 1.0, 2.0 }))).Message);
        using var b = NF.Constant(new[] { true, false });
        var bs = Assert.Throws<ArgumentException>(() => NF.LeftShift(b, b));
        Assert.Contains("LeftShift", bs.Message);
        Assert.Contains("bool", bs.Message);
        Assert.Contains("broadcast", Assert.Throws<ArgumentException>(() => NF.BitwiseAnd(i, NF.Constant(new[] { 1, 2, 3 }))).Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentNullException>(() => NF.BitwiseXor(i, null!));
    }

    [SkippableFact]
    public void The_kernels_themselves_refuse_floats_and_bool_shifts()
    {
        RequireBackend();
        // Below NF's checks: each engine's own dtype rule (checks.cpp's reading of the list's
        // flags; the managed backend's TakesBool/IsBitwise) refuses what the ops must not compute.
        var backend = BackendRegistry.Get(BackendName);
        using var f = NF.Zeros([4]);
        using var b = NF.Zeros([4], DType.Bool);
        using var i = NF.Zeros([4], DType.Int32);
        nint pf = f.Storage.Pointer, pb = b.Storage.Pointer, pi = i.Storage.Pointer;
        foreach (var op in new[] { BinaryOp.BitwiseAnd, BinaryOp.BitwiseOr, BinaryOp.BitwiseXor, BinaryOp.LeftShift, BinaryOp.RightShift })
        {
            var e = Assert.Throws<NotSupportedException>(() => backend.Binary(op, DType.Float32, pf, f.Layout, pf, f.Layout, pf, f.Layout));
            Assert.Contains("float32", e.Message);
            backend.Binary(op, DType.Int32, pi, i.Layout, pi, i.Layout, pi, i.Layout);   // integers run
        }
        foreach (var op in new[] { BinaryOp.LeftShift, BinaryOp.RightShift })
            Assert.Contains("bool", Assert.Throws<NotSupportedException>(() => backend.Binary(op, DType.Bool, pb, b.Layout, pb, b.Layout, pb, b.Layout)).Message);
        backend.Binary(BinaryOp.BitwiseXor, DType.Bool, pb, b.Layout, pb, b.Layout, pb, b.Layout);
        Assert.Equal(new bool[4], b.ToArray<bool>());
        GC.KeepAlive(f);
        GC.KeepAlive(i);
    }
}

public sealed class ManagedBitwiseTests() : BitwiseTests("managed");

public sealed class NativeCpuBitwiseTests() : BitwiseTests("cpu");

public sealed class CudaBitwiseTests() : BitwiseTests("cuda");
