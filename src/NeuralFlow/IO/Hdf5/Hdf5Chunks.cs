namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// Reads a dataset's raw bytes (row-major, elements as stored) from its layout: compact,
/// contiguous, or chunked through a version 1 B-tree, a single chunk, an implicit index or a
/// fixed array, each chunk's filters undone and its part copied into place (edge chunks are
/// stored whole and clipped). Chunks never written read as zeros (h5py's default fill).
/// </summary>
internal static class Hdf5Chunks
{
    public static byte[] Read(Hdf5Source source, Hdf5Layout layout, Hdf5Filters filters, long[] dims, int elementSize, long totalBytes, string what)
    {
        switch (layout.Class)
        {
            case 0:
                if (layout.Compact!.Length < totalBytes) throw source.Corrupt($"{what} holds {layout.Compact.Length} bytes in its header, not the {totalBytes} of its shape");
                return layout.Compact[..(int)totalBytes];
            case 1:
                if (totalBytes == 0) return [];
                if (source.IsUndefined(layout.Address)) return new byte[totalBytes];   // never written: the fill value
                if (layout.Size < (ulong)totalBytes) throw source.Corrupt($"{what} stores {layout.Size} bytes, not the {totalBytes} of its shape");
                return source.ReadData(layout.Address, totalBytes, what);
        }
        var output = new byte[totalBytes];
        if (totalBytes == 0 || source.IsUndefined(layout.Address)) return output;
        var chunk = layout.ChunkDims;
        if (chunk.Length != dims.Length) throw source.Corrupt($"the chunks of {what} have rank {chunk.Length}, the data {dims.Length}");
        int chunkBytes = elementSize;
        foreach (var d in chunk) chunkBytes *= d;
        var grid = new long[dims.Length];
        long chunkCount = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            grid[i] = (dims[i] + chunk[i] - 1) / chunk[i];
            chunkCount *= Math.Max(grid[i], 1);
        }
        void Place(long[] offset, ulong address, ulong size, uint mask)
        {
            if (size > Hdf5Source.MaxStructureBytes) throw source.Corrupt($"a chunk of {what} claims {size} bytes");
            var stored = source.ReadData(address, (long)size, $"a chunk of {what}");
            var data = filters.Undo(source, stored, mask, chunkBytes, elementSize, what);
            Copy(source, data, output, offset, chunk, dims, elementSize, what);
        }
        switch (layout.Index)
        {
            case Hdf5ChunkIndex.BTree1:
                WalkTree(source, layout.Address, dims.Length, Place, new HashSet<ulong>(), -1, what);
                break;
            case Hdf5ChunkIndex.SingleChunk:
                Place(new long[dims.Length], layout.Address, layout.SingleFiltered ? layout.SingleSize : (ulong)chunkBytes, layout.SingleMask);
                break;
            case Hdf5ChunkIndex.Implicit:
                for (long i = 0; i < chunkCount; i++) Place(Unravel(i, grid, chunk), layout.Address + (ulong)(i * chunkBytes), (ulong)chunkBytes, 0);
                break;
            case Hdf5ChunkIndex.FixedArray:
                FixedArray(source, layout.Address, chunkCount, chunkBytes, (i, address, size, mask) => Place(Unravel(i, grid, chunk), address, size, mask), what);
                break;
        }
        return output;
    }

    // The element offset of chunk number `index` in row-major order over the chunk grid.
    private static long[] Unravel(long index, long[] grid, int[] chunk)
    {
        var offset = new long[grid.Length];
        for (int d = grid.Length - 1; d >= 0; d--)
        {
            long g = Math.Max(grid[d], 1);
            offset[d] = index % g * chunk[d];
            index /= g;
        }
        return offset;
    }

    private static void Copy(Hdf5Source source, byte[] data, byte[] output, long[] offset, int[] chunk, long[] dims, int elementSize, string what)
    {
        int rank = dims.Length;
        for (int d = 0; d < rank; d++)
            if (offset[d] < 0 || offset[d] >= dims[d] || offset[d] % chunk[d] != 0)
                throw source.Corrupt($"{what} has a chunk at [{string.Join(", ", offset)}], outside its shape [{string.Join(", ", dims)}]");
        long run = Math.Min(chunk[rank - 1], dims[rank - 1] - offset[rank - 1]) * elementSize;
        var index = new long[rank];   // position inside the chunk, last axis always 0
        while (true)
        {
            long src = 0, dst = 0;
            for (int d = 0; d < rank; d++)
            {
                src = src * chunk[d] + index[d];
                dst = dst * dims[d] + offset[d] + index[d];
            }
            Array.Copy(data, src * elementSize, output, dst * elementSize, run);
            int axis = rank - 2;
            for (; axis >= 0; axis--)
            {
                if (++index[axis] < chunk[axis] && offset[axis] + index[axis] < dims[axis]) break;
                index[axis] = 0;
            }
            if (axis < 0) return;
        }
    }

    private static void WalkTree(Hdf5Source source, ulong address, int rank, Action<long[], ulong, ulong, uint> place, HashSet<ulong> seen, int expectedLevel, string what)
    {
        string where = $"the chunk B-tree of {what}";
        if (!seen.Add(address)) throw source.Corrupt($"{where} has a cycle (node {address} is reached twice)");
        var head = source.Cursor(address, 8 + 2 * source.OffsetSize, where);
        head.Expect("TREE"u8);
        int type = head.U8(), level = head.U8(), entries = head.U16();
        if (type != 1) throw source.Corrupt($"{where} has a node of type {type}, not a chunk node");
        if (expectedLevel >= 0 && level != expectedLevel) throw source.Corrupt($"{where} has a node at level {level} under one at level {expectedLevel + 1}");
        int keySize = 8 + 8 * (rank + 1);
        var c = source.Cursor(address + (ulong)head.Bytes.Length, (long)entries * (keySize + source.OffsetSize) + keySize, where);
        for (int i = 0; i < entries; i++)
        {
            uint size = c.U32(), mask = c.U32();
            var offset = new long[rank];
            for (int d = 0; d < rank; d++) offset[d] = (long)Math.Min(c.U64(), long.MaxValue);
            c.Skip(8);   // the element-size axis, always 0
            ulong child = c.Address();
            if (level > 0) WalkTree(source, child, rank, place, seen, level - 1, what);
            else place(offset, child, size, mask);
        }
    }

    private static void FixedArray(Hdf5Source source, ulong address, long chunkCount, int chunkBytes, Action<long, ulong, ulong, uint> place, string what)
    {
        string where = $"the chunk index (fixed array) of {what}";
        var head = source.Cursor(address, 8 + source.LengthSize + source.OffsetSize + 4, where);
        Hdf5Checksum.Verify(source, head.Bytes, head.Bytes.Length - 4, where);
        head.Expect("FAHD"u8);
        head.Skip(1);   // version
        int client = head.U8(), entrySize = head.U8(), pageBits = head.U8();
        ulong entries = head.Length();
        ulong block = head.Address();
        if (client > 1 || entrySize < source.OffsetSize || (client == 1 && entrySize < source.OffsetSize + 5))
            throw source.Corrupt($"{where} has entries of kind {client} and {entrySize} bytes");
        if (entries != (ulong)chunkCount) throw source.Corrupt($"{where} has {entries} entries for {chunkCount} chunks");
        if (pageBits < 32 && entries > 1UL << pageBits)
            throw source.Corrupt($"{where} is paged ({entries} chunks), which this reader does not read");
        int headSize = 4 + 1 + 1 + source.OffsetSize;
        var c = source.Cursor(block, headSize + (long)entries * entrySize + 4, where);
        Hdf5Checksum.Verify(source, c.Bytes, c.Bytes.Length - 4, where);
        c.Expect("FADB"u8);
        c.Skip(2 + source.OffsetSize);
        for (long i = 0; i < (long)entries; i++)
        {
            ulong chunk = c.Address();
            ulong size = (ulong)chunkBytes;
            uint mask = 0;
            if (client == 1)
            {
                size = 0;
                var bytes = c.Span(entrySize - source.OffsetSize - 4);
                for (int b = Math.Min(bytes.Length, 8) - 1; b >= 0; b--) size = (size << 8) | bytes[b];
                mask = c.U32();
            }
            if (!source.IsUndefined(chunk)) place(i, chunk, size, mask);
        }
    }
}
