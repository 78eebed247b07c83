using System.Runtime.InteropServices;

namespace NeuralFlow.Backends;

/// <summary>
/// A backend's buffer, owned through a <see cref="SafeHandle"/>: <c>Dispose</c> frees it at
/// once, the finalizer is the safety net for tensors nobody disposed. The bytes are reported to
/// the GC as memory pressure so that a loop that never disposes still collects in time.
/// </summary>
public abstract class DeviceBuffer : SafeHandle
{
    /// <summary>Wraps <paramref name="pointer"/>, a block of <paramref name="bytes"/> bytes.</summary>
    protected DeviceBuffer(nint pointer, long bytes) : base(0, ownsHandle: true)
    {
        SetHandle(pointer);
        Bytes = bytes;
        if (bytes > 0) GC.AddMemoryPressure(bytes);
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
        if (Bytes > 0) GC.RemoveMemoryPressure(Bytes);
        return true;
    }
}
