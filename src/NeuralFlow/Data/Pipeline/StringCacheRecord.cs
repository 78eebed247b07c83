using System.Buffers.Binary;
using System.Text;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// A string component in a dataset cache file (<see cref="FileCacheNode"/>), next to the .npy
/// records of numeric ones: the byte 'S', the rank and each dimension (int32), then each string
/// row-major as its UTF-8 length (int32) and bytes. Its first byte tells it from a .npy record
/// (which starts with 0x93), so caches of numbers alone keep their format.
/// </summary>
internal static class StringCacheRecord
{
    /// <summary>The first byte of a string record.</summary>
    public const byte Marker = (byte)'S';

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Writes the strings <paramref name="carrier"/> holds.</summary>
    public static void Write(Stream stream, Tensor carrier)
    {
        var strings = StringCarrier.Read(carrier);
        stream.WriteByte(Marker);
        WriteInt32(stream, strings.Rank);
        foreach (var d in strings.Shape.ToArray()) WriteInt32(stream, d);
        foreach (var s in strings.Values)
        {
            var bytes = Utf8.GetBytes(s);
            WriteInt32(stream, bytes.Length);
            stream.Write(bytes);
        }
    }

    /// <summary>
    /// Reads a record whose marker has been read, as a carrier; a record cut short or damaged
    /// raises an <see cref="InvalidDataException"/> naming <paramref name="name"/>.
    /// </summary>
    public static Tensor Read(Stream stream, string name)
    {
        int rank = ReadInt32(stream, name);
        if (rank is < 0 or > 32) throw new InvalidDataException($"Strings '{name}': rank {rank} is not a tensor's.");
        var dims = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = ReadInt32(stream, name);
            if (dims[d] < 0) throw new InvalidDataException($"Strings '{name}': dimension {d} is {dims[d]}.");
            count *= dims[d];
        }
        if (count > Array.MaxLength) throw new InvalidDataException($"Strings '{name}': {count} strings is more than an array holds.");
        var values = new string[count];
        for (int i = 0; i < values.Length; i++)
        {
            int length = ReadInt32(stream, name);
            if (length < 0) throw new InvalidDataException($"Strings '{name}': string {i} has length {length}.");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            values[i] = Utf8.GetString(bytes);
        }
        return StringCarrier.Carry(StringTensor.Wrap(values, Shape.Create(dims)));
    }

    private static void WriteInt32(Stream stream, int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static int ReadInt32(Stream stream, string name)
    {
        Span<byte> buffer = stackalloc byte[4];
        stream.ReadExactly(buffer);
        return BinaryPrimitives.ReadInt32LittleEndian(buffer);
    }
}
