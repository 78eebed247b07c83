using System.Collections.Concurrent;

namespace NeuralFlow.Backends.Native;

/// <summary>
/// Small native CPU blocks whose buffers were released (by the finalizer of a tensor nobody
/// disposed, or by a Dispose the thread's <see cref="SmallBufferCache"/> shelf had no room for),
/// kept open for the next allocation of the same byte count on any thread.
/// </summary>
/// <remarks>
/// Why: a loop that never disposes its tensors (the workshop's, as users write it) allocates on
/// its own thread while the finalizer thread frees the previous steps' blocks. The native cache
/// takes one mutex for both, and two threads taking it for every element-sized op contended on
/// it: an add of two 1-element tensors cost 2.2-3.1 us undisposed (futex waits and a hash-node
/// allocation per block in the profile) against 0.16 us disposed and 0.5 us on the managed
/// engine, whose blocks come from the C runtime's per-thread caches. Here a release is a
/// lock-free enqueue and an allocation a dequeue; no native call at all.
/// Only blocks up to <see cref="MaxBytes"/> bytes are kept (the per-op cost matters where the op
/// is cheap), holding at most <see cref="MaxHeldBytes"/> (each block counted as at least the
/// native cache's smallest class): about one young-generation collection's worth of finalized
/// temporaries. They count as live in the native allocator's statistics, as the shelves' blocks do.
/// </remarks>
internal static class RecycledBlocks
{
    /// <summary>The largest block kept, in bytes (1024 float32 elements).</summary>
    public const int MaxBytes = 4096;

    /// <summary>The most bytes kept at once; beyond it a released block goes back to the native cache.</summary>
    public const long MaxHeldBytes = 4L << 20;

    // The native cache's smallest block: what a block of a few bytes really holds.
    private const int SmallestBlock = 64;

    private static readonly ConcurrentQueue<nint>?[] s_queues = new ConcurrentQueue<nint>?[MaxBytes + 1];
    private static long s_held;

    /// <summary>Bytes kept now, each block counted as at least the smallest native block (tests).</summary>
    public static long HeldBytes => Interlocked.Read(ref s_held);

    [MethodImpl(Hot)]
    private static long Weight(long bytes) => Math.Max(bytes, SmallestBlock);

    /// <summary>Keeps <paramref name="pointer"/>, a released block of <paramref name="bytes"/> bytes; false when it is not kept (the caller frees it).</summary>
    [MethodImpl(Hot)]
    public static bool TryKeep(long bytes, nint pointer)
    {
        if ((ulong)bytes > MaxBytes) return false;
        long weight = Weight(bytes);
        if (Interlocked.Add(ref s_held, weight) > MaxHeldBytes)
        {
            Interlocked.Add(ref s_held, -weight);
            return false;
        }
        var queue = Volatile.Read(ref s_queues[bytes]);
        if (queue is null)
        {
            Interlocked.CompareExchange(ref s_queues[bytes], new ConcurrentQueue<nint>(), null);
            queue = s_queues[bytes]!;
        }
        queue.Enqueue(pointer);
        return true;
    }

    /// <summary>Takes every kept block (each passed to <paramref name="free"/>): the native cache then holds them.</summary>
    public static void Empty(Action<nint> free)
    {
        for (int bytes = 0; bytes <= MaxBytes; bytes++)
            for (nint p; (p = TryTake(bytes)) != 0;) free(p);
    }

    /// <summary>A kept block of exactly <paramref name="bytes"/> bytes, or 0.</summary>
    [MethodImpl(Hot)]
    public static nint TryTake(long bytes)
    {
        if ((ulong)bytes > MaxBytes || Volatile.Read(ref s_queues[bytes]) is not { } queue || !queue.TryDequeue(out nint pointer))
            return 0;
        Interlocked.Add(ref s_held, -Weight(bytes));
        return pointer;
    }
}
