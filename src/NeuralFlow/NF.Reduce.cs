using NeuralFlow.Backends;
using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>Sum over <paramref name="axis"/>, or over everything when null (<c>tf.reduce_sum</c>). Bool sums give int64.</summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceSum(Tensor x, int? axis = null, bool keepDims = false) => Reduce(ReduceOp.Sum, x, AxesOf(x, axis), keepDims);
    /// <summary>Sum over several axes.</summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceSum(Tensor x, int[] axes, bool keepDims = false) => Reduce(ReduceOp.Sum, x, axes, keepDims);
    /// <summary>Mean over <paramref name="axis"/>, or everything (<c>tf.reduce_mean</c>); integers give a truncated mean, as TensorFlow's.</summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceMean(Tensor x, int? axis = null, bool keepDims = false) => Reduce(ReduceOp.Mean, x, AxesOf(x, axis), keepDims);
    /// <summary>Mean over several axes.</summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceMean(Tensor x, int[] axes, bool keepDims = false) => Reduce(ReduceOp.Mean, x, axes, keepDims);
    /// <summary>Maximum over <paramref name="axis"/>, or everything (<c>tf.reduce_max</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceMax(Tensor x, int? axis = null, bool keepDims = false) => Reduce(ReduceOp.Max, x, AxesOf(x, axis), keepDims);
    /// <summary>Maximum over several axes.</summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceMax(Tensor x, int[] axes, bool keepDims = false) => Reduce(ReduceOp.Max, x, axes, keepDims);
    /// <summary>Minimum over <paramref name="axis"/>, or everything (<c>tf.reduce_min</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceMin(Tensor x, int? axis = null, bool keepDims = false) => Reduce(ReduceOp.Min, x, AxesOf(x, axis), keepDims);
    /// <summary>Minimum over several axes.</summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceMin(Tensor x, int[] axes, bool keepDims = false) => Reduce(ReduceOp.Min, x, axes, keepDims);
    /// <summary>Product over <paramref name="axis"/>, or everything (<c>tf.reduce_prod</c>).</summary>
    public static Tensor ReduceProd(Tensor x, int? axis = null, bool keepDims = false) => Reduce(ReduceOp.Prod, x, AxesOf(x, axis), keepDims);
    /// <summary>Product over several axes.</summary>
    public static Tensor ReduceProd(Tensor x, int[] axes, bool keepDims = false) => Reduce(ReduceOp.Prod, x, axes, keepDims);

    /// <summary>Index of the largest value along <paramref name="axis"/>, as int64 (<c>tf.argmax</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor ArgMax(Tensor x, int axis = 0) => Reduce(ReduceOp.ArgMax, x, [axis], keepDims: false);
    /// <summary>Index of the smallest value along <paramref name="axis"/>, as int64 (<c>tf.argmin</c>).</summary>
    public static Tensor ArgMin(Tensor x, int axis = 0) => Reduce(ReduceOp.ArgMin, x, [axis], keepDims: false);

    [MethodImpl(Hot)]
    private static int[] AxesOf(Tensor x, int? axis) => axis is { } a ? [a] : Enumerable.Range(0, x.Rank).ToArray();

    [MethodImpl(Hot)]
    private static Tensor Reduce(ReduceOp op, Tensor x, int[] axes, bool keepDims)
    {
        var result = ReduceValue(op, x, axes, keepDims, out uint mask);
        return op switch
        {
            ReduceOp.Sum => Tape.Record(result, x, static (g, n) => [Expand(g, n.X.Shape, (uint)n.State!)], mask, "ReduceSum"),
            ReduceOp.Mean => Tape.Record(result, x, static (g, n) =>
            {
                long reduced = n.X.Count / Math.Max(1, n.Output.Count);
                return [Expand(g / (double)reduced, n.X.Shape, (uint)n.State!)];
            }, mask, "ReduceMean"),
            // Max/min: the gradient is shared equally by the elements that attain the extreme.
            ReduceOp.Max or ReduceOp.Min => Tape.Record(result, x, static (g, n) =>
            {
                uint m = (uint)n.State!;
                var hits = Mask(Equal(n.X, Expand(n.Output, n.X.Shape, m)), n.X.DType);
                return [Expand(g, n.X.Shape, m) * hits / Expand(ReduceSum(hits, AxesOfMask(m)), n.X.Shape, m)];
            }, mask, op == ReduceOp.Max ? "ReduceMax" : "ReduceMin"),
            ReduceOp.Prod => Tape.Record(result, x, ReduceProdGradient, mask, "ReduceProd"),
            _ => result,
        };
    }

    // d(prod x)/dx_i is the product of the other factors. prod / x_i is 0/0 = NaN at a zero, so
    // count the zeros of each reduced slice (TensorFlow's rule gets the same with exclusive
    // products): none: prod / x_i; one: the zero gets the product Q of the others, the rest 0;
    // more: all 0. Written so that the rule's own gradient (second order) is right too with up
    // to one zero: Q does not depend on the zero, and the "rest 0" is Q * Z / x_i with Z the
    // zero factor itself (0, but its derivative is Q / x_i, as that of prod_{j != i} x_j).
    private static readonly GradientRule ReduceProdGradient = static (g, n) =>
    {
        uint m = (uint)n.State!;
        var x = n.X;
        var axes = AxesOfMask(m);
        var isZero = Mask(Equal(x, 0), x.DType);
        var nonZero = x * (1 - isZero) + isZero;                    // zeros replaced by a constant 1
        var zeros = ReduceSum(isZero, axes, keepDims: true);
        var others = ReduceProd(nonZero, axes, keepDims: true);     // product of the non-zero factors
        var zeroFactor = ReduceSum(x * isZero, axes, keepDims: true);
        var share = Mask(Equal(zeros, 0), x.DType) / nonZero
                  + Mask(Equal(zeros, 1), x.DType) * (isZero + (1 - isZero) * zeroFactor / nonZero);
        return [Expand(g, x.Shape, m) * others * share];
    };

    private static int[] AxesOfMask(uint mask) => Enumerable.Range(0, 32).Where(i => (mask & (1u << i)) != 0).ToArray();

    // A max, min or arg-reduction of nothing has no value (NumPy and PyTorch refuse it too); said
    // here in the user's terms, the same on every engine, rather than by the kernel's check.
    private static void RefuseEmptyAxis(string name, Shape shape, uint mask)
    {
        for (int i = 0; i < shape.Rank; i++)
            if ((mask & (1u << i)) != 0 && shape[i] == 0)
                throw new ArgumentException(
                    $"{name}: axis {i} of x with shape {shape} is empty, and a {(name.Contains("Max") ? "maximum" : "minimum")} of no elements has no value; " +
                    "reduce over non-empty axes, or use ReduceSum / ReduceAll / ReduceAny, which have an identity.", "x");
    }

    [MethodImpl(Hot)]
    private static Tensor ReduceValue(ReduceOp op, Tensor x, int[] axes, bool keepDims, out uint mask)
    {
        ArgumentNullException.ThrowIfNull(axes);
        string name = op is ReduceOp.ArgMax or ReduceOp.ArgMin ? op.ToString() : "Reduce" + op;
        mask = Engine.AxesMask(name, x.Shape, axes);
        if (op is ReduceOp.Max or ReduceOp.Min or ReduceOp.ArgMax or ReduceOp.ArgMin)
            RefuseEmptyAxis(name, x.Shape, mask);
        // Bool: sums and products count (int64), means are fractions (float32); arg-reductions compare bytes.
        var inputDtype = x.DType != DType.Bool ? x.DType : op switch
        {
            ReduceOp.Sum or ReduceOp.Prod => DType.Int64,
            ReduceOp.Mean => DType.Float32,
            ReduceOp.ArgMax or ReduceOp.ArgMin => DType.UInt8,
            _ => DType.Bool,
        };
        var outDtype = op is ReduceOp.ArgMax or ReduceOp.ArgMin ? DType.Int64 : inputDtype;
        var dims = x.Shape.Dims;
        var kept = new List<int>(dims.Length);
        var keptDims = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            bool reduced = (mask & (1u << i)) != 0;
            if (!reduced) kept.Add(dims[i]);
            keptDims[i] = reduced ? 1 : dims[i];
        }
        var input = Engine.As(x, inputDtype);
        try
        {
            var result = Tensor.Empty(new Shape(kept.ToArray()), outDtype, input.Backend);
            Engine.Reduce(op, input, mask, result);
            if (!keepDims) return result;
            using (result) return result.View(result.Layout.WithShape(new Shape(keptDims)));
        }
        finally
        {
            if (!ReferenceEquals(input, x)) input.Dispose();
        }
    }
}
