namespace NeuralFlow.Image.Codecs;

/// <summary>
/// The inverse DCT of libjpeg's "islow" method (jidctint.c, the default of libjpeg-turbo and so of
/// Pillow and TF's accurate mode): Loeffler-Ligtenberg-Moschytz with 13-bit fixed-point constants, a
/// column pass keeping 2 extra bits, a row pass descaling by 18 bits, and libjpeg's range limit (the
/// result is read as a 10-bit signed value, then clamped to 0..255 around 128). Reimplemented from the
/// published algorithm so that the integers, and so the pixels, match libjpeg's exactly.
/// </summary>
internal static class JpegIdct
{
    private const int ConstBits = 13, Pass1Bits = 2;
    private const int F0_298631336 = 2446, F0_390180644 = 3196, F0_541196100 = 4433, F0_765366865 = 6270;
    private const int F0_899976223 = 7373, F1_175875602 = 9633, F1_501321110 = 12299, F1_847759065 = 15137;
    private const int F1_961570560 = 16069, F2_053119869 = 16819, F2_562915447 = 20995, F3_072711026 = 25172;

    private static int Descale(int x, int n) => (x + (1 << (n - 1))) >> n;

    // libjpeg's post-IDCT range limit: the low 10 bits as a signed value, plus 128, clamped to a byte.
    private static byte Limit(int x)
    {
        int v = ((x & 1023) ^ 512) - 512 + 128;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }

    /// <summary>
    /// One 8x8 block: <paramref name="coefficients"/> (natural order) times <paramref name="quant"/> to
    /// <paramref name="output"/> at <paramref name="offset"/> with row stride <paramref name="stride"/>.
    /// </summary>
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<ushort> quant, byte[] output, int offset, int stride)
    {
        Span<int> ws = stackalloc int[64];
        for (int c = 0; c < 8; c++)
        {
            int d0 = coefficients[c] * quant[c], d1 = coefficients[8 + c] * quant[8 + c], d2 = coefficients[16 + c] * quant[16 + c];
            int d3 = coefficients[24 + c] * quant[24 + c], d4 = coefficients[32 + c] * quant[32 + c], d5 = coefficients[40 + c] * quant[40 + c];
            int d6 = coefficients[48 + c] * quant[48 + c], d7 = coefficients[56 + c] * quant[56 + c];
            Butterfly(d0, d1, d2, d3, d4, d5, d6, d7, out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7);
            const int n = ConstBits - Pass1Bits;
            ws[c] = Descale(o0, n); ws[8 + c] = Descale(o1, n); ws[16 + c] = Descale(o2, n); ws[24 + c] = Descale(o3, n);
            ws[32 + c] = Descale(o4, n); ws[40 + c] = Descale(o5, n); ws[48 + c] = Descale(o6, n); ws[56 + c] = Descale(o7, n);
        }
        for (int r = 0; r < 8; r++)
        {
            int b = r * 8;
            Butterfly(ws[b], ws[b + 1], ws[b + 2], ws[b + 3], ws[b + 4], ws[b + 5], ws[b + 6], ws[b + 7],
                out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7);
            const int n = ConstBits + Pass1Bits + 3;
            int at = offset + r * stride;
            output[at] = Limit(Descale(o0, n)); output[at + 1] = Limit(Descale(o1, n));
            output[at + 2] = Limit(Descale(o2, n)); output[at + 3] = Limit(Descale(o3, n));
            output[at + 4] = Limit(Descale(o4, n)); output[at + 5] = Limit(Descale(o5, n));
            output[at + 6] = Limit(Descale(o6, n)); output[at + 7] = Limit(Descale(o7, n));
        }
    }

    // One 8-point pass, before its descale: the even part from inputs 0, 2, 4, 6 (rotation by
    // sqrt(2) c6), the odd part from 1, 3, 5, 7, as jidctint.c arranges the products.
    private static void Butterfly(int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7,
        out int o0, out int o1, out int o2, out int o3, out int o4, out int o5, out int o6, out int o7)
    {
        int z1 = (i2 + i6) * F0_541196100;
        int t2 = z1 - i6 * F1_847759065;
        int t3 = z1 + i2 * F0_765366865;
        int t0 = (i0 + i4) << ConstBits;
        int t1 = (i0 - i4) << ConstBits;
        int t10 = t0 + t3, t13 = t0 - t3, t11 = t1 + t2, t12 = t1 - t2;

        int a0 = i7, a1 = i5, a2 = i3, a3 = i1;
        int s1 = a0 + a3, s2 = a1 + a2, s3 = a0 + a2, s4 = a1 + a3;
        int s5 = (s3 + s4) * F1_175875602;
        a0 *= F0_298631336; a1 *= F2_053119869; a2 *= F3_072711026; a3 *= F1_501321110;
        s1 *= -F0_899976223; s2 *= -F2_562915447; s3 *= -F1_961570560; s4 *= -F0_390180644;
        s3 += s5; s4 += s5;
        a0 += s1 + s3; a1 += s2 + s4; a2 += s2 + s3; a3 += s1 + s4;

        o0 = t10 + a3; o7 = t10 - a3;
        o1 = t11 + a2; o6 = t11 - a2;
        o2 = t12 + a1; o5 = t12 - a1;
        o3 = t13 + a0; o4 = t13 - a0;
    }
}
