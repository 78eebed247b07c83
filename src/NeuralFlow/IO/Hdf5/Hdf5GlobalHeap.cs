using System.Text;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// Global heap collections ("GCOL"), where variable-length strings live: a string's element is
/// its length, the collection's address and the object's index in it.
/// </summary>
internal sealed class Hdf5GlobalHeap(Hdf5Source source)
{
    private readonly Dictionary<ulong, Dictionary<int, byte[]>> _collections = [];

    /// <summary>The string a variable-length element (length, collection address, index) points at.</summary>
    public string String(Hdf5Cursor element, string what)
    {
        uint length = element.U32();
        ulong collection = element.Address();
        int index = (int)element.U32();
        if (length == 0 && source.IsUndefined(collection)) return "";
        var objects = Collection(collection, what);
        if (!objects.TryGetValue(index, out var bytes))
            throw source.Corrupt($"{what} points at object {index} of the global heap at {collection}, which has no such object");
        if (length > bytes.Length) throw source.Corrupt($"{what} is a string of {length} bytes in a heap object of {bytes.Length}");
        return Encoding.UTF8.GetString(bytes, 0, (int)length).TrimEnd('\0');
    }

    private Dictionary<int, byte[]> Collection(ulong address, string what)
    {
        if (_collections.TryGetValue(address, out var found)) return found;
        string where = $"the global heap collection at {address} (for {what})";
        var head = source.Cursor(address, 8 + source.LengthSize, where);
        head.Expect("GCOL"u8);
        int version = head.U8();
        if (version != 1) throw source.Corrupt($"{where} has version {version}");
        head.Skip(3);
        ulong size = head.Length();
        var c = source.Cursor(address, (long)Math.Min(size, (ulong)Hdf5Source.MaxStructureBytes + 1), where);
        c.Skip(head.Position);
        var objects = new Dictionary<int, byte[]>();
        while (c.Remaining >= 8 + source.LengthSize)
        {
            int index = c.U16();
            if (index == 0) break;   // the free space: the rest of the collection
            c.Skip(2 + 4);   // reference count, reserved
            int length = c.Count(c.Length(), c.Remaining, "an object size");
            objects[index] = c.ToArray(length);
            c.Align(8);
        }
        _collections[address] = objects;
        return objects;
    }
}
