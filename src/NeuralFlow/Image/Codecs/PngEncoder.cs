using System.Buffers.Binary;
using System.IO.Compression;

namespace NeuralFlow.Image.Codecs;

/// <summary>
/// Writes 8-bit PNG files (what <see cref="NF.Image.EncodePng"/> and <c>Utils.SaveImg</c> need):
/// IHDR, one zlib-compressed IDAT of unfiltered rows, IEND, each chunk with its CRC-32.
/// </summary>
internal static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The PNG of <paramref name="pixels"/>: rows of <paramref name="width"/> pixels of <paramref name="channels"/> bytes (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int height, int width, int channels, CompressionLevel level)
    {
        byte colourType = channels switch { 1 => 0, 2 => 4, 3 => 2, 4 => 6, _ => throw new ArgumentOutOfRangeException(nameof(channels)) };
        using var png = new MemoryStream();
        png.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;            // bits per sample
        header[9] = colourType;   // compression, filter and interlace methods stay 0
        Chunk(png, "IHDR"u8, header);
        using (var idat = new MemoryStream())
        {
            using (var z = new ZLibStream(idat, level, leaveOpen: true))
            {
                int row = width * channels;
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0); // filter type None
                    z.Write(pixels.Slice(y * row, row));
                }
            }
            Chunk(png, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        }
        Chunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(type);
        png.Write(data);
        uint crc = IO.Crc32.Append(IO.Crc32.Append(0, type), data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        png.Write(word);
    }
}
