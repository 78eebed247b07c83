using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// The pure C# engine: no native code, runs everywhere .NET runs. Every kernel follows the
/// contract of the C function of the same family in <c>native/include/neuralflow.h</c>, so the
/// native and managed backends agree (including Philox random numbers, bit for bit).
/// Kernels are generic over static-abstract op structs so the JIT emits one specialised loop
/// per (op, dtype) with no virtual calls; contiguous runs go through TensorPrimitives or
/// Vector512/Vector256 code; large work is split over cores by the engine's <see cref="WorkerPool"/>.
/// The op families live in one file each (Binary.cs, Unary.cs, Reduce.cs, ...). The loops a
/// training step runs carry <c>[MethodImpl(ManagedKernel)]</c> (Jit.cs): compiled optimized at their first
/// call, not as tier-0 code for the first thousands of steps (issue 17: tier-0 loops dominated a
/// 2,000-step workshop loop on this backend).
/// </summary>
public sealed partial class ManagedBackend : IBackend
{
    /// <summary>
    /// Work (in element-operations: elements times the op's cost) below which a kernel stays on
    /// the calling thread. Measured on the 2-core dev VM with Parallel.For: it cost about 10 us to
    /// start and join, while a vectorised float add streams about 10 elements per ns, so a
    /// plain add only gains from threads past roughly 100K elements; exp (cost 4-8) past ~20K.
    /// Not const so the dev benchmarks can vary it.
    /// </summary>
    internal static long ParallelThreshold = 128 * 1024;

    /// <summary>Pieces per core when splitting: a few, so a core slowed by other load does not hold everyone up.</summary>
    internal static long PiecesPerWorker = 4;

    /// <summary>Threads a kernel may use: <see cref="NF.Threads.Count"/>.</summary>
    internal static int Workers => NF.Threads.Count;

    private long _liveBytes, _peakBytes, _allocCount, _freeCount;

    /// <inheritdoc/>
    public string Name => "managed";

    /// <inheritdoc/>
    public Device Device => Device.Cpu;

    /// <inheritdoc/>
    public bool IsHostMemory => true;

    /// <inheritdoc/>
    public string Description =>
        $"NeuralFlow managed engine (pure C#, {VectorDescription()}, built-in blocked GEMM, " +
        $"{Workers} thread{(Workers == 1 ? "" : "s")})";

    private static string VectorDescription() =>
        Vector512.IsHardwareAccelerated ? "Vector512" :
        Vector256.IsHardwareAccelerated ? "Vector256" :
        Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";

    // ---- memory -------------------------------------------------------------------------

    /// <inheritdoc/>
    public unsafe DeviceBuffer Allocate(long bytes)
    {
        if (bytes < 0)
            throw new ArgumentException($"Allocate: bytes = {bytes} must be at least 0.", nameof(bytes));
        // A 0-byte request still gets a real block so the buffer's handle is valid (non-zero).
        void* p;
        try
        {
            p = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 64);
        }
        catch (OutOfMemoryException)
        {
            throw new OutOfMemoryException($"Allocate: could not allocate {bytes} bytes of host memory.");
        }
        Interlocked.Increment(ref _allocCount);
        long live = Interlocked.Add(ref _liveBytes, bytes);
        // Peak is a lock-free running maximum: retry until our value is stored or beaten.
        long peak = Volatile.Read(ref _peakBytes);
        while (live > peak)
        {
            long seen = Interlocked.CompareExchange(ref _peakBytes, live, peak);
            if (seen == peak) break;
            peak = seen;
        }
        return new ManagedBuffer(this, (nint)p, bytes);
    }

    internal unsafe void Release(nint pointer, long bytes)
    {
        NativeMemory.AlignedFree((void*)pointer);
        Interlocked.Add(ref _liveBytes, -bytes);
        Interlocked.Increment(ref _freeCount);
    }

    /// <inheritdoc/>
    public MemoryStats GetMemoryStats() => new(
        Interlocked.Read(ref _liveBytes), Interlocked.Read(ref _peakBytes), CachedBytes: 0,
        Interlocked.Read(ref _allocCount), Interlocked.Read(ref _freeCount), CacheHits: 0);

    /// <inheritdoc/>
    public unsafe void Upload(ReadOnlySpan<byte> source, nint destination, long byteOffset)
    {
        if (source.IsEmpty) return;
        CheckPointer(nameof(Upload), nameof(destination), destination, 1);
        if (byteOffset < 0)
            throw new ArgumentException($"Upload: byteOffset = {byteOffset} must be at least 0.", nameof(byteOffset));
        source.CopyTo(new Span<byte>((byte*)destination + byteOffset, source.Length));
    }

    /// <inheritdoc/>
    public unsafe void Download(nint source, long byteOffset, Span<byte> destination)
    {
        if (destination.IsEmpty) return;
        CheckPointer(nameof(Download), nameof(source), source, 1);
        if (byteOffset < 0)
            throw new ArgumentException($"Download: byteOffset = {byteOffset} must be at least 0.", nameof(byteOffset));
        new ReadOnlySpan<byte>((byte*)source + byteOffset, destination.Length).CopyTo(destination);
    }

    // ---- validation shared by the kernels ---------------------------------------------
    // The tensor API validates before calling, but a backend is also used directly (tests,
    // other front ends), so each entry point re-checks what is cheap and throws
    // ArgumentException naming the method, the argument and the bad value.

    // The compute kernels: float16 is storage only (Cast, Copy, Fill take it); the Engine hands
    // them float16 operands as float32 (Engine.Float16.cs), so one arriving here is refused by name.
    internal static void CheckDType(string method, string arg, DType dtype)
    {
        if (dtype == DType.Float16)
            throw new NotSupportedException($"{method}: {arg} = float16 is not supported by this kernel; compute in float32 (NF.Cast(x, DType.Float32)).");
        CheckStorageDType(method, arg, dtype);
    }

    // The storage kernels (Cast, Copy, Fill), which take float16 too.
    internal static void CheckStorageDType(string method, string arg, DType dtype)
    {
        if ((uint)dtype > (uint)DType.Float16)
            throw new ArgumentException($"{method}: {arg} = {(int)dtype} is not a valid dtype.", arg);
    }

    internal static long CheckLayout(string method, string arg, in Layout layout)
    {
        if (layout.Shape is null || layout.Strides is null)
            throw new ArgumentException($"{method}: {arg} is a default (empty) Layout.", arg);
        return layout.Shape.Count;
    }

    internal static void CheckSameShape(string method, string aName, in Layout a, string bName, in Layout b)
    {
        if (a.Shape != b.Shape)
            throw new ArgumentException($"{method}: shape mismatch: {aName} is {a.Shape} but {bName} is {b.Shape}.", bName);
    }

    internal static void CheckPointer(string method, string arg, nint pointer, long count)
    {
        if (pointer == 0 && count > 0)
            throw new ArgumentException($"{method}: {arg} is a null pointer but holds {count} element(s).", arg);
    }

    internal static void CheckCount(string method, string arg, long count)
    {
        if (count < 0)
            throw new ArgumentException($"{method}: {arg} = {count} must be at least 0.", arg);
    }

    internal static NotSupportedException Unsupported(string method, string what, DType dtype) =>
        new($"{method}: {what} is not supported for dtype {dtype.Name()}.");

    // ---- parallel helpers ---------------------------------------------------------------

    /// <summary>How many pieces to split <paramref name="work"/> units into (1 = stay serial).</summary>
    internal static int ChunksFor(long work, long maxPieces)
    {
        if (Workers == 1 || work < ParallelThreshold || maxPieces < 2) return 1;
        // A few pieces per core balance uneven work without drowning in scheduling overhead.
        long pieces = Math.Min(Workers * PiecesPerWorker, Math.Min(maxPieces, work / (ParallelThreshold / 4)));
        return (int)Math.Max(1, pieces);
    }

    /// <summary>Start of piece <paramref name="i"/> of <paramref name="pieces"/> over [0, total).</summary>
    [MethodImpl(ManagedKernel)]
    internal static long SplitPoint(long total, int pieces, int i) =>
        i >= pieces ? total : (long)((UInt128)(ulong)total * (ulong)i / (ulong)pieces);
}

/// <summary>A block from <see cref="ManagedBackend.Allocate"/>; freeing updates the backend's statistics.</summary>
internal sealed class ManagedBuffer : DeviceBuffer
{
    private readonly ManagedBackend _owner;

    internal ManagedBuffer(ManagedBackend owner, nint pointer, long bytes) : base(pointer, bytes) => _owner = owner;

    protected override void Free(nint pointer) => _owner.Release(pointer, Bytes);
}
