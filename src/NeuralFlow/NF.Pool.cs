using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Max pooling over NHWC [N, H, W, C] (<c>tf.nn.max_pool2d</c>): <paramref name="strides"/>
    /// default to <paramref name="poolSize"/> (as Keras); padding "valid" or "same".
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor MaxPool2D(Tensor input, int[] poolSize, int[]? strides = null, string padding = "valid") =>
        Pool(PoolOp.Max, nameof(MaxPool2D), input, poolSize, strides, padding);

    /// <summary>Average pooling over NHWC [N, H, W, C]; padded taps are not counted (TensorFlow's "same").</summary>
    [MethodImpl(Hot)]
    public static Tensor AvgPool2D(Tensor input, int[] poolSize, int[]? strides = null, string padding = "valid") =>
        Pool(PoolOp.Average, nameof(AvgPool2D), input, poolSize, strides, padding);

    [MethodImpl(Hot)]
    private static Tensor Pool(PoolOp kind, string op, Tensor input, int[] poolSize, int[]? strides, string padding)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(poolSize);
        if (!input.DType.IsFloating())
            throw new ArgumentException($"{op}: needs float32 or float64, got {input.DType.Name()}; convert with NF.Cast(x, DType.Float32).", nameof(input));
        if (input.Rank != 4)
            throw new ArgumentException($"{op}: input must be NHWC [N, H, W, C], got shape {input.Shape}.", nameof(input));
        if (poolSize.Length is not (1 or 2))
            throw new ArgumentException($"{op}: poolSize needs 1 or 2 values (height, width), got {poolSize.Length}.", nameof(poolSize));
        var (window, oh, ow) = WindowFor(op, input.Shape, poolSize[0], poolSize[^1], strides ?? poolSize, padding, null);
        var result = Tensor.Empty(new Shape(input.Shape[0], oh, ow, input.Shape[3]), input.DType, input.Backend);
        Engine.Pool2D(kind, input, window, result);
        return Tape.Record(result, input, PoolGradient, (kind, window), op);
    }

    // Max: each output's gradient goes to its first maximal tap; average: spread over its in-image taps.
    private static readonly GradientRule PoolGradient = static (g, n) =>
    {
        var (kind, window) = ((PoolOp, Window2D))n.State!;
        var x = n.X;
        var dx = Tensor.Empty(x.Shape, x.DType, x.Backend);
        Engine.Pool2DBackward(kind, x, g, window, dx);
        return [dx];
    };
}
