using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralFlow.Backends.Managed;

/// <summary>A binary op whose result is exactly rounded (+, -, *, /): its vector form gives the scalar form's bits.</summary>
internal interface IExactBinaryOp<T> : IBinaryOp<T> where T : unmanaged
{
    static abstract Vector<T> Apply(Vector<T> a, Vector<T> b);
}

/// <summary>A unary op whose result is exactly rounded (negation, |x|, sqrt, x * x).</summary>
internal interface IExactUnaryOp<T> : IUnaryOp<T> where T : unmanaged
{
    static abstract Vector<T> Apply(Vector<T> x);
}

/// <summary>
/// The contiguous loops of the exactly rounded elementwise ops (and float/double conversions),
/// written here rather than called in TensorPrimitives, and compiled fully optimized at their
/// first call (<see cref="Jit.ManagedKernel"/>).
/// </summary>
/// <remarks>
/// Why (issue 17, 2026-12-03: one 1.5 s series of per-100 ms timings per op and build, on one
/// thread while other jobs kept the cores busy, so indicative, not a range): the engine's
/// kernels carried the optimize-at-first-call mark, but the span loops they call did not, and
/// System.Numerics.Tensors is IL only, so those ran as unoptimized tier-0 code (every vector
/// operation a call) until tiered compilation promoted them, 0.1-1.2 s into the process and
/// later whenever the machine is busy: a 256x50 relu took 11-42 us for its first 0.7 s (then
/// 2.0), an add 7-10 us (then 1.2), a 256x10 softmax 280 us for 0.25 s and 40-65 us until 1.2 s
/// (then 10.6). With these loops marked: relu 1.5-1.9 and add 1.2-1.4 us from the first
/// 0.1 s, softmax 15 us from 0.2 s and 5.3 us later (ManagedLoopMarkTests keeps every loop of
/// the op structs marked). The ops are exact (one IEEE rounding, or none), so any vector width
/// gives the bits TensorPrimitives gave (VectorLoopsTests). Spans may be the same memory as the
/// destination (in place), never partly overlapping it (TensorPrimitives refused that too).
/// </remarks>
internal static class VectorLoops
{
    [MethodImpl(ManagedKernel)]
    public static void Map<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged where TOp : IExactBinaryOp<T>
    {
        int n = Length(d, a.Length, b.Length), i = 0;
        ref T ra = ref MemoryMarshal.GetReference(a), rb = ref MemoryMarshal.GetReference(b), rd = ref MemoryMarshal.GetReference(d);
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                TOp.Apply(Vector.LoadUnsafe(ref ra, (nuint)i), Vector.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref rd, i) = TOp.Apply(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
    }

    /// <summary>d = a op b with b a scalar.</summary>
    [MethodImpl(ManagedKernel)]
    public static void MapAS<T, TOp>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged where TOp : IExactBinaryOp<T>
    {
        int n = Length(d, a.Length, a.Length), i = 0;
        ref T ra = ref MemoryMarshal.GetReference(a), rd = ref MemoryMarshal.GetReference(d);
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vb = new Vector<T>(b);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                TOp.Apply(Vector.LoadUnsafe(ref ra, (nuint)i), vb).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref rd, i) = TOp.Apply(Unsafe.Add(ref ra, i), b);
    }

    /// <summary>d = a op b with a a scalar.</summary>
    [MethodImpl(ManagedKernel)]
    public static void MapSA<T, TOp>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged where TOp : IExactBinaryOp<T>
    {
        int n = Length(d, b.Length, b.Length), i = 0;
        ref T rb = ref MemoryMarshal.GetReference(b), rd = ref MemoryMarshal.GetReference(d);
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var va = new Vector<T>(a);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                TOp.Apply(va, Vector.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref rd, i) = TOp.Apply(a, Unsafe.Add(ref rb, i));
    }

    [MethodImpl(ManagedKernel)]
    public static void Map<T, TOp>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged where TOp : IExactUnaryOp<T>
    {
        int n = Length(d, x.Length, x.Length), i = 0;
        ref T rx = ref MemoryMarshal.GetReference(x), rd = ref MemoryMarshal.GetReference(d);
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                TOp.Apply(Vector.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref rd, i) = TOp.Apply(Unsafe.Add(ref rx, i));
    }

    /// <summary>d = (double)x: exact.</summary>
    [MethodImpl(ManagedKernel)]
    public static void Widen(ReadOnlySpan<float> x, Span<double> d)
    {
        int n = Length(d, x.Length, x.Length), i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref double rd = ref MemoryMarshal.GetReference(d);
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref rx, (nuint)i), out var lo, out var hi);
                lo.StoreUnsafe(ref rd, (nuint)i);
                hi.StoreUnsafe(ref rd, (nuint)(i + Vector<double>.Count));
            }
        for (; i < n; i++) Unsafe.Add(ref rd, i) = Unsafe.Add(ref rx, i);
    }

    /// <summary>d = (float)x, rounded to nearest as a C# cast rounds.</summary>
    [MethodImpl(ManagedKernel)]
    public static void Narrow(ReadOnlySpan<double> x, Span<float> d)
    {
        int n = Length(d, x.Length, x.Length), i = 0;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref float rd = ref MemoryMarshal.GetReference(d);
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                Vector.Narrow(Vector.LoadUnsafe(ref rx, (nuint)i), Vector.LoadUnsafe(ref rx, (nuint)(i + Vector<double>.Count)))
                    .StoreUnsafe(ref rd, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref rd, i) = (float)Unsafe.Add(ref rx, i);
    }

    /// <summary>
    /// The largest element's index: the first NaN's if there is one, else the first of the
    /// largest, +0 counting as larger than -0 (TensorPrimitives.IndexOfMax's definition, and
    /// its value). -1 for an empty span.
    /// </summary>
    [MethodImpl(ManagedKernel)]
    public static int IndexOfMax<T>(ReadOnlySpan<T> x) where T : unmanaged, INumber<T>
    {
        if (x.IsEmpty) return -1;
        int arg = 0;
        T m = x[0];
        if (T.IsNaN(m)) return 0;
        for (int i = 1; i < x.Length; i++)
        {
            T v = x[i];
            if (T.IsNaN(v)) return i;
            if (v > m || (v == m && T.IsNegative(m) && !T.IsNegative(v)))
            {
                m = v;
                arg = i;
            }
        }
        return arg;
    }

    /// <summary>The largest element: NaN if there is one, +0 over -0 (TensorPrimitives.Max's value). x must not be empty.</summary>
    public static T Max<T>(ReadOnlySpan<T> x) where T : unmanaged, INumber<T>
    {
        int i = IndexOfMax(x);
        return i < 0 ? throw new ArgumentException("VectorLoops.Max: the span is empty.") : x[i];
    }

    // The element count: the sources' (equal) length, which the destination must hold:
    // TensorPrimitives' contract, kept so that no caller reads or writes past a span.
    private static int Length<TD>(Span<TD> d, int a, int b)
    {
        if (a != b) throw new ArgumentException($"VectorLoops: the source spans differ in length ({a} and {b}).");
        if (d.Length < a) throw new ArgumentException($"VectorLoops: the destination ({d.Length} elements) is shorter than the sources ({a}).");
        return a;
    }
}
