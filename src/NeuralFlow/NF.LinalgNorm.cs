namespace NeuralFlow;

// The norms of keras.ops.linalg.norm / numpy.linalg.norm, split as torch.linalg splits them:
// VectorNorm (any p over any axes) and MatrixNorm (fro, nuc, +-1, +-2, +-inf over two axes).
// All are compositions of recorded ops, so their gradients are those of their parts (the 2, -2
// and nuclear norms go through SingularValues).
public static partial class NF
{
    /// <summary>
    /// The vector p-norm of <paramref name="x"/> over <paramref name="axes"/> (all elements when null),
    /// <c>torch.linalg.vector_norm</c> / <c>numpy.linalg.norm</c> of a vector: p = inf is max|x|,
    /// -inf min|x|, 0 the count of non-zero entries (no gradient), any other p (sum |x|^p)^(1/p),
    /// negative p included (0 when an entry is 0).
    /// </summary>
    /// <exception cref="ArgumentException">x is not float, ord is NaN, or an axis is out of range or repeated.</exception>
    public static Tensor VectorNorm(Tensor x, double ord = 2, int[]? axes = null, bool keepDims = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating()) throw new ArgumentException($"VectorNorm: x is {x.DType.Name()}; it needs float32 or float64.", nameof(x));
        if (double.IsNaN(ord)) throw new ArgumentException("VectorNorm: ord is NaN; give a number, double.PositiveInfinity or double.NegativeInfinity.", nameof(ord));
        var ax = axes ?? Enumerable.Range(0, x.Rank).ToArray();
        // torch.linalg.vector_norm's rule: the +-inf norms are a max / min, which an empty reduction does not have.
        if (double.IsInfinity(ord) && ax.Any(a => x.Shape[a < 0 ? a + x.Rank : a] == 0))
            throw new ArgumentException($"VectorNorm: the {ord} norm over the empty axes [{string.Join(", ", ax)}] of shape {x.Shape} has no value (a max or min of nothing); give non-empty axes or a finite ord.", nameof(x));
        if (ord > 0) return Norm(x, ord, ax, keepDims);
        if (double.IsNegativeInfinity(ord)) return ReduceMin(Abs(x), ax, keepDims);
        if (ord == 0) return ReduceSum(Cast(NonZero(StopGradient(x)), x.DType), ax, keepDims);
        return Pow(ReduceSum(Pow(Abs(x), ord), ax, keepDims), 1 / ord);
    }

    /// <summary>
    /// The Frobenius ("fro", default) or nuclear ("nuc", the sum of the singular values) norm of the
    /// matrices spanned by <paramref name="axes"/> (default the last two), <c>torch.linalg.matrix_norm</c>.
    /// </summary>
    /// <exception cref="ArgumentException">x not float, ord not "fro" or "nuc", axes not two distinct axes of x.</exception>
    public static Tensor MatrixNorm(Tensor x, string ord = "fro", int[]? axes = null, bool keepDims = false)
    {
        var (r, c) = NormAxes(x, axes);
        return ord switch
        {
            "fro" => Sqrt(ReduceSum(Square(x), [r, c], keepDims)),
            "nuc" => SingularValueNorm(x, r, c, keepDims, ReduceSum),
            _ => throw new ArgumentException($"MatrixNorm: ord must be \"fro\" or \"nuc\" (or a number: 1, -1, 2, -2, inf, -inf), got \"{ord}\".", nameof(ord)),
        };
    }

    /// <summary>
    /// A matrix norm by number (<c>torch.linalg.matrix_norm</c>, <c>numpy.linalg.norm</c>): 1 the largest
    /// column sum of |x|, -1 the smallest; inf the largest row sum, -inf the smallest; 2 the largest
    /// singular value, -2 the smallest. The matrices span <paramref name="axes"/> (default the last two).
    /// </summary>
    /// <exception cref="ArgumentException">x not float, another ord, or axes not two distinct axes of x.</exception>
    public static Tensor MatrixNorm(Tensor x, double ord, int[]? axes = null, bool keepDims = false)
    {
        var (r, c) = NormAxes(x, axes);
        Tensor Sums(int over, int then, Func<Tensor, int[], bool, Tensor> pick) =>
            Squeezed(pick(ReduceSum(Abs(x), [over], true), [then], true), r, c, keepDims);
        return ord switch
        {
            1 => Sums(r, c, ReduceMax),
            -1 => Sums(r, c, ReduceMin),
            double.PositiveInfinity => Sums(c, r, ReduceMax),
            double.NegativeInfinity => Sums(c, r, ReduceMin),
            2 => SingularValueNorm(x, r, c, keepDims, ReduceMax),
            -2 => SingularValueNorm(x, r, c, keepDims, ReduceMin),
            _ => throw new ArgumentException($"MatrixNorm: ord must be 1, -1, 2, -2, inf or -inf (or \"fro\", \"nuc\"), got {ord}.", nameof(ord)),
        };
    }

    // A reduction of the singular values of the matrices over axes r, c; the result keeps those axes as 1s when keepDims.
    private static Tensor SingularValueNorm(Tensor x, int r, int c, bool keepDims, Func<Tensor, int[], bool, Tensor> reduce)
    {
        var rest = Enumerable.Range(0, x.Rank).Where(d => d != r && d != c);
        var value = reduce(SingularValues(Transpose(x, [.. rest, r, c])), [-1], false);
        if (!keepDims) return value;
        return ExpandDims(ExpandDims(value, Math.Min(r, c)), Math.Max(r, c));
    }

    // Drops the two kept size-1 axes r, c unless keepDims.
    private static Tensor Squeezed(Tensor t, int r, int c, bool keepDims) => keepDims ? t : Squeeze(t, [r, c]);

    // The two matrix axes (default the last two), made non-negative and checked.
    private static (int R, int C) NormAxes(Tensor x, int[]? axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating()) throw new ArgumentException($"MatrixNorm: x is {x.DType.Name()}; it needs float32 or float64.", nameof(x));
        axes ??= [-2, -1];
        if (axes.Length != 2)
            throw new ArgumentException($"MatrixNorm: axes must name two axes, got {axes.Length} ([{string.Join(", ", axes)}]); use VectorNorm for one.", nameof(axes));
        if (x.Rank < 2)
            throw new ArgumentException($"MatrixNorm: x must have rank >= 2, got shape {x.Shape}.", nameof(x));
        int r = axes[0] < 0 ? axes[0] + x.Rank : axes[0], c = axes[1] < 0 ? axes[1] + x.Rank : axes[1];
        if (r < 0 || r >= x.Rank || c < 0 || c >= x.Rank || r == c)
            throw new ArgumentException($"MatrixNorm: axes [{axes[0]}, {axes[1]}] must be two distinct axes of a rank-{x.Rank} tensor.", nameof(axes));
        return (r, c);
    }
}
