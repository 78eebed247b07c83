using System.Buffers.Binary;
using System.Text;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// Reads little-endian fields from the bytes of one HDF5 structure; reading past its end fails
/// with an <see cref="InvalidDataException"/> naming the file and the structure.
/// </summary>
internal sealed class Hdf5Cursor(Hdf5Source source, byte[] bytes, string what)
{
    public Hdf5Source Source { get; } = source;
    public byte[] Bytes { get; } = bytes;
    public string What { get; } = what;
    public int Position { get; set; }
    public int Remaining => Bytes.Length - Position;

    private int Take(int count)
    {
        if (count < 0 || count > Remaining)
            throw Source.Corrupt($"{What} is cut short (needs {count} more bytes at byte {Position} of {Bytes.Length})");
        int at = Position;
        Position += count;
        return at;
    }

    public byte U8() => Bytes[Take(1)];
    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(Take(2)));
    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(Take(4)));
    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(Take(8)));

    /// <summary>An unsigned integer of <paramref name="size"/> bytes (1, 2, 4 or 8).</summary>
    public ulong Sized(int size) => size switch
    {
        1 => U8(),
        2 => U16(),
        4 => U32(),
        8 => U64(),
        _ => throw Source.Corrupt($"{What} has a field of {size} bytes"),
    };

    /// <summary>A little-endian unsigned integer of any width from 0 to 8 bytes (the fractal heap's and v2 B-tree's packed fields).</summary>
    public ulong Packed(int size)
    {
        if (size is < 0 or > 8) throw Source.Corrupt($"{What} has a field of {size} bytes");
        ulong value = 0;
        var bytes = Bytes.AsSpan(Take(size), size);
        for (int i = 0; i < size; i++) value |= (ulong)bytes[i] << (8 * i);
        return value;
    }

    /// <summary>A file address ("size of offsets" bytes).</summary>
    public ulong Address() => Sized(Source.OffsetSize);

    /// <summary>A length ("size of lengths" bytes).</summary>
    public ulong Length() => Sized(Source.LengthSize);

    /// <summary>A length that must fit an int and not exceed <paramref name="cap"/>.</summary>
    public int Count(ulong value, int cap, string field)
    {
        if (value > (ulong)cap) throw Source.Corrupt($"{What} has {field} {value}, past the limit {cap}");
        return (int)value;
    }

    public ReadOnlySpan<byte> Span(int count) => Bytes.AsSpan(Take(count), count);
    public byte[] ToArray(int count) => Span(count).ToArray();
    public void Skip(int count) => Take(count);
    public void Expect(ReadOnlySpan<byte> signature)
    {
        if (!Span(signature.Length).SequenceEqual(signature))
            throw Source.Corrupt($"{What} lacks its signature '{Encoding.ASCII.GetString(signature)}'");
    }

    /// <summary>Moves to the next multiple of <paramref name="alignment"/> from the start (never past the end).</summary>
    public void Align(int alignment) => Position = Math.Min(Bytes.Length, (Position + alignment - 1) / alignment * alignment);

    /// <summary>A cursor over the next <paramref name="count"/> bytes, as a structure of their own.</summary>
    public Hdf5Cursor Sub(int count, string what) => new(Source, ToArray(count), what);

    /// <summary>The null-terminated UTF-8 string at <paramref name="offset"/> (a name in a local heap).</summary>
    public string CString(int offset, string field)
    {
        if (offset < 0 || offset >= Bytes.Length) throw Source.Corrupt($"{What}: {field} at offset {offset} lies outside it");
        int end = Array.IndexOf(Bytes, (byte)0, offset);
        if (end < 0) throw Source.Corrupt($"{What}: {field} at offset {offset} has no terminating null");
        return Encoding.UTF8.GetString(Bytes, offset, end - offset);
    }
}
