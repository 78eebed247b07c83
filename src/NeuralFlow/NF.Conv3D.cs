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
    /// The depth taps are gathered first (a KD x 1 im2col over the [N, D, 1, H*W*C] view, giving
    /// KD planes per output depth) and become channels: [N*OD, H, W, (group, kd, c)], with the
    /// kernel reordered to [KH, KW, KD*C/G, O] alike, so the 2-D convolution (one im2col, one GEMM,
    /// its batched GEMM for groups) finishes it. Folding the taps into the channels copies a tensor
    /// KD times the input, where moving the depth tap inside the full im2col columns would copy
    /// one KD*KH*KW times it, and one large GEMM beats KD Conv2D calls and their additions.
    /// </remarks>
    [MethodImpl(Hot)]
    public static Tensor Conv3D(Tensor input, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? dilations = null,
                                int groups = 1, string dataFormat = "channels_last")
    {
        const string op = nameof(Conv3D);
        var x = ConvInput(op, input, kernel, dataFormat, out bool channelsFirst, 3, "[KD, KH, KW, C / groups, O] (Keras' layout)");
        int n = x.Shape[0], d = x.Shape[1], h = x.Shape[2], w = x.Shape[3], c = x.Shape[4];
        int kd = kernel.Shape[0], kh = kernel.Shape[1], kw = kernel.Shape[2], cg = kernel.Shape[3], o = kernel.Shape[4];
        CheckGroups(op, input, kernel, c, groups);
        var (s, dil) = (Triple(op, "strides", strides), Triple(op, "dilations", dilations));
        var (depth, od) = DepthWindow(op, d, kd, s[0], dil[0], padding);
        var taps = Patches(Reshape(x, [n, d, 1, h * w * c]), depth, od, 1); // [N, OD, 1, KD, 1, H*W*C]
        var planes = Reshape(Transpose(Reshape(taps, [n * od, kd, h, w, groups, cg]), [0, 2, 3, 4, 1, 5]), [n * od, h, w, kd * c]);
        var planeKernel = Reshape(Transpose(kernel, [1, 2, 0, 3, 4]), [kh, kw, kd * cg, o]);
        var (window, oh, ow) = WindowFor(op, planes.Shape, kh, kw, [s[1], s[2]], padding, [dil[1], dil[2]]);
        var y = Reshape(GroupedConv(planes, planeKernel, window, oh, ow, groups), [n, od, oh, ow, o]);
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
    /// Conv3D's steps backwards: the 2-D transposed convolution of each input plane with the kernel
    /// as [KH, KW, KD*F, C] gives every plane's KD output planes as channels; they move beside the
    /// depth and a KD x 1 col2im over the [N, D, 1, OH*OW*F] view scatters them along it. The tape
    /// differentiates it with im2cols and products.
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
        var planes = Reshape(x, [n * d, h, w, c]);
        var (window, oh, ow) = TransposedWindow(op, planes.Shape, kh, kw, [s[1], s[2]], padding, pads is null ? null : [pads[1], pads[2]], [dil[1], dil[2]]);
        var planeKernel = Reshape(Transpose(kernel, [1, 2, 0, 3, 4]), [kh, kw, kd * f, c]);
        var outPlanes = TransposedConv(planes, planeKernel, window, oh, ow); // [N*D, OH, OW, (kd, f)]
        var taps = Reshape(Transpose(Reshape(outPlanes, [n, d, oh * ow, kd, f]), [0, 1, 3, 2, 4]), [n, d, 1, kd, 1, oh * ow * f]);
        var y = Reshape(Unpatches(taps, depth, new Shape(n, od, 1, oh * ow * f)), [n, od, oh, ow, f]);
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
