namespace NeuralFlow.IO;

/// <summary>
/// The CRC-32 of zip and gzip (IEEE 802.3, reflected polynomial 0xEDB88320). .NET's ZipArchive
/// records each entry's CRC but does not check it on reading, so a flipped byte inside a stored
/// (uncompressed) entry, such as a model's weights, would load silently; readers check it with this.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = MakeTable();

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>
    /// The running CRC after <paramref name="data"/>; start from 0 and pass the previous result
    /// to continue (the pre- and post-inversion are done here, as zlib's crc32 does).
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        foreach (byte b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }
}
