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
    /// <see cref="CumSum"/>. Float products accumulate in double. Gradient as TensorFlow's:
    /// CumSum(y * g) in the opposite direction divided by x, so it is not defined (inf or NaN)
    /// where x holds zeros.
    /// </summary>
    /// <exception cref="ArgumentException">x is bool or a scalar, or axis is out of range.</exception>
    public static Tensor CumProd(Tensor x, int axis = 0, bool exclusive = false, bool reverse = false)
    {
        var result = Cumulative(ScanOp.Prod, nameof(CumProd), x, axis, exclusive, reverse, out int a);
        return Tape.Record(result, x, static (g, n) =>
        {
            var (axis, exclusive, reverse) = ((int, bool, bool))n.State!;
            return [CumSum(n.Output * g, axis, exclusive, !reverse) / n.X];
        }, (a, exclusive, reverse));
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
