namespace NeuralFlow;

// NumPy's statistics of arrays (np.trapezoid, histogram, cov, corrcoef, correlate, convolve;
// keras.ops has them all). Composed of slices, reductions, MatMul, framing and sorted search,
// so every engine runs them and the differentiable ones have their compositions' gradients.
public static partial class NF
{
    /// <summary>
    /// The integral of y along <paramref name="axis"/> by the trapezoidal rule
    /// (<c>np.trapezoid</c>, <c>keras.ops.trapezoid</c>): sum of (y[i] + y[i+1]) / 2 · Δ, with Δ the
    /// differences of the sample points <paramref name="x"/> (1-D along the axis, or y's shape), or
    /// the spacing <paramref name="dx"/> when x is null. Integers give float32; fewer than 2 samples give 0.
    /// </summary>
    /// <exception cref="ArgumentException">y is a scalar, or x's shape fits neither the axis nor y.</exception>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    public static Tensor Trapezoid(Tensor y, Tensor? x = null, double dx = 1.0, int axis = -1)
    {
        const string op = nameof(Trapezoid);
        ArgumentNullException.ThrowIfNull(y);
        if (y.Rank == 0)
            throw new ArgumentException($"{op}: y is a scalar; it needs an axis to integrate along.", nameof(y));
        int a = y.Shape.NormalizeAxis(axis, nameof(axis));
        var values = FloatOf(y);
        int n = y.Shape[a];
        var sums = SliceAxis(values, a, Math.Min(n, 1), Math.Max(n - 1, 0)) + SliceAxis(values, a, 0, Math.Max(n - 1, 0));
        if (x is null) return ReduceSum(sums * (dx / 2), a);
        Tensor spacing;
        if (x.Rank == 1 && x.Shape[0] == n)
        {
            var along = Enumerable.Repeat(1, y.Rank).ToArray();
            along[a] = Math.Max(n - 1, 0);
            spacing = Reshape(Diff(FloatOf(x)), along);
        }
        else if (x.Shape == y.Shape) spacing = Diff(FloatOf(x), 1, a);
        else
            throw new ArgumentException($"{op}: x has shape {x.Shape}; it needs y's shape {y.Shape}, or 1-D with the length of axis {axis} ({n}).", nameof(x));
        (sums, spacing) = Engine.Promote(op, sums, spacing);
        return ReduceSum(sums * spacing / 2, a);
    }

    /// <summary>
    /// The histogram of x's values (flattened) in <paramref name="bins"/> equal bins over
    /// <paramref name="range"/>, or x's min..max when null (<c>np.histogram</c>,
    /// <c>keras.ops.histogram</c>): the counts (int32, as Keras) and the bins + 1 edges (x's float
    /// dtype; float32 for integers). Bin i holds edges[i] ≤ v &lt; edges[i + 1], the last one its
    /// right edge too; values outside the range and NaN are not counted. A range of one value is
    /// widened by 0.5 each side, as NumPy does. Reads x's range on the host when none is given.
    /// With <paramref name="weights"/> (x's shape) each value counts its weight instead of 1
    /// (<c>np.histogram(weights=...)</c>): the sums have the weights' dtype and are differentiable in them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">bins is below 1.</exception>
    /// <exception cref="ArgumentException">The range is reversed or not finite, or weights' shape is not x's.</exception>
    public static (Tensor Counts, Tensor Edges) Histogram(Tensor x, int bins = 10, (double Min, double Max)? range = null, Tensor? weights = null)
    {
        const string op = nameof(Histogram);
        ArgumentNullException.ThrowIfNull(x);
        if (bins < 1)
            throw new ArgumentOutOfRangeException(nameof(bins), bins, $"{op}: bins must be at least 1, got {bins}.");
        CheckHistogramWeights(x, weights);
        var values = FloatOf(Ravel(x));
        var (lo, hi) = range ?? DataRange(values);
        if (!double.IsFinite(lo) || !double.IsFinite(hi))
            throw new ArgumentException($"{op}: the range [{lo}, {hi}] is not finite{(range is null ? " (x holds NaN or infinity; give a range)" : "")}.", nameof(range));
        if (lo > hi)
            throw new ArgumentException($"{op}: the range's max ({hi}) must not be below its min ({lo}).", nameof(range));
        if (lo == hi) (lo, hi) = (lo - 0.5, hi + 0.5);
        Tensor edges;
        using (UseBackend(x.Backend)) edges = Linspace(lo, hi, bins + 1, values.DType);
        return (CountInBins(values, edges, weights), edges);
    }

    /// <summary>
    /// The histogram of x's values (flattened) over the explicit, non-decreasing bin
    /// <paramref name="edges"/> (<c>np.histogram(x, bins=array)</c>): bin i holds
    /// edges[i] ≤ v &lt; edges[i + 1], the last one its right edge too; values outside and NaN are
    /// not counted. Returns the counts (int32), or with <paramref name="weights"/> (x's shape) the
    /// sums of the weights (their dtype, differentiable in them), and the edges in the common float
    /// dtype of x and edges (float32 for integers). Reads one bool on the host to check the edges.
    /// </summary>
    /// <exception cref="ArgumentException">edges is not 1-D with at least 2 values, does not increase (or holds NaN), or weights' shape is not x's.</exception>
    public static (Tensor Counts, Tensor Edges) Histogram(Tensor x, Tensor edges, Tensor? weights = null)
    {
        const string op = nameof(Histogram);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(edges);
        if (edges.Rank != 1 || edges.Shape[0] < 2)
            throw new ArgumentException($"{op}: edges must be 1-D with at least 2 values (one bin), got shape {edges.Shape}.", nameof(edges));
        CheckHistogramWeights(x, weights);
        var (values, bounds) = Engine.Promote(op, FloatOf(Ravel(x)), FloatOf(edges));
        using (Tape.Pause())
        using (var rising = ReduceAll(GreaterEqual(Diff(bounds), 0)))
            if (!rising.Item<bool>())
                throw new ArgumentException($"{op}: edges must increase monotonically (no step down, no NaN), got shape {edges.Shape}.", nameof(edges));
        return (CountInBins(values, bounds, weights), Identity(bounds));
    }

    private static void CheckHistogramWeights(Tensor x, Tensor? weights)
    {
        if (weights is not null && weights.Shape != x.Shape)
            throw new ArgumentException($"Histogram: weights has shape {weights.Shape}; it needs x's shape {x.Shape}, one weight per value.", nameof(weights));
    }

    // Counts (or sums of weights) of the flat values in the bins between increasing edges. Where
    // each value falls is not differentiable (the tape is paused for it); the weights' sums are.
    private static Tensor CountInBins(Tensor values, Tensor edges, Tensor? weights)
    {
        int bins = edges.Shape[0] - 1;
        Tensor counted, inRange;
        using (Tape.Pause())
        {
            // The number of inner edges at or below a value is its bin; the top edge falls in the last.
            using var inner = SliceAxis(edges, 0, 1, bins - 1);
            using var bin = SearchSorted(inner, values, "right");
            using var first = SliceAxis(edges, 0, 0, 1);
            using var last = SliceAxis(edges, 0, bins, 1);
            inRange = LogicalAnd(GreaterEqual(values, first), LessEqual(values, last));
            counted = BooleanMask(bin, inRange);
            if (weights is null) return Bincount(counted, minLength: bins);
        }
        return Bincount(counted, BooleanMask(Ravel(weights), inRange), minLength: bins);
    }

    /// <summary>
    /// The covariance matrix of the variables in <paramref name="m"/> (<c>np.cov</c>): each row a
    /// variable and each column an observation (each column a variable when
    /// <paramref name="rowvar"/> is false); 1-D m is one variable. <paramref name="y"/> adds more
    /// variables. Normalised by N - ddof, ddof being 1 (0 when <paramref name="bias"/>) unless given;
    /// N - ddof ≤ 0 gives inf or NaN, as NumPy (which warns). Size-1 axes of the result are
    /// squeezed away (one variable gives a scalar). Integers give float32.
    /// </summary>
    /// <exception cref="ArgumentException">m or y has more than 2 axes, or their observations differ in number.</exception>
    public static Tensor Cov(Tensor m, Tensor? y = null, bool rowvar = true, bool bias = false, int? ddof = null)
    {
        const string op = nameof(Cov);
        var variables = Variables(op, m, rowvar, nameof(m));
        if (y is not null)
        {
            var more = Variables(op, y, rowvar, nameof(y));
            if (more.Shape[1] != variables.Shape[1])
                throw new ArgumentException($"{op}: m has {variables.Shape[1]} observations but y has {more.Shape[1]}; they need the same number.", nameof(y));
            (variables, more) = Engine.Promote(op, variables, more);
            variables = Concat([variables, more], 0);
        }
        int observations = variables.Shape[1];
        double fact = Math.Max(observations - (ddof ?? (bias ? 0 : 1)), 0);
        var centered = variables - ReduceMean(variables, 1, keepDims: true);
        var c = MatMul(centered, centered, transposeB: true) / fact;
        return Squeeze(c);
    }

    /// <summary>
    /// The Pearson correlation coefficients of the variables in x (and y) (<c>np.corrcoef</c>,
    /// <c>keras.ops.corrcoef</c>): <see cref="Cov"/> divided by the outer product of the standard
    /// deviations, clipped to [-1, 1]. A constant variable gives NaN, as NumPy.
    /// </summary>
    /// <exception cref="ArgumentException">x or y has more than 2 axes, or their observations differ in number.</exception>
    public static Tensor Corrcoef(Tensor x, Tensor? y = null, bool rowvar = true)
    {
        var c = Cov(x, y, rowvar);
        if (c.Rank == 0) return c / c;
        var std = Sqrt(DiagPart(c));
        var r = c / ExpandDims(std, 1) / ExpandDims(std, 0);
        return Minimum(Maximum(r, -1.0), 1.0);
    }

    /// <summary>
    /// The cross-correlation of 1-D a and v (<c>np.correlate(a, v, mode)</c>, <c>keras.ops.correlate</c>):
    /// c[k] = Σ_n a[n + k] · v[n]. <paramref name="mode"/> "valid" (the default) keeps the places
    /// where they overlap fully (max(n, m) - min(n, m) + 1 values), "same" max(n, m) values centred
    /// as NumPy's, "full" all n + m - 1. Mixed dtypes take the wider; integers stay integers, bools give bool (NumPy's).
    /// </summary>
    /// <exception cref="ArgumentException">a or v is not 1-D or is empty, or mode is unknown.</exception>
    public static Tensor Correlate(Tensor a, Tensor v, string mode = "valid") => Correlation(nameof(Correlate), a, v, mode, convolve: false);

    /// <summary>
    /// The discrete linear convolution of 1-D a and v (<c>np.convolve(a, v, mode)</c>,
    /// <c>keras.ops.convolve</c>): (a * v)[k] = Σ_n a[n] · v[k - n]. <paramref name="mode"/> "full"
    /// (the default) gives all n + m - 1 values, "same" max(n, m) centred, "valid" where they overlap fully.
    /// </summary>
    /// <exception cref="ArgumentException">a or v is not 1-D or is empty, or mode is unknown.</exception>
    public static Tensor Convolve(Tensor a, Tensor v, string mode = "full") => Correlation(nameof(Convolve), a, v, mode, convolve: true);

    // The full correlation of a with v (v reversed for a convolution) as one product of a's
    // zero-padded frames with v, then NumPy's window of it for the mode.
    private static Tensor Correlation(string op, Tensor a, Tensor v, string mode, bool convolve)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(v);
        if (mode is not ("valid" or "same" or "full"))
            throw new ArgumentException($"{op}: mode must be \"valid\", \"same\" or \"full\", got \"{mode}\".", nameof(mode));
        if (a.Rank != 1 || v.Rank != 1 || a.Count == 0 || v.Count == 0)
            throw new ArgumentException($"{op}: a and v must be non-empty 1-D tensors, got shapes {a.Shape} and {v.Shape}.");
        (a, v) = Engine.Promote(op, a, v);
        if (a.DType == DType.Bool) return BoolProduct(a, v, (x, y) => Correlation(op, x, y, mode, convolve));
        int n = a.Shape[0], m = v.Shape[0];
        if (convolve) v = Reverse(v, 0);
        var padded = Pad(a, new[,] { { m - 1, m - 1 } });
        var frames = Signal.Frame(padded, m, 1);   // [n + m - 1, m]: frame k is padded[k .. k + m)
        var full = Tensordot(frames, v, 1);
        int shorter = Math.Min(n, m), longer = Math.Max(n, m);
        var (start, length) = mode switch
        {
            "full" => (0, n + m - 1),
            "valid" => (shorter - 1, longer - shorter + 1),
            // NumPy's centring: a convolution is symmetric in its operands, a correlation with the
            // longer v is its mirror image and so rounds the other way.
            _ => (convolve || n >= m ? (shorter - 1) / 2 : shorter / 2, longer),
        };
        return mode == "full" ? full : SliceAxis(full, 0, start, length);
    }

    // m as a [variables, observations] float matrix (np.cov's reading of it).
    private static Tensor Variables(string op, Tensor m, bool rowvar, string paramName)
    {
        ArgumentNullException.ThrowIfNull(m, paramName);
        if (m.Rank > 2)
            throw new ArgumentException($"{op}: {paramName} has shape {m.Shape}; it must have at most 2 axes (variables and observations).", paramName);
        var x = FloatOf(m.Rank < 2 ? Reshape(m, [1, -1]) : m);
        return !rowvar && x.Shape[0] != 1 ? Transpose(x) : x;
    }

    // x's min and max on the host, (0, 1) when empty (np.histogram's range for no data).
    private static (double, double) DataRange(Tensor values)
    {
        if (values.Count == 0) return (0, 1);
        using var paused = Tape.Pause();
        using var lo = Cast(ReduceMin(values), DType.Float64);
        using var hi = Cast(ReduceMax(values), DType.Float64);
        return (lo.Item<double>(), hi.Item<double>());
    }
}
