using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    // A box window is separable: pooling each depth slice over its KH x KW window (the 2-D op on
    // [N*D, H, W, C]), then the results over KD slices (the 2-D op with a KD x 1 window on the
    // [N, D, 1, OH*OW*C] view) gives the box's max, and its average too: every slice of one output's
    // box has the same count of in-volume cells, so the mean of the slice means, each over its
    // in-volume cells, is the sum over the box's in-volume cells divided by their count (TensorFlow's
    // and PyTorch's count_include_pad=False "same"). Max's gradient goes to the box's first maximum in
    // (d, h, w) order, as PyTorch's: the depth stage picks the first slice holding the maximum, the
    // plane stage that slice's first maximal cell.

    /// <summary>
    /// Max pooling over NDHWC [N, D, H, W, C] (<c>tf.nn.max_pool3d</c>), or NCDHW with
    /// <paramref name="dataFormat"/> "channels_first": <paramref name="poolSize"/> and
    /// <paramref name="strides"/> (default: the pool size, as Keras) have one value (all three
    /// axes) or three (depth, height, width); padding "valid" or "same".
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor MaxPool3D(Tensor input, int[] poolSize, int[]? strides = null, string padding = "valid", string dataFormat = "channels_last") =>
        Pool3D(PoolOp.Max, nameof(MaxPool3D), input, poolSize, strides, padding, dataFormat);

    /// <summary>Average pooling over NDHWC [N, D, H, W, C] (or NCDHW); padded cells are not counted (TensorFlow's "same").</summary>
    [MethodImpl(Hot)]
    public static Tensor AvgPool3D(Tensor input, int[] poolSize, int[]? strides = null, string padding = "valid", string dataFormat = "channels_last") =>
        Pool3D(PoolOp.Average, nameof(AvgPool3D), input, poolSize, strides, padding, dataFormat);

    [MethodImpl(Hot)]
    private static Tensor Pool3D(PoolOp kind, string op, Tensor input, int[] poolSize, int[]? strides, string padding, string dataFormat)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(poolSize);
        bool channelsFirst = ChannelsFirst(op, dataFormat);
        if (!input.DType.IsFloating())
            throw new ArgumentException($"{op}: needs float32 or float64, got {input.DType.Name()}; convert with NF.Cast(x, DType.Float32).", nameof(input));
        CheckSpatialRank(op, input, 3, channelsFirst);
        var k = Triple(op, nameof(poolSize), poolSize);
        var s = strides is null ? k : Triple(op, nameof(strides), strides);
        var x = channelsFirst ? ToNhwc(input) : input;
        int n = x.Shape[0], d = x.Shape[1], h = x.Shape[2], w = x.Shape[3], c = x.Shape[4];
        var (_, od) = DepthWindow(op, d, k[0], s[0], 1, padding); // the depth's errors before the planes' work
        var planes = Pool(kind, op, Reshape(x, [n * d, h, w, c]), [k[1], k[2]], [s[1], s[2]], padding, "channels_last");
        int oh = planes.Shape[1], ow = planes.Shape[2];
        var y = Pool(kind, op, Reshape(planes, [n, d, 1, oh * ow * c]), [k[0], 1], [s[0], 1], padding, "channels_last");
        var volume = Reshape(y, [n, od, oh, ow, c]);
        return channelsFirst ? FromNhwc(volume) : volume;
    }
}
