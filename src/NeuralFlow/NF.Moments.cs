namespace NeuralFlow;

// The variance family, composed from ReduceMean so the tape differentiates it (to any order):
// tf.math.reduce_variance, tf.math.reduce_std, tf.nn.moments, Keras' ops.var / ops.std.
public static partial class NF
{
    /// <summary>
    /// The population variance over <paramref name="axis"/>, or over everything when null
    /// (<c>tf.math.reduce_variance</c>, <c>keras.ops.var</c>, <c>numpy.var</c>; PyTorch's
    /// <c>torch.var(x, unbiased=False)</c>): mean((x - mean(x))^2). Over an empty axis it is NaN, as NumPy's.
    /// </summary>
    public static Tensor ReduceVariance(Tensor x, int? axis = null, bool keepDims = false) =>
        Variance(nameof(ReduceVariance), x, AxesOf(x, axis), keepDims).Variance;

    /// <summary>The population variance over several axes.</summary>
    public static Tensor ReduceVariance(Tensor x, int[] axes, bool keepDims = false) =>
        Variance(nameof(ReduceVariance), x, axes, keepDims).Variance;

    /// <summary>
    /// The population standard deviation, sqrt of <see cref="ReduceVariance(Tensor, int?, bool)"/>
    /// (<c>tf.math.reduce_std</c>, <c>keras.ops.std</c>). As in TensorFlow, its gradient where every
    /// element is equal is NaN (the square root's at 0).
    /// </summary>
    public static Tensor ReduceStd(Tensor x, int? axis = null, bool keepDims = false) =>
        Sqrt(Variance(nameof(ReduceStd), x, AxesOf(x, axis), keepDims).Variance);

    /// <summary>The population standard deviation over several axes.</summary>
    public static Tensor ReduceStd(Tensor x, int[] axes, bool keepDims = false) =>
        Sqrt(Variance(nameof(ReduceStd), x, axes, keepDims).Variance);

    /// <summary>
    /// The mean and population variance over <paramref name="axes"/> (<c>tf.nn.moments</c>,
    /// <c>keras.ops.moments</c>), as BatchNormalization computes them: axes [0] for a batch of
    /// features, [0, 1, 2] for NHWC images.
    /// </summary>
    public static (Tensor Mean, Tensor Variance) Moments(Tensor x, int[] axes, bool keepDims = false) =>
        Variance(nameof(Moments), x, axes, keepDims);

    // The deviations are taken from the mean with its axes kept, so they broadcast; the mean is not
    // held out of the tape (TensorFlow's reduce_variance does not either): second derivatives see it.
    private static (Tensor Mean, Tensor Variance) Variance(string op, Tensor x, int[] axes, bool keepDims)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(axes);
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: x is {x.DType.Name()}; it needs a float dtype, as tf.math.reduce_variance does: NF.Cast(x, DType.Float32).", nameof(x));
        var mean = ReduceMean(x, axes, keepDims: true);
        var variance = ReduceMean(Square(x - mean), axes, keepDims);
        if (keepDims) return (mean, variance);
        return (ReduceSum(mean, axes, keepDims: false), variance); // drops the kept size-1 axes
    }
}
