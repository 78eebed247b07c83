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
        // The fused backward kernel's result has no history: while an outer tape records (a
        // gradient of this gradient) the same values come from recorded ops instead.
        if (Tape.AnyRecording) return [RecordedPoolBackward(kind, n.X, g, window)];
        var x = n.X;
        var dx = Tensor.Empty(x.Shape, x.DType, x.Backend);
        Engine.Pool2DBackward(kind, x, g, window, dx);
        return [dx];
    };

    /// <summary>
    /// The pooling backward as recorded ops (im2col and col2im, each the other's gradient), for an
    /// outer tape: each output's gradient goes to its window's taps through a constant weight,
    /// 1/(in-image taps) for average and the first maximal tap for max (the fused kernel's rule).
    /// So the outer tape differentiates it with respect to g; with respect to x it is 0, exactly
    /// for average and almost everywhere for max (the chosen tap is piecewise constant).
    /// </summary>
    private static Tensor RecordedPoolBackward(PoolOp kind, Tensor x, Tensor g, Window2D window)
    {
        int oh = g.Shape[1], ow = g.Shape[2], channels = x.Shape[3];
        int taps = window.KernelH * window.KernelW;
        var inImage = Patches(OnesLike(x), window, oh, ow); // [N, oh, ow, kh, kw, C]: 1 in the image, 0 in padding
        Tensor weights;
        if (kind == PoolOp.Average)
            weights = inImage / ReduceSum(inImage, [3, 4], keepDims: true);
        else
        {
            var values = Patches(StopGradient(x), window, oh, ow);
            var candidates = Where(Greater(inImage, 0.0), values, Fill(values.Shape, double.NegativeInfinity, values.DType, values.Backend));
            var first = ArgMax(Reshape(candidates, [-1, oh, ow, taps, channels]), 3);
            weights = Reshape(OneHot(first, taps, axis: 3, dtype: x.DType), inImage.Shape.ToArray());
        }
        return Unpatches(weights * ExpandDims(ExpandDims(g, 3), 3), window, x.Shape);
    }
}
