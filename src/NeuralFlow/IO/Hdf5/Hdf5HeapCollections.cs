using System.Buffers.Binary;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// A variable-length string <see cref="Hdf5Writer"/> keeps in a global heap collection: its UTF-8
/// bytes and, once <see cref="Hdf5HeapCollections"/> has placed it, where it is. An attribute holds
/// only its 16-byte heap ID, which is why a string far larger than a header message fits.
/// </summary>
internal sealed class Hdf5HeapString(byte[] utf8)
{
    public const int IdSize = 16;

    public byte[] Utf8 { get; } = utf8;
    internal ulong Collection { get; set; } = Hdf5WriterMessages.Undefined;
    internal int Index { get; set; }

    /// <summary>The heap ID an element holds: the length in bytes, the collection's address, the object's index.</summary>
    public byte[] Id()
    {
        var id = new byte[IdSize];
        BinaryPrimitives.WriteUInt32LittleEndian(id, (uint)Utf8.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(id.AsSpan(4), Collection);
        BinaryPrimitives.WriteUInt32LittleEndian(id.AsSpan(12), (uint)Index);
        return id;
    }
}

/// <summary>
/// Global heap collections ("GCOL", HDF5 file format specification III.E) holding the strings of a
/// file, laid out as libhdf5 1.10 lays them out: a collection of at least 4096 bytes (libhdf5's
/// minimum), or one sized exactly for an object that needs more; a 16-byte header (signature,
/// version 1, the collection's size); each object a 16-byte header (index from 1, reference
/// count 0 as libhdf5 writes for variable-length data, its size) and its bytes padded to 8; the
/// rest of the collection one free-space object (index 0, its size counting its own header),
/// which libhdf5 fills when it adds strings to the file later (h5py's r+ mode).
/// </summary>
internal sealed class Hdf5HeapCollections
{
    private const int MinSize = 4096, HeaderSize = 16, ObjectHeaderSize = 16;

    private readonly List<Collection> _collections = [];

    private sealed class Collection(long size)
    {
        public long Size { get; } = size;
        public long Used { get; set; } = HeaderSize;
        public List<Hdf5HeapString> Strings { get; } = [];
    }

    /// <summary>
    /// Places <paramref name="strings"/>, in order, each in the first collection with room for it,
    /// else in a new one, so the same strings always give the same collections. (An object takes
    /// at least 16 bytes, so a collection holds at most 255: its 16-bit index cannot overflow.)
    /// </summary>
    public Hdf5HeapCollections(IEnumerable<Hdf5HeapString> strings)
    {
        foreach (var s in strings)
        {
            long need = ObjectHeaderSize + Align(s.Utf8.Length);
            var into = _collections.FirstOrDefault(c => c.Size - c.Used >= need);
            if (into is null)
            {
                into = new Collection(Math.Max(MinSize, HeaderSize + need));
                _collections.Add(into);
            }
            into.Used += need;
            into.Strings.Add(s);
            s.Index = into.Strings.Count;
        }
    }

    /// <summary>Gives the collections their addresses from <paramref name="at"/> on (and their strings their IDs); returns the end.</summary>
    public ulong Place(ulong at)
    {
        foreach (var c in _collections)
        {
            foreach (var s in c.Strings) s.Collection = at;
            at += (ulong)c.Size;
        }
        return at;
    }

    /// <summary>Writes the collections, in the order of their addresses.</summary>
    public void WriteTo(Stream stream)
    {
        Span<byte> head = stackalloc byte[HeaderSize];
        foreach (var c in _collections)
        {
            head.Clear();
            "GCOL"u8.CopyTo(head);
            head[4] = 1;   // version; 3 bytes reserved
            BinaryPrimitives.WriteUInt64LittleEndian(head[8..], (ulong)c.Size);
            stream.Write(head);
            foreach (var s in c.Strings)
            {
                WriteObjectHeader(stream, s.Index, s.Utf8.Length);
                stream.Write(s.Utf8);
                stream.Write(new byte[Align(s.Utf8.Length) - s.Utf8.Length]);
            }
            long free = c.Size - c.Used;
            // Space too small for a free-space object's header is simply left over, as libhdf5 leaves it.
            if (free >= ObjectHeaderSize)
            {
                WriteObjectHeader(stream, 0, free);
                free -= ObjectHeaderSize;
            }
            stream.Write(new byte[free]);
        }
    }

    private static void WriteObjectHeader(Stream stream, int index, long size)
    {
        Span<byte> b = stackalloc byte[ObjectHeaderSize];
        b.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)index);   // then reference count and reserved: 0
        BinaryPrimitives.WriteUInt64LittleEndian(b[8..], (ulong)size);
        stream.Write(b);
    }

    private static long Align(long n) => (n + 7) & ~7L;
}
