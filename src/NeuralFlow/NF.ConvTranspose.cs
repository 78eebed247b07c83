using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Transposed 2-D convolution (<c>tf.nn.conv2d_transpose</c>, Keras' Conv2DTranspose): the
    /// adjoint of <see cref="Conv2D"/>, which maps an image of the output's size onto an image of
    /// the input's size. Input NHWC [N, H, W, C] (or NCHW with <paramref name="dataFormat"/>
    /// "channels_first"), kernel [KH, KW, F, C] (Keras' layout: filters before input channels),
    /// result [N, OH, OW, F].
    /// </summary>
    /// <remarks>
    /// The output size follows Keras (<c>deconv_output_length</c>, with the dilated window span S):
    /// without <paramref name="outputPadding"/>, "valid" gives H * stride + max(S - stride, 0) and
    /// "same" H * stride; with it, (H - 1) * stride + S - 2 * pad + outputPadding, pad being 0
    /// ("valid") or S / 2 ("same"). The placement then follows TensorFlow: the forward convolution
    /// of that size with the same padding rule (odd pad at the bottom/right) must give back H,
    /// which fails, with an exception, where Keras fails too (an even window, "same" and
    /// outputPadding 0). The op is the product x @ kernel^T followed by col2im, so the tape
    /// differentiates it with an im2col (the input's gradient is a Conv2D) and a product.
    /// </remarks>
    [MethodImpl(Hot)]
    public static Tensor Conv2DTranspose(Tensor input, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? outputPadding = null,
                                         int[]? dilations = null, string dataFormat = "channels_last")
    {
        const string op = nameof(Conv2DTranspose);
        var x = ConvInput(op, input, kernel, dataFormat, out bool channelsFirst);
        int c = x.Shape[3], kh = kernel.Shape[0], kw = kernel.Shape[1];
        if (kernel.Shape[3] != c)
            throw new ArgumentException(
                $"{op}: kernel {kernel.Shape} ([KH, KW, filters, C]) expects {kernel.Shape[3]} input channels but input {input.Shape} has {c}.", nameof(kernel));
        var (window, oh, ow) = TransposedWindow(op, x.Shape, kh, kw, strides, padding, outputPadding, dilations);
        var y = TransposedConv(x, kernel, window, oh, ow);
        return channelsFirst ? FromNhwc(y) : y;
    }

    /// <summary>The transposed convolution of checked NHWC operands (kernel [KH, KW, F, C]) onto [N, OH, OW, F]: x @ kernel^T, then col2im.</summary>
    private static Tensor TransposedConv(Tensor x, Tensor kernel, Window2D window, int oh, int ow)
    {
        int n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape[3];
        int kh = kernel.Shape[0], kw = kernel.Shape[1], f = kernel.Shape[2];
        var cols = MatMul(Reshape(x, [n * h * w, c]), Reshape(kernel, [kh * kw * f, c]), transposeB: true);
        return Unpatches(Reshape(cols, [n, h, w, kh, kw, f]), window, new Shape(n, oh, ow, f));
    }

    /// <summary>
    /// The output size of a transposed convolution of NHWC <paramref name="input"/> (Keras' rule)
    /// and the window of the forward convolution it is the adjoint of (TensorFlow's placement).
    /// </summary>
    internal static (Window2D Window, int OH, int OW) TransposedWindow(string op, Shape input, int kh, int kw, int[]? strides, string padding,
                                                                      int[]? outputPadding, int[]? dilations)
    {
        int h = input[1], w = input[2];
        var (sh, sw) = Pair(op, "strides", strides);
        var (dh, dw) = Pair(op, "dilations", dilations);
        bool same = IsSame(op, padding);
        int[]? pads = outputPadding is null ? null : PairOrThrow(op, outputPadding);
        long oh = TransposedLength(op, "height", h, kh, sh, dh, same, pads?[0]);
        long ow = TransposedLength(op, "width", w, kw, sw, dw, same, pads?[1]);
        if (oh < 1 || ow < 1 || oh * ow > int.MaxValue)
            throw new ArgumentException($"{op}: input {input} with a {kh}x{kw} window, strides [{sh}, {sw}] and padding \"{padding}\" gives an output of {oh}x{ow}, which is not a valid image size.");
        var (window, fh, fw) = WindowFor(op, new Shape(input[0], (int)oh, (int)ow, 1), kh, kw, [sh, sw], padding, [dh, dw]);
        if (fh != h || fw != w)
            throw new ArgumentException(
                $"{op}: the output {oh}x{ow} convolved back with a {kh}x{kw} window, strides [{sh}, {sw}] and padding \"{padding}\" gives {fh}x{fw}, not the input's {h}x{w}; choose an outputPadding that makes the sizes agree (as Keras requires).", nameof(outputPadding));
        return (window, (int)oh, (int)ow);
    }

    private static int[] PairOrThrow(string op, int[] values)
    {
        if (values.Length is not (1 or 2) || values.Any(v => v < 0))
            throw new ArgumentException($"{op}: outputPadding must be one or two non-negative integers (height, width), got [{string.Join(", ", values)}].", "outputPadding");
        return [values[0], values[^1]];
    }

    /// <summary>Keras' <c>deconv_output_length</c> along one axis; outputPadding must stay below the stride.</summary>
    private static long TransposedLength(string op, string axis, int size, int k, int stride, int dilation, bool same, int? outputPadding)
    {
        long span = (long)(k - 1) * dilation + 1;
        if (outputPadding is null)
            return same ? (long)size * stride : (long)size * stride + Math.Max(span - stride, 0);
        if (outputPadding >= stride)
            throw new ArgumentException(
                $"{op}: outputPadding along the {axis} ({outputPadding}) must be smaller than the stride ({stride}).", "outputPadding");
        long pad = same ? span / 2 : 0;
        return (size - 1L) * stride + span - 2 * pad + outputPadding.Value;
    }
}
