using System.Numerics;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// Dense storage of a group's links or an object's attributes: what libhdf5 uses past 8 of them in
/// a file of the new format (<c>libver='latest'</c>, or h5py editing a file NeuralFlow wrote). The
/// link or attribute messages are objects of a fractal heap, indexed by name in a version 2
/// B-tree (record type 5 for links, 8 for attributes); every record of the index is visited and
/// its heap object returned as the message body it is. Nodes and blocks are visited once, so a
/// cycle fails instead of hanging; huge objects and filtered heaps (which libhdf5 does not use
/// for links or attributes of ordinary size) are refused.
/// </summary>
internal static class Hdf5DenseStorage
{
    public const int LinkNames = 5, AttributeNames = 8;
    private const int MaxRecords = 1 << 20;

    /// <summary>The message bodies stored in the heap at <paramref name="heapAddress"/>, found through the name index at <paramref name="indexAddress"/>.</summary>
    public static List<byte[]> Objects(Hdf5Source source, ulong heapAddress, ulong indexAddress, int recordType, string what)
    {
        var heap = new FractalHeap(source, heapAddress, what);
        var ids = new List<byte[]>();
        new NameIndex(source, indexAddress, recordType, what).Records(record =>
        {
            // Type 5: name hash (4), heap ID; type 8: heap ID (8), message flags (1), creation order (4), name hash (4).
            ids.Add(recordType == LinkNames ? record[4..] : record[..8]);
        });
        return ids.Select(heap.Object).ToList();
    }

    // H5VM_limit_enc_size: the bytes that hold any count up to `limit`.
    private static int EncodedSize(ulong limit) => BitOperations.Log2(limit) / 8 + 1;

    /// <summary>A version 2 B-tree: header "BTHD", internal nodes "BTIN" (records and child pointers), leaves "BTLF".</summary>
    private sealed class NameIndex
    {
        private readonly Hdf5Source _source;
        private readonly string _where;
        private readonly int _type, _nodeSize, _recordSize, _depth, _countSize;
        private readonly ulong _root;
        private readonly int _rootRecords;
        private readonly int[] _cumulativeSize;
        private readonly HashSet<ulong> _seen = [];
        private int _visited;

        public NameIndex(Hdf5Source source, ulong address, int type, string what)
        {
            _source = source;
            _where = $"the name index of {what}";
            var h = source.Cursor(address, 4 + 2 + 4 + 2 + 2 + 2 + source.OffsetSize + 2 + source.LengthSize, _where);
            h.Expect("BTHD"u8);
            int version = h.U8();
            if (version != 0) throw source.Corrupt($"{_where} has version {version}");
            _type = h.U8();
            if (_type != type) throw source.Corrupt($"{_where} is a B-tree of record type {_type}, not {type}");
            _nodeSize = h.Count(h.U32(), Hdf5Source.MaxStructureBytes, "a node size");
            _recordSize = h.U16();
            _depth = h.U16();
            h.Skip(2);   // split and merge percentages
            _root = h.Address();
            _rootRecords = h.U16();
            int minimum = type == LinkNames ? 5 : 17;
            if (_recordSize < minimum || _nodeSize <= 10 + _recordSize || _depth > 64)
                throw source.Corrupt($"{_where} has records of {_recordSize} bytes in nodes of {_nodeSize} at depth {_depth}");
            // H5B2__hdr_init: the most records a node of each depth holds, and the sizes of the counts in child pointers.
            var maxRecords = new ulong[_depth + 1];
            var cumulative = new ulong[_depth + 1];
            _cumulativeSize = new int[_depth + 1];
            maxRecords[0] = (ulong)((_nodeSize - 10) / _recordSize);
            cumulative[0] = maxRecords[0];
            _cumulativeSize[0] = EncodedSize(cumulative[0]);
            _countSize = EncodedSize(maxRecords[0]);
            for (int d = 1; d <= _depth; d++)
            {
                int pointer = PointerSize(d);
                if (_nodeSize <= 10 + pointer) throw source.Corrupt($"{_where} has nodes of {_nodeSize} bytes, too small for depth {_depth}");
                maxRecords[d] = (ulong)((_nodeSize - 10 - pointer) / (_recordSize + pointer));
                cumulative[d] = (maxRecords[d] + 1) * cumulative[d - 1] + maxRecords[d];
                _cumulativeSize[d] = EncodedSize(cumulative[d]);
            }
        }

        // A child pointer of an internal node at depth d: address, records in the child, and below depth 1 the records under it.
        private int PointerSize(int d) => _source.OffsetSize + _countSize + (d > 1 ? _cumulativeSize[d - 1] : 0);

        public void Records(Action<byte[]> take)
        {
            if (_source.IsUndefined(_root) || _rootRecords == 0) return;
            Visit(_root, _rootRecords, _depth, take);
        }

        private void Visit(ulong address, int records, int depth, Action<byte[]> take)
        {
            if (!_seen.Add(address)) throw _source.Corrupt($"{_where} has a cycle (node {address} is reached twice)");
            bool leaf = depth == 0;
            long size = 6 + (long)records * _recordSize + (leaf ? 0 : (long)(records + 1) * PointerSize(depth));
            if (size + 4 > _nodeSize) throw _source.Corrupt($"{_where} has a node of {records} records that does not fit its {_nodeSize} bytes");
            var c = _source.Cursor(address, size, _where);
            c.Expect(leaf ? "BTLF"u8 : "BTIN"u8);
            int version = c.U8(), type = c.U8();
            if (version != 0 || type != _type) throw _source.Corrupt($"{_where} has a node of version {version} and type {type}");
            for (int i = 0; i < records; i++)
            {
                if (++_visited > MaxRecords) throw _source.Corrupt($"{_where} has more than {MaxRecords} records");
                take(c.ToArray(_recordSize));
            }
            if (leaf) return;
            for (int i = 0; i <= records; i++)
            {
                ulong child = c.Address();
                ulong count = c.Packed(_countSize);
                if (depth > 1) c.Packed(_cumulativeSize[depth - 1]);
                if (count > (ulong)_nodeSize) throw _source.Corrupt($"{_where} has a child of {count} records");
                Visit(child, (int)count, depth - 1, take);
            }
        }
    }

    /// <summary>A fractal heap (header "FRHP"): managed objects in a doubling table of direct blocks, tiny ones in their IDs.</summary>
    private sealed class FractalHeap
    {
        private readonly Hdf5Source _source;
        private readonly string _where;
        private readonly int _idLength, _width, _offsetSize, _lengthSize, _maxDirectRows, _rootRows;
        private readonly ulong _startBlock, _maxDirect, _root;

        public FractalHeap(Hdf5Source source, ulong address, string what)
        {
            _source = source;
            _where = $"the fractal heap of {what}";
            int o = source.OffsetSize, l = source.LengthSize;
            var h = source.Cursor(address, 4 + 1 + 2 + 2 + 1 + 4 + 12 * l + 3 * o + 2 + 2 + 2 + 2, _where);
            h.Expect("FRHP"u8);
            int version = h.U8();
            if (version != 0) throw source.Corrupt($"{_where} has version {version}");
            _idLength = h.U16();
            int filters = h.U16();
            if (filters != 0) throw source.Corrupt($"{_where} is filtered, which this reader does not read");
            h.Skip(1);   // flags
            ulong maxManaged = h.U32();
            h.Length();  // next huge object ID
            h.Address(); // huge objects' B-tree
            h.Length();  // free space
            h.Address(); // free-space manager
            h.Length(); h.Length(); h.Length(); h.Length(); // managed space, allocated, iterator offset, managed objects
            h.Length(); h.Length(); h.Length(); h.Length(); // huge and tiny sizes and counts
            _width = h.U16();
            _startBlock = h.Length();
            ulong maxDirect = _maxDirect = h.Length();
            int maxHeapBits = h.U16();
            h.Skip(2);   // starting rows of the root indirect block
            _root = h.Address();
            _rootRows = h.U16();
            if (_width == 0 || _startBlock == 0 || !BitOperations.IsPow2(_startBlock) || !BitOperations.IsPow2(maxDirect) || maxDirect < _startBlock
                || maxHeapBits is 0 or > 64 || _rootRows > 64 || _idLength is < 2 or > 1024)
                throw source.Corrupt($"{_where} has an impossible layout (width {_width}, blocks {_startBlock} to {maxDirect}, {maxHeapBits}-bit offsets)");
            _offsetSize = (maxHeapBits + 7) / 8;
            _lengthSize = Math.Min((BitOperations.Log2(maxDirect) + 7) / 8, EncodedSize(Math.Max(1, maxManaged)));
            _maxDirectRows = BitOperations.Log2(maxDirect) - BitOperations.Log2(_startBlock) + 2;
        }

        /// <summary>The object a heap ID names.</summary>
        public byte[] Object(byte[] id)
        {
            if (id.Length < 1) throw _source.Corrupt($"{_where} is indexed by an empty heap ID");
            int kind = (id[0] >> 4) & 3, version = id[0] >> 6;
            if (version != 0) throw _source.Corrupt($"{_where} has a heap ID of version {version}");
            switch (kind)
            {
                case 2:   // tiny: the object is in the ID (its length in 12 bits past 18-byte IDs)
                    bool extended = _idLength > 18;
                    int length = (extended ? ((id[0] & 0x0F) << 8 | (id.Length > 1 ? id[1] : 0)) : id[0] & 0x0F) + 1;
                    int at = extended ? 2 : 1;
                    if (at + length > id.Length) throw _source.Corrupt($"{_where} has a tiny object of {length} bytes in an ID of {id.Length}");
                    return id[at..(at + length)];
                case 0:
                    if (1 + _offsetSize + _lengthSize > id.Length) throw _source.Corrupt($"{_where} has heap IDs of {id.Length} bytes, too short for its offsets");
                    var c = new Hdf5Cursor(_source, id, _where) { Position = 1 };
                    ulong offset = c.Packed(_offsetSize), size = c.Packed(_lengthSize);
                    if (size == 0 || size > (ulong)Hdf5Source.MaxStructureBytes) throw _source.Corrupt($"{_where} has an object of {size} bytes");
                    return Managed(offset, (long)size);
                default:
                    throw _source.Corrupt($"{_where} holds a huge object, which this reader does not read");
            }
        }

        // Row r of the doubling table: blocks of the starting size in rows 0 and 1, doubling after.
        private ulong BlockSize(int row) => row == 0 ? _startBlock : _startBlock << (row - 1);

        private byte[] Managed(ulong offset, long size)
        {
            if (_source.IsUndefined(_root)) throw _source.Corrupt($"{_where} has no root block");
            if (_rootRows == 0)
            {
                if (offset + (ulong)size > _maxDirect) throw _source.Corrupt($"{_where} has an object past its root block");
                return _source.Read(_root + offset, size, _where);
            }
            return InIndirect(_root, 0, _rootRows, offset, size, new HashSet<ulong>());
        }

        // An indirect block ("FHIB") covering heap offsets from `start`: its entries, row by row, each covering its row's block size.
        private byte[] InIndirect(ulong address, ulong start, int rows, ulong offset, long size, HashSet<ulong> seen)
        {
            if (!seen.Add(address)) throw _source.Corrupt($"{_where} has a cycle of indirect blocks");
            if (rows is <= 0 or > 64) throw _source.Corrupt($"{_where} has an indirect block of {rows} rows");
            int entries = rows * _width;
            var c = _source.Cursor(address, 5 + _source.OffsetSize + _offsetSize + (long)entries * _source.OffsetSize, _where);
            c.Expect("FHIB"u8);
            c.Skip(1 + _source.OffsetSize + _offsetSize);   // version, heap header, block offset
            ulong position = start;
            for (int row = 0; row < rows; row++)
            {
                ulong block = BlockSize(row);
                for (int column = 0; column < _width; column++)
                {
                    ulong child = c.Address();
                    if (offset >= position && offset < position + block)
                    {
                        if (_source.IsUndefined(child)) throw _source.Corrupt($"{_where} names an object in a block it never allocated");
                        if (row < _maxDirectRows)
                        {
                            if (offset - position + (ulong)size > block) throw _source.Corrupt($"{_where} has an object that runs past its block");
                            return _source.Read(child + (offset - position), size, _where);
                        }
                        int childRows = BitOperations.Log2(block) - BitOperations.Log2(_startBlock) - BitOperations.Log2((ulong)_width) + 1;
                        return InIndirect(child, position, childRows, offset, size, seen);
                    }
                    position += block;
                }
            }
            throw _source.Corrupt($"{_where} has no block at offset {offset}");
        }
    }
}
