using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;
using NeuralFlow.Backends;

namespace NeuralFlow.IO;

/// <summary>
/// A read-only file mapped copy-on-write into memory, shared by the tensors that point into it
/// (<see cref="NF.Safetensors.Load(string)"/> of large weights): their bytes come straight from
/// the page cache, with no second copy in process memory. Copy-on-write means a write through
/// a tensor never reaches the file. Each <see cref="MappedBuffer"/> holds one reference; the
/// view is unmapped when the last one is released, so the file can then be replaced or deleted
/// on every platform (on Linux and macOS it can be replaced or deleted even while mapped: the
/// mapping keeps the old contents).
/// </summary>
/// <remarks>
/// The one risk a mapping adds: if another program truncates the file in place while tensors
/// still point into it, reading the lost pages faults (SIGBUS), as with every mmap-based
/// loader (PyTorch's, safetensors'). NeuralFlow's own writers never truncate: they write a
/// temporary file and rename it over the old one.
/// </remarks>
internal sealed unsafe class MappedFile
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private int _refs = 1;

    private MappedFile(MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _file = file;
        _view = view;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + view.PointerOffset;
    }

    /// <summary>Maps the whole of the open file <paramref name="handle"/> (its length must be positive).</summary>
    public static MappedFile Open(SafeFileHandle handle)
    {
        var file = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.CopyOnWrite, HandleInheritability.None, leaveOpen: true);
        try { return new MappedFile(file, file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.CopyOnWrite)); }
        catch { file.Dispose(); throw; }
    }

    /// <summary>The address of byte <paramref name="offset"/> of the file.</summary>
    public nint At(long offset) => (nint)(_base + offset);

    /// <summary>A buffer of <paramref name="bytes"/> bytes at <paramref name="offset"/>, holding a reference to the mapping.</summary>
    public DeviceBuffer Buffer(long offset, long bytes)
    {
        Interlocked.Increment(ref _refs);
        return new MappedBuffer(this, At(offset), bytes);
    }

    /// <summary>Drops one reference; the last unmaps the file.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) != 0) return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private sealed class MappedBuffer(MappedFile owner, nint pointer, long bytes) : DeviceBuffer(pointer, bytes)
    {
        protected override void Free(nint pointer) => owner.Release();
    }
}
