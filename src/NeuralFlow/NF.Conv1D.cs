using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    // The 1-D window ops are the 2-D ones over a sequence seen as an image one row high: the
    // steps axis becomes the width, an ExpandDims view adds the height of 1 (and a (1, k) window
    // slides along it), a Squeeze view takes it away again. Both views are taped, so gradients,
    // every engine and the data formats come from the 2-D ops unchanged.

    /// <summary>
    /// 1-D convolution (<c>tf.nn.conv1d</c>; the computation of Keras' <c>Conv1D</c>): input
    /// [N, steps, C] (or [N, C, steps] with <paramref name="dataFormat"/> "channels_first"), kernel
    /// [K, C / groups, O] (Keras' layout in both formats), result [N, out, O] (or [N, O, out]).
    /// <paramref name="padding"/> is "valid", "same" (TensorFlow's rule: ceil(steps / stride)
    /// outputs, the odd pad at the end) or "causal" (Keras': dilation * (K - 1) zeros before the
    /// first step, then "valid", so output t sees no input after step t). With
    /// <paramref name="groups"/> G, output group g sees input group g only.
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor Conv1D(Tensor input, Tensor kernel, int stride = 1, string padding = "valid", int dilation = 1,
                                int groups = 1, string dataFormat = "channels_last")
    {
        const string op = nameof(Conv1D);
        var (_, steps, c) = SequenceKernel(op, input, kernel, dataFormat, "[K, C / groups, O]");
        if (groups < 1)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{op}: groups must be at least 1.");
        if (c % groups != 0)
            throw new ArgumentException($"{op}: input {input.Shape} has {c} channels, which do not divide into {groups} groups.", nameof(groups));
        if (kernel.Shape[1] * groups != c)
            throw new ArgumentException(
                $"{op}: kernel {kernel.Shape} expects {kernel.Shape[1]} input channels{(groups > 1 ? $" per group ({groups} groups)" : "")}, but input {input.Shape} has {c}.", nameof(kernel));
        if (kernel.Shape[2] % groups != 0)
            throw new ArgumentException($"{op}: kernel {kernel.Shape} has {kernel.Shape[2]} filters, which do not divide into {groups} groups.", nameof(groups));
        bool causal = padding?.ToLowerInvariant() == "causal";
        string windowPadding = causal ? "valid" : padding?.ToLowerInvariant() is "valid" or "same" ? padding : throw new ArgumentException(
            $"{op}: padding must be \"valid\", \"same\" or \"causal\", got \"{padding}\".", nameof(padding));
        CheckSequenceWindow(op, kernel.Shape[0], stride, dilation, windowPadding, window: nameof(kernel));
        if (causal)
        {
            var pads = new int[3, 2];
            pads[steps, 0] = CausalPad(kernel.Shape[0], dilation);
            input = Pad(input, pads);
        }
        CheckSequenceSpan(op, input.Shape[steps], kernel.Shape[0], dilation, windowPadding);
        var y = Convolve2D(op, ExpandDims(input, steps), ExpandDims(kernel, 0), [1, stride], windowPadding, [1, dilation], groups, dataFormat);
        return Squeeze(y, steps);
    }

    /// <summary>
    /// Transposed 1-D convolution (<c>tf.nn.conv1d_transpose</c>; the computation of Keras'
    /// <c>Conv1DTranspose</c>, PyTorch's <c>ConvTranspose1d</c>): input [N, steps, C] (or
    /// [N, C, steps]), kernel [K, O, C] (Keras' layout), result [N, out, O] (or [N, O, out]) with
    /// Keras' length rule (deconv_output_length, as <see cref="Conv2DTranspose"/>): "valid"
    /// steps * stride + max(K' - stride, 0), "same" steps * stride, for the dilated window K' =
    /// dilation * (K - 1) + 1; with <paramref name="outputPadding"/> p (below the stride)
    /// (steps - 1) * stride + K' - 2 * pad + p, pad 0 ("valid") or K' / 2 ("same").
    /// The 2-D op over a sequence one row high, as <see cref="Conv1D"/>.
    /// </summary>
    public static Tensor Conv1DTranspose(Tensor input, Tensor kernel, int stride = 1, string padding = "valid", int? outputPadding = null,
                                         int dilation = 1, string dataFormat = "channels_last")
    {
        const string op = nameof(Conv1DTranspose);
        var (_, steps, c) = SequenceKernel(op, input, kernel, dataFormat, "[K, filters, C]");
        if (kernel.Shape[2] != c)
            throw new ArgumentException($"{op}: kernel {kernel.Shape} ([K, filters, C]) expects {kernel.Shape[2]} input channels, but input {input.Shape} has {c}.", nameof(kernel));
        CheckSequenceWindow(op, kernel.Shape[0], stride, dilation, padding, window: nameof(kernel));
        if (outputPadding is { } extra && (extra < 0 || extra >= stride))
            throw new ArgumentOutOfRangeException(nameof(outputPadding), extra, $"{op}: outputPadding must be at least 0 and smaller than the stride ({stride}).");
        var y = Conv2DTranspose(ExpandDims(input, steps), ExpandDims(kernel, 0), [1, stride], padding,
                                outputPadding is { } p ? [0, p] : null, [1, dilation], dataFormat);
        return Squeeze(y, steps);
    }

    /// <summary>
    /// Max pooling over [N, steps, C] (<c>tf.nn.max_pool1d</c>), or [N, C, steps] with
    /// <paramref name="dataFormat"/> "channels_first": <paramref name="strides"/> default to
    /// <paramref name="poolSize"/> (as Keras); padding "valid" or "same".
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor MaxPool1D(Tensor input, int poolSize, int? strides = null, string padding = "valid", string dataFormat = "channels_last") =>
        Pool1D(PoolOp.Max, nameof(MaxPool1D), input, poolSize, strides, padding, dataFormat);

    /// <summary>Average pooling over [N, steps, C] (or [N, C, steps]); padded taps are not counted (TensorFlow's "same").</summary>
    [MethodImpl(Hot)]
    public static Tensor AvgPool1D(Tensor input, int poolSize, int? strides = null, string padding = "valid", string dataFormat = "channels_last") =>
        Pool1D(PoolOp.Average, nameof(AvgPool1D), input, poolSize, strides, padding, dataFormat);

    [MethodImpl(Hot)]
    private static Tensor Pool1D(PoolOp kind, string op, Tensor input, int poolSize, int? strides, string padding, string dataFormat)
    {
        bool channelsFirst = SequenceInput(op, input, dataFormat);
        int stride = strides ?? poolSize, steps = channelsFirst ? 2 : 1;
        CheckSequenceWindow(op, poolSize, stride, 1, padding, window: nameof(poolSize), step: nameof(strides));
        CheckSequenceSpan(op, input.Shape[steps], poolSize, 1, padding);
        var y = Pool(kind, op, ExpandDims(input, steps), [1, poolSize], [1, stride], padding, dataFormat);
        return Squeeze(y, steps);
    }

    /// <summary>The zeros "causal" padding puts before the first step: dilation * (K - 1) (Keras' Conv1D).</summary>
    internal static int CausalPad(int kernelSize, int dilation) => dilation * (kernelSize - 1);

    /// <summary>Checks a sequence input [N, steps, C] (or [N, C, steps]); returns whether it is channels_first.</summary>
    private static bool SequenceInput(string op, Tensor input, string dataFormat)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool channelsFirst = ChannelsFirst(op, dataFormat);
        if (input.Rank != 3)
            throw new ArgumentException(
                $"{op}: input must be {(channelsFirst ? "[batch, channels, steps]" : "[batch, steps, channels]")}, got shape {input.Shape}.", nameof(input));
        return channelsFirst;
    }

    // A convolution's sequence input and rank-3 kernel (its Keras layout named in the error):
    // whether the input is channels_first, its steps axis and its channel count.
    private static (bool ChannelsFirst, int Steps, int Channels) SequenceKernel(string op, Tensor input, Tensor kernel, string dataFormat, string layout)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        bool channelsFirst = SequenceInput(op, input, dataFormat);
        if (kernel.Rank != 3)
            throw new ArgumentException($"{op}: kernel must be {layout} (Keras' {op} layout), got shape {kernel.Shape}.", nameof(kernel));
        return (channelsFirst, channelsFirst ? 2 : 1, input.Shape[channelsFirst ? 1 : 2]);
    }

    // The window's own arguments, checked here so that the errors speak of steps, not of the
    // 2-D op's height and width.
    private static void CheckSequenceWindow(string op, int size, int stride, int dilation, string padding,
                                            string window, string step = "stride")
    {
        if (size < 1) throw new ArgumentOutOfRangeException(window, size, $"{op}: the window must be at least 1 step, got {size}.");
        if (stride < 1) throw new ArgumentOutOfRangeException(step, stride, $"{op}: {step} must be at least 1, got {stride}.");
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, $"{op}: dilation must be at least 1, got {dilation}.");
        IsSame(op, padding);
    }

    internal static void CheckSequenceSpan(string op, int steps, int size, int dilation, string padding)
    {
        long span = (size - 1L) * dilation + 1;
        if (!IsSame(op, padding) && span > steps)
            throw new ArgumentException(
                $"{op}: the window spans {span} steps but the input has only {steps} (\"valid\" padding); use padding \"same\" or a longer input.");
    }
}
