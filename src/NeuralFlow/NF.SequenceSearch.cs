namespace NeuralFlow;

// tf.sequence_mask and tf.searchsorted: both compare against a run of positions or sorted
// values along a new last axis and reduce it, so they are exact on every engine.
public static partial class NF
{
    /// <summary>
    /// mask[..., j] = j &lt; lengths[...] (<c>tf.sequence_mask</c>): lengths [...] of any integer
    /// dtype give a [..., maxlen] mask, <paramref name="maxlen"/> defaulting to the largest length.
    /// </summary>
    public static Tensor SequenceMask(Tensor lengths, int? maxlen = null, DType dtype = DType.Bool)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (!lengths.DType.IsInteger()) throw new ArgumentException($"SequenceMask: lengths must be integers, got {lengths.DType.Name()}.", nameof(lengths));
        int width = maxlen ?? (lengths.Count == 0 ? 0 : checked((int)Cast(ReduceMax(lengths), DType.Int64).Item<long>()));
        if (width < 0) throw new ArgumentOutOfRangeException(nameof(maxlen), width, "SequenceMask: maxlen must be at least 0.");
        using var _ = UseBackend(lengths.Backend);
        using var positions = Range(0L, width);
        using var limits = ExpandDims(Cast(lengths, DType.Int64), -1);
        var mask = Less(positions, limits);
        return dtype == DType.Bool ? mask : Cast(mask, dtype);
    }

    /// <summary>
    /// For each value, its insertion index in the sorted last axis of
    /// <paramref name="sortedSequence"/> (<c>tf.searchsorted</c>): "left" counts the entries
    /// below it (lower bound), "right" those at or below it (upper bound). sortedSequence
    /// [..., N] and values [..., M] share their leading axes; the result is [..., M] of
    /// <paramref name="outType"/> (int32 or int64). NaN sorts after every number, as in
    /// <see cref="Sort"/>, NumPy and PyTorch: a NaN value's index is past the numbers ("right": past the NaNs too).
    /// </summary>
    public static Tensor SearchSorted(Tensor sortedSequence, Tensor values, string side = "left", DType outType = DType.Int32)
    {
        ArgumentNullException.ThrowIfNull(sortedSequence);
        ArgumentNullException.ThrowIfNull(values);
        bool right = side switch
        {
            "left" => false,
            "right" => true,
            _ => throw new ArgumentException($"SearchSorted: side must be \"left\" or \"right\", got \"{side}\".", nameof(side)),
        };
        if (outType is not (DType.Int32 or DType.Int64)) throw new ArgumentException($"SearchSorted: outType must be int32 or int64, got {outType.Name()}.", nameof(outType));
        if (sortedSequence.Rank == 0 || values.Rank == 0 || sortedSequence.Rank != values.Rank
            || !sortedSequence.Shape.ToArray()[..^1].SequenceEqual(values.Shape.ToArray()[..^1]))
            throw new ArgumentException($"SearchSorted: sortedSequence [..., N] and values [..., M] must share their leading axes, got shapes {sortedSequence.Shape} and {values.Shape}.");
        var (edges, probes) = Engine.Promote(nameof(SearchSorted), sortedSequence, values);   // int values in float edges compare as floats (np.searchsorted)
        using var seq = ExpandDims(edges, -2);
        using var v = ExpandDims(probes, -1);
        using var compared = right ? LessEqual(seq, v) : Less(seq, v);
        // NaN sorts last (NF.Sort's, NumPy's and PyTorch's order): a NaN value goes after every
        // number, and "right" after the NaNs too; a comparison with NaN alone would place it first.
        using var nanAfter = probes.DType.IsFloating() ? NanAfter(seq, v, right) : null;
        using var below = nanAfter is null ? null : LogicalOr(compared, nanAfter);
        using var counts = Cast(below ?? compared, outType);
        return ReduceSum(counts, -1);
    }

    // Where a NaN value counts an entry as below it (broadcast by the caller's LogicalOr): every
    // number, and NaN entries too for "right".
    private static Tensor NanAfter(Tensor seq, Tensor v, bool right)
    {
        var nanValue = IsNan(v);
        if (right) return nanValue;
        using var nanEntry = IsNan(seq);
        using var number = LogicalNot(nanEntry);
        using (nanValue) return LogicalAnd(nanValue, number);
    }
}
