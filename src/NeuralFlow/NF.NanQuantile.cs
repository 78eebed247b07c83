namespace NeuralFlow;

// np.nanquantile / nanpercentile / nanmedian ("linear" method, as NF.Quantile.cs): each slice
// has its own count n of non-NaN values, so its position q · (n - 1) differs from slice to slice.
// Sort puts the NaNs last, so the non-NaN values are the first n of each sorted slice; the two
// order statistics around the position are picked by comparing an index ramp with it (a select
// and a sum: exact, and no gather kernel needed), then NumPy's lerp. The gradient goes back to
// the values interpolated, through Sort's rule (torch.nanquantile's).
public static partial class NF
{
    /// <summary>
    /// The median of the non-NaN values over <paramref name="axis"/>, or of everything when null
    /// (<c>np.nanmedian</c>); NaN for an all-NaN slice (NumPy also warns). Integers give float32.
    /// </summary>
    /// <exception cref="ArgumentException">The axis (or x) is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    public static Tensor NanMedian(Tensor x, int? axis = null, bool keepDims = false) =>
        NanQuantileOf(nameof(NanMedian), x, 0.5, axis, keepDims);

    /// <summary>
    /// The q-th quantile, q in [0, 1], of the non-NaN values (<c>np.nanquantile</c>, method
    /// "linear"); see <see cref="Quantile(Tensor, double, int?, bool)"/> for the interpolation
    /// and the infinities. An all-NaN slice gives NaN.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">q is outside [0, 1] or NaN, or axis is out of range.</exception>
    /// <exception cref="ArgumentException">The axis (or x) is empty.</exception>
    public static Tensor NanQuantile(Tensor x, double q, int? axis = null, bool keepDims = false) =>
        NanQuantileOf(nameof(NanQuantile), x, q, axis, keepDims);

    /// <summary>Several NaN-ignoring quantiles at once: a leading axis of q.Length, one per q (NumPy's).</summary>
    /// <exception cref="ArgumentException">q is empty.</exception>
    public static Tensor NanQuantile(Tensor x, double[] q, int? axis = null, bool keepDims = false) =>
        QuantilesOf(nameof(NanQuantile), q, 1, v => NanQuantileOf(nameof(NanQuantile), x, v, axis, keepDims));

    /// <summary>The p-th percentile, p in [0, 100], of the non-NaN values (<c>np.nanpercentile</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 100] or NaN, or axis is out of range.</exception>
    /// <exception cref="ArgumentException">The axis (or x) is empty.</exception>
    public static Tensor NanPercentile(Tensor x, double p, int? axis = null, bool keepDims = false)
    {
        CheckQuantile(nameof(NanPercentile), p, 100);
        return NanQuantileOf(nameof(NanPercentile), x, p / 100, axis, keepDims);
    }

    /// <summary>Several NaN-ignoring percentiles at once: a leading axis of p.Length.</summary>
    /// <exception cref="ArgumentException">p is empty.</exception>
    public static Tensor NanPercentile(Tensor x, double[] p, int? axis = null, bool keepDims = false) =>
        QuantilesOf(nameof(NanPercentile), p, 100, v => NanQuantileOf(nameof(NanPercentile), x, v, axis, keepDims));

    private static Tensor NanQuantileOf(string op, Tensor x, double q, int? axis, bool keepDims)
    {
        var (values, a) = QuantileSlices(op, x, q, axis);
        int n = values.Shape[a];
        var sorted = Sort(values, a);
        // Positions in float64 (exact counts); per slice, keeping the axis as 1.
        var count = ReduceSum(Cast(LogicalNot(IsNan(values)), DType.Float64), a, keepDims: true);
        var position = q * (count - 1);
        var lo = Floor(position);
        var hi = Minimum(lo + 1, count - 1);
        var rampShape = new Shape(Enumerable.Range(0, values.Rank).Select(d => d == a ? n : 1).ToArray());
        var ramp = Engine.FromHost(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), rampShape, values.Backend);
        var below = ReduceSum(Where(Equal(ramp, lo), sorted, 0.0), a, keepDims: true);
        var above = ReduceSum(Where(Equal(ramp, hi), sorted, 0.0), a, keepDims: true);
        var f = Cast(position - lo, values.DType);
        // An exact order statistic is taken as it is (see Quantile: a lerp with an infinite neighbour is NaN).
        var value = Where(Equal(f, 0), below, QuantileLerp(below, above, f));
        value = Where(Equal(count, 0), double.NaN, value);
        return QuantileShape(value, x, a, axis, keepDims);
    }
}
