using Microsoft.Win32.SafeHandles;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// The bytes of one HDF5 file, read on demand with every offset and length checked against the
/// file's length: the file is untrusted input, so a structure that points outside it, or claims
/// more bytes than a sane reader would allocate, fails with an <see cref="InvalidDataException"/>
/// naming the file instead of reading garbage or allocating without bound.
/// </summary>
internal sealed class Hdf5Source : IDisposable
{
    /// <summary>The HDF5 signature, <c>\x89HDF\r\n\x1a\n</c>, found at offset 0, 512, 1024, 2048, ...</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The most bytes one metadata structure (a header, a heap, a B-tree node) may claim.</summary>
    public const int MaxStructureBytes = 64 << 20;

    private readonly SafeFileHandle _handle;

    public string Path { get; }
    public long Length { get; }
    /// <summary>Where HDF5's addresses count from (the superblock's base address).</summary>
    public long Base { get; set; }
    /// <summary>Bytes in a file address ("size of offsets") and in a length ("size of lengths").</summary>
    public int OffsetSize { get; set; } = 8;
    public int LengthSize { get; set; } = 8;

    public Hdf5Source(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Length = RandomAccess.GetLength(_handle);
    }

    /// <summary>The offset of the signature (0, 512, 1024, ...), or -1 when the file has none.</summary>
    public long FindSignature()
    {
        Span<byte> head = stackalloc byte[8];
        for (long at = 0; at + 8 <= Length; at = at == 0 ? 512 : at * 2)
        {
            if (RandomAccess.Read(_handle, head, at) == 8 && head.SequenceEqual(Signature)) return at;
        }
        return -1;
    }

    /// <summary>Whether <paramref name="path"/> starts an HDF5 file (the signature at 0, 512, 1024, ...).</summary>
    public static bool IsHdf5(string path)
    {
        using var source = new Hdf5Source(path);
        return source.FindSignature() >= 0;
    }

    /// <summary>The error for a file whose structure is wrong: names the file and <paramref name="what"/>.</summary>
    public InvalidDataException Corrupt(string what) =>
        new($"'{Path}' is not an HDF5 file this reader can load: {what}.");

    /// <summary>Whether <paramref name="address"/> is HDF5's undefined address (all bits set).</summary>
    public bool IsUndefined(ulong address) => OffsetSize == 8 ? address == ulong.MaxValue : address == (1UL << (OffsetSize * 8)) - 1;

    /// <summary>The absolute file position of <paramref name="address"/>, checked to lie in the file with <paramref name="count"/> bytes after it.</summary>
    public long Position(ulong address, long count, string what)
    {
        if (IsUndefined(address)) throw Corrupt($"{what} has no address");
        if (count < 0 || address > (ulong)Length || (long)address + Base > Length - count)
            throw Corrupt($"{what} at address {address} ({count} bytes) lies past the end of the file ({Length} bytes); the file is truncated or corrupt");
        return (long)address + Base;
    }

    /// <summary><paramref name="count"/> bytes at <paramref name="address"/>, a metadata structure (capped at <see cref="MaxStructureBytes"/>).</summary>
    public byte[] Read(ulong address, long count, string what)
    {
        if (count > MaxStructureBytes) throw Corrupt($"{what} claims {count} bytes, more than any structure this reader accepts");
        return ReadData(address, count, what);
    }

    /// <summary><paramref name="count"/> bytes of raw data at <paramref name="address"/> (bounded by the file's length).</summary>
    public byte[] ReadData(ulong address, long count, string what)
    {
        if (count > Array.MaxLength) throw Corrupt($"{what} claims {count} bytes, more than one array holds");
        long at = Position(address, count, what);
        var bytes = new byte[count];
        ReadAt(at, bytes, what);
        return bytes;
    }

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="address"/>, fewer where the file ends (a structure whose size is found while parsing it).</summary>
    public byte[] ReadUpTo(ulong address, int count, string what)
    {
        long at = Position(address, 1, what);
        var bytes = new byte[(int)Math.Min(count, Length - at)];
        ReadAt(at, bytes, what);
        return bytes;
    }

    /// <summary>A cursor over <paramref name="count"/> bytes at <paramref name="address"/>.</summary>
    public Hdf5Cursor Cursor(ulong address, long count, string what) => new(this, Read(address, count, what), what);

    private void ReadAt(long at, Span<byte> into, string what)
    {
        int done = 0;
        while (done < into.Length)
        {
            int n = RandomAccess.Read(_handle, into[done..], at + done);
            if (n <= 0) throw Corrupt($"{what} ends early: the file is truncated");
            done += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}
