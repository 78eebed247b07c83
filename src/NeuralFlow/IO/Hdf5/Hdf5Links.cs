using System.Text;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// A group's members (name and object header address): from a symbol table (version 1 B-tree of
/// symbol table nodes, names in a local heap; h5py's default) or from link messages in the
/// header (compact storage, <c>libver='latest'</c>), or in dense storage past 8 links
/// (<see cref="Hdf5DenseStorage"/>). Soft and external links are skipped (Keras writes none).
/// B-tree nodes are visited once, so a cycle fails instead of hanging.
/// </summary>
internal static class Hdf5Links
{
    public const int LinkInfo = 0x02, Link = 0x06, SymbolTable = 0x11;
    private const int MaxLinks = 1 << 20, MaxEntries = 1 << 16;

    public static List<(string Name, ulong Address)> Read(Hdf5Source source, List<Hdf5Message> messages, string what)
    {
        var links = new List<(string, ulong)>();
        foreach (var m in messages)
        {
            var c = new Hdf5Cursor(source, m.Body, $"a link of {what}");
            switch (m.Type)
            {
                case SymbolTable:
                    ulong tree = c.Address(), heapAddress = c.Address();
                    var heap = LocalHeap(source, heapAddress, what);
                    WalkTree(source, tree, heap, links, new HashSet<ulong>(), -1, what);
                    break;
                case Link:
                    var link = ReadLink(c);
                    if (link is { } l) links.Add(l);
                    break;
                case LinkInfo:
                    c.Skip(1);
                    int flags = c.U8();
                    if ((flags & 1) != 0) c.Skip(8);   // maximum creation index
                    ulong denseHeap = c.Address(), nameIndex = c.Address();
                    if (source.IsUndefined(denseHeap)) break;   // compact: the links are messages of the header
                    foreach (var body in Hdf5DenseStorage.Objects(source, denseHeap, nameIndex, Hdf5DenseStorage.LinkNames, what))
                        if (ReadLink(new Hdf5Cursor(source, body, $"a link of {what}")) is { } dense) links.Add(dense);
                    break;
            }
            if (links.Count > MaxLinks) throw source.Corrupt($"{what} has more than {MaxLinks} members");
        }
        return links;
    }

    private static (string, ulong)? ReadLink(Hdf5Cursor c)
    {
        int version = c.U8();
        if (version != 1) throw c.Source.Corrupt($"{c.What} has version {version}");
        int flags = c.U8();
        int type = (flags & 0x08) != 0 ? c.U8() : 0;
        if ((flags & 0x04) != 0) c.Skip(8);   // creation order
        if ((flags & 0x10) != 0) c.Skip(1);   // character set
        int length = c.Count(c.Sized(1 << (flags & 3)), c.Remaining, "a name length");
        string name = Encoding.UTF8.GetString(c.Span(length));
        return type == 0 ? (name, c.Address()) : null;   // soft (1) and external (64) links lead nowhere here
    }

    private static Hdf5Cursor LocalHeap(Hdf5Source source, ulong address, string what)
    {
        string where = $"the local heap of {what}";
        var c = source.Cursor(address, 8 + 2 * source.LengthSize + source.OffsetSize, where);
        c.Expect("HEAP"u8);
        int version = c.U8();
        if (version != 0) throw source.Corrupt($"{where} has version {version}");
        c.Skip(3);
        ulong size = c.Length();
        c.Length();   // free list
        ulong data = c.Address();
        return source.Cursor(data, (long)Math.Min(size, (ulong)Hdf5Source.MaxStructureBytes + 1), where);
    }

    private static void WalkTree(Hdf5Source source, ulong address, Hdf5Cursor heap, List<(string, ulong)> links, HashSet<ulong> seen, int expectedLevel, string what)
    {
        string where = $"the group B-tree of {what}";
        if (!seen.Add(address)) throw source.Corrupt($"{where} has a cycle (node {address} is reached twice)");
        var head = source.Cursor(address, 8 + 2 * source.OffsetSize, where);
        head.Expect("TREE"u8);
        int type = head.U8(), level = head.U8();
        int entries = head.U16();
        if (type != 0) throw source.Corrupt($"{where} has a node of type {type}, not a group node");
        if (expectedLevel >= 0 && level != expectedLevel) throw source.Corrupt($"{where} has a node at level {level} under one at level {expectedLevel + 1}");
        if (entries > MaxEntries) throw source.Corrupt($"{where} has a node of {entries} entries");
        int keySize = source.LengthSize, childSize = source.OffsetSize;
        var c = source.Cursor(address + (ulong)head.Bytes.Length, (long)entries * (keySize + childSize) + keySize, where);
        for (int i = 0; i < entries; i++)
        {
            c.Skip(keySize);
            ulong child = c.Address();
            if (level > 0) WalkTree(source, child, heap, links, seen, level - 1, what);
            else ReadSymbols(source, child, heap, links, seen, what);
            if (links.Count > MaxLinks) throw source.Corrupt($"{what} has more than {MaxLinks} members");
        }
    }

    private static void ReadSymbols(Hdf5Source source, ulong address, Hdf5Cursor heap, List<(string, ulong)> links, HashSet<ulong> seen, string what)
    {
        string where = $"a symbol table node of {what}";
        if (!seen.Add(address)) throw source.Corrupt($"{where} is reached twice (a cycle)");
        var head = source.Cursor(address, 8, where);
        head.Expect("SNOD"u8);
        int version = head.U8();
        if (version != 1) throw source.Corrupt($"{where} has version {version}");
        head.Skip(1);
        int count = head.U16();
        int entrySize = 2 * source.OffsetSize + 24;
        var c = source.Cursor(address + 8, (long)count * entrySize, where);
        for (int i = 0; i < count; i++)
        {
            int nameOffset = c.Count(c.Address(), int.MaxValue, "a name offset");
            ulong header = c.Address();
            c.Skip(24);   // cache type, reserved, scratch pad
            links.Add((heap.CString(nameOffset, "a member's name"), header));
        }
    }
}
