namespace NeuralFlow.Image.Codecs;

/// <summary>
/// Pixels as a decoder found them, before the caller's channel and dtype choice: interleaved samples
/// (gray, gray+alpha, RGB or RGBA, <see cref="Channels"/> of them per pixel, rows top to bottom) at
/// <see cref="BitDepth"/> 8 or 16 bits, held as ushort so one type serves both depths.
/// <see cref="DefaultChannels"/> is what channels = 0 returns: the stored channels, except that a PNG's
/// tRNS colour key turned into an alpha channel is dropped again, as TensorFlow does.
/// </summary>
internal sealed class DecodedImage(int width, int height, int channels, int bitDepth, ushort[] samples, int defaultChannels = 0)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public int Channels { get; } = channels;
    public int BitDepth { get; } = bitDepth;
    public ushort[] Samples { get; } = samples;
    public int DefaultChannels { get; } = defaultChannels == 0 ? channels : defaultChannels;

    /// <summary>
    /// The image with <paramref name="channels"/> channels (0: <see cref="DefaultChannels"/>), converted as
    /// TensorFlow's libpng setup does: alpha stripped or added opaque, gray replicated to RGB, RGB to gray
    /// with libpng's rgb_to_gray (TF asks for 0.299/0.587, fixed point: red 9797, green 19234, blue 3737
    /// out of 32768; truncated at 8 bits, rounded at 16, a gray pixel (r = g = b) kept as it is).
    /// </summary>
    public DecodedImage WithChannels(int channels)
    {
        if (channels == 0) channels = DefaultChannels;
        if (channels == Channels) return this;
        int src = Channels;
        bool srcAlpha = src % 2 == 0, srcGray = src < 3, wantAlpha = channels % 2 == 0, wantGray = channels < 3;
        int max = (1 << BitDepth) - 1;
        long pixels = (long)Width * Height;
        var output = new ushort[checked(pixels * channels)];
        var input = Samples;
        for (long p = 0, i = 0, o = 0; p < pixels; p++, i += src)
        {
            if (srcGray)
            {
                ushort g = input[i];
                output[o++] = g;
                if (!wantGray) { output[o++] = g; output[o++] = g; }
            }
            else if (wantGray)
            {
                output[o++] = Luma(input[i], input[i + 1], input[i + 2]);
            }
            else
            {
                output[o++] = input[i]; output[o++] = input[i + 1]; output[o++] = input[i + 2];
            }
            if (wantAlpha) output[o++] = srcAlpha ? input[i + src - 1] : (ushort)max;
        }
        return new DecodedImage(Width, Height, channels, BitDepth, output);
    }

    // libpng's png_do_rgb_to_gray with TF's coefficients (see WithChannels).
    private ushort Luma(uint r, uint g, uint b)
    {
        if (r == g && r == b) return (ushort)r;
        uint sum = 9797 * r + 19234 * g + 3737 * b;
        return (ushort)(BitDepth == 16 ? (sum + 16384) >> 15 : sum >> 15);
    }

    /// <summary>
    /// The samples as a [height, width, channels] tensor: uint8 (16-bit samples keep their high byte,
    /// as libpng's strip_16 that TF's uint8 decode uses), int32 (the samples as stored, 0..65535 for 16
    /// bits) or float32 (scaled to [0, 1] by the maximum, as <c>tf.image.convert_image_dtype</c>).
    /// </summary>
    public Tensor ToTensor(DType dtype)
    {
        var shape = new Shape(Height, Width, Channels);
        var s = Samples;
        switch (dtype)
        {
            case DType.UInt8:
            {
                var bytes = new byte[s.Length];
                int shift = BitDepth - 8;
                for (int i = 0; i < s.Length; i++) bytes[i] = (byte)(s[i] >> shift);
                return NF.Constant(bytes, shape);
            }
            case DType.Int32:
            {
                var ints = new int[s.Length];
                for (int i = 0; i < s.Length; i++) ints[i] = s[i];
                return NF.Constant(ints, shape);
            }
            case DType.Float32:
            {
                // convert_image_dtype multiplies by the float32 reciprocal of the dtype's maximum.
                float scale = (float)(1.0 / ((1 << BitDepth) - 1));
                var floats = new float[s.Length];
                for (int i = 0; i < s.Length; i++) floats[i] = s[i] * scale;
                return NF.Constant(floats, shape);
            }
            default:
                throw new ArgumentException($"Image decoding: dtype must be uint8, int32 or float32, got {dtype.Name()}.", nameof(dtype));
        }
    }
}
