using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// One backend buffer shared by a tensor and its views. Each tensor over it holds one
/// reference; <c>Dispose</c> of the last one frees the buffer at once. Tensors nobody disposes
/// simply become garbage, and the buffer's SafeHandle finalizer frees it.
/// </summary>
internal sealed class Storage
{
    private readonly DeviceBuffer _buffer;
    private int _refs = 1;

    public Storage(IBackend backend, long bytes)
    {
        Backend = backend;
        _buffer = backend.Allocate(bytes);
    }

    public IBackend Backend { get; }
    public long Bytes => _buffer.Bytes;
    public bool IsFreed => _buffer.IsClosed;

    /// <summary>The buffer's address; callers keep the owning tensor alive across the call.</summary>
    public nint Pointer => _buffer.Pointer;

    public void AddRef() => Interlocked.Increment(ref _refs);

    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0) _buffer.Dispose();
    }
}
