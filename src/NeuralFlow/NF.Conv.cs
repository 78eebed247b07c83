using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// 2-D convolution (<c>tf.nn.conv2d</c>, cross-correlation as in every framework): input
    /// NHWC [N, H, W, C] (or NCHW [N, C, H, W] with <paramref name="dataFormat"/>
    /// "channels_first"), kernel HWIO [KH, KW, C / groups, O] (Keras' layout in both formats),
    /// result [N, OH, OW, O] (or [N, O, OH, OW]). <paramref name="strides"/> and
    /// <paramref name="dilations"/> have one value per spatial axis (or one for both);
    /// <paramref name="padding"/> is "valid" or "same" (TensorFlow's rule). With
    /// <paramref name="groups"/> G the channels split into G consecutive groups and output group g
    /// sees input group g only (Keras' and PyTorch's grouped convolution).
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor Conv2D(Tensor input, Tensor kernel, int[]? strides = null, string padding = "valid", int[]? dilations = null,
                                int groups = 1, string dataFormat = "channels_last") =>
        Convolve2D(nameof(Conv2D), input, kernel, strides, padding, dilations, groups, dataFormat);

    /// <summary><see cref="Conv2D(Tensor, Tensor, int[], string, int[], int, string)"/> with its errors naming <paramref name="op"/> (Conv1D runs through it).</summary>
    [MethodImpl(Hot)]
    private static Tensor Convolve2D(string op, Tensor input, Tensor kernel, int[]? strides, string padding, int[]? dilations, int groups, string dataFormat)
    {
        var x = ConvInput(op, input, kernel, dataFormat, out bool channelsFirst);
        CheckGroups(op, input, kernel, x.Shape[-1], groups);
        var y = GroupedConv(op, x, kernel, strides, padding, dilations, groups);
        return channelsFirst ? FromNhwc(y) : y;
    }

    /// <summary>
    /// The channel checks of a (grouped) convolution whose kernel ends [..., C / groups, O]: the
    /// kernel's input channels times the groups must be the input's <paramref name="c"/>
    /// channels, and the groups must divide both.
    /// </summary>
    private static void CheckGroups(string op, Tensor input, Tensor kernel, int c, int groups)
    {
        int kernelIn = kernel.Shape[-2], filters = kernel.Shape[-1];
        if (groups < 1)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{op}: groups must be at least 1.");
        if (groups == 1 && kernelIn != c)
            throw new ArgumentException(
                $"{op}: kernel {kernel.Shape} expects {kernelIn} input channels but input {input.Shape} has {c}.", nameof(kernel));
        if (c % groups != 0)
            throw new ArgumentException($"{op}: input {input.Shape} has {c} channels, which do not divide into {groups} groups.", nameof(groups));
        if (kernelIn * groups != c)
            throw new ArgumentException(
                $"{op}: with {groups} groups the kernel needs {c / groups} input channels per group (input {input.Shape} has {c}), but kernel {kernel.Shape} has {kernelIn}.", nameof(kernel));
        if (filters % groups != 0)
            throw new ArgumentException($"{op}: kernel {kernel.Shape} has {filters} filters, which do not divide into {groups} groups.", nameof(groups));
    }

    /// <summary>
    /// The checks every convolution shares; returns the input channels_last (a packed copy for
    /// channels_first). <paramref name="spatialRank"/> is 2 for images, 3 for volumes (whose
    /// kernel layout <paramref name="kernelLayout"/> names in errors).
    /// </summary>
    internal static Tensor ConvInput(string op, Tensor input, Tensor kernel, string dataFormat, out bool channelsFirst,
                                     int spatialRank = 2, string kernelLayout = "HWIO [KH, KW, C, O]")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(kernel);
        channelsFirst = ChannelsFirst(op, dataFormat);
        Engine.BackendOf(op, input, kernel);
        if (!input.DType.IsFloating() || kernel.DType != input.DType)
            throw new ArgumentException($"{op}: input and kernel must both be float32 or both float64, got {input.DType.Name()} and {kernel.DType.Name()}; convert with NF.Cast.");
        CheckSpatialRank(op, input, spatialRank, channelsFirst);
        if (kernel.Rank != spatialRank + 2)
            throw new ArgumentException($"{op}: kernel must be {kernelLayout}, got shape {kernel.Shape}.", nameof(kernel));
        return channelsFirst ? ToNhwc(input) : input;
    }

    /// <summary>Refuses an input that is not a batch of images (<paramref name="spatialRank"/> 2) or volumes (3), naming the layout.</summary>
    internal static void CheckSpatialRank(string op, Tensor input, int spatialRank, bool channelsFirst)
    {
        if (input.Rank == spatialRank + 2) return;
        string layout = (spatialRank, channelsFirst) switch
        {
            (3, false) => "NDHWC [N, D, H, W, C]",
            (3, true) => "NCDHW [N, C, D, H, W]",
            (_, false) => "NHWC [N, H, W, C]",
            (_, true) => "NCHW [N, C, H, W]",
        };
        throw new ArgumentException($"{op}: input must be {layout}, got shape {input.Shape}.", nameof(input));
    }

    /// <summary>
    /// NHWC convolution of checked operands: im2col, then one product [N*OH*OW, KH*KW*C] @
    /// [KH*KW*C, O], or with G groups one batched product [G, N*OH*OW, KH*KW*C/G] @ [G, KH*KW*C/G,
    /// O/G]. The tape differentiates the products (kernel: cols^T @ dy), the transposes and
    /// Patches (input: col2im(dy @ kernel^T)), so second-order gradients work too.
    /// </summary>
    [MethodImpl(Hot)]
    private static Tensor GroupedConv(string op, Tensor x, Tensor kernel, int[]? strides, string padding, int[]? dilations, int groups)
    {
        var (window, oh, ow) = WindowFor(op, x.Shape, kernel.Shape[0], kernel.Shape[1], strides, padding, dilations);
        return GroupedConv(x, kernel, window, oh, ow, groups);
    }

    /// <summary>The same, with its window already worked out (Conv3D's planes).</summary>
    [MethodImpl(Hot)]
    private static Tensor GroupedConv(Tensor x, Tensor kernel, Window2D window, int oh, int ow, int groups)
    {
        int n = x.Shape[0], kk = kernel.Shape[0] * kernel.Shape[1], c = x.Shape[3], o = kernel.Shape[3];
        int rows = n * oh * ow;
        var cols = Patches(x, window, oh, ow);
        // A depthwise convolution of no channels has one group per channel, none, and no output
        // channels: the plain product of empty columns gives that (dividing by 0 groups would throw).
        if (groups <= 1)
            return Reshape(MatMul(Reshape(cols, [rows, kk * c]), Reshape(kernel, [kk * c, o])), [n, oh, ow, o]);
        // Each group's columns are the (kh, kw, its channels) of every patch: one copy gathers them
        // per group, so that a single batched GEMM does all groups.
        int cg = c / groups, og = o / groups;
        var grouped = Reshape(Transpose(Reshape(cols, [rows, kk, groups, cg]), [2, 0, 1, 3]), [groups, rows, kk * cg]);
        var kernels = Transpose(Reshape(kernel, [kk * cg, groups, og]), [1, 0, 2]);
        var y = MatMul(grouped, kernels); // [G, rows, O/G]
        return Reshape(Transpose(y, [1, 0, 2]), [n, oh, ow, o]);
    }

    /// <summary>im2col as an op: [N, H, W, C] into [N, OH, OW, KH, KW, C]; its gradient is col2im.</summary>
    [MethodImpl(Hot)]
    internal static Tensor Patches(Tensor x, Window2D window, int oh, int ow)
    {
        var result = Tensor.Empty(new Shape(x.Shape[0], oh, ow, window.KernelH, window.KernelW, x.Shape[3]), x.DType, x.Backend);
        Engine.Im2Col(x, window, result);
        return Tape.Record(result, x, PatchesGradient, window);
    }

    private static readonly GradientRule PatchesGradient = static (g, n) => [Unpatches(g, (Window2D)n.State!, n.X.Shape)];

    /// <summary>col2im as an op (the adjoint of <see cref="Patches"/>); its gradient is im2col.</summary>
    [MethodImpl(Hot)]
    internal static Tensor Unpatches(Tensor cols, Window2D window, Shape imageShape)
    {
        var result = Tensor.Empty(imageShape, cols.DType, cols.Backend);
        Engine.Col2Im(cols, window, result);
        return Tape.Record(result, cols, static (g, n) => [Patches(g, (Window2D)n.State!, n.X.Shape[1], n.X.Shape[2])], window);
    }

    /// <summary>
    /// The window of a convolution or pooling over an NHWC input and its output size:
    /// "valid" keeps in-image windows only; "same" gives ceil(in / stride) and pads as TensorFlow
    /// (pad_total = max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0), the odd one at the bottom/right).
    /// </summary>
    internal static (Window2D Window, int OH, int OW) WindowFor(string op, Shape input, int kh, int kw, int[]? strides, string padding, int[]? dilations)
    {
        var (sh, sw) = Pair(op, "strides", strides);
        var (dh, dw) = Pair(op, "dilations", dilations);
        if (kh < 1 || kw < 1)
            throw new ArgumentException($"{op}: the window must be at least 1x1, got {kh}x{kw}.");
        bool same = IsSame(op, padding);
        var (oh, top) = Axis(op, "height", input[1], kh, sh, dh, same);
        var (ow, left) = Axis(op, "width", input[2], kw, sw, dw, same);
        return (new Window2D(kh, kw, sh, sw, dh, dw, top, left), oh, ow);
    }

    /// <summary>
    /// The output length along one spatial axis of a convolution (what <see cref="WindowFor"/> and the 1-D
    /// and 3-D ops compute): ceil(size / stride) for "same"; for "valid" the in-input windows, an error
    /// naming <paramref name="op"/> and <paramref name="axis"/> when the window spans more than the input.
    /// </summary>
    internal static int ConvOutputLength(string op, string axis, int size, int k, int stride, int dilation, string padding) =>
        Axis(op, axis, size, k, stride, dilation, IsSame(op, padding)).Out;

    /// <summary>Whether <paramref name="padding"/> is "same" (true) or "valid" (false); anything else is refused.</summary>
    private static bool IsSame(string op, string? padding) => padding?.ToLowerInvariant() switch
    {
        "same" => true,
        "valid" => false,
        _ => throw new ArgumentException($"{op}: padding must be \"valid\" or \"same\", got \"{padding}\".", nameof(padding)),
    };

    private static (int Out, int PadBefore) Axis(string op, string name, int size, int k, int stride, int dilation, bool same)
    {
        long span = (long)(k - 1) * dilation + 1;
        if (same)
        {
            int o = (int)((size + (long)stride - 1) / stride);
            long total = Math.Max((o - 1L) * stride + span - size, 0);
            return (o, (int)(total / 2));
        }
        if (span > size)
            throw new ArgumentException(
                $"{op}: the window spans {span} along the {name} but the input has only {size} there (\"valid\" padding); use padding \"same\" or a larger input.");
        return ((int)((size - span) / stride + 1), 0);
    }

    private static (int, int) Pair(string op, string name, int[]? values)
    {
        if (values is null) return (1, 1);
        if (values.Length is not (1 or 2))
            throw new ArgumentException($"{op}: {name} needs 1 or 2 values (height, width), got {values.Length}.", name);
        int a = values[0], b = values[^1];
        if (a < 1 || b < 1)
            throw new ArgumentException($"{op}: {name} must be at least 1, got [{string.Join(", ", values)}].", name);
        return (a, b);
    }
}
