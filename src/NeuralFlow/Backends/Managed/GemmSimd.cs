using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// The few SIMD operations the GEMM micro-kernel needs, over a vector type TV of T. One
/// kernel is written against this and instantiated for Vector512, Vector256, Vector128
/// (<see cref="SimdVector{TV, T}"/>) and plain scalars (<see cref="SimdScalar{T}"/>); TV is the vector type itself (no wrapper), so the JIT emits the same code as
/// a hand-written kernel for each width.
/// </summary>
internal unsafe interface ISimd<TV, T> where TV : unmanaged where T : unmanaged
{
    static abstract int Lanes { get; }
    static abstract TV Load(T* p);
    static abstract void Store(T* p, TV v);
    static abstract TV Splat(T v);
    /// <summary>a * b + c, fused where the hardware has FMA.</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
}

/// <summary>
/// <see cref="ISimd{TV, T}"/> for the hardware vectors (TV = Vector128, Vector256 or Vector512 of
/// float or double), written once. Loads, stores and the lane count follow from TV's size; the
/// operations that exist only as each width's own static API pick it by typeof(TV), a test the
/// JIT settles per instantiation (TV is a struct), so every width compiles to the instructions a
/// kernel written for it alone would have, and gives the same bits.
/// </summary>
internal unsafe struct SimdVector<TV, T> : ISimd<TV, T> where TV : unmanaged where T : unmanaged
{
    public static int Lanes => sizeof(TV) / sizeof(T);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Load(T* p) => Unsafe.ReadUnaligned<TV>(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T* p, TV v) => Unsafe.WriteUnaligned(p, v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Splat(T v) =>
        typeof(TV) == typeof(Vector512<T>) ? Of(Vector512.Create(v)) :
        typeof(TV) == typeof(Vector256<T>) ? Of(Vector256.Create(v)) : Of(Vector128.Create(v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Add(TV a, TV b) =>
        typeof(TV) == typeof(Vector512<T>) ? Of(As<Vector512<T>>(a) + As<Vector512<T>>(b)) :
        typeof(TV) == typeof(Vector256<T>) ? Of(As<Vector256<T>>(a) + As<Vector256<T>>(b)) : Of(As<Vector128<T>>(a) + As<Vector128<T>>(b));

    /// <summary>a * b + c rounded once (FusedMultiplyAdd exists per width and per float/double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV MulAdd(TV a, TV b, TV c)
    {
        if (typeof(T) == typeof(float))
            return typeof(TV) == typeof(Vector512<T>) ? Of(Vector512.FusedMultiplyAdd(As<Vector512<float>>(a), As<Vector512<float>>(b), As<Vector512<float>>(c)))
                 : typeof(TV) == typeof(Vector256<T>) ? Of(Vector256.FusedMultiplyAdd(As<Vector256<float>>(a), As<Vector256<float>>(b), As<Vector256<float>>(c)))
                 : Of(Vector128.FusedMultiplyAdd(As<Vector128<float>>(a), As<Vector128<float>>(b), As<Vector128<float>>(c)));
        return typeof(TV) == typeof(Vector512<T>) ? Of(Vector512.FusedMultiplyAdd(As<Vector512<double>>(a), As<Vector512<double>>(b), As<Vector512<double>>(c)))
             : typeof(TV) == typeof(Vector256<T>) ? Of(Vector256.FusedMultiplyAdd(As<Vector256<double>>(a), As<Vector256<double>>(b), As<Vector256<double>>(c)))
             : Of(Vector128.FusedMultiplyAdd(As<Vector128<double>>(a), As<Vector128<double>>(b), As<Vector128<double>>(c)));
    }

    // Reinterpretations between TV and the width's own vector type: the same register, no code.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Of<TW>(TW v) where TW : unmanaged => Unsafe.BitCast<TW, TV>(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TW As<TW>(TV v) where TW : unmanaged => Unsafe.BitCast<TV, TW>(v);
}

/// <summary>The no-SIMD fallback: a "vector" of one element.</summary>
internal unsafe struct SimdScalar<T> : ISimd<T, T> where T : unmanaged, INumber<T>
{
    public static int Lanes => 1;
    public static T Load(T* p) => *p;
    public static void Store(T* p, T v) => *p = v;
    public static T Splat(T v) => v;
    public static T MulAdd(T a, T b, T c) => a * b + c;
    public static T Add(T a, T b) => a + b;
}

/// <summary>
/// A compile-time count (rows or vectors of a GEMM register tile): the JIT specialises the
/// micro-kernel per count and drops the unused accumulators, so an edge tile does only the work
/// of its valid rows instead of computing a full tile from zero padding.
/// </summary>
internal interface ITileCount { static abstract int N { get; } }
internal struct Count1 : ITileCount { public static int N => 1; }
internal struct Count2 : ITileCount { public static int N => 2; }
internal struct Count3 : ITileCount { public static int N => 3; }
internal struct Count4 : ITileCount { public static int N => 4; }
internal struct Count5 : ITileCount { public static int N => 5; }
internal struct Count6 : ITileCount { public static int N => 6; }
internal struct Count7 : ITileCount { public static int N => 7; }
internal struct Count8 : ITileCount { public static int N => 8; }
