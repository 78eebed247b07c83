using System.Numerics;
using System.Runtime.CompilerServices;

namespace NeuralFlow.Backends.Managed;

// The bitwise ops, the same rules as native/src/common/elementwise_ops.h: integers (and bool's
// 0/1 bytes for and/or/xor, where they stay 0/1), never floats. And/or/xor are exact lane-wise
// vector ops; the shifts are scalar loops because their out-of-range counts need NumPy's answer
// where .NET's shift would mask the count (1 << 33 is 2 in C#, 0 in NumPy).

/// <summary>a &amp; b.</summary>
internal struct BitAndOp<T> : IExactBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Apply(T a, T b) => a & b;
    public static Vector<T> Apply(Vector<T> a, Vector<T> b) => a & b;
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.Map<T, BitAndOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => VectorLoops.MapAS<T, BitAndOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.MapSA<T, BitAndOp<T>>(a, b, d);
}

/// <summary>a | b.</summary>
internal struct BitOrOp<T> : IExactBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Apply(T a, T b) => a | b;
    public static Vector<T> Apply(Vector<T> a, Vector<T> b) => a | b;
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.Map<T, BitOrOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => VectorLoops.MapAS<T, BitOrOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.MapSA<T, BitOrOp<T>>(a, b, d);
}

/// <summary>a ^ b.</summary>
internal struct BitXorOp<T> : IExactBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Apply(T a, T b) => a ^ b;
    public static Vector<T> Apply(Vector<T> a, Vector<T> b) => a ^ b;
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.Map<T, BitXorOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => VectorLoops.MapAS<T, BitXorOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => VectorLoops.MapSA<T, BitXorOp<T>>(a, b, d);
}

/// <summary>NumPy's shift-count rule (npy_lshift / npy_rshift): the count read as unsigned, so a negative one is out of range too.</summary>
internal static class ShiftCount
{
    /// <summary>The count as a shift amount, or -1 where it is outside [0, bit width of T).</summary>
    public static int Of<T>(T b) where T : unmanaged, IBinaryInteger<T>
    {
        ulong n = ulong.CreateTruncating(b); // a negative count sign-extends: far above any width
        return n < (ulong)(Unsafe.SizeOf<T>() * 8) ? (int)n : -1;
    }
}

/// <summary>a &lt;&lt; b, wrapping; an out-of-range count gives 0.</summary>
internal struct LeftShiftOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Apply(T a, T b)
    {
        int n = ShiftCount.Of(b);
        return n < 0 ? T.Zero : a << n;
    }
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, LeftShiftOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, LeftShiftOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, LeftShiftOp<T>>(a, b, d);
}

/// <summary>a &gt;&gt; b, arithmetic for signed a; an out-of-range count gives the sign fill (-1 for negative a, else 0).</summary>
internal struct RightShiftOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Apply(T a, T b)
    {
        int n = ShiftCount.Of(b);
        if (n >= 0) return a >> n; // >> of a signed T is arithmetic
        return T.IsNegative(a) ? T.AllBitsSet : T.Zero;
    }
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, RightShiftOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, RightShiftOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, RightShiftOp<T>>(a, b, d);
}
