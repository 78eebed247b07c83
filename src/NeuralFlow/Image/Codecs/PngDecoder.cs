using System.Buffers.Binary;
using System.IO.Compression;
using NeuralFlow.IO;

namespace NeuralFlow.Image.Codecs;

/// <summary>
/// PNG (ISO/IEC 15948) to <see cref="DecodedImage"/>: every colour type and bit depth, palettes and
/// tRNS, Adam7 interlacing, the five row filters; every chunk's CRC and the zlib stream's Adler-32 are
/// checked. Low bit depths are scaled to 8 bits (1-bit 0/255, 2-bit x85, 4-bit x17) as libpng's
/// expand_gray_1_2_4_to_8; palettes become RGB, or RGBA when there is a tRNS chunk.
/// </summary>
internal static class PngDecoder
{
    private const string Format = "PNG";
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    // Adam7: each pass's first row and column and its steps.
    private static readonly int[] PassRow = [0, 0, 4, 0, 2, 0, 1], PassColumn = [0, 4, 0, 2, 0, 1, 0];
    private static readonly int[] RowStep = [8, 8, 8, 4, 4, 2, 2], ColumnStep = [8, 8, 4, 4, 2, 2, 1];

    /// <summary>Whether <paramref name="data"/> starts with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    private sealed class Header
    {
        public int Width, Height, BitDepth, ColorType;
        public bool Interlaced;
        public byte[]? Palette;
        public byte[]? Transparency;
        public int SamplesPerPixel => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        public int BitsPerPixel => SamplesPerPixel * BitDepth;
    }

    public static DecodedImage Decode(byte[] data)
    {
        if (!IsPng(data)) throw ImageLimits.Invalid(Format, "the data does not start with the PNG signature");
        var header = new Header();
        var idat = new MemoryStream();
        bool seenHeader = false, seenEnd = false, seenData = false;
        int position = Signature.Length;
        while (!seenEnd)
        {
            if (data.Length - position < 12) throw ImageLimits.Invalid(Format, seenHeader ? "the file is truncated (no IEND chunk)" : "the file is truncated before its IHDR chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            var type = data.AsSpan(position + 4, 4);
            string name = ChunkName(type);
            if (length > int.MaxValue || length > data.Length - position - 12)
                throw ImageLimits.Invalid(Format, $"chunk {name} claims {length} bytes but only {data.Length - position - 12} remain (truncated file)");
            var body = data.AsSpan(position + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position + 8 + (int)length));
            position += 12 + (int)length;
            if (Crc32.Append(0, data.AsSpan(position - 8 - (int)length, (int)length + 4)) != stored)
            {
                // As libpng: a critical chunk that fails its CRC is an error, an ancillary one is dropped.
                if ((type[0] & 0x20) != 0) continue;
                throw ImageLimits.Invalid(Format, $"chunk {name} fails its CRC check (the file is corrupt)");
            }
            if (!seenHeader && name != "IHDR") throw ImageLimits.Invalid(Format, $"the first chunk is {name}, not IHDR");
            switch (name)
            {
                case "IHDR":
                    if (seenHeader) throw ImageLimits.Invalid(Format, "it has two IHDR chunks");
                    ReadHeader(header, body);
                    seenHeader = true;
                    break;
                case "PLTE":
                    if (body.Length % 3 != 0 || body.Length == 0 || body.Length / 3 > 256)
                        throw ImageLimits.Invalid(Format, $"its PLTE chunk has {body.Length} bytes, not 3 per entry for 1 to 256 entries");
                    header.Palette = body.ToArray();
                    break;
                case "tRNS":
                    header.Transparency = body.ToArray();
                    break;
                case "IDAT":
                    idat.Write(body);
                    seenData = true;
                    break;
                case "IEND":
                    seenEnd = true;
                    break;
                default:
                    // Bit 5 of the first letter clear marks a critical chunk a decoder must understand.
                    if ((type[0] & 0x20) == 0) throw ImageLimits.Invalid(Format, $"it has an unknown critical chunk {name}");
                    break;
            }
        }
        if (!seenData) throw ImageLimits.Invalid(Format, "it has no IDAT (image data) chunk");
        if (header.ColorType == 3 && header.Palette is null) throw ImageLimits.Invalid(Format, "a palette image has no PLTE chunk");
        CheckTransparency(header);
        var raw = Inflate(header, idat);
        return ToImage(header, raw);
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++) chars[i] = type[i] is >= (byte)'A' and <= (byte)'z' ? (char)type[i] : '?';
        return new string(chars);
    }

    private static void ReadHeader(Header h, ReadOnlySpan<byte> body)
    {
        if (body.Length != 13) throw ImageLimits.Invalid(Format, $"its IHDR chunk has {body.Length} bytes, not 13");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(body), height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        h.BitDepth = body[8];
        h.ColorType = body[9];
        bool valid = h.ColorType switch
        {
            0 => h.BitDepth is 1 or 2 or 4 or 8 or 16,
            3 => h.BitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => h.BitDepth is 8 or 16,
            _ => false,
        };
        if (!valid) throw ImageLimits.Invalid(Format, $"colour type {h.ColorType} with bit depth {h.BitDepth} is not a valid combination");
        if (body[10] != 0) throw ImageLimits.Invalid(Format, $"compression method {body[10]} is unknown (only 0, deflate)");
        if (body[11] != 0) throw ImageLimits.Invalid(Format, $"filter method {body[11]} is unknown (only 0)");
        if (body[12] > 1) throw ImageLimits.Invalid(Format, $"interlace method {body[12]} is unknown (0 or 1, Adam7)");
        h.Interlaced = body[12] == 1;
        ImageLimits.CheckSize(Format, width, height, 4);
        h.Width = (int)width;
        h.Height = (int)height;
    }

    private static void CheckTransparency(Header h)
    {
        if (h.Transparency is not { } t) return;
        int expected = h.ColorType switch { 0 => 2, 2 => 6, _ => -1 };
        if (h.ColorType == 3)
        {
            if (t.Length > h.Palette!.Length / 3) throw ImageLimits.Invalid(Format, $"its tRNS chunk has {t.Length} entries for a palette of {h.Palette.Length / 3}");
        }
        else if (expected < 0) throw ImageLimits.Invalid(Format, $"a tRNS chunk is not allowed with colour type {h.ColorType} (it has an alpha channel)");
        else if (t.Length != expected) throw ImageLimits.Invalid(Format, $"its tRNS chunk has {t.Length} bytes, not {expected}");
    }

    private static (int Width, int Height) PassSize(Header h, int pass) => h.Interlaced
        ? ((h.Width - PassColumn[pass] + ColumnStep[pass] - 1) / ColumnStep[pass], (h.Height - PassRow[pass] + RowStep[pass] - 1) / RowStep[pass])
        : (h.Width, h.Height);

    private static long RowBytes(Header h, int width) => ((long)width * h.BitsPerPixel + 7) / 8;

    // The filtered scanlines of every pass, exactly as many bytes as the header implies.
    private static byte[] Inflate(Header h, MemoryStream idat)
    {
        long expected = 0;
        for (int pass = 0; pass < (h.Interlaced ? 7 : 1); pass++)
        {
            var (w, rows) = PassSize(h, pass);
            if (w > 0 && rows > 0) expected += rows * (1 + RowBytes(h, w));
        }
        // Deflate expands at most 1032:1, so a longer claim is a lie of the header: refuse it before allocating.
        long compressed = idat.Length;
        if (expected > 1032 * compressed + 1024)
            throw ImageLimits.Invalid(Format, $"{h.Width} x {h.Height} pixels need {expected} bytes of image data, more than {compressed} compressed bytes can hold (truncated or forged file)");
        if (expected > int.MaxValue) throw ImageLimits.Invalid(Format, $"{expected} bytes of image data do not fit one array");
        var raw = new byte[expected];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int read = 0;
            while (read < raw.Length)
            {
                int n = z.Read(raw, read, raw.Length - read);
                if (n == 0) throw ImageLimits.Invalid(Format, $"the image data ends after {read} of {expected} bytes (truncated file)");
                read += n;
            }
            // Reading on to the end of the zlib stream makes it check the Adler-32; extra data is
            // ignored, as libpng warns and goes on.
            Span<byte> rest = stackalloc byte[256];
            while (z.Read(rest) > 0) { }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("Invalid PNG", StringComparison.Ordinal))
        {
            throw ImageLimits.Invalid(Format, $"its zlib image data is corrupt ({e.Message})");
        }
        return raw;
    }

    private static DecodedImage ToImage(Header h, byte[] raw)
    {
        int spp = h.SamplesPerPixel;
        bool palette = h.ColorType == 3;
        int channels = palette ? (h.Transparency is null ? 3 : 4) : spp;
        bool keyed = !palette && h.Transparency is not null; // gray or RGB with a colour key
        if (keyed) channels++;
        int bitDepth = h.BitDepth == 16 ? 16 : 8;
        var samples = new ushort[(long)h.Width * h.Height * channels];
        int bytesPerPixel = Math.Max(1, h.BitsPerPixel / 8);
        int offset = 0;
        var rowSamples = new ushort[h.Width * spp];
        for (int pass = 0; pass < (h.Interlaced ? 7 : 1); pass++)
        {
            var (w, rows) = PassSize(h, pass);
            if (w == 0 || rows == 0) continue;
            int rowBytes = (int)RowBytes(h, w);
            var previous = new byte[rowBytes];
            var current = new byte[rowBytes];
            for (int r = 0; r < rows; r++)
            {
                byte filter = raw[offset];
                raw.AsSpan(offset + 1, rowBytes).CopyTo(current);
                offset += 1 + rowBytes;
                Unfilter(filter, current, previous, bytesPerPixel);
                Unpack(h, current, w, rowSamples);
                int y = h.Interlaced ? PassRow[pass] + r * RowStep[pass] : r;
                for (int i = 0; i < w; i++)
                {
                    int x = h.Interlaced ? PassColumn[pass] + i * ColumnStep[pass] : i;
                    Store(h, rowSamples.AsSpan(i * spp, spp), samples.AsSpan((int)(((long)y * h.Width + x) * channels), channels), keyed);
                }
                (previous, current) = (current, previous);
            }
        }
        return new DecodedImage(h.Width, h.Height, channels, bitDepth, samples, keyed ? channels - 1 : 0);
    }

    private static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> above, int bpp)
    {
        if (filter > 4) throw ImageLimits.Invalid(Format, $"a row has filter type {filter} (only 0 to 4 exist)");
        for (int i = 0; i < row.Length; i++)
            row[i] += PngFilters.Predict(filter, i >= bpp ? row[i - bpp] : 0, above[i], i >= bpp ? above[i - bpp] : 0);
    }

    // One unfiltered row as samples: 16-bit big-endian pairs, 8-bit bytes, or packed 1/2/4-bit values
    // (left-most pixel in the high bits).
    private static void Unpack(Header h, ReadOnlySpan<byte> row, int width, Span<ushort> samples)
    {
        int count = width * h.SamplesPerPixel;
        switch (h.BitDepth)
        {
            case 16: for (int i = 0; i < count; i++) samples[i] = (ushort)(row[2 * i] << 8 | row[2 * i + 1]); break;
            case 8: for (int i = 0; i < count; i++) samples[i] = row[i]; break;
            default:
                int bits = h.BitDepth, perByte = 8 / bits, mask = (1 << bits) - 1;
                for (int i = 0; i < count; i++)
                    samples[i] = (ushort)((row[i / perByte] >> (8 - bits * (i % perByte + 1))) & mask);
                break;
        }
    }

    // One pixel's stored samples into the output: palette looked up, low depths scaled to 8 bits,
    // a colour key (tRNS) turned into alpha 0 or the maximum.
    private static void Store(Header h, ReadOnlySpan<ushort> stored, Span<ushort> output, bool keyed)
    {
        if (h.ColorType == 3)
        {
            // An index past the palette's end reads as black, as libpng (which pads the palette with zeros) does.
            int index = stored[0];
            bool inside = index * 3 < h.Palette!.Length;
            output[0] = inside ? h.Palette[3 * index] : (ushort)0;
            output[1] = inside ? h.Palette[3 * index + 1] : (ushort)0;
            output[2] = inside ? h.Palette[3 * index + 2] : (ushort)0;
            if (output.Length == 4) output[3] = index < h.Transparency!.Length ? h.Transparency[index] : (ushort)255;
            return;
        }
        int scale = h.BitDepth switch { 1 => 255, 2 => 85, 4 => 17, _ => 1 };
        for (int i = 0; i < stored.Length; i++) output[i] = (ushort)(stored[i] * scale);
        if (keyed)
        {
            var t = h.Transparency!;
            bool match = true;
            for (int i = 0; i < stored.Length; i++)
                match &= stored[i] == (ushort)(t[2 * i] << 8 | t[2 * i + 1]);
            output[stored.Length] = match ? (ushort)0 : (ushort)(h.BitDepth == 16 ? 65535 : 255);
        }
    }
}
