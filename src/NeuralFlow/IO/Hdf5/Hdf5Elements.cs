using System.Buffers.Binary;

namespace NeuralFlow.IO.Hdf5;

/// <summary>Converts little-endian stored elements (see <see cref="Hdf5Datatype"/>) to .NET numbers.</summary>
internal static class Hdf5Elements
{
    public static double[] ToDoubles(byte[] bytes, Hdf5Datatype type, int count)
    {
        var values = new double[count];
        var span = bytes.AsSpan();
        for (int i = 0; i < count; i++)
        {
            var e = span.Slice(i * type.Size, type.Size);
            values[i] = type.Size switch
            {
                2 => (double)BinaryPrimitives.ReadHalfLittleEndian(e),
                4 => BinaryPrimitives.ReadSingleLittleEndian(e),
                _ => BinaryPrimitives.ReadDoubleLittleEndian(e),
            };
        }
        return values;
    }

    public static long[] ToLongs(byte[] bytes, Hdf5Datatype type, int count)
    {
        var values = new long[count];
        var span = bytes.AsSpan();
        for (int i = 0; i < count; i++)
        {
            var e = span.Slice(i * type.Size, type.Size);
            values[i] = (type.Size, type.Signed) switch
            {
                (1, true) => (sbyte)e[0],
                (1, false) => e[0],
                (2, true) => BinaryPrimitives.ReadInt16LittleEndian(e),
                (2, false) => BinaryPrimitives.ReadUInt16LittleEndian(e),
                (4, true) => BinaryPrimitives.ReadInt32LittleEndian(e),
                (4, false) => BinaryPrimitives.ReadUInt32LittleEndian(e),
                _ => BinaryPrimitives.ReadInt64LittleEndian(e),   // uint64 past long.MaxValue wraps, as a C# cast would
            };
        }
        return values;
    }
}
