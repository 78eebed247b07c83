using System.Buffers.Binary;
using System.IO.Compression;
using NeuralFlow.IO;

namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>Hand-made PNG files for the error tests: chunks with correct CRCs around whatever a test forges.</summary>
public static class PngBytes
{
    public static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>One chunk: length, type, body and the CRC of type and body.</summary>
    public static byte[] Chunk(string type, byte[] body)
    {
        var chunk = new byte[12 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)body.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        body.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + body.Length), Crc32.Append(0, chunk.AsSpan(4, 4 + body.Length)));
        return chunk;
    }

    /// <summary>An IHDR body.</summary>
    public static byte[] Header(uint width, uint height, byte depth, byte colorType, byte interlace = 0)
    {
        var b = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(b, width);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), height);
        b[8] = depth; b[9] = colorType; b[12] = interlace;
        return b;
    }

    /// <summary>zlib-compressed <paramref name="raw"/>.</summary>
    public static byte[] Zlib(byte[] raw)
    {
        var m = new MemoryStream();
        using (var z = new ZLibStream(m, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return m.ToArray();
    }

    /// <summary>A whole file: signature, IHDR, the given IDAT payload (already compressed), IEND.</summary>
    public static byte[] File(byte[] header, byte[] idat) =>
        [.. Signature, .. Chunk("IHDR", header), .. Chunk("IDAT", idat), .. Chunk("IEND", [])];
}
