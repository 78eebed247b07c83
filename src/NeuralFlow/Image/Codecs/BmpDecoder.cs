using System.Buffers.Binary;

namespace NeuralFlow.Image.Codecs;

/// <summary>
/// Uncompressed Windows BMP to <see cref="DecodedImage"/>: 24-bit (BGR, to RGB), 32-bit (BGRA, to
/// RGBA as TF's decode_bmp keeps the fourth byte as alpha; BI_BITFIELDS only with the standard
/// masks), and 1/4/8-bit palettes (to RGB); bottom-up (positive height) and top-down rows.
/// </summary>
internal static class BmpDecoder
{
    private const string Format = "BMP";

    /// <summary>Whether <paramref name="data"/> starts with "BM".</summary>
    public static bool IsBmp(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 'B' && data[1] == 'M';

    public static DecodedImage Decode(byte[] data)
    {
        if (!IsBmp(data)) throw ImageLimits.Invalid(Format, "the data does not start with \"BM\"");
        if (data.Length < 54) throw ImageLimits.Invalid(Format, $"the file has {data.Length} bytes, less than its 54-byte headers (truncated file)");
        var d = data.AsSpan();
        long pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(d[10..]);
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(d[14..]);
        if (headerSize is not (40 or 52 or 56 or 108 or 124))
            throw new NotSupportedException($"BMP: a {headerSize}-byte info header is not supported (BITMAPINFOHEADER and its V2-V5 successors are).");
        long width = BinaryPrimitives.ReadInt32LittleEndian(d[18..]);
        long rawHeight = BinaryPrimitives.ReadInt32LittleEndian(d[22..]);
        int bpp = BinaryPrimitives.ReadUInt16LittleEndian(d[28..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(d[30..]);
        bool topDown = rawHeight < 0;
        long height = Math.Abs(rawHeight);
        if (bpp is not (1 or 4 or 8 or 24 or 32))
            throw new NotSupportedException($"BMP: {bpp} bits per pixel are not supported (1, 4, 8, 24 and 32 are).");
        CheckCompression(d, compression, bpp, headerSize);
        int channels = bpp == 32 ? 4 : 3;
        ImageLimits.CheckSize(Format, width, height, channels);
        int w = (int)width, h = (int)height;
        byte[]? palette = bpp <= 8 ? ReadPalette(d, headerSize, bpp) : null;
        long rowBytes = ((long)w * bpp + 31) / 32 * 4;
        if (pixelOffset < 14 + headerSize || pixelOffset + rowBytes * h > data.Length)
            throw ImageLimits.Invalid(Format, $"{w} x {h} pixels at {bpp} bits need {rowBytes * h} bytes from offset {pixelOffset}, but the file has {data.Length} (truncated file)");
        var samples = new ushort[(long)w * h * channels];
        for (int y = 0; y < h; y++)
        {
            var row = d.Slice((int)(pixelOffset + rowBytes * (topDown ? y : h - 1 - y)), (int)rowBytes);
            var output = samples.AsSpan(y * w * channels, w * channels);
            for (int x = 0; x < w; x++)
            {
                if (palette is not null)
                {
                    int index = bpp == 8 ? row[x] : (row[x * bpp / 8] >> (8 - bpp - x * bpp % 8)) & ((1 << bpp) - 1);
                    // An index past the palette reads as black, as Pillow pads the palette.
                    bool inside = 4 * index + 2 < palette.Length;
                    output[3 * x] = inside ? palette[4 * index + 2] : (ushort)0;
                    output[3 * x + 1] = inside ? palette[4 * index + 1] : (ushort)0;
                    output[3 * x + 2] = inside ? palette[4 * index] : (ushort)0;
                }
                else
                {
                    int at = x * (bpp / 8);
                    output[channels * x] = row[at + 2];
                    output[channels * x + 1] = row[at + 1];
                    output[channels * x + 2] = row[at];
                    if (channels == 4) output[4 * x + 3] = row[at + 3];
                }
            }
        }
        return new DecodedImage(w, h, channels, 8, samples);
    }

    private static void CheckCompression(ReadOnlySpan<byte> d, uint compression, int bpp, int headerSize)
    {
        if (compression == 0) return;
        if (compression == 3 && bpp == 32)
        {
            // BI_BITFIELDS: the masks follow a 40-byte header, or sit inside the larger ones.
            if (d.Length < 54 + 12) throw ImageLimits.Invalid(Format, "its BI_BITFIELDS masks are cut off");
            uint r = BinaryPrimitives.ReadUInt32LittleEndian(d[54..]), g = BinaryPrimitives.ReadUInt32LittleEndian(d[58..]), b = BinaryPrimitives.ReadUInt32LittleEndian(d[62..]);
            if (r == 0xFF0000 && g == 0xFF00 && b == 0xFF) return;
            throw new NotSupportedException($"BMP: BI_BITFIELDS masks {r:X}/{g:X}/{b:X} are not supported (only the standard BGRA layout).");
        }
        throw new NotSupportedException($"BMP: compression {compression} (RLE or embedded JPEG/PNG) is not supported; only uncompressed BMPs are.");
    }

    private static byte[] ReadPalette(ReadOnlySpan<byte> d, int headerSize, int bpp)
    {
        long used = BinaryPrimitives.ReadUInt32LittleEndian(d[46..]);
        long entries = used == 0 ? 1L << bpp : Math.Min(used, 1L << bpp);
        int at = 14 + headerSize;
        if (at + 4 * entries > d.Length) throw ImageLimits.Invalid(Format, $"its {entries}-entry palette is cut off (truncated file)");
        return d.Slice(at, (int)(4 * entries)).ToArray();
    }
}
