using System.Buffers.Binary;
using System.IO.Compression;
using NeuralFlow.IO;

namespace NeuralFlow.Image.Codecs;

/// <summary>
/// 8-bit PNGs (gray, gray+alpha, RGB, RGBA) from interleaved samples: each row takes the filter with
/// the smallest sum of absolute (signed) residuals, libpng's heuristic, then zlib at the asked level.
/// </summary>
internal static class PngEncoder
{
    public static byte[] Encode(ReadOnlySpan<byte> samples, int width, int height, int channels, int compression)
    {
        var raw = new byte[(long)height * (1 + width * channels)];
        int rowBytes = width * channels;
        var above = new byte[rowBytes];
        var candidate = new byte[rowBytes];
        for (int y = 0; y < height; y++)
        {
            var row = samples.Slice(y * rowBytes, rowBytes);
            long best = long.MaxValue;
            int at = y * (1 + rowBytes);
            for (int filter = 0; filter <= 4; filter++)
            {
                long cost = 0;
                for (int i = 0; i < rowBytes; i++)
                {
                    candidate[i] = (byte)(row[i] - PngFilters.Predict(filter, i >= channels ? row[i - channels] : 0, above[i], i >= channels ? above[i - channels] : 0));
                    cost += Math.Abs((int)(sbyte)candidate[i]);
                }
                if (cost < best)
                {
                    best = cost;
                    raw[at] = (byte)filter;
                    candidate.CopyTo(raw, at + 1);
                }
            }
            row.CopyTo(above);
        }
        var output = new MemoryStream();
        output.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        WriteChunk(output, "IHDR"u8, header);
        var z = new MemoryStream();
        using (var zlib = new ZLibStream(z, Level(compression), leaveOpen: true)) zlib.Write(raw);
        WriteChunk(output, "IDAT"u8, z.GetBuffer().AsSpan(0, (int)z.Length));
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    // zlib's 0..9 (-1: its default, 6) onto .NET's levels.
    private static CompressionLevel Level(int compression) => compression switch
    {
        0 => CompressionLevel.NoCompression,
        >= 1 and <= 3 => CompressionLevel.Fastest,
        9 => CompressionLevel.SmallestSize,
        _ => CompressionLevel.Optimal,
    };

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)body.Length);
        output.Write(word);
        output.Write(type);
        output.Write(body);
        uint crc = Crc32.Append(Crc32.Append(0, type), body);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }
}
