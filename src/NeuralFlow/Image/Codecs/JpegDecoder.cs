using System.Buffers.Binary;

namespace NeuralFlow.Image.Codecs;

/// <summary>
/// JPEG (ITU T.81, JFIF) to <see cref="DecodedImage"/>: baseline, extended and progressive Huffman
/// coding, 8-bit, grayscale or 3 components (YCbCr, or RGB by Adobe's transform flag or the
/// components' ids), any integral sampling factors, restart intervals; APPn/COM segments skipped.
/// Pixels follow libjpeg-turbo's default decode (see <see cref="JpegIdct"/> and <see cref="JpegPixels"/>).
/// Arithmetic coding, lossless and hierarchical modes, 12-bit samples and CMYK are refused with a
/// <see cref="NotSupportedException"/>.
/// </summary>
internal static class JpegDecoder
{
    private const string Format = "JPEG";

    /// <summary>The most scans a file may have (libjpeg-turbo's own guard against scan floods is 500).</summary>
    public const int MaxScans = 500;

    /// <summary>Whether <paramref name="data"/> starts with a JPEG SOI marker.</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> data) => data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    /// <summary>Decodes to gray (1 channel) or RGB (3); <paramref name="gray"/> asks for libjpeg's grayscale output of a colour file.</summary>
    public static DecodedImage Decode(byte[] data, bool gray)
    {
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8) throw ImageLimits.Invalid(Format, "the data does not start with an SOI marker (FF D8)");
        var frame = new JpegFrame();
        bool seenFrame = false;
        int scans = 0;
        int position = 2;
        while (true)
        {
            position = JpegBitReader.NextMarker(data, position);
            if (position + 1 >= data.Length) throw ImageLimits.Invalid(Format, "the file ends before its EOI marker (truncated file)");
            int marker = data[position + 1];
            position += 2;
            if (marker == 0xD9) break; // EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue; // stray RSTn or TEM: no length
            if (data.Length - position < 2) throw ImageLimits.Invalid(Format, $"marker FF {marker:X2} is cut off (truncated file)");
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position));
            if (length < 2 || length > data.Length - position) throw ImageLimits.Invalid(Format, $"segment FF {marker:X2} claims {length} bytes but {data.Length - position} remain (truncated file)");
            var body = data.AsSpan(position + 2, length - 2);
            int next = position + length;
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    if (seenFrame) throw ImageLimits.Invalid(Format, "it has two frame (SOF) headers");
                    ReadFrame(frame, body, progressive: marker == 0xC2);
                    seenFrame = true;
                    break;
                case 0xC3: throw new NotSupportedException("JPEG: lossless JPEG (SOF3) is not supported; only baseline and progressive Huffman JPEGs are.");
                case 0xC5 or 0xC6 or 0xC7: throw new NotSupportedException("JPEG: hierarchical JPEG is not supported; only baseline and progressive Huffman JPEGs are.");
                case 0xC9 or 0xCA or 0xCB or 0xCD or 0xCE or 0xCF or 0xCC:
                    throw new NotSupportedException("JPEG: arithmetic-coded JPEG is not supported; only baseline and progressive Huffman JPEGs are.");
                case 0xC4: ReadHuffman(frame, body); break;
                case 0xDB: ReadQuant(frame, body); break;
                case 0xDD:
                    if (body.Length < 2) throw ImageLimits.Invalid(Format, "its DRI segment is too short");
                    frame.RestartInterval = BinaryPrimitives.ReadUInt16BigEndian(body);
                    break;
                case 0xE0:
                    if (body.StartsWith("JFIF\0"u8)) frame.Jfif = true;
                    break;
                case 0xEE:
                    if (body.Length >= 12 && body.StartsWith("Adobe"u8)) frame.AdobeTransform = body[11];
                    break;
                case 0xDA:
                    if (!seenFrame) throw ImageLimits.Invalid(Format, "a scan (SOS) comes before the frame header (SOF)");
                    if (++scans > MaxScans) throw ImageLimits.Invalid(Format, $"it has more than {MaxScans} scans");
                    next = ReadScan(frame, body, data, next);
                    break;
                default:
                    if (marker is (>= 0xE1 and <= 0xEF) or 0xFE or 0xDC or 0xDE or 0xDF or (>= 0xF0 and <= 0xFD)) break; // APPn, COM, DNL, ...: skipped
                    throw ImageLimits.Invalid(Format, $"it has an unknown marker FF {marker:X2}");
            }
            position = next;
        }
        if (!seenFrame) throw ImageLimits.Invalid(Format, "it has no frame header (SOF)");
        foreach (var c in frame.Components)
            if (c.Coefficients is null) throw ImageLimits.Invalid(Format, $"component {c.Id} has no scan data");
        return JpegPixels.Render(frame, gray);
    }

    private static void ReadFrame(JpegFrame f, ReadOnlySpan<byte> body, bool progressive)
    {
        if (body.Length < 6) throw ImageLimits.Invalid(Format, "its frame header (SOF) is too short");
        if (body[0] != 8) throw new NotSupportedException($"JPEG: {body[0]}-bit samples are not supported; only 8-bit JPEGs are.");
        f.Height = BinaryPrimitives.ReadUInt16BigEndian(body[1..]);
        f.Width = BinaryPrimitives.ReadUInt16BigEndian(body[3..]);
        int n = body[5];
        if (n == 4) throw new NotSupportedException("JPEG: 4-component (CMYK/YCCK) JPEGs are not supported; only grayscale and 3-component (YCbCr/RGB) ones are.");
        if (n is not (1 or 3)) throw ImageLimits.Invalid(Format, $"the frame has {n} components (1 or 3 are supported)");
        if (body.Length < 6 + 3 * n) throw ImageLimits.Invalid(Format, "its frame header (SOF) is too short for its components");
        if (f.Height == 0) throw new NotSupportedException("JPEG: a height given later by a DNL marker is not supported.");
        ImageLimits.CheckSize(Format, f.Width, f.Height, 3);
        f.Progressive = progressive;
        f.Components = new JpegComponent[n];
        for (int i = 0; i < n; i++)
        {
            var b = body.Slice(6 + 3 * i, 3);
            int h = b[1] >> 4, v = b[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4) throw ImageLimits.Invalid(Format, $"component {b[0]} has sampling factors {h}x{v} (1 to 4 each)");
            if (b[2] > 3) throw ImageLimits.Invalid(Format, $"component {b[0]} uses quantization table {b[2]} (0 to 3)");
            f.Components[i] = new JpegComponent { Id = b[0], H = h, V = v, QuantTable = b[2] };
        }
        f.MaxH = f.Components.Max(c => c.H);
        f.MaxV = f.Components.Max(c => c.V);
        foreach (var c in f.Components)
        {
            if (f.MaxH % c.H != 0 || f.MaxV % c.V != 0)
                throw new NotSupportedException($"JPEG: fractional sampling factors ({c.H}x{c.V} against {f.MaxH}x{f.MaxV}) are not supported (nor by libjpeg).");
            c.Width = (int)(((long)f.Width * c.H + f.MaxH - 1) / f.MaxH);
            c.Height = (int)(((long)f.Height * c.V + f.MaxV - 1) / f.MaxV);
        }
        f.McusPerLine = (f.Width + 8 * f.MaxH - 1) / (8 * f.MaxH);
        f.McusPerColumn = (f.Height + 8 * f.MaxV - 1) / (8 * f.MaxV);
        foreach (var c in f.Components)
        {
            // A single-component frame is coded block by block, whatever its sampling factors say.
            c.BlocksPerLine = n == 1 ? (c.Width + 7) / 8 : f.McusPerLine * c.H;
            c.BlocksPerColumn = n == 1 ? (c.Height + 7) / 8 : f.McusPerColumn * c.V;
        }
    }

    private static void ReadHuffman(JpegFrame f, ReadOnlySpan<byte> body)
    {
        while (body.Length > 0)
        {
            if (body.Length < 17) throw ImageLimits.Invalid(Format, "a Huffman table (DHT) is cut off");
            int kind = body[0] >> 4, id = body[0] & 15;
            if (kind > 1 || id > 3) throw ImageLimits.Invalid(Format, $"a Huffman table has class {kind} and id {id} (0-1 and 0-3)");
            var counts = body.Slice(1, 16);
            int total = 0;
            foreach (byte c in counts) total += c;
            if (total > 256 || body.Length < 17 + total) throw ImageLimits.Invalid(Format, $"a Huffman table claims {total} symbols (at most 256, all present)");
            var table = new JpegHuffman(counts, body.Slice(17, total));
            (kind == 0 ? f.DcTables : f.AcTables)[id] = table;
            body = body[(17 + total)..];
        }
    }

    private static void ReadQuant(JpegFrame f, ReadOnlySpan<byte> body)
    {
        while (body.Length > 0)
        {
            int precision = body[0] >> 4, id = body[0] & 15;
            if (precision > 1 || id > 3) throw ImageLimits.Invalid(Format, $"a quantization table has precision {precision} and id {id} (0-1 and 0-3)");
            int size = 1 + 64 * (precision + 1);
            if (body.Length < size) throw ImageLimits.Invalid(Format, "a quantization table (DQT) is cut off");
            var table = new ushort[64];
            for (int k = 0; k < 64; k++)
                table[JpegFrame.NaturalOrder[k]] = precision == 0 ? body[1 + k] : BinaryPrimitives.ReadUInt16BigEndian(body[(1 + 2 * k)..]);
            f.Quant[id] = table;
            body = body[size..];
        }
    }

    // The scan header, then its data; returns the position of the marker after the data.
    private static int ReadScan(JpegFrame f, ReadOnlySpan<byte> body, byte[] data, int position)
    {
        if (body.Length < 1) throw ImageLimits.Invalid(Format, "its scan header (SOS) is empty");
        int n = body[0];
        if (n < 1 || n > f.Components.Length || body.Length < 4 + 2 * n) throw ImageLimits.Invalid(Format, $"a scan header names {n} components for a frame of {f.Components.Length}");
        var components = new JpegComponent[n];
        for (int i = 0; i < n; i++)
        {
            int id = body[1 + 2 * i];
            var c = f.Components.FirstOrDefault(x => x.Id == id) ?? throw ImageLimits.Invalid(Format, $"a scan names component {id}, which the frame does not have");
            if (components.Contains(c)) throw ImageLimits.Invalid(Format, $"a scan names component {id} twice");
            c.DcTable = body[2 + 2 * i] >> 4;
            c.AcTable = body[2 + 2 * i] & 15;
            if (c.DcTable > 3 || c.AcTable > 3) throw ImageLimits.Invalid(Format, $"component {id} uses Huffman table {c.DcTable}/{c.AcTable} (0 to 3)");
            components[i] = c;
        }
        int start = body[1 + 2 * n], end = body[2 + 2 * n], high = body[3 + 2 * n] >> 4, low = body[3 + 2 * n] & 15;
        CheckSpectralSelection(f, components, start, end, high, low);
        if (n > 1 && components.Sum(c => c.H * c.V) > 10) throw ImageLimits.Invalid(Format, "an MCU of the scan has more than 10 blocks");
        foreach (var c in components)
        {
            if (f.Quant[c.QuantTable] is null) throw ImageLimits.Invalid(Format, $"component {c.Id} uses quantization table {c.QuantTable}, which is not defined");
            bool needsDc = !f.Progressive || start == 0, needsAc = !f.Progressive || start > 0;
            if (needsDc && f.DcTables[c.DcTable] is null && !(f.Progressive && high > 0)) throw ImageLimits.Invalid(Format, $"component {c.Id} uses DC Huffman table {c.DcTable}, which is not defined");
            if (needsAc && f.AcTables[c.AcTable] is null) throw ImageLimits.Invalid(Format, $"component {c.Id} uses AC Huffman table {c.AcTable}, which is not defined");
        }
        Allocate(f, components, data.Length - position);
        return new JpegScan(f, components, start, end, high, low).Decode(data, position);
    }

    private static void CheckSpectralSelection(JpegFrame f, JpegComponent[] components, int start, int end, int high, int low)
    {
        if (!f.Progressive)
        {
            // libjpeg ignores these fields in a sequential scan; so do we.
            return;
        }
        bool valid = start <= end && end <= 63 && (start > 0 || end == 0) && (start == 0 || components.Length == 1) && low <= 13 && (high == 0 || high == low + 1);
        if (!valid) throw ImageLimits.Invalid(Format, $"a progressive scan has spectral selection {start}..{end} and approximation {high}/{low}, which T.81 does not allow");
        if (start > 0 && !components[0].HasDc) throw ImageLimits.Invalid(Format, $"an AC scan of component {components[0].Id} comes before its DC scan");
        if (start == 0) foreach (var c in components) c.HasDc = true;
    }

    // Coefficient arrays are allocated when a scan first reaches a component; every block of a scan
    // takes at least one bit, so a scan over more blocks than its bytes can code is a forged header.
    private static void Allocate(JpegFrame f, JpegComponent[] components, long bytesLeft)
    {
        long blocks = components.Length == 1
            ? (long)((components[0].Width + 7) / 8) * ((components[0].Height + 7) / 8)
            : (long)f.McusPerLine * f.McusPerColumn * components.Sum(c => c.H * c.V);
        bool fresh = components.Any(c => c.Coefficients is null);
        if (fresh && blocks > 8 * bytesLeft + 64)
            throw ImageLimits.Invalid(Format, $"{f.Width} x {f.Height} pixels need {blocks} blocks in a scan, more than its {bytesLeft} bytes can code (truncated or forged file)");
        foreach (var c in components)
            c.Coefficients ??= new short[checked((long)c.BlocksPerLine * c.BlocksPerColumn * 64)];
    }
}
