using System.Buffers.Binary;
using System.Numerics;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// Bob Jenkins' lookup3 hash (hashlittle, initial value 0), the checksum HDF5 puts after its
/// version 2 structures (object headers "OHDR" / "OCHK", fixed arrays "FAHD" / "FADB"): a
/// flipped byte in them is found before its value is believed.
/// </summary>
internal static class Hdf5Checksum
{
    /// <summary>Fails unless the 4 bytes after <paramref name="covered"/> in <paramref name="bytes"/> are its checksum.</summary>
    public static void Verify(Hdf5Source source, ReadOnlySpan<byte> bytes, int covered, string what)
    {
        if (covered < 0 || covered + 4 > bytes.Length) throw source.Corrupt($"{what} is too short for its checksum");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[covered..]);
        if (Lookup3(bytes[..covered]) != stored) throw source.Corrupt($"{what} fails its checksum (the file is corrupt)");
    }

    public static uint Lookup3(ReadOnlySpan<byte> k)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)k.Length;
        while (k.Length > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(k);
            b += BinaryPrimitives.ReadUInt32LittleEndian(k[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(k[8..]);
            a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
            b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
            c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
            a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
            b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
            c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
            k = k[12..];
        }
        if (k.Length == 0) return c;
        // The last 1 to 12 bytes, each added at its place in a, b or c (lookup3's switch).
        for (int i = k.Length - 1; i >= 0; i--)
        {
            uint v = (uint)k[i] << (8 * (i % 4));
            if (i >= 8) c += v;
            else if (i >= 4) b += v;
            else a += v;
        }
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
        return c;
    }
}
