using NeuralFlow.Backends.Managed;
using NeuralFlow.Backends.Native;

namespace NeuralFlow.Backends;

/// <summary>
/// Per-thread reuse of the small host buffers that eager ops allocate and dispose at once (a
/// scalar loss, a bias row, the result of an op on a few elements). Handing such a block back
/// to its allocator and asking for it again costs more than the op itself: a native call each
/// way (the native cache takes a mutex and two hash lookups), a new finalizable SafeHandle and
/// its release, and the process-wide live-byte counters. A disposed tensor's block instead
/// waits, still open, on its thread's shelf for the next allocation of the same byte count on
/// the same backend.
/// </summary>
/// <remarks>
/// Only the CPU engines' blocks are kept (their kernels run synchronously, so a block nothing
/// references is idle), and only up to <see cref="MaxBytes"/> bytes, <see cref="Depth"/> per
/// size: at most a few hundred kilobytes per thread, counted as live by the allocators' statistics.
/// The shelf is thread-static, so taking and returning need no lock; a block disposed on another
/// thread goes to that thread's shelf. A thread that ends leaves its shelf to the GC, whose
/// finalizers free the blocks. The reuse is invisible to the ops: a fresh tensor's elements
/// are unspecified either way (the native cache hands out used blocks too).
/// </remarks>
internal static class SmallBufferCache
{
    /// <summary>The largest block kept, in bytes (64 float32 elements).</summary>
    public const int MaxBytes = 256;

    /// <summary>Blocks kept per byte count: a few live temporaries of one size per op chain.</summary>
    public const int Depth = 4;

    [ThreadStatic] private static Shelf? _shelf;

    // One backend's blocks: slot [bytes * Depth + i] for i below Counts[bytes].
    private sealed class Shelf(IBackend backend)
    {
        public readonly IBackend Backend = backend;
        public readonly DeviceBuffer?[] Slots = new DeviceBuffer?[(MaxBytes + 1) * Depth];
        public readonly byte[] Counts = new byte[MaxBytes + 1];

        public void Empty()
        {
            for (int i = 0; i < Slots.Length; i++)
            {
                Slots[i]?.Dispose();
                Slots[i] = null;
            }
            Array.Clear(Counts);
        }
    }

    /// <summary>Whether blocks of <paramref name="backend"/> may be kept (the CPU engines' host blocks).</summary>
    [MethodImpl(Hot)]
    public static bool Keeps(IBackend backend) => backend is NativeCpuBackend or ManagedBackend;

    /// <summary>A kept block of exactly <paramref name="bytes"/> bytes of <paramref name="backend"/>, or null.</summary>
    [MethodImpl(Hot)]
    public static DeviceBuffer? Take(IBackend backend, long bytes)
    {
        var shelf = _shelf;
        if (shelf is null || (ulong)bytes > MaxBytes || !ReferenceEquals(shelf.Backend, backend)) return null;
        int n = shelf.Counts[bytes];
        if (n == 0) return null;
        shelf.Counts[bytes] = (byte)(n - 1);
        ref var slot = ref shelf.Slots[(int)bytes * Depth + n - 1];
        var buffer = slot;
        slot = null;
        return buffer;
    }

    /// <summary>
    /// Keeps <paramref name="buffer"/>, a block of <paramref name="backend"/> that nothing
    /// references any more, for reuse; false when it is not kept (the caller frees it).
    /// </summary>
    [MethodImpl(Hot)]
    public static bool Return(IBackend backend, DeviceBuffer buffer)
    {
        long bytes = buffer.Bytes;
        if ((ulong)bytes > MaxBytes || !Keeps(backend) || buffer.IsClosed) return false;
        var shelf = _shelf;
        if (shelf is null || !ReferenceEquals(shelf.Backend, backend))
        {
            // A thread that moved to another engine: the old engine's blocks go back to it.
            shelf?.Empty();
            _shelf = shelf = new Shelf(backend);
        }
        int n = shelf.Counts[bytes];
        if (n == Depth) return false;
        shelf.Slots[(int)bytes * Depth + n] = buffer;
        shelf.Counts[bytes] = (byte)(n + 1);
        return true;
    }

    /// <summary>Frees the blocks kept on the calling thread (tests; a thread about to idle for long).</summary>
    public static void EmptyThisThread()
    {
        _shelf?.Empty();
        _shelf = null;
    }

    /// <summary>Blocks kept on the calling thread (tests).</summary>
    internal static int CountOnThisThread()
    {
        int total = 0;
        if (_shelf is { } shelf)
            foreach (var c in shelf.Counts) total += c;
        return total;
    }
}
