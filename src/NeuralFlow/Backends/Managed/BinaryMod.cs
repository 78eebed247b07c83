using System.Numerics;

namespace NeuralFlow.Backends.Managed;

// Python's division family (issue 16), the same rules as native/src/common/elementwise_ops.h:
// FloorDiv rounds down, FloorMod takes the divisor's sign, TruncateMod the dividend's (C#'s %).
// Integers: x / 0 gives 0 here (NF refuses such calls with DivideByZeroException before they
// reach a backend) and MinValue / -1 wraps to MinValue; nothing traps.

/// <summary>NumPy's floor_divide for floats (CPython's float_divmod): a == b*q + FloorMod(a, b) holds even where floor(a / b) is one off.</summary>
internal struct FloorDivFloatOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b)
    {
        if (b == T.Zero) return a / b;
        T mod = a % b; // C# % on floats is C's fmod
        T div = (a - mod) / b;
        if (mod != T.Zero && (b < T.Zero) != (mod < T.Zero)) div -= T.One;
        if (div == T.Zero) return T.CopySign(T.Zero, a / b);
        T q = T.Floor(div);
        if (div - q > T.CreateTruncating(0.5)) q += T.One;
        return q;
    }
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, FloorDivFloatOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, FloorDivFloatOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, FloorDivFloatOp<T>>(a, b, d);
}

/// <summary>The float remainder with the divisor's sign; a zero remainder takes the divisor's sign too (NumPy).</summary>
internal struct FloorModFloatOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b)
    {
        T mod = a % b;
        if (mod == T.Zero) return T.CopySign(T.Zero, b);
        return (b < T.Zero) != (mod < T.Zero) ? mod + b : mod;
    }
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, FloorModFloatOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, FloorModFloatOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, FloorModFloatOp<T>>(a, b, d);
}

/// <summary>C's fmod (C#'s % on floats): the remainder with the dividend's sign.</summary>
internal struct TruncModFloatOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a % b;
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, TruncModFloatOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, TruncModFloatOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, TruncModFloatOp<T>>(a, b, d);
}

internal static class IntDivision
{
    /// <summary>a % b that never traps: b == 0 and b == -1 (MinValue % -1 overflows) give 0.</summary>
    public static T Rem<T>(T a, T b) where T : unmanaged, IBinaryInteger<T>
    {
        if (b == T.Zero || (T.IsNegative(b) && b == -T.One)) return T.Zero;
        return a % b;
    }
}

internal struct FloorDivIntOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
{
    public static T Apply(T a, T b)
    {
        T q = DivIntOp<T>.Apply(a, b);
        T r = IntDivision.Rem(a, b);
        return r != T.Zero && T.IsNegative(a) != T.IsNegative(b) ? q - T.One : q;
    }
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, FloorDivIntOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, FloorDivIntOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, FloorDivIntOp<T>>(a, b, d);
}

internal struct FloorModIntOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Apply(T a, T b)
    {
        T r = IntDivision.Rem(a, b);
        return r != T.Zero && T.IsNegative(r) != T.IsNegative(b) ? r + b : r;
    }
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, FloorModIntOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, FloorModIntOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, FloorModIntOp<T>>(a, b, d);
}

internal struct TruncModIntOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static T Apply(T a, T b) => IntDivision.Rem(a, b);
    public static void Vec(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.Map<T, TruncModIntOp<T>>(a, b, d);
    public static void VecAS(ReadOnlySpan<T> a, T b, Span<T> d) => ScalarLoops.MapAS<T, TruncModIntOp<T>>(a, b, d);
    public static void VecSA(T a, ReadOnlySpan<T> b, Span<T> d) => ScalarLoops.MapSA<T, TruncModIntOp<T>>(a, b, d);
}
