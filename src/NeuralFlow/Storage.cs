using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// One backend buffer shared by a tensor and its views. Each tensor over it holds one
/// reference; <c>Dispose</c> of the last one frees the buffer at once. Tensors nobody disposes
/// simply become garbage, and the buffer's SafeHandle finalizer frees it.
/// </summary>
internal sealed class Storage
{
    // Null only while a C# number's storage waits for the op that places it (see Deferred).
    private DeviceBuffer? _buffer;
    private readonly object? _deferredValue;
    private readonly DType _deferredType;
    private int _refs = 1;

    [MethodImpl(Hot)]
    public Storage(IBackend backend, long bytes)
    {
        _backend = FunctionTrace.Unwrap(backend);
        if (FunctionTrace.Current is null)
        {
            // Eager: a small block a disposed tensor left on this thread, else a new one; either
            // goes back to the thread's shelf when the last holder lets go.
            _buffer = SmallBufferCache.Take(_backend, bytes) ?? _backend.Allocate(bytes);
            _reusable = true;
        }
        else
        {
            _buffer = Backend.Allocate(bytes); // through the recording trace's stand-in, which must see every allocation
        }
    }

    // True for a block this storage allocated eagerly: it may be kept for reuse once freed
    // (never a buffer made elsewhere, such as a mapped file's, nor one a trace allocated).
    private readonly bool _reusable;

    /// <summary>A storage over a buffer made elsewhere (a mapped file's bytes) that <paramref name="backend"/> can address.</summary>
    public Storage(IBackend backend, DeviceBuffer buffer)
    {
        _backend = FunctionTrace.Unwrap(backend);
        _buffer = buffer;
    }

    private Storage(IBackend backend, object value, DType dtype)
    {
        _backend = FunctionTrace.Unwrap(backend);
        _deferredValue = value;
        _deferredType = dtype;
    }

    /// <summary>
    /// The storage of a C# number (<c>x * 2</c>): nothing is allocated or written until a kernel
    /// needs the address. An op that meets a tensor on another backend makes its own copy of
    /// the value there instead, so the number never visits <paramref name="backend"/> at all
    /// (on a GPU that would be a kernel and, to move it, a read back that waits for the device).
    /// </summary>
    [MethodImpl(Hot)]
    public static Storage Deferred(IBackend backend, object value, DType dtype) => new(backend, value, dtype);

    private readonly IBackend _backend;

    /// <summary>
    /// The backend that holds the buffer. While an NF.Function trace records on this thread it is
    /// that trace's recording stand-in, so every kernel an op runs on this buffer is recorded:
    /// the one hook that makes any Engine op traceable (Functions/FunctionTrace.cs).
    /// </summary>
    public IBackend Backend
    {
        [MethodImpl(Hot)]
        get => FunctionTrace.Current is { } trace ? trace.Proxy(_backend) : _backend;
    }

    /// <summary>The buffer's size in bytes (one element for a C# number's storage not placed yet).</summary>
    public long Bytes => _buffer?.Bytes ?? _deferredType.SizeInBytes();

    /// <summary>True once the buffer was freed (or, never placed, its last holder let go).</summary>
    public bool IsFreed => Volatile.Read(ref _refs) <= 0 || _buffer?.IsClosed == true;

    /// <summary>The buffer's address; callers keep the owning tensor alive across the call (<see cref="Operands"/>).</summary>
    public nint Pointer
    {
        [MethodImpl(Hot)]
        get => (_buffer ?? Place()).Pointer;
    }

    private DeviceBuffer Place()
    {
        if (Volatile.Read(ref _refs) <= 0)
            throw new ObjectDisposedException(nameof(Tensor), "The tensor's buffer was freed (its last holder was disposed) and can no longer be used.");
        var buffer = Backend.Allocate(_deferredType.SizeInBytes());
        Engine.WriteScalar(Backend, _deferredType, buffer.Pointer, _deferredValue!);
        // Two threads may place it at once: one buffer wins, the other is freed.
        if (Interlocked.CompareExchange(ref _buffer, buffer, null) is { } placed)
        {
            buffer.Dispose();
            return placed;
        }
        return buffer;
    }

    // Both sides are compare-and-swap loops, so that a count that reached 0 stays 0: the buffer
    // is freed exactly once, and no new view can take a reference to freed memory (a thread that
    // makes a view while another disposes the last holder gets an ObjectDisposedException).

    /// <summary>Takes one more reference; throws when the buffer is already freed.</summary>
    [MethodImpl(Hot)]
    public void AddRef()
    {
        int refs = Volatile.Read(ref _refs);
        while (true)
        {
            if (refs <= 0)
                throw new ObjectDisposedException(nameof(Tensor), "The tensor's buffer was freed (its last holder was disposed) and can no longer be used.");
            int seen = Interlocked.CompareExchange(ref _refs, refs + 1, refs);
            if (seen == refs) return;
            refs = seen;
        }
    }

    /// <summary>References held now (a replay reuses an output buffer only its plan still holds).</summary>
    public int RefCount => Volatile.Read(ref _refs);

    /// <summary>Drops one reference, freeing the buffer with the last; never goes below zero.</summary>
    [MethodImpl(Hot)]
    public void Release()
    {
        int refs = Volatile.Read(ref _refs);
        while (refs > 0)
        {
            int seen = Interlocked.CompareExchange(ref _refs, refs - 1, refs);
            if (seen == refs)
            {
                if (refs == 1 && Volatile.Read(ref _buffer) is { } buffer && !(_reusable && SmallBufferCache.Return(_backend, buffer)))
                    buffer.Dispose();
                return;
            }
            refs = seen;
        }
    }

    // ---- Versions (autodiff): what a gradient tape saved must not change under it. ----

    private long _version;
    private int _tapeSaves;

    /// <summary>
    /// Counts in-place writes to this buffer (PyTorch's version counter): a tape records it with
    /// what it saves and refuses a gradient from a buffer written since.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Called by every write into an existing buffer (assign, optimizer update, copy-into).</summary>
    [MethodImpl(Hot)]
    public void BumpVersion() => Interlocked.Increment(ref _version);

    /// <summary>
    /// How many live tape records read this buffer. A variable about to be written in place while
    /// this is non-zero moves to a fresh buffer instead (copy-on-write), leaving this one to the tape.
    /// </summary>
    public bool SavedByTape => Volatile.Read(ref _tapeSaves) > 0;

    [MethodImpl(Hot)]
    public void AddTapeSave() => Interlocked.Increment(ref _tapeSaves);

    [MethodImpl(Hot)]
    public void RemoveTapeSave() => Interlocked.Decrement(ref _tapeSaves);
}
