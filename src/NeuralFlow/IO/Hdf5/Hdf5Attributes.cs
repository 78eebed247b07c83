using System.Text;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// Attribute messages (versions 1 to 3) held in an object's header, decoded to .NET values:
/// a string or string[] (fixed- or variable-length), or a long[] / double[] of numbers
/// (scalars as one-element arrays); in the header, or in dense storage past 8 of them in a file of
/// the new format (<see cref="Hdf5DenseStorage"/>).
/// </summary>
internal static class Hdf5Attributes
{
    public const int Attribute = 0x0C, AttributeInfo = 0x15;
    private const long MaxElements = 1 << 24;

    public static Dictionary<string, object> Read(Hdf5Source source, Hdf5GlobalHeap heap, List<Hdf5Message> messages, string what)
    {
        var found = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            if (m.Type == AttributeInfo)
            {
                var info = new Hdf5Cursor(source, m.Body, $"the attribute info of {what}");
                info.Skip(1);
                int flags = info.U8();
                if ((flags & 1) != 0) info.Skip(2);   // maximum creation index (2 bytes here, 8 in a link info)
                ulong denseHeap = info.Address(), index = info.Address();
                if (!source.IsUndefined(denseHeap))
                    foreach (var body in Hdf5DenseStorage.Objects(source, denseHeap, index, Hdf5DenseStorage.AttributeNames, what))
                    {
                        var (denseName, denseValue) = ReadOne(source, heap, new Hdf5Cursor(source, body, $"an attribute of {what}"), what);
                        found[denseName] = denseValue;
                    }
            }
            if (m.Type != Attribute) continue;
            var (name, value) = ReadOne(source, heap, new Hdf5Cursor(source, m.Body, $"an attribute of {what}"), what);
            found[name] = value;
        }
        return found;
    }

    private static (string Name, object Value) ReadOne(Hdf5Source source, Hdf5GlobalHeap heap, Hdf5Cursor c, string what)
    {
        int version = c.U8();
        if (version is < 1 or > 3) throw source.Corrupt($"an attribute of {what} has version {version}");
        int flags = c.U8();
        if ((flags & 3) != 0) throw source.Corrupt($"an attribute of {what} uses a shared datatype or dataspace, which this reader does not read");
        int nameSize = c.U16(), typeSize = c.U16(), spaceSize = c.U16();
        if (version == 3) c.Skip(1);   // name character set
        int pad = version == 1 ? 8 : 1;
        string name = Encoding.UTF8.GetString(c.Span(nameSize)).TrimEnd('\0');
        c.Align(pad);
        string where = $"attribute '{name}' of {what}";
        var type = Hdf5Datatype.Read(c.Sub(typeSize, $"the datatype of {where}"), where);
        c.Align(pad);
        var dims = Hdf5Dataspace.Read(c.Sub(spaceSize, $"the dataspace of {where}"), where) ?? [0];
        c.Align(pad);
        long count = Hdf5Dataspace.Count(source, dims, MaxElements, where);
        if (count * type.Size > c.Remaining) throw source.Corrupt($"{where} holds {count} elements of {type.Size} bytes in {c.Remaining}");
        var data = c.Sub((int)(count * type.Size), where);
        return (name, Decode(heap, data, type, (int)count, dims.Length == 0, where));
    }

    private static object Decode(Hdf5GlobalHeap heap, Hdf5Cursor data, Hdf5Datatype type, int count, bool scalar, string where)
    {
        switch (type.Class)
        {
            case Hdf5Class.FixedString:
            case Hdf5Class.VariableString:
                var strings = new string[count];
                for (int i = 0; i < count; i++)
                    strings[i] = type.Class == Hdf5Class.VariableString
                        ? heap.String(data, where)
                        : Encoding.UTF8.GetString(data.Span(type.Size)).TrimEnd('\0', ' ');
                return scalar ? strings[0] : strings;
            case Hdf5Class.Float:
                return Hdf5Elements.ToDoubles(data.Bytes, type, count);
            default:
                return Hdf5Elements.ToLongs(data.Bytes, type, count);
        }
    }
}
