using System.Globalization;
using System.Runtime.InteropServices;
using NeuralFlow.Backends;

namespace NeuralFlow;

// Creation, copies and transfers: the backend calls that put values into buffers or take them out.
internal static partial class Engine
{
    /// <summary>A tensor of <paramref name="shape"/> on <paramref name="backend"/> holding the row-major <paramref name="values"/>.</summary>
    [MethodImpl(Hot)]
    public static Tensor FromHost<T>(ReadOnlySpan<T> values, Shape shape, IBackend backend) where T : unmanaged
    {
        var dtype = DTypeExtensions.Of<T>();
        var storage = new Storage(backend, shape.ByteCount(dtype));
        backend = storage.Backend; // the write goes where a recording NF.Function trace sees it
        if (values.Length == 1) WriteOne(backend, dtype, storage.Pointer, values[0]);
        else backend.Upload(MemoryMarshal.AsBytes(values), storage.Pointer, 0);
        return new Tensor(storage, Layout.Contiguous(shape), dtype);
    }

    /// <summary>
    /// A C# number met by an op (<c>x * 2</c>) as a weak scalar of <paramref name="backend"/>: its
    /// buffer is made only when a kernel reads it, so one that meets a tensor elsewhere never
    /// touches <paramref name="backend"/> (see <see cref="Storage.Deferred"/>).
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor WeakScalar(object value, DType dtype, IBackend backend) =>
        new(Storage.Deferred(backend, value, dtype), Layout.Contiguous(Shape.Scalar), dtype) { IsWeakScalar = true, WeakValue = value };

    // The weak scalar again, on the backend of the tensor it meets: from its C# value, so
    // nothing is read back from the backend it was made for.
    [MethodImpl(Hot)]
    private static Tensor Rehome(Tensor weak, IBackend target) => WeakScalar(weak.WeakValue!, weak.DType, target);

    /// <summary>Writes the C# number <paramref name="value"/> (an int, long, float or double) as the one element at <paramref name="output"/>.</summary>
    [MethodImpl(Hot)]
    public static void WriteScalar(IBackend backend, DType dtype, nint output, object value)
    {
        if (dtype == DType.Float16)
        {
            // The fill kernel rounds the number to float16 (the bytes of an int or double would not fit).
            backend.Fill(dtype, output, 1, Convert.ToDouble(value, CultureInfo.InvariantCulture));
            return;
        }
        switch (value)
        {
            case float f: WriteOne(backend, dtype, output, f); break;
            case double d: WriteOne(backend, dtype, output, d); break;
            case int i: WriteOne(backend, dtype, output, i); break;
            case long l: WriteOne(backend, dtype, output, l); break;
            default: throw new NotSupportedException($"A weak scalar holds an int, long, float or double, not a {value.GetType().Name}.");
        }
    }

    // One value on a GPU: a fill kernel queues behind the work in flight, where a 4-byte copy from
    // pageable memory would wait for all of it. The fill takes a double: a long past 2^53 would
    // be rounded (a silently wrong int64 sum), so its bytes are copied.
    [MethodImpl(Hot)]
    private static void WriteOne<T>(IBackend backend, DType dtype, nint output, T value) where T : unmanaged
    {
        if (!backend.IsHostMemory && NF.ExactAsDouble(value, out double v)) backend.Fill(dtype, output, 1, v);
        else backend.Upload(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), output, 0);
    }

    /// <summary>Sets every element of the fresh <paramref name="result"/> to <paramref name="value"/>.</summary>
    [MethodImpl(Hot)]
    public static void Fill(Tensor result, double value) => result.Backend.Fill(result.DType, result.Data, result.Count, value);

    /// <summary>result[i] = start + i * delta.</summary>
    public static void Range(Tensor result, double start, double delta)
    {
        if (result.DType == DType.Float16)
        {
            using var f = new Float16Compute();
            Range(f.Out(result), start, delta);
            return;
        }
        result.Backend.Range(result.DType, result.Data, result.Count, start, delta);
    }

    /// <summary>Philox uniform numbers into the fresh <paramref name="result"/>.</summary>
    public static void RandomUniform(Tensor result, ulong seed, ulong offset, double low, double high)
    {
        if (result.DType == DType.Float16)
        {
            using var f = new Float16Compute();
            RandomUniform(f.Out(result), seed, offset, low, high);
            return;
        }
        result.Backend.RandomUniform(result.DType, result.Data, result.Count, seed, offset, low, high);
    }

    /// <summary>Philox normal numbers into the fresh <paramref name="result"/>.</summary>
    public static void RandomNormal(Tensor result, ulong seed, ulong offset, double mean, double stddev)
    {
        if (result.DType == DType.Float16)
        {
            using var f = new Float16Compute();
            RandomNormal(f.Out(result), seed, offset, mean, stddev);
            return;
        }
        result.Backend.RandomNormal(result.DType, result.Data, result.Count, seed, offset, mean, stddev);
    }

    /// <summary>
    /// Reads of tensor values into host memory (ToArray, Item) made on this thread: each waits for
    /// the device. Tests count them to check that Fit reads its loss and metrics only when asked.
    /// </summary>
    [ThreadStatic] internal static long HostReads;

    /// <summary>Copies the elements of the packed <paramref name="source"/> into host memory.</summary>
    [MethodImpl(Hot)]
    public static void Download<T>(Tensor source, Span<T> destination) where T : unmanaged
    {
        HostReads++;
        using var held = new Operands(source);
        source.Backend.Download(held.A, Operands.ByteOffset(source), MemoryMarshal.AsBytes(destination));
    }

    /// <summary>Strided copy of <paramref name="source"/> through <paramref name="sourceLayout"/> into <paramref name="target"/> through <paramref name="targetLayout"/> (one shape, one dtype, one backend, no overlap).</summary>
    [MethodImpl(Hot)]
    public static void Copy(Tensor source, in Layout sourceLayout, Tensor target, in Layout targetLayout)
    {
        using var held = new Operands(source, target);
        target.Backend.Copy(target.DType, held.A, sourceLayout, held.B, targetLayout);
    }

    /// <summary>The same, into a buffer no tensor owns yet (a variable's new storage).</summary>
    public static void Copy(Tensor source, in Layout sourceLayout, Storage target, in Layout targetLayout)
    {
        using var held = new Operands(source);
        target.Backend.Copy(source.DType, held.A, sourceLayout, target.Pointer, targetLayout);
    }

    /// <summary>Writes <paramref name="source"/>'s values into the buffer behind <paramref name="target"/> (a fresh tensor or a view of one).</summary>
    public static void CopyInto(Tensor source, Tensor target)
    {
        ScalarRange.CheckWeak(nameof(CopyInto), source, target.DType);
        var src = As(source, target.DType);
        try
        {
            Aliasing.Copy(src, src.Layout.BroadcastTo(target.Shape), target, target.Layout);
            // An in-place write: a tape that saved this buffer must not compute from the new contents.
            target.Storage.BumpVersion();
        }
        finally
        {
            if (!ReferenceEquals(src, source)) src.Dispose();
        }
    }

    /// <summary>Copies the contiguous <paramref name="source"/> into the fresh <paramref name="target"/> on another backend.</summary>
    public static unsafe void Transfer(Tensor source, Tensor target)
    {
        long bytes = source.Shape.ByteCount(source.DType);
        long from = Operands.ByteOffset(source);
        var (sb, tb) = (source.Backend, target.Backend);
        using var held = new Operands(source, target);
        // Through host memory that one side can address directly; else a staging array (GPU to GPU).
        const int Chunk = 1 << 30;
        for (long done = 0; done < bytes; done += Chunk)
        {
            int n = (int)Math.Min(Chunk, bytes - done);
            if (sb.IsHostMemory)
                tb.Upload(new ReadOnlySpan<byte>((byte*)held.A + from + done, n), held.B, done);
            else if (tb.IsHostMemory)
                sb.Download(held.A, from + done, new Span<byte>((byte*)held.B + done, n));
            else
            {
                var staging = new byte[n];
                sb.Download(held.A, from + done, staging);
                tb.Upload(staging, held.B, done);
            }
        }
    }
}
