using System.IO.Compression;
using System.Text;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// A filter pipeline message: the filters a chunk went through, undone in reverse on reading.
/// Deflate (zlib, via <see cref="ZLibStream"/>), shuffle and Fletcher-32 (its checksum dropped)
/// are read; any other filter (szip, lzf, blosc...) is refused by name.
/// </summary>
internal sealed class Hdf5Filters
{
    public const int Message = 0x0B;
    private const int Deflate = 1, Shuffle = 2, Fletcher32 = 3;
    private readonly List<int> _ids = [];

    public static readonly Hdf5Filters None = new();

    public static Hdf5Filters Read(Hdf5Cursor c, string what)
    {
        var source = c.Source;
        var filters = new Hdf5Filters();
        int version = c.U8();
        int count = c.U8();
        if (version == 1) c.Skip(6);
        else if (version != 2) throw source.Corrupt($"the filter pipeline of {what} has version {version}");
        if (count > 32) throw source.Corrupt($"the filter pipeline of {what} has {count} filters");
        for (int i = 0; i < count; i++)
        {
            int id = c.U16();
            int nameLength = version == 1 || id >= 256 ? c.U16() : 0;
            c.Skip(2);   // flags
            int values = c.U16();
            string name = Encoding.ASCII.GetString(c.Span(nameLength)).TrimEnd('\0');
            if (version == 1) c.Skip((8 - nameLength % 8) % 8);
            c.Skip(4 * values);
            if (version == 1 && values % 2 == 1) c.Skip(4);
            if (id is not (Deflate or Shuffle or Fletcher32))
                throw source.Corrupt($"{what} is compressed with filter {id}{(name.Length > 0 ? $" ({name})" : "")}; gzip (deflate), shuffle and fletcher32 are read");
            filters._ids.Add(id);
        }
        return filters;
    }

    /// <summary>Undoes the filters (those not masked off by <paramref name="mask"/>) on a stored chunk, expecting <paramref name="expected"/> bytes.</summary>
    public byte[] Undo(Hdf5Source source, byte[] stored, uint mask, int expected, int elementSize, string what)
    {
        var data = stored;
        for (int i = _ids.Count - 1; i >= 0; i--)
        {
            if ((mask & (1u << i)) != 0) continue;
            data = _ids[i] switch
            {
                Deflate => Inflate(source, data, expected, what),
                Shuffle => Unshuffle(data, elementSize),
                _ => data.Length >= 4 ? data[..^4] : throw source.Corrupt($"a chunk of {what} is too short for its checksum"),
            };
        }
        if (data.Length != expected) throw source.Corrupt($"a chunk of {what} holds {data.Length} bytes, not the {expected} of its shape");
        return data;
    }

    private static byte[] Inflate(Hdf5Source source, byte[] compressed, int expected, string what)
    {
        var output = new byte[expected];
        try
        {
            using var z = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            int done = 0;
            while (done < expected)
            {
                int n = z.Read(output, done, expected - done);
                if (n == 0) break;
                done += n;
            }
            if (done != expected || z.ReadByte() >= 0)
                throw source.Corrupt($"a compressed chunk of {what} does not inflate to the {expected} bytes of its shape");
        }
        catch (InvalidDataException e) when (!e.Message.Contains(source.Path, StringComparison.Ordinal))
        {
            throw source.Corrupt($"a compressed chunk of {what} is corrupt ({e.Message})");
        }
        return output;
    }

    private static byte[] Unshuffle(byte[] data, int elementSize)
    {
        if (elementSize <= 1) return data;
        var output = new byte[data.Length];
        int n = data.Length / elementSize;
        for (int b = 0; b < elementSize; b++)
            for (int i = 0; i < n; i++)
                output[i * elementSize + b] = data[b * n + i];
        Array.Copy(data, n * elementSize, output, n * elementSize, data.Length - n * elementSize);
        return output;
    }
}
