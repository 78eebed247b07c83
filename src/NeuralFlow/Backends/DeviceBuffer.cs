using System.Runtime.InteropServices;

namespace NeuralFlow.Backends;

/// <summary>
/// A backend's buffer, owned through a <see cref="SafeHandle"/>: <c>Dispose</c> frees it at
/// once, the finalizer is the safety net for tensors nobody disposed. A loop that never disposes
/// still runs in bounded memory: when the bytes held by live buffers have doubled since the last
/// collection (and exceed <see cref="CollectionThresholdBytes"/>), a full collection runs, so the
/// finalizers of unreachable tensors free theirs.
/// </summary>
/// <remarks>
/// This replaces <c>GC.AddMemoryPressure</c>, which induced a blocking gen2 collection every few
/// training steps even when every buffer was disposed at once (72 per Fashion-MNIST epoch, about
/// a third of its time), because it counts additions, not what is still held.
/// </remarks>
public abstract class DeviceBuffer : SafeHandle
{
    /// <summary>Wraps <paramref name="pointer"/>, a block of <paramref name="bytes"/> bytes.</summary>
    protected DeviceBuffer(nint pointer, long bytes) : base(0, ownsHandle: true)
    {
        SetHandle(pointer);
        Bytes = bytes;
        long live = Interlocked.Add(ref _liveBytes, bytes);
        if (live > Volatile.Read(ref _nextCollection)) CollectGarbageTensors();
    }

    private static long _liveBytes;
    private static long _nextCollection = CollectionThresholdBytes;
    private static int _collecting;

    /// <summary>Bytes held by live buffers before garbage tensors are collected at all.</summary>
    public const long CollectionThresholdBytes = 256L << 20;

    /// <summary>Bytes currently held by undisposed, unfinalized buffers of every backend.</summary>
    public static long LiveBytes => Interlocked.Read(ref _liveBytes);

    private static void CollectGarbageTensors()
    {
        if (Interlocked.Exchange(ref _collecting, 1) == 1) return;
        try
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long held = Interlocked.Read(ref _liveBytes);
            Volatile.Write(ref _nextCollection, Math.Max(CollectionThresholdBytes, 2 * held));
        }
        finally
        {
            Volatile.Write(ref _collecting, 0);
        }
    }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>The address of the first byte.</summary>
    public nint Pointer => handle;

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Returns the block to its allocator.</summary>
    protected abstract void Free(nint pointer);

    /// <inheritdoc/>
    protected sealed override bool ReleaseHandle()
    {
        Free(handle);
        Interlocked.Add(ref _liveBytes, -Bytes);
        return true;
    }
}
