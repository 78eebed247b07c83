using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Max pooling over NHWC [N, H, W, C] (<c>tf.nn.max_pool2d</c>), or NCHW with
    /// <paramref name="dataFormat"/> "channels_first": <paramref name="strides"/> default to
    /// <paramref name="poolSize"/> (as Keras); padding "valid" or "same".
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor MaxPool2D(Tensor input, int[] poolSize, int[]? strides = null, string padding = "valid", string dataFormat = "channels_last") =>
        Pool(PoolOp.Max, nameof(MaxPool2D), input, poolSize, strides, padding, dataFormat);

    /// <summary>Average pooling over NHWC [N, H, W, C] (or NCHW); padded taps are not counted (TensorFlow's "same").</summary>
    [MethodImpl(Hot)]
    public static Tensor AvgPool2D(Tensor input, int[] poolSize, int[]? strides = null, string padding = "valid", string dataFormat = "channels_last") =>
        Pool(PoolOp.Average, nameof(AvgPool2D), input, poolSize, strides, padding, dataFormat);

    [MethodImpl(Hot)]
    private static Tensor Pool(PoolOp kind, string op, Tensor input, int[] poolSize, int[]? strides, string padding, string dataFormat)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(poolSize);
        bool channelsFirst = ChannelsFirst(op, dataFormat);
        if (!input.DType.IsFloating())
            throw new ArgumentException($"{op}: needs float32 or float64, got {input.DType.Name()}; convert with NF.Cast(x, DType.Float32).", nameof(input));
        CheckSpatialRank(op, input, 2, channelsFirst);
        if (poolSize.Length is not (1 or 2))
            throw new ArgumentException($"{op}: poolSize needs 1 or 2 values (height, width), got {poolSize.Length}.", nameof(poolSize));
        var x = channelsFirst ? ToNhwc(input) : input;
        var (window, oh, ow) = WindowFor(op, x.Shape, poolSize[0], poolSize[^1], strides ?? poolSize, padding, null);
        var result = Tensor.Empty(new Shape(x.Shape[0], oh, ow, x.Shape[3]), x.DType, x.Backend);
        Engine.Pool2D(kind, x, window, result);
        var y = Tape.Record(result, x, PoolGradient, (kind, window), op);
        return channelsFirst ? FromNhwc(y) : y;
    }

    // Max: each output's gradient goes to its first maximal tap; average: spread over its in-image taps.
    private static readonly GradientRule PoolGradient = static (g, n) =>
    {
        var (kind, window) = ((PoolOp, Window2D))n.State!;
        // The fused backward kernel's result has no history: an outer tape would get a silently
        // wrong second derivative, so that case is refused rather than answered wrongly.
        if (Tape.AnyRecording)
            throw new NotSupportedException(
                $"{n.Op}: a gradient of its gradient (an outer GradientTape recording while an inner one computes the gradient) is not supported yet; compute the inner gradient outside the outer tape, or use a strided Conv2D instead of pooling.");
        var x = n.X;
        var dx = Tensor.Empty(x.Shape, x.DType, x.Backend);
        Engine.Pool2DBackward(kind, x, g, window, dx);
        return [dx];
    };
}
