using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    // The volume ops are compositions of the 2-D window ops, so every engine, the gradients
    // (second order too) and both data formats come from them without new kernels. A depth
    // window is a 2-D window over a [N, D, 1, H*W*C] view of the volume: KD x 1 taps whose
    // "channels" are whole H x W x C planes, padded and strided along D as the 2-D op pads and
    // strides the height.

    /// <summary>
    /// 3-D convolution (<c>tf.nn.conv3d</c>, the computation of Keras' <c>Conv3D</c>): input
    /// NDHWC [N, D, H, W, C] (or NCDHW [N, C, D, H, W] with <paramref name="dataFormat"/>
    /// "channels_first"), kernel [KD, KH, KW, C / groups, O] (Keras' layout in both formats),
    /// result [N, OD, OH, OW, O] (or [N, O, OD, OH, OW]). <paramref name="strides"/> and
    /// <paramref name="dilations"/> have one value per spatial axis (depth, height, width) or one
    /// for all three; <paramref name="padding"/> is "valid" or "same" (TensorFlow's rule, the odd
    /// pad at the back/bottom/right). With <paramref name="groups"/> G output group g sees input group g only.
    /// </summary>
    /// <remarks>
    /// One im2col and one GEMM: the depth taps are gathered first (a KD x 1 window over the
    /// [N, D, 1, H*W*C] view, giving [N*OD*KD, H, W, C] planes), then the 2-D im2col of those planes;
    /// one copy moves the depth tap beside the KH x KW taps, so that each output position's row holds
    /// (kd, kh, kw, c) in the kernel's order and a single [rows, KD*KH*KW*C] @ [KD*KH*KW*C, O] product
    /// (one large GEMM rather than KD Conv2D calls and KD - 1 additions) finishes it.
    /// </remarks>
    [MethodImpl(Hot)]
    public static Tensor Conv3D(Tensor input, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? dilations = null,
                                int groups = 1, string dataFormat = "channels_last")
    {
        const string op = nameof(Conv3D);
        var x = ConvInput(op, input, kernel, dataFormat, out bool channelsFirst, 3, "[KD, KH, KW, C / groups, O] (Keras' layout)");
        int n = x.Shape[0], d = x.Shape[1], h = x.Shape[2], w = x.Shape[3], c = x.Shape[4];
        int kd = kernel.Shape[0], kh = kernel.Shape[1], kw = kernel.Shape[2], o = kernel.Shape[4];
        CheckGroups(op, input, kernel, c, groups);
        var (s, dil) = (Triple(op, "strides", strides), Triple(op, "dilations", dilations));
        var (depth, od) = DepthWindow(op, d, kd, s[0], dil[0], padding);
        var planes = Reshape(Patches(Reshape(x, [n, d, 1, h * w * c]), depth, od, 1), [n * od * kd, h, w, c]);
        var (window, oh, ow) = WindowFor(op, planes.Shape, kh, kw, [s[1], s[2]], padding, [dil[1], dil[2]]);
        var cols = Patches(planes, window, oh, ow); // [N*OD*KD, OH, OW, KH, KW, C]
        int rows = n * od * oh * ow;
        var rowMajor = Transpose(Reshape(cols, [n * od, kd, oh * ow, kh * kw * c]), [0, 2, 1, 3]);
        var y = Reshape(ColumnsTimesKernel(rowMajor, kernel, rows, kd * kh * kw, c, o, groups), [n, od, oh, ow, o]);
        return channelsFirst ? FromNhwc(y) : y;
    }

    /// <summary>
    /// Transposed 3-D convolution (<c>tf.nn.conv3d_transpose</c>, Keras' <c>Conv3DTranspose</c>):
    /// the adjoint of <see cref="Conv3D"/>. Input NDHWC [N, D, H, W, C] (or NCDHW), kernel
    /// [KD, KH, KW, F, C] (Keras' layout: filters before input channels), result [N, OD, OH, OW, F]
    /// with Keras' size rule per axis (as <see cref="Conv2DTranspose"/>; <paramref name="outputPadding"/>,
    /// one value or three, each below its stride).
    /// </summary>
    /// <remarks>
    /// The product x @ kernel^T gives every input position's KD*KH*KW*F contributions; col2im
    /// scatters the KH x KW taps into planes, then a KD x 1 col2im over the [N, D, 1, OH*OW*F]
    /// view scatters the depth taps, so the tape differentiates it with im2cols and a product.
    /// </remarks>
    [MethodImpl(Hot)]
    public static Tensor Conv3DTranspose(Tensor input, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? outputPadding = null,
                                         int[]? dilations = null, string dataFormat = "channels_last")
    {
        const string op = nameof(Conv3DTranspose);
        var x = ConvInput(op, input, kernel, dataFormat, out bool channelsFirst, 3, "[KD, KH, KW, filters, C] (Keras' layout)");
        int n = x.Shape[0], d = x.Shape[1], h = x.Shape[2], w = x.Shape[3], c = x.Shape[4];
        int kd = kernel.Shape[0], kh = kernel.Shape[1], kw = kernel.Shape[2], f = kernel.Shape[3];
        if (kernel.Shape[4] != c)
            throw new ArgumentException(
                $"{op}: kernel {kernel.Shape} ([KD, KH, KW, filters, C]) expects {kernel.Shape[4]} input channels but input {input.Shape} has {c}.", nameof(kernel));
        var (s, dil) = (Triple(op, "strides", strides), Triple(op, "dilations", dilations));
        int[]? pads = outputPadding is null ? null
            : outputPadding.Length is 1 or 3 && outputPadding.All(p => p >= 0) ? [outputPadding[0], outputPadding[outputPadding.Length / 2], outputPadding[^1]]
            : throw new ArgumentException($"{op}: outputPadding must be one or three non-negative integers (depth, height, width), got [{string.Join(", ", outputPadding)}].", nameof(outputPadding));
        bool same = IsSame(op, padding);
        long odLong = TransposedLength(op, "depth", d, kd, s[0], dil[0], same, pads?[0]);
        if (odLong < 1 || odLong > int.MaxValue)
            throw new ArgumentException($"{op}: input {input.Shape} with a depth window of {kd}, stride {s[0]} and padding \"{padding}\" gives an output depth of {odLong}, which is not a valid size.");
        int od = (int)odLong;
        var (depth, back) = DepthWindow(op, od, kd, s[0], dil[0], padding);
        if (back != d)
            throw new ArgumentException(
                $"{op}: the output depth {od} convolved back with a window of {kd}, stride {s[0]} and padding \"{padding}\" gives {back}, not the input's {d}; choose an outputPadding that makes the sizes agree (as Keras requires).", nameof(outputPadding));
        var (window, oh, ow) = TransposedWindow(op, new Shape(n * d, h, w, c), kh, kw, [s[1], s[2]], padding, pads is null ? null : [pads[1], pads[2]], [dil[1], dil[2]]);
        var cols = MatMul(Reshape(x, [n * d * h * w, c]), Reshape(kernel, [kd * kh * kw * f, c]), transposeB: true);
        // [N*D, H*W, KD, KH*KW*F] -> [N*D*KD, H, W, KH, KW, F]: each depth tap's planes, for the 2-D col2im.
        var taps = Reshape(Transpose(Reshape(cols, [n * d, h * w, kd, kh * kw * f]), [0, 2, 1, 3]), [n * d * kd, h, w, kh, kw, f]);
        var planes = Unpatches(taps, window, new Shape(n * d * kd, oh, ow, f));
        var volume = Unpatches(Reshape(planes, [n, d, 1, kd, 1, oh * ow * f]), depth, new Shape(n, od, 1, oh * ow * f));
        var y = Reshape(volume, [n, od, oh, ow, f]);
        return channelsFirst ? FromNhwc(y) : y;
    }

    /// <summary>
    /// The KD x 1 window along the depth of a [N, D, 1, planes] view (pads as <see cref="WindowFor"/>
    /// does along the height, errors naming the depth) and the output depth.
    /// </summary>
    private static (Window2D Window, int OD) DepthWindow(string op, int depth, int kd, int stride, int dilation, string padding)
    {
        if (kd < 1)
            throw new ArgumentException($"{op}: the window must be at least 1 deep, got {kd}.");
        var (od, front) = Axis(op, "depth", depth, kd, stride, dilation, IsSame(op, padding));
        return (new Window2D(kd, 1, stride, 1, dilation, 1, front, 0), od);
    }

    /// <summary>(depth, height, width) from one value (all three) or three; null is all ones.</summary>
    private static int[] Triple(string op, string name, int[]? values)
    {
        if (values is null) return [1, 1, 1];
        if (values.Length is not (1 or 3))
            throw new ArgumentException($"{op}: {name} needs 1 or 3 values (depth, height, width), got {values.Length}.", name);
        if (values.Any(v => v < 1))
            throw new ArgumentException($"{op}: {name} must be at least 1, got [{string.Join(", ", values)}].", name);
        return [values[0], values[values.Length / 2], values[^1]];
    }
}
