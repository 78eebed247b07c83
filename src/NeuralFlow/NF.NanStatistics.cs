namespace NeuralFlow;

// NumPy's NaN-ignoring scans, moments and arg-extremes (np.nancumsum, nancumprod, nanvar,
// nanstd, nanargmax, nanargmin), built as NF.NanReductions.cs builds nansum: the NaNs replaced
// through a select (NanAs), then the ordinary op, so every engine runs them and gradients skip
// the NaNs. axis null means the flattened tensor, as in NumPy.
public static partial class NF
{
    /// <summary>
    /// Cumulative sum along <paramref name="axis"/> counting NaN as 0 (<c>np.nancumsum</c>); null
    /// flattens x first. Bool counts as int64 (NumPy's). Gradient as <see cref="CumSum"/>'s, 0 at the NaNs.
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar with an axis given, or axis is out of range.</exception>
    public static Tensor NanCumSum(Tensor x, int? axis = null) => NanScan(x, axis, 0, static (t, a) => CumSum(t, a));

    /// <summary>Cumulative product counting NaN as 1 (<c>np.nancumprod</c>); see <see cref="NanCumSum"/>.</summary>
    /// <exception cref="ArgumentException">x is a scalar with an axis given, or axis is out of range.</exception>
    public static Tensor NanCumProd(Tensor x, int? axis = null) => NanScan(x, axis, 1, static (t, a) => CumProd(t, a));

    private static Tensor NanScan(Tensor x, int? axis, double identity, Func<Tensor, int, Tensor> scan)
    {
        ArgumentNullException.ThrowIfNull(x);
        var t = x.DType == DType.Bool ? Cast(x, DType.Int64) : x;
        if (axis is null) t = Reshape(t, [-1]);
        return scan(NanAs(t, identity), axis ?? 0);
    }

    /// <summary>
    /// Variance of the non-NaN values over <paramref name="axis"/> (or everything) (<c>np.nanvar</c>):
    /// Σ(x - mean)² / (n - <paramref name="ddof"/>) with n the count of non-NaN values; NaN where
    /// n - ddof ≤ 0 (an all-NaN slice included; NumPy also warns). Integers give float32.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor NanVar(Tensor x, int? axis = null, bool keepDims = false, double ddof = 0) =>
        NanVar(x, AxesOf(x, axis), keepDims, ddof);

    /// <summary>NaN-ignoring variance over several axes.</summary>
    public static Tensor NanVar(Tensor x, int[] axes, bool keepDims = false, double ddof = 0)
    {
        var xf = FloatOf(x);
        var count = ReduceSum(Cast(LogicalNot(IsNan(xf)), xf.DType), axes, keepDims: true);
        var mean = ReduceSum(NanAs(xf, 0), axes, keepDims: true) / count;
        var squares = ReduceSum(Square(NanAs(xf - mean, 0)), axes, keepDims);
        var dof = (keepDims ? count : Reshape(count, squares.Shape.ToArray())) - ddof;
        var none = LessEqual(dof, 0);
        // The divisor is kept nonzero where the result is NaN anyway, so the gradient stays finite.
        return Where(none, double.NaN, squares / Where(none, 1.0, dof));
    }

    /// <summary>
    /// Standard deviation of the non-NaN values (<c>np.nanstd</c>): √<see cref="NanVar(Tensor, int?, bool, double)"/>.
    /// Its gradient where the values are all equal is NaN (the square root's at 0, as <see cref="ReduceStd(Tensor, int?, bool)"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor NanStd(Tensor x, int? axis = null, bool keepDims = false, double ddof = 0) =>
        Sqrt(NanVar(x, axis, keepDims, ddof));

    /// <summary>NaN-ignoring standard deviation over several axes.</summary>
    public static Tensor NanStd(Tensor x, int[] axes, bool keepDims = false, double ddof = 0) =>
        Sqrt(NanVar(x, axes, keepDims, ddof));

    /// <summary>
    /// Index (int64) of the largest non-NaN value along <paramref name="axis"/>, or in the flattened
    /// tensor when null (<c>np.nanargmax</c>); the first one on ties.
    /// </summary>
    /// <exception cref="ArgumentException">A slice is all NaN (NumPy's ValueError) or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    public static Tensor NanArgMax(Tensor x, int? axis = null, bool keepDims = false) =>
        NanArgExtreme(nameof(NanArgMax), x, axis, keepDims, double.NegativeInfinity);

    /// <summary>Index of the smallest non-NaN value (<c>np.nanargmin</c>); see <see cref="NanArgMax"/>.</summary>
    /// <exception cref="ArgumentException">A slice is all NaN (NumPy's ValueError) or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    public static Tensor NanArgMin(Tensor x, int? axis = null, bool keepDims = false) =>
        NanArgExtreme(nameof(NanArgMin), x, axis, keepDims, double.PositiveInfinity);

    private static Tensor NanArgExtreme(string op, Tensor x, int? axis, bool keepDims, double nanAs)
    {
        ArgumentNullException.ThrowIfNull(x);
        var values = axis is null ? Reshape(x, [-1]) : x;
        int a = axis is { } given ? x.Shape.NormalizeAxis(given, nameof(axis)) : 0;
        if (values.Shape[a] == 0)
            throw new ArgumentException($"{op}: axis {a} of x with shape {x.Shape} is empty, and an empty slice has no extreme.", nameof(x));
        using var paused = Tape.Pause();
        using var scope = TensorScope.Begin();
        if (x.DType.IsFloating())
        {
            var shape = x.Shape;
            void Check(bool any)
            {
                if (any) throw new ArgumentException($"{op}: an all-NaN slice of x with shape {shape} has no index to give (NumPy's \"All-NaN slice encountered\").", nameof(x));
            }
            var allNan = ReduceAny(ReduceAll(IsNan(values), a));
            // A checked read: a traced step replays the check on each replay's values.
            if (FunctionTrace.ReadChecked<bool>(allNan, any => Check(any[0]))[0]) Check(true);
            values = Where(IsNan(values), nanAs, values);
        }
        var index = nanAs < 0 ? ArgMax(values, a) : ArgMin(values, a);
        if (keepDims) index = axis is null ? Reshape(index, Enumerable.Repeat(1, x.Rank).ToArray()) : ExpandDims(index, a);
        return scope.Keep(index);
    }
}
