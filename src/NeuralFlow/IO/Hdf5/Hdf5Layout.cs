namespace NeuralFlow.IO.Hdf5;

/// <summary>How a dataset's chunks are found (layout message version 4's index types; version 3 always uses a version 1 B-tree).</summary>
internal enum Hdf5ChunkIndex { BTree1 = 0, SingleChunk = 1, Implicit = 2, FixedArray = 3, ExtensibleArray = 4, BTree2 = 5 }

/// <summary>
/// A data layout message (versions 3 and 4): compact (the bytes in the header), contiguous
/// (one run of the file) or chunked (chunk dimensions, the index and its address).
/// </summary>
internal sealed class Hdf5Layout
{
    public const int Message = 0x08;
    public int Class { get; private init; }
    public byte[]? Compact { get; private init; }
    public ulong Address { get; private init; }
    public ulong Size { get; private init; }
    public int[] ChunkDims { get; private init; } = [];
    public Hdf5ChunkIndex Index { get; private init; }
    /// <summary>A filtered single chunk's stored size and filter mask.</summary>
    public ulong SingleSize { get; private init; }
    public uint SingleMask { get; private init; }
    public bool SingleFiltered { get; private init; }

    public static Hdf5Layout Read(Hdf5Cursor c, int rank, int elementSize, string what)
    {
        var source = c.Source;
        int version = c.U8();
        if (version is not (3 or 4)) throw source.Corrupt($"the layout of {what} has version {version}; 3 and 4 are read");
        int cls = c.U8();
        switch (cls)
        {
            case 0:
                return new Hdf5Layout { Class = 0, Compact = c.ToArray(c.U16()) };
            case 1:
                return new Hdf5Layout { Class = 1, Address = c.Address(), Size = c.Length() };
            case 2:
                return version == 3 ? ChunkedVersion3(c, rank, elementSize, what) : ChunkedVersion4(c, rank, elementSize, what);
            default:
                throw source.Corrupt($"the layout of {what} is of class {cls} (virtual or unknown); compact, contiguous and chunked are read");
        }
    }

    private static Hdf5Layout ChunkedVersion3(Hdf5Cursor c, int rank, int elementSize, string what)
    {
        int dimensionality = c.U8();
        CheckRank(c.Source, dimensionality, rank, what);
        ulong address = c.Address();
        var dims = new int[dimensionality];
        for (int i = 0; i < dimensionality; i++) dims[i] = (int)Math.Min(c.U32(), int.MaxValue);
        return new Hdf5Layout { Class = 2, Address = address, ChunkDims = Checked(c.Source, dims, elementSize, what), Index = Hdf5ChunkIndex.BTree1 };
    }

    private static Hdf5Layout ChunkedVersion4(Hdf5Cursor c, int rank, int elementSize, string what)
    {
        var source = c.Source;
        int flags = c.U8();
        int dimensionality = c.U8();
        CheckRank(source, dimensionality, rank, what);
        int encoded = c.U8();
        if (encoded is < 1 or > 8) throw source.Corrupt($"the layout of {what} encodes chunk dimensions in {encoded} bytes");
        var dims = new int[dimensionality];
        for (int i = 0; i < dimensionality; i++)
        {
            ulong d = 0;
            var bytes = c.Span(encoded);
            for (int b = encoded - 1; b >= 0; b--) d = (d << 8) | bytes[b];
            dims[i] = (int)Math.Min(d, int.MaxValue);
        }
        var index = (Hdf5ChunkIndex)c.U8();
        ulong singleSize = 0;
        uint singleMask = 0;
        bool singleFiltered = false;
        switch (index)
        {
            case Hdf5ChunkIndex.SingleChunk:
                if ((flags & 2) != 0)
                {
                    singleFiltered = true;
                    singleSize = c.Length();
                    singleMask = c.U32();
                }
                break;
            case Hdf5ChunkIndex.Implicit:
                break;
            case Hdf5ChunkIndex.FixedArray:
                c.Skip(1);   // page bits: read again from the array's header
                break;
            case Hdf5ChunkIndex.ExtensibleArray:
            case Hdf5ChunkIndex.BTree2:
                throw source.Corrupt($"{what} indexes its chunks with {(index == Hdf5ChunkIndex.BTree2 ? "a version 2 B-tree" : "an extensible array")} (a resizable dataset), which this reader does not read");
            default:
                throw source.Corrupt($"{what} has chunk index type {(int)index}, which is unknown");
        }
        return new Hdf5Layout
        {
            Class = 2, Address = c.Address(), ChunkDims = Checked(source, dims, elementSize, what), Index = index,
            SingleSize = singleSize, SingleMask = singleMask, SingleFiltered = singleFiltered,
        };
    }

    private static void CheckRank(Hdf5Source source, int dimensionality, int rank, string what)
    {
        if (dimensionality != rank + 1) throw source.Corrupt($"the chunks of {what} have {dimensionality - 1} dimensions, the data {rank}");
    }

    // The chunk's dimensions without the trailing element size, which must match the datatype's.
    private static int[] Checked(Hdf5Source source, int[] dims, int elementSize, string what)
    {
        if (dims[^1] != elementSize) throw source.Corrupt($"the chunks of {what} have elements of {dims[^1]} bytes, its datatype {elementSize}");
        var chunk = dims[..^1];
        long bytes = elementSize;
        foreach (var d in chunk)
        {
            if (d <= 0) throw source.Corrupt($"{what} has a chunk dimension of {d}");
            bytes *= d;
            if (bytes > Hdf5Source.MaxStructureBytes) throw source.Corrupt($"{what} has chunks of [{string.Join(", ", chunk)}], too large");
        }
        return chunk;
    }
}
