using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Cumulative sum along <paramref name="axis"/> (<c>tf.math.cumsum</c>): element i is the sum
    /// of elements 0..i; <paramref name="exclusive"/> leaves element i out (the first output is
    /// 0), <paramref name="reverse"/> sums from the end of the axis. One pass per line on every
    /// engine; float sums accumulate in double as the reductions do, integers wrap. Gradient:
    /// the cumulative sum of the upstream gradient in the opposite direction.
    /// </summary>
    /// <exception cref="ArgumentException">x is bool or a scalar, or axis is out of range.</exception>
    public static Tensor CumSum(Tensor x, int axis = 0, bool exclusive = false, bool reverse = false)
    {
        var result = Cumulative(ScanOp.Sum, nameof(CumSum), x, axis, exclusive, reverse, out int a);
        return Tape.Record(result, x, static (g, n) =>
        {
            var (axis, exclusive, reverse) = ((int, bool, bool))n.State!;
            return [CumSum(g, axis, exclusive, !reverse)];
        }, (a, exclusive, reverse));
    }

    /// <summary>
    /// Cumulative product along <paramref name="axis"/> (<c>tf.math.cumprod</c>), with
    /// <paramref name="exclusive"/> (the first output is 1) and <paramref name="reverse"/> as in
    /// <see cref="CumSum"/>. Float products accumulate in double. Gradient: PyTorch's exact one,
    /// zeros of x included (TensorFlow's CumSum(y * g) / x gives inf or NaN there).
    /// </summary>
    /// <exception cref="ArgumentException">x is bool or a scalar, or axis is out of range.</exception>
    public static Tensor CumProd(Tensor x, int axis = 0, bool exclusive = false, bool reverse = false)
    {
        var result = Cumulative(ScanOp.Prod, nameof(CumProd), x, axis, exclusive, reverse, out int a);
        return Tape.Record(result, x, static (g, n) =>
        {
            var (axis, exclusive, reverse) = ((int, bool, bool))n.State!;
            return [CumProdGradient(n.X, n.Output, g, axis, exclusive, reverse)];
        }, (a, exclusive, reverse));
    }

    /// <summary>
    /// log(Σ exp) of elements 0..i along <paramref name="axis"/> (<c>tf.math.cumulative_logsumexp</c>,
    /// <c>torch.logcumsumexp</c>) without overflow or underflow, with <paramref name="exclusive"/> (the first output is
    /// -inf, the log of an empty sum) and <paramref name="reverse"/> as in <see cref="CumSum"/>. A prefix scan of
    /// <see cref="LogAddExp"/> in log2(n) doubling steps (each element meets the partial result d places back), so a
    /// line whose early elements are far below its maximum keeps them, where shifting by the maximum underflows to -inf.
    /// Float dtypes; differentiable through LogAddExp (a softmax over each prefix).
    /// </summary>
    /// <exception cref="ArgumentException">x is not float or is a scalar, or axis is out of range.</exception>
    public static Tensor CumulativeLogsumexp(Tensor x, int axis = 0, bool exclusive = false, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating())
            throw new ArgumentException($"CumulativeLogsumexp: x is {x.DType.Name()}; it needs a float dtype (convert with NF.Cast).", nameof(x));
        if (x.Rank == 0)
            throw new ArgumentException("CumulativeLogsumexp: x is a scalar; a cumulative log-sum-exp needs an axis (reshape it to [1]).", nameof(x));
        if (axis < -x.Rank || axis >= x.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"CumulativeLogsumexp: axis {axis} is out of range for x of shape {x.Shape} (rank {x.Rank}).");
        int a = axis < 0 ? axis + x.Rank : axis, n = x.Shape[a];
        if (n == 0) return Identity(x);
        var y = reverse ? Reverse(x, a) : x;
        // The first `count` entries along the axis, and -inf padding of `count` entries (the log of nothing).
        Tensor Head(Tensor t, int count)
        {
            var size = t.Shape.ToArray();
            size[a] = count;
            return Slice(t, new int[t.Rank], size);
        }
        Tensor Shifted(Tensor t, int d) => Concat([ZerosLike(Head(t, d)) + double.NegativeInfinity, Head(t, n - d)], a);
        for (int d = 1; d < n; d *= 2) y = LogAddExp(y, Shifted(y, d));
        if (exclusive) y = Shifted(y, 1);
        return reverse ? Reverse(y, a) : y;
    }

    // dL/dx_k = sum over outputs i that multiply x_k of g_i * y_i / x_k (TensorFlow's rule), which
    // is 0/0 where x_k = 0. Along the scan direction the first zero z splits each line: before z,
    // x_k != 0 and the quotient is exact; at z, the same sum over the products with x_z replaced
    // by 1, which leaves its factor out; after z, every product that holds x_k also holds x_z, so
    // the gradient is Z (x_z itself, 0) times that sum. Written with Z rather than a constant 0,
    // and with no division by 0, so that the rule's own gradient (second order) is exact too with
    // up to one zero per line, as ReduceProd's. Per element, not on the host: NF.Function replays it.
    private static Tensor CumProdGradient(Tensor x, Tensor y, Tensor g, int axis, bool exclusive, bool reverse)
    {
        var isZero = Equal(x, 0);
        var zerosSoFar = CumSum(Cast(isZero, DType.Int32), axis, reverse: reverse);
        var firstZero = LogicalAnd(isZero, Equal(zerosSoFar, 1));
        var one = OnesLike(x);
        var beforeZero = CumSum(y * g, axis, exclusive, !reverse) / Where(isZero, one, x);
        var xOne = Where(firstZero, one, x);
        var withoutZero = CumSum(CumProd(xOne, axis, exclusive, reverse) * g, axis, exclusive, !reverse) / Where(Equal(xOne, 0), one, xOne);
        var zeroFactor = ReduceSum(Where(firstZero, x, ZerosLike(x)), axis, keepDims: true);
        return Where(Equal(zerosSoFar, 0), beforeZero, Where(firstZero, withoutZero, withoutZero * zeroFactor));
    }

    private static Tensor Cumulative(ScanOp op, string name, Tensor x, int axis, bool exclusive, bool reverse, out int a)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType == DType.Bool)
            throw new ArgumentException($"{name}: not defined for bool tensors; cast first with NF.Cast(x, DType.Int32).", nameof(x));
        if (x.Rank == 0)
            throw new ArgumentException($"{name}: x is a scalar; a cumulative {(op == ScanOp.Sum ? "sum" : "product")} needs an axis (reshape it to [1]).", nameof(x));
        if (axis < -x.Rank || axis >= x.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{name}: axis {axis} is out of range for x of shape {x.Shape} (rank {x.Rank}).");
        a = axis < 0 ? axis + x.Rank : axis;
        var result = Tensor.Empty(x.Shape, x.DType, x.Backend);
        Engine.Scan(op, x, a, exclusive, reverse, result);
        return result;
    }
}
