using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// The few SIMD operations the GEMM micro-kernel needs, over a vector type TV of T. One
/// kernel is written against this and instantiated for Vector512, Vector256, Vector128 and
/// plain scalars; TV is the vector type itself (no wrapper), so the JIT emits the same code as
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

internal unsafe struct Simd512<T> : ISimd<Vector512<T>, T> where T : unmanaged
{
    public static int Lanes => Vector512<T>.Count;
    public static Vector512<T> Load(T* p) => Vector512.Load(p);
    public static void Store(T* p, Vector512<T> v) => v.Store(p);
    public static Vector512<T> Splat(T v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
        typeof(T) == typeof(float) ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
}

internal unsafe struct Simd256<T> : ISimd<Vector256<T>, T> where T : unmanaged
{
    public static int Lanes => Vector256<T>.Count;
    public static Vector256<T> Load(T* p) => Vector256.Load(p);
    public static void Store(T* p, Vector256<T> v) => v.Store(p);
    public static Vector256<T> Splat(T v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MulAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        typeof(T) == typeof(float) ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
}

internal unsafe struct Simd128<T> : ISimd<Vector128<T>, T> where T : unmanaged
{
    public static int Lanes => Vector128<T>.Count;
    public static Vector128<T> Load(T* p) => Vector128.Load(p);
    public static void Store(T* p, Vector128<T> v) => v.Store(p);
    public static Vector128<T> Splat(T v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MulAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c) =>
        typeof(T) == typeof(float) ? Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;
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
