namespace NeuralFlow;

// NumPy's bincount, digitize, isin, diagonal, dstack and average (keras.ops has them all),
// composed of segment sums, sorted search, comparisons, gathers and concatenation, so every
// engine runs them.
public static partial class NF
{
    /// <summary>
    /// How often each value 0, 1, ... occurs in the 1-D non-negative integer <paramref name="x"/>
    /// (<c>np.bincount</c>), or the sum of <paramref name="weights"/> at each value's places. The
    /// length is max(x) + 1, at least <paramref name="minLength"/>. Counts are int32 (Keras'),
    /// sums have the weights' dtype. Reads max(x) to size the result (an NF.Function runs it eagerly).
    /// </summary>
    /// <exception cref="ArgumentException">x is not a 1-D integer tensor, has a negative value or one past the longest axis, or weights' shape differs from x's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">minLength is negative.</exception>
    public static Tensor Bincount(Tensor x, Tensor? weights = null, int minLength = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 1 || !x.DType.IsInteger())
            throw new ArgumentException($"Bincount: x must be a 1-D integer tensor, got {x.DType.Name()} with shape {x.Shape}.", nameof(x));
        if (minLength < 0)
            throw new ArgumentOutOfRangeException(nameof(minLength), minLength, $"Bincount: minLength must be non-negative, got {minLength}.");
        if (weights is not null && weights.Shape != x.Shape)
            throw new ArgumentException($"Bincount: weights has shape {weights.Shape}; it needs x's shape {x.Shape}, one weight per value.", nameof(weights));
        long length = minLength;
        if (x.Count > 0)
        {
            using var paused = Tape.Pause();
            using var lowest = Cast(ReduceMin(x), DType.Int64);
            if (lowest.Item<long>() < 0)
                throw new ArgumentException($"Bincount: x has the negative value {lowest.Item<long>()}; it counts the values 0, 1, 2, ...", nameof(x));
            using var highest = Cast(ReduceMax(x), DType.Int64);
            length = Math.Max(length, highest.Item<long>() + 1);
        }
        if (length > Array.MaxLength)
            throw new ArgumentException($"Bincount: x holds {length - 1}, so the counts would need {length} bins, more than one tensor axis holds ({Array.MaxLength}).", nameof(x));
        var values = weights ?? Fill(x.Shape, 1, DType.Int32, x.Backend);
        return UnsortedSegmentSum(values, x, (int)length);
    }

    /// <summary>
    /// The index of the bin each value falls in (<c>np.digitize(x, bins, right)</c>) for
    /// increasing 1-D <paramref name="bins"/>: i with bins[i-1] &lt;= x &lt; bins[i] (right: bins[i-1] &lt; x &lt;= bins[i]);
    /// 0 below the first edge, len(bins) past the last. int32, x's shape.
    /// </summary>
    /// <exception cref="ArgumentException">bins is not 1-D or not increasing.</exception>
    public static Tensor Digitize(Tensor x, Tensor bins, bool right = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(bins);
        if (bins.Rank != 1)
            throw new ArgumentException($"Digitize: bins must be 1-D (increasing edges), got shape {bins.Shape}.", nameof(bins));
        // Decreasing bins (which NumPy also takes) would silently give wrong bins from a sorted
        // search: refused by name instead, at the cost of one read of one bool.
        using (Tape.Pause())
        using (var rising = ReduceAll(GreaterEqual(Diff(bins), 0)))
            if (!rising.Item<bool>())
                throw new ArgumentException($"Digitize: bins must be increasing (non-decreasing edges), got shape {bins.Shape} with a step down; reverse decreasing bins with NF.Reverse first.", nameof(bins));
        // np.digitize is searchsorted on the other side: right=False counts the edges at or below x.
        var found = SearchSorted(bins, Reshape(x, [-1]), right ? "left" : "right");
        return Reshape(found, x.Shape.ToArray());
    }

    /// <summary>
    /// True where an element of <paramref name="x"/> occurs anywhere in <paramref name="test"/>
    /// (<c>np.isin</c>); <paramref name="invert"/> gives the opposite. Bool, x's shape; NaN is in nothing.
    /// </summary>
    public static Tensor IsIn(Tensor x, Tensor test, bool invert = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(test);
        using var paused = Tape.Pause();   // bool result: no gradient
        var (xs, tests) = Engine.Promote(nameof(IsIn), x, test);   // np.isin(1, [1.0]) is True
        var found = ReduceAny(Equal(ExpandDims(xs, -1), Reshape(tests, [-1])), -1);
        return invert ? LogicalNot(found) : found;
    }

    /// <summary>
    /// The diagonal at <paramref name="offset"/> (above the main one when positive) of the
    /// matrices in the plane of <paramref name="axis1"/> and <paramref name="axis2"/>
    /// (<c>np.diagonal</c>): those axes are removed and the diagonal appended as the last axis,
    /// empty when the offset passes the matrix. The gradient goes back onto the diagonal.
    /// </summary>
    /// <exception cref="ArgumentException">x has fewer than 2 axes, or axis1 and axis2 are the same axis.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor Diagonal(Tensor x, int offset = 0, int axis1 = 0, int axis2 = 1)
    {
        var (a1, a2) = PlaneAxes(nameof(Diagonal), x, axis1, axis2, nameof(axis2));
        var perm = Enumerable.Range(0, x.Rank).Where(a => a != a1 && a != a2).Append(a1).Append(a2).ToArray();
        var moved = Transpose(x, perm);
        int rows = x.Shape[a1], cols = x.Shape[a2];
        // Element [i, i + offset] (offset < 0: [i - offset, i]) of the flattened row-major matrix.
        long first = offset >= 0 ? offset : (long)-offset * cols;
        long count = Math.Max(0, offset >= 0 ? Math.Min(rows, (long)cols - offset) : Math.Min((long)rows + offset, cols));
        var flat = Reshape(moved, [.. moved.Shape.ToArray()[..^2], rows * cols]);
        var positions = Engine.FromHost<long>(Enumerable.Range(0, (int)count).Select(i => first + i * (cols + 1L)).ToArray(), new Shape((int)count), x.Backend);
        return Gather(flat, positions, flat.Rank - 1);
    }

    /// <summary>
    /// The tensors joined along a third axis (<c>np.dstack</c>): 1-D [n] are taken as [1, n, 1],
    /// 2-D [m, n] as [m, n, 1], then concatenated on axis 2. Mixed dtypes take the widest.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, or their shapes do not match off axis 2.</exception>
    public static Tensor DStack(IReadOnlyList<Tensor> tensors) =>
        Concat(StackParts(nameof(DStack), tensors, t => t.Rank switch
        {
            0 => Reshape(t, [1, 1, 1]),
            1 => Reshape(t, [1, t.Shape[0], 1]),
            2 => ExpandDims(t, 2),
            _ => t,
        }), 2);

    /// <summary>
    /// The weighted mean over <paramref name="axis"/> or everything (<c>np.average</c>):
    /// sum(x · w) / sum(w); w either has x's shape or is 1-D along the axis. No weights: the
    /// mean. Integers give float32.
    /// </summary>
    /// <exception cref="ArgumentException">weights' shape fits neither x nor the axis.</exception>
    public static Tensor Average(Tensor x, int? axis = null, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var xf = FloatOf(x);
        if (weights is null) return ReduceMean(xf, axis);
        var w = FloatOf(weights);
        if (w.Shape != x.Shape)
        {
            int a = axis is { } given ? x.Shape.NormalizeAxis(given, nameof(axis)) : -1;
            if (a < 0 || w.Rank != 1 || w.Shape[0] != x.Shape[a])
                throw new ArgumentException(
                    $"Average: weights has shape {weights.Shape}; it needs x's shape {x.Shape}, or 1-D with the length of the axis averaged over" +
                    (a < 0 ? " (which needs an axis)." : $" ({x.Shape[a]})."), nameof(weights));
            var along = Enumerable.Repeat(1, x.Rank).ToArray();
            along[a] = x.Shape[a];
            w = Reshape(w, along);
        }
        (xf, w) = Engine.Promote(nameof(Average), xf, w);   // float64 data with float32 weights: float64, as np.average
        return ReduceSum(xf * w, axis) / ReduceSum(BroadcastTo(w, x.Shape), axis);
    }
}
