using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralFlow.Backends.Managed;

/// <summary>A span function of TensorPrimitives, as a static-abstract struct (no delegate on the hot path).</summary>
internal interface ISpanFn<T>
{
    static abstract void Run(ReadOnlySpan<T> x, Span<T> d);
}

internal struct TensorExp<T> : ISpanFn<T> where T : IExponentialFunctions<T>
{
    public static void Run(ReadOnlySpan<T> x, Span<T> d) => TensorPrimitives.Exp(x, d);
}

internal struct TensorLog<T> : ISpanFn<T> where T : ILogarithmicFunctions<T>
{
    public static void Run(ReadOnlySpan<T> x, Span<T> d) => TensorPrimitives.Log(x, d);
}

/// <summary>
/// TensorPrimitives' exp and log computed the same way for every element, whatever the span's
/// length or where the element sits in it. TensorPrimitives runs a span of at least one vector
/// of the widest accelerated width with that width's code (its tail by one more, overlapping
/// vector), but a shorter span with narrower vectors or the scalar C library function, whose
/// last bits differ. So a span shorter than the widest vector is padded to one vector here.
/// The managed unary kernels (contiguous, strided and broadcast) and the fused program's steps
/// all reach exp and log through this, so each element's bits are those of one definition: a
/// fused block of a row's tail gives what the unfused call over the whole tensor gave (issue 17).
/// </summary>
internal static class WholeVectors
{
    /// <summary>d = fn(x) elementwise, each element as part of a whole vector of the widest width.</summary>
    [MethodImpl(ManagedKernel)]
    public static void Apply<T, TFn>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, INumberBase<T> where TFn : ISpanFn<T>
    {
        int width = Width<T>();
        if (x.Length >= width)
        {
            TFn.Run(x, d);
            return;
        }
        if (x.IsEmpty) return;
        Span<T> padded = stackalloc T[width];
        padded.Fill(T.One);  // a harmless value for both exp and log
        x.CopyTo(padded);
        TFn.Run(padded, padded);
        padded[..x.Length].CopyTo(d);
    }

    /// <summary>fn(x) for one element, computed as in <see cref="Apply{T, TFn}"/>.</summary>
    public static T One<T, TFn>(T x) where T : unmanaged, INumberBase<T> where TFn : ISpanFn<T>
    {
        Span<T> v = [x];
        Apply<T, TFn>(v, v);
        return v[0];
    }

    // Elements of T in the widest vector TensorPrimitives uses on this CPU.
    private static int Width<T>() where T : unmanaged =>
        Vector512.IsHardwareAccelerated ? Vector512<byte>.Count / Unsafe.SizeOf<T>() :
        Vector256.IsHardwareAccelerated ? Vector256<byte>.Count / Unsafe.SizeOf<T>() :
        Vector128<byte>.Count / Unsafe.SizeOf<T>();
}
