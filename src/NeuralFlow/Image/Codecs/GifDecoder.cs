using System.Buffers.Binary;

namespace NeuralFlow.Image.Codecs;

/// <summary>
/// GIF87a/89a to RGB frames on the logical screen, as TensorFlow's decode_gif composes them: each
/// frame starts as a copy of the previous one (black for the first), and the frame's rectangle is
/// painted from its colour table, except where a pixel has the graphic-control block's transparent
/// index (the previous frame shows through). TF applies no other disposal method, nor does this.
/// Interlaced frames are reordered; LZW codes are checked as they are read.
/// </summary>
internal static class GifDecoder
{
    private const string Format = "GIF";

    /// <summary>Whether <paramref name="data"/> starts with "GIF87a" or "GIF89a".</summary>
    public static bool IsGif(ReadOnlySpan<byte> data) => data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8);

    /// <summary>The frames, [count][height * width * 3], and the screen size.</summary>
    public static (List<byte[]> Frames, int Width, int Height) Decode(byte[] data, bool firstOnly)
    {
        if (!IsGif(data)) throw ImageLimits.Invalid(Format, "the data does not start with GIF87a or GIF89a");
        var r = new Reader(data, 6);
        int width = r.U16(), height = r.U16(), flags = r.Byte();
        r.Skip(2); // background colour index and aspect ratio: TF ignores both
        ImageLimits.CheckSize(Format, width, height, 3);
        byte[]? global = (flags & 0x80) != 0 ? r.Bytes(3 << ((flags & 7) + 1)) : null;
        var frames = new List<byte[]>();
        int transparent = -1;
        long framePixels = (long)width * height;
        while (true)
        {
            int block = r.Byte();
            if (block == 0x3B) break; // trailer
            if (block == 0x21)
            {
                int label = r.Byte();
                var first = r.SubBlock();
                if (label == 0xF9 && first.Length >= 4) transparent = (first[0] & 1) != 0 ? first[3] : -1;
                while (r.SubBlock().Length > 0) { }
                continue;
            }
            if (block != 0x2C) throw ImageLimits.Invalid(Format, $"block type 0x{block:X2} is unknown (0x21 extension, 0x2C image, 0x3B trailer)");
            int left = r.U16(), top = r.U16(), w = r.U16(), h = r.U16(), imageFlags = r.Byte();
            byte[]? local = (imageFlags & 0x80) != 0 ? r.Bytes(3 << ((imageFlags & 7) + 1)) : null;
            var colours = local ?? global ?? throw ImageLimits.Invalid(Format, "a frame has no colour table (neither local nor global)");
            if (left + w > width || top + h > height)
                throw ImageLimits.Invalid(Format, $"frame {frames.Count} ({w} x {h} at {left}, {top}) lies outside the {width} x {height} screen");
            // Every frame is a whole screen: refuse a flood of them before it is allocated. Beyond 2^22
            // pixels, the output may be at most 4096 pixels per byte of the file (a real GIF's frames
            // cost far more bytes), so a few forged bytes cannot ask for gigabytes.
            long total = (frames.Count + 1) * framePixels;
            if (total > ImageLimits.MaxPixels)
                throw ImageLimits.Invalid(Format, $"{frames.Count + 1} frames of {width} x {height} are more than the {ImageLimits.MaxPixels} (2^28) pixels a decoded image may have");
            if (total > Math.Max(1L << 22, 4096L * data.Length))
                throw ImageLimits.Invalid(Format, $"{frames.Count + 1} frames of {width} x {height} pixels are more than a {data.Length}-byte file can plausibly hold (forged screen size)");
            var indices = Lzw(r, w * h);
            if ((imageFlags & 0x40) != 0) indices = Deinterlace(indices, w, h);
            var canvas = frames.Count > 0 ? (byte[])frames[^1].Clone() : new byte[framePixels * 3];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int index = indices[y * w + x];
                    if (index == transparent) continue;
                    if (3 * index + 2 >= colours.Length) throw ImageLimits.Invalid(Format, $"frame {frames.Count} uses colour {index}, outside its {colours.Length / 3}-entry colour table");
                    long at = 3 * ((long)(top + y) * width + left + x);
                    canvas[at] = colours[3 * index];
                    canvas[at + 1] = colours[3 * index + 1];
                    canvas[at + 2] = colours[3 * index + 2];
                }
            frames.Add(canvas);
            transparent = -1; // a graphic-control block applies to the one frame after it
            if (firstOnly) break;
        }
        if (frames.Count == 0) throw ImageLimits.Invalid(Format, "the file has no frames");
        return (frames, width, height);
    }

    // Interlaced rows come in four passes: every 8th from 0, every 8th from 4, every 4th from 2, every 2nd from 1.
    private static byte[] Deinterlace(byte[] indices, int w, int h)
    {
        var output = new byte[indices.Length];
        int source = 0;
        foreach (var (start, step) in new[] { (0, 8), (4, 8), (2, 4), (1, 2) })
            for (int y = start; y < h; y += step, source++)
                Array.Copy(indices, source * w, output, y * w, w);
        return output;
    }

    // The LZW-coded colour indices of one frame (exactly count of them).
    private static byte[] Lzw(Reader r, int count)
    {
        int minimum = r.Byte();
        if (minimum is < 1 or > 11) throw ImageLimits.Invalid(Format, $"a frame's LZW minimum code size is {minimum} (2 to 8, at most 11)");
        var output = new byte[count];
        var prefix = new short[4096];
        var suffix = new byte[4096];
        var stack = new byte[4097];
        int clear = 1 << minimum, end = clear + 1;
        int size = minimum + 1, next = end + 1, previous = -1, written = 0;
        byte firstOfPrevious = 0;
        int bits = 0, buffered = 0;
        var block = r.SubBlock();
        int blockAt = 0;
        bool ended = false;
        while (!ended)
        {
            while (buffered < size)
            {
                if (blockAt == block.Length)
                {
                    block = r.SubBlock();
                    blockAt = 0;
                    if (block.Length == 0) { ended = true; break; }
                }
                bits |= block[blockAt++] << buffered;
                buffered += 8;
            }
            if (ended) break;
            int code = bits & ((1 << size) - 1);
            bits >>= size;
            buffered -= size;
            if (code == clear) { size = minimum + 1; next = end + 1; previous = -1; continue; }
            if (code == end) break;
            if (written == count) continue; // more data than pixels: ignored, as giflib does
            int depth = 0, current = code;
            if (previous < 0)
            {
                if (code >= clear) throw ImageLimits.Invalid(Format, $"LZW code {code} comes before any string (corrupt data)");
            }
            else if (code > next || (code == next && next >= 4096)) throw ImageLimits.Invalid(Format, $"LZW code {code} is not yet defined (corrupt data)");
            if (previous >= 0 && code == next)
            {
                stack[depth++] = firstOfPrevious;
                current = previous;
            }
            while (current > end) { stack[depth++] = suffix[current]; current = prefix[current]; }
            stack[depth++] = (byte)current;
            byte first = (byte)current;
            while (depth > 0 && written < count) output[written++] = stack[--depth];
            if (previous >= 0 && next < 4096)
            {
                prefix[next] = (short)previous;
                suffix[next] = first;
                next++;
                if (next == 1 << size && size < 12) size++;
            }
            previous = code;
            firstOfPrevious = first;
        }
        if (!ended) while (r.SubBlock().Length > 0) { } // the blocks after the end code
        if (written < count) throw ImageLimits.Invalid(Format, $"a frame's data ends after {written} of its {count} pixels (truncated or corrupt file)");
        return output;
    }

    private sealed class Reader(byte[] data, int position)
    {
        private int _position = position;

        private void Need(int n)
        {
            if (data.Length - _position < n) throw ImageLimits.Invalid(Format, "the file ends early (truncated file)");
        }

        public int Byte() { Need(1); return data[_position++]; }
        public int U16() { Need(2); int v = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(_position)); _position += 2; return v; }
        public void Skip(int n) { Need(n); _position += n; }
        public byte[] Bytes(int n) { Need(n); var b = data.AsSpan(_position, n).ToArray(); _position += n; return b; }

        /// <summary>One data sub-block (a length byte, then that many bytes); empty for the terminator.</summary>
        public byte[] SubBlock() => Bytes(Byte());
    }
}
