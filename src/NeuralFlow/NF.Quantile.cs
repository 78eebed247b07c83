namespace NeuralFlow;

// np.quantile / percentile / median with NumPy's default "linear" method: sort along the axis
// and interpolate between the two order statistics around q · (n - 1). A sort, two slices and
// a lerp, so every engine runs it and the gradient goes back to the values interpolated (Sort's
// rule routes it to their places). Integers give float32 (Keras' floatx for NumPy's float64).
public static partial class NF
{
    /// <summary>
    /// The median over <paramref name="axis"/>, or of everything when null (<c>np.median</c>):
    /// the middle value, or the mean of the two middle ones. A NaN in a slice gives NaN.
    /// </summary>
    /// <exception cref="ArgumentException">The axis (or x) is empty.</exception>
    public static Tensor Median(Tensor x, int? axis = null, bool keepDims = false) => Quantile(x, 0.5, axis, keepDims);

    /// <summary>
    /// The q-th quantile, q in [0, 1], over <paramref name="axis"/> or everything (<c>np.quantile</c>,
    /// method "linear"): with the slice sorted, s[i] + (s[i + 1] - s[i]) · f where q · (n - 1) = i + f.
    /// A NaN in a slice gives NaN; infinities give np.median's limits (the median of [1, inf] is
    /// inf, of [1, 2, inf] 2), where np.quantile's lerp would give NaN. keepDims keeps the reduced
    /// axes (all of them when axis is null) as 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">q is outside [0, 1] or NaN, or axis is out of range.</exception>
    /// <exception cref="ArgumentException">The axis (or x) is empty.</exception>
    public static Tensor Quantile(Tensor x, double q, int? axis = null, bool keepDims = false) =>
        QuantileOf(nameof(Quantile), x, q, axis, keepDims);

    /// <summary>Several quantiles at once: the result has a leading axis of q.Length, one per q (NumPy's).</summary>
    /// <exception cref="ArgumentException">q is empty.</exception>
    public static Tensor Quantile(Tensor x, double[] q, int? axis = null, bool keepDims = false) =>
        QuantilesOf(nameof(Quantile), x, q, 1, axis, keepDims);

    /// <summary>The p-th percentile, p in [0, 100] (<c>np.percentile</c>): <see cref="Quantile(Tensor, double, int?, bool)"/> at p / 100.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 100] or NaN, or axis is out of range.</exception>
    public static Tensor Percentile(Tensor x, double p, int? axis = null, bool keepDims = false)
    {
        CheckQuantile(nameof(Percentile), p, 100);
        return QuantileOf(nameof(Percentile), x, p / 100, axis, keepDims);
    }

    /// <summary>Several percentiles at once: a leading axis of p.Length.</summary>
    public static Tensor Percentile(Tensor x, double[] p, int? axis = null, bool keepDims = false) =>
        QuantilesOf(nameof(Percentile), x, p, 100, axis, keepDims);

    private static Tensor QuantilesOf(string op, Tensor x, double[] q, double scale, int? axis, bool keepDims) =>
        QuantilesOf(op, q, scale, v => QuantileOf(op, x, v, axis, keepDims));

    // One quantile per q (already checked against [0, scale]), stacked on a new leading axis.
    private static Tensor QuantilesOf(string op, double[] q, double scale, Func<double, Tensor> one)
    {
        ArgumentNullException.ThrowIfNull(q);
        if (q.Length == 0) throw new ArgumentException($"{op}: q is empty; give at least one {(scale == 1 ? "quantile" : "percentile")}.", nameof(q));
        foreach (var v in q) CheckQuantile(op, v, scale);
        return Stack(q.Select(v => one(v / scale)).ToArray());
    }

    private static void CheckQuantile(string op, double q, double top)
    {
        if (!(q >= 0 && q <= top))
            throw new ArgumentOutOfRangeException("q", q, $"{op}: q must lie in [0, {top}], got {q}.");
    }

    private static Tensor QuantileOf(string op, Tensor x, double q, int? axis, bool keepDims)
    {
        var (values, a) = QuantileSlices(op, x, q, axis);
        int n = values.Shape[a];
        var sorted = Sort(values, a);
        double position = q * (n - 1);
        int lo = (int)Math.Floor(position);
        int hi = Math.Min(lo + 1, n - 1);
        double f = position - lo;
        var below = SliceAxis(sorted, a, lo, 1);
        var above = SliceAxis(sorted, a, hi, 1);
        // An exact order statistic (f = 0: every median of an odd count) is taken as it is: a lerp
        // of an infinite neighbour (2 + (inf - 2) * 0) would make it NaN.
        var value = f > 0 ? QuantileLerp(below, above, Fill(new Shape(), f, below.DType, below.Backend)) : below;
        // Sort puts NaN last, which only the top quantiles would see: NumPy gives NaN for every q.
        value = Where(ReduceAny(IsNan(values), a, keepDims: true), double.NaN, value);
        return QuantileShape(value, x, a, axis, keepDims);
    }

    // NumPy's lerp between two order statistics at fraction f (f > 0): from the nearer end, so
    // that f = 1 gives `above` exactly. Between an infinite end and another value it is NaN
    // (inf - inf), where np.median's mean of the two middle values, (1 - f) * below + f * above,
    // gives the infinity (NaN only for -inf and inf): that form there.
    private static Tensor QuantileLerp(Tensor below, Tensor above, Tensor f)
    {
        var span = above - below;
        var lerp = Where(Less(f, 0.5), below + span * f, above - span * (1 - f));
        return Where(IsNan(lerp), below * (1 - f) + above * f, lerp);
    }

    // The checked float values whose slices along the returned axis a quantile reduces: x, or x
    // flattened when axis is null.
    private static (Tensor Values, int Axis) QuantileSlices(string op, Tensor x, double q, int? axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckQuantile(op, q, 1);
        var xf = FloatOf(x);
        var values = axis is null ? Reshape(xf, [-1]) : xf;
        int a = axis is { } given ? x.Shape.NormalizeAxis(given, nameof(axis)) : 0;
        if (values.Shape[a] == 0)
            throw new ArgumentException($"{op}: axis {a} of x with shape {x.Shape} is empty, and a quantile of no values has none.", nameof(x));
        return (values, a);
    }

    // One value per slice (the axis kept as 1) in the result's shape: the axis dropped, or kept
    // as 1 (every axis of x when axis is null).
    private static Tensor QuantileShape(Tensor value, Tensor x, int a, int? axis, bool keepDims)
    {
        if (!keepDims) return Squeeze(value, a);
        return axis is null ? Reshape(value, Enumerable.Repeat(1, x.Rank).ToArray()) : value;
    }
}
