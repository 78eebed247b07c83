namespace NeuralFlow;

// Issue 16's reductions and Clip, composed from existing ops: the logical reductions through the
// bool Max/Min reductions (any/all), LogSumExp through ReduceMax so the tape differentiates it.
public static partial class NF
{
    /// <summary>
    /// x limited to [min, max] (<c>tf.clip_by_value</c>); the gradient passes where min &lt;= x
    /// &lt;= max and is zero outside. NaN stays NaN. A C# number bound takes x's dtype, so it must fit it
    /// (uint8 with a bound -1 is refused, as torch.clamp and TensorFlow's conversion refuse it).
    /// </summary>
    /// <exception cref="OverflowException">A C# number bound does not fit x's integer dtype; the message names Clip.</exception>
    public static Tensor Clip(Tensor x, Tensor min, Tensor max)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckBoundsFit(nameof(Clip), x, min, max);
        return Minimum(Maximum(x, min), max);
    }

    // A bound that does not fit an integer tensor was refused by the Maximum or Minimum inside, whose name
    // told a Clip or HardTanh caller nothing: check the C# number bounds first, naming the op the user called.
    private static void CheckBoundsFit(string op, Tensor x, Tensor min, Tensor max)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(max);
        ScalarRange.CheckWeak(op, min, x.DType);
        ScalarRange.CheckWeak(op, max, x.DType);
    }

    /// <summary>
    /// TensorFlow's <c>tf.clip_by_value(t, clip_value_min, clip_value_max)</c>: max(min(t, max), min), with its
    /// rule on shapes: the bounds are scalars (C# numbers included) or tensors that broadcast to
    /// <paramref name="t"/>'s shape, and the result has that shape. It equals <see cref="Clip"/> (NumPy's
    /// min(max(t, min), max)) wherever min &lt;= max; where min &gt; max TensorFlow's order gives min, NumPy's max.
    /// </summary>
    /// <exception cref="ArgumentException">A bound tensor has another dtype than t, or does not broadcast to t's shape, or would make the result larger than t (TensorFlow's ValueError).</exception>
    /// <exception cref="OverflowException">A C# number bound does not fit t's integer dtype (TensorFlow cannot convert it either); the message names ClipByValue.</exception>
    public static Tensor ClipByValue(Tensor t, Tensor clipValueMin, Tensor clipValueMax)
    {
        ArgumentNullException.ThrowIfNull(t);
        CheckBoundsFit(nameof(ClipByValue), t, clipValueMin, clipValueMax);
        foreach (var (bound, name) in new[] { (clipValueMin, nameof(clipValueMin)), (clipValueMax, nameof(clipValueMax)) })
        {
            // TensorFlow converts the bounds to t's dtype, so a bound tensor of another dtype is its error; here it is
            // named as the bound of ClipByValue, not as an operand of the Minimum or Maximum below. C# numbers adapt.
            if (!bound.IsWeakScalar && bound.DType != t.DType)
                throw new ArgumentException(
                    $"ClipByValue: {name} is {bound.DType.Name()} but t is {t.DType.Name()}; the bounds take t's dtype, convert with NF.Cast({name}, DType.{t.DType}).", name);
            if (Engine.BroadcastShapes(nameof(ClipByValue), t.Shape, bound.Shape) != t.Shape)
                throw new ArgumentException(
                    $"ClipByValue: {name} of shape {bound.Shape} would broadcast t of shape {t.Shape} to a larger shape; the bounds must be scalars or broadcast to t's shape.", name);
        }
        // TF's composite order (clip_ops.py: minimum with the max first, then maximum with the min), so the
        // result where the bounds cross and the gradient at a bound follow TensorFlow's Minimum/Maximum.
        return Maximum(Minimum(t, clipValueMax), clipValueMin);
    }

    /// <summary>The fraction of x's elements that are zero (<c>tf.math.zero_fraction</c>), a float32 scalar; NaN for an empty x.</summary>
    public static Tensor ZeroFraction(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ReduceMean(Cast(Equal(x, 0), DType.Float32));
    }

    /// <summary>
    /// Whether x's elements, read in row-major order, never decrease (<c>tf.math.is_non_decreasing</c>): a bool
    /// scalar, true for fewer than two elements. A NaN makes it false.
    /// </summary>
    public static Tensor IsNonDecreasing(Tensor x) => Monotone(x, strictly: false);

    /// <summary>
    /// Whether x's elements, read in row-major order, strictly increase (<c>tf.math.is_strictly_increasing</c>): a bool
    /// scalar, true for fewer than two elements. A NaN makes it false.
    /// </summary>
    public static Tensor IsStrictlyIncreasing(Tensor x) => Monotone(x, strictly: true);

    private static Tensor Monotone(Tensor x, bool strictly)
    {
        ArgumentNullException.ThrowIfNull(x);
        var flat = Reshape(x, [-1]);
        if (flat.Shape[0] < 2) return Constant(true);
        var (before, after) = (flat[..^1], flat[1..]);
        return ReduceAll(strictly ? Greater(after, before) : GreaterEqual(after, before));
    }

    /// <summary>
    /// True where every element over the axes is non-zero (<c>tf.reduce_all</c>); all axes when
    /// none are given. Over an empty axis it is true, as in TensorFlow and NumPy.
    /// </summary>
    public static Tensor ReduceAll(Tensor x, int? axis = null, bool keepDims = false) => ReduceLogical(x, AxesOf(x, axis), keepDims, all: true);

    /// <summary>
    /// True where any element over the axes is non-zero (<c>tf.reduce_any</c>); all axes when
    /// none are given. Over an empty axis it is false, as in TensorFlow and NumPy.
    /// </summary>
    public static Tensor ReduceAny(Tensor x, int? axis = null, bool keepDims = false) => ReduceLogical(x, AxesOf(x, axis), keepDims, all: false);

    // The min (all) or max (any) of the bools, except over an empty axis: a min or max of nothing
    // has no value, but "all" of nothing is true and "any" false, so there the non-zeros are counted.
    // The choice depends on the shape only, so an NF.Function trace replays it.
    private static Tensor ReduceLogical(Tensor x, int[] axes, bool keepDims, bool all)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var nonZero = NonZero(x);
        if (!ReducesEmptyAxis(x.Shape, axes)) return all ? ReduceMin(nonZero, axes, keepDims) : ReduceMax(nonZero, axes, keepDims);
        using var count = ReduceSum(nonZero, axes, keepDims);  // int64, all zeros
        return all ? Equal(count, 0) : NotEqual(count, 0);
    }

    // Whether one of the axes has size 0; an axis out of range is left to the reduction, which names it.
    private static bool ReducesEmptyAxis(Shape shape, int[] axes) =>
        axes.Any(a => a >= -shape.Rank && a < shape.Rank && shape[a < 0 ? a + shape.Rank : a] == 0);

    /// <summary>The number of non-zero elements over the axes, as int64 (<c>tf.math.count_nonzero</c>); NaN counts as non-zero.</summary>
    public static Tensor CountNonzero(Tensor x, int? axis = null, bool keepDims = false)
    {
        using var nz = NonZero(x);
        using var counts = Cast(nz, DType.Int64);
        return ReduceSum(counts, AxesOf(x, axis), keepDims);
    }

    private static Tensor NonZero(Tensor x) => x.DType == DType.Bool ? x.View(x.Layout) : NotEqual(x, 0);

    /// <summary>
    /// log(sum(exp(x))) over the axes, computed as m + log(sum(exp(x - m))) with m the maximum
    /// (<c>tf.reduce_logsumexp</c>), so large values neither overflow nor small ones underflow to
    /// -inf. m is clamped to the finite range so all -inf (or an inf) gives -inf (inf) instead of
    /// inf - inf = NaN. The gradient is softmax(x) over the axes.
    /// </summary>
    public static Tensor ReduceLogSumExp(Tensor x, int? axis = null, bool keepDims = false)
    {
        if (!x.DType.IsFloating()) throw new ArgumentException($"ReduceLogSumExp: x is {x.DType.Name()}; it needs a float dtype.", nameof(x));
        int[] axes = AxesOf(x, axis);
        double big = x.DType == DType.Float64 ? double.MaxValue : float.MaxValue;
        // Over an empty axis the sum of no exponentials is 0 and the result -inf (tf.reduce_logsumexp,
        // torch.logsumexp); the maximum has no value there, so the shift is 0 instead.
        bool empty = ReducesEmptyAxis(x.Shape, axes); // bad axes: ReduceMax says which
        using var rawMax = empty ? ZerosLike(ReduceSum(x, axes, keepDims: true)) : ReduceMax(x, axes, keepDims: true);
        using var m = StopGradient(Clip(rawMax, -big, big));
        var lse = Log(ReduceSum(Exp(x - m), axes, keepDims: true)) + m;
        if (keepDims) return lse;
        using (lse) return ReduceSum(lse, axes, keepDims: false); // drops the size-1 axes
    }

    /// <summary>
    /// The vector p-norm over <paramref name="axis"/> (all elements when null), <c>tf.norm</c> with
    /// <c>ord</c> = <paramref name="ord"/>: 2 (TensorFlow's default, 'euclidean') is sqrt(sum(x^2)),
    /// 1 sum(|x|), infinity max(|x|), any other p &gt; 0 (sum(|x|^p))^(1/p). As in TensorFlow, the
    /// gradient of the 2-norm at x = 0 is NaN.
    /// </summary>
    public static Tensor Norm(Tensor x, double ord = 2, int? axis = null, bool keepDims = false)
    {
        if (!x.DType.IsFloating()) throw new ArgumentException($"Norm: x is {x.DType.Name()}; it needs a float dtype.", nameof(x));
        if (!(ord > 0)) throw new ArgumentException($"Norm: ord must be > 0 (1, 2, a p-norm or double.PositiveInfinity), got {ord}.", nameof(ord));
        return Norm(x, ord, AxesOf(x, axis), keepDims);
    }

    /// <summary>The Frobenius norm over <paramref name="axes"/>, sqrt(sum(x^2)) (<c>tf.norm(x, 'fro', axis=[-2, -1])</c>).</summary>
    public static Tensor Norm(Tensor x, int[] axes, bool keepDims = false)
    {
        if (!x.DType.IsFloating()) throw new ArgumentException($"Norm: x is {x.DType.Name()}; it needs a float dtype.", nameof(x));
        return Norm(x, 2, axes, keepDims);
    }

    // The intermediates are not disposed: a gradient tape may have saved them (|x| for the max, the sum for the root).
    private static Tensor Norm(Tensor x, double ord, int[] axes, bool keepDims)
    {
        if (ord == 2) return Sqrt(ReduceSum(Square(x), axes, keepDims));
        var magnitude = Abs(x);
        if (double.IsPositiveInfinity(ord)) return ReduceMax(magnitude, axes, keepDims);
        if (ord == 1) return ReduceSum(magnitude, axes, keepDims);
        return Pow(ReduceSum(Pow(magnitude, ord), axes, keepDims), 1 / ord);
    }
}
