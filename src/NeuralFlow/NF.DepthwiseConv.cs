namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Depthwise 2-D convolution (<c>tf.nn.depthwise_conv2d</c>): each input channel c is
    /// convolved with its own <paramref name="kernel"/>[:, :, c, m] for m &lt; M, giving output
    /// channel c * M + m. Input NHWC [N, H, W, C] (or NCHW with <paramref name="dataFormat"/>
    /// "channels_first"), kernel [KH, KW, C, M] (Keras' layout, M the depth multiplier), result
    /// [N, OH, OW, C * M]. Strides, padding and dilations as <see cref="Conv2D"/>.
    /// </summary>
    /// <remarks>
    /// It is the grouped convolution with one group per input channel: the kernel reshaped to
    /// [KH, KW, 1, C * M] keeps exactly the c * M + m channel order, so the gradients are those of
    /// <see cref="Conv2D"/> with groups = C.
    /// </remarks>
    [MethodImpl(Hot)]
    public static Tensor DepthwiseConv2D(Tensor input, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? dilations = null,
                                         string dataFormat = "channels_last")
    {
        const string op = nameof(DepthwiseConv2D);
        var x = ConvInput(op, input, kernel, dataFormat, out bool channelsFirst);
        int c = x.Shape[3];
        if (kernel.Shape[2] != c)
            throw new ArgumentException(
                $"{op}: kernel {kernel.Shape} ([KH, KW, C, depth multiplier]) expects {kernel.Shape[2]} input channels but input {input.Shape} has {c}.", nameof(kernel));
        int kh = kernel.Shape[0], kw = kernel.Shape[1];
        var y = GroupedConv(op, x, Reshape(kernel, [kh, kw, 1, c * kernel.Shape[3]]), strides, padding, dilations, c);
        return channelsFirst ? FromNhwc(y) : y;
    }
}
