namespace NeuralFlow.Image.Codecs;

/// <summary>
/// A JPEG's coefficients to pixels as libjpeg-turbo's default decompression makes them: the islow
/// IDCT, then each subsampled component brought to full size by its "fancy" upsampling (a triangle
/// filter, 3/4 of the nearer sample and 1/4 of the next, with libjpeg's alternating rounding biases;
/// rows above the top and below the bottom repeat the edge row), or by replication for the factors
/// that have no fancy method, then libjpeg's fixed-point YCbCr to RGB (16-bit tables, rounded).
/// </summary>
internal static class JpegPixels
{
    private const int ScaleBits = 16, Half = 1 << (ScaleBits - 1);
    // FIX(x) = round(x * 2^16) for jdcolor.c's coefficients.
    private const int Fix1_40200 = 91881, Fix1_77200 = 116130, Fix0_71414 = 46802, Fix0_34414 = 22554;
    // jdcolor.c's rgb_gray weights, FIX(0.299), FIX(0.587), FIX(0.114).
    private const int FixR = 19595, FixG = 38470, FixB = 7471;

    public static DecodedImage Render(JpegFrame f, bool gray)
    {
        int w = f.Width, h = f.Height;
        long pixels = (long)w * h;
        var comps = f.Components;
        if (comps.Length == 1 || (gray && !IsRgb(f)))
        {
            // A gray file, or libjpeg's grayscale output of a YCbCr one: the Y plane alone.
            var y = FullSize(f, comps[0]);
            var samples = new ushort[pixels];
            for (long i = 0; i < pixels; i++) samples[i] = y[i];
            return new DecodedImage(w, h, 1, 8, samples);
        }
        var p0 = FullSize(f, comps[0]);
        var p1 = FullSize(f, comps[1]);
        var p2 = FullSize(f, comps[2]);
        if (IsRgb(f))
        {
            if (gray)
            {
                var g = new ushort[pixels];
                for (long i = 0; i < pixels; i++) g[i] = (ushort)((FixR * p0[i] + FixG * p1[i] + FixB * p2[i] + Half) >> ScaleBits);
                return new DecodedImage(w, h, 1, 8, g);
            }
            var rgb = new ushort[pixels * 3];
            for (long i = 0; i < pixels; i++) { rgb[3 * i] = p0[i]; rgb[3 * i + 1] = p1[i]; rgb[3 * i + 2] = p2[i]; }
            return new DecodedImage(w, h, 3, 8, rgb);
        }
        var output = new ushort[pixels * 3];
        for (long i = 0; i < pixels; i++)
        {
            int y = p0[i], cb = p1[i] - 128, cr = p2[i] - 128;
            int r = y + ((Fix1_40200 * cr + Half) >> ScaleBits);
            int g = y + ((-Fix0_34414 * cb + Half - Fix0_71414 * cr) >> ScaleBits);
            int b = y + ((Fix1_77200 * cb + Half) >> ScaleBits);
            output[3 * i] = Clamp(r);
            output[3 * i + 1] = Clamp(g);
            output[3 * i + 2] = Clamp(b);
        }
        return new DecodedImage(w, h, 3, 8, output);
    }

    private static ushort Clamp(int v) => (ushort)(v < 0 ? 0 : v > 255 ? 255 : v);

    // libjpeg's colour-space guess for 3 components: JFIF means YCbCr; else Adobe's transform flag;
    // else component ids 'R', 'G', 'B' mean RGB; else YCbCr.
    private static bool IsRgb(JpegFrame f)
    {
        if (f.Components.Length != 3 || f.Jfif) return false;
        if (f.AdobeTransform >= 0) return f.AdobeTransform == 0;
        return f.Components[0].Id == 'R' && f.Components[1].Id == 'G' && f.Components[2].Id == 'B';
    }

    // The component's samples (IDCT of its blocks), row stride BlocksPerLine * 8.
    private static byte[] Samples(JpegFrame f, JpegComponent c)
    {
        int stride = c.BlocksPerLine * 8;
        var plane = new byte[(long)stride * c.BlocksPerColumn * 8];
        var quant = f.Quant[c.QuantTable]!;
        var coefficients = c.Coefficients!;
        // Only the blocks that hold the component's own samples; the MCU padding is never read.
        int rows = (c.Height + 7) / 8, columns = (c.Width + 7) / 8;
        for (int by = 0; by < rows; by++)
            for (int bx = 0; bx < columns; bx++)
                JpegIdct.Transform(coefficients.AsSpan((by * c.BlocksPerLine + bx) * 64, 64), quant, plane, by * 8 * stride + bx * 8, stride);
        return plane;
    }

    // The component at the image's full size, width * height samples.
    private static byte[] FullSize(JpegFrame f, JpegComponent c)
    {
        var input = Samples(f, c);
        int stride = c.BlocksPerLine * 8, w = f.Width, h = f.Height;
        int hf = f.MaxH / c.H, vf = f.MaxV / c.V;
        var output = new byte[(long)w * h];
        var row = new byte[2 * c.Width + 2];
        for (int y = 0; y < h; y++)
        {
            int inRow = y / vf;
            int near = inRow * stride;
            if (hf == 2 && vf == 2 && c.Width > 2)
            {
                int other = Math.Clamp(y % 2 == 0 ? inRow - 1 : inRow + 1, 0, c.Height - 1) * stride;
                FancyH2V2(input, near, other, c.Width, row);
            }
            else if (hf == 2 && vf == 1 && c.Width > 2)
            {
                FancyH2V1(input, near, c.Width, row);
            }
            else if (hf == 1 && vf == 2)
            {
                int other = Math.Clamp(y % 2 == 0 ? inRow - 1 : inRow + 1, 0, c.Height - 1) * stride;
                int bias = y % 2 == 0 ? 1 : 2;
                for (int x = 0; x < w; x++) output[(long)y * w + x] = (byte)((input[near + x] * 3 + input[other + x] + bias) >> 2);
                continue;
            }
            else
            {
                // Replication: libjpeg's int_upsample (and the box h2v1/h2v2 for components 2 samples wide or less).
                for (int x = 0; x < w; x++) output[(long)y * w + x] = input[near + x / hf];
                continue;
            }
            Array.Copy(row, 0, output, (long)y * w, w);
        }
        return output;
    }

    // jdsample.c's h2v1_fancy_upsample: each output pair from its sample (3/4) and the neighbour on its side (1/4).
    private static void FancyH2V1(byte[] input, int at, int width, byte[] output)
    {
        int v = input[at];
        output[0] = (byte)v;
        output[1] = (byte)((v * 3 + input[at + 1] + 2) >> 2);
        for (int i = 1; i < width - 1; i++)
        {
            v = input[at + i] * 3;
            output[2 * i] = (byte)((v + input[at + i - 1] + 1) >> 2);
            output[2 * i + 1] = (byte)((v + input[at + i + 1] + 2) >> 2);
        }
        v = input[at + width - 1];
        output[2 * width - 2] = (byte)((v * 3 + input[at + width - 2] + 1) >> 2);
        output[2 * width - 1] = (byte)v;
    }

    // jdsample.c's h2v2_fancy_upsample: column sums 3 * nearer row + other row, then the same
    // triangle across columns, over 16 with biases 8 and 7.
    private static void FancyH2V2(byte[] input, int near, int other, int width, byte[] output)
    {
        int Sum(int i) => input[near + i] * 3 + input[other + i];
        int current = Sum(0), next = Sum(1);
        output[0] = (byte)((current * 4 + 8) >> 4);
        output[1] = (byte)((current * 3 + next + 7) >> 4);
        int last = current;
        current = next;
        for (int i = 1; i < width - 1; i++)
        {
            next = Sum(i + 1);
            output[2 * i] = (byte)((current * 3 + last + 8) >> 4);
            output[2 * i + 1] = (byte)((current * 3 + next + 7) >> 4);
            last = current;
            current = next;
        }
        output[2 * width - 2] = (byte)((current * 3 + last + 8) >> 4);
        output[2 * width - 1] = (byte)((current * 4 + 7) >> 4);
    }
}
