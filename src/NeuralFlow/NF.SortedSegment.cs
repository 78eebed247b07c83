namespace NeuralFlow;

// TensorFlow's sorted segment reductions (tf.math.segment_sum, _mean, _max, _min, _prod): the
// ids are sorted, so each segment is a contiguous run of rows. The sum reuses
// UnsortedSegmentSum (one scatter-add); the others reduce each run with the ordinary reductions
// and stack the rows, so every engine runs them and their gradients are those reductions'.
public static partial class NF
{
    /// <summary><c>tf.math.segment_sum</c>: row s is the sum of the rows of data whose (sorted) id is s; there are last id + 1 rows, 0 for an empty segment.</summary>
    /// <exception cref="ArgumentException">segmentIds is not a rank-1 int32/int64 tensor with one id per row of data, or its ids are negative, not sorted or past the longest axis.</exception>
    public static Tensor SegmentSum(Tensor data, Tensor segmentIds) =>
        UnsortedSegmentSum(data, segmentIds, SortedSegments(nameof(SegmentSum), data, segmentIds).Length);

    /// <summary><c>tf.math.segment_mean</c>: the mean of each segment's rows (0 for an empty segment). Float data.</summary>
    /// <inheritdoc cref="SegmentSum" path="/exception"/>
    public static Tensor SegmentMean(Tensor data, Tensor segmentIds)
    {
        var runs = SortedSegments(nameof(SegmentMean), data, segmentIds);
        if (!data.DType.IsFloating())
            throw new ArgumentException($"{nameof(SegmentMean)}: data is {data.DType.Name()}; a mean needs float data (convert with NF.Cast).", nameof(data));
        var counts = runs.Select(r => (double)Math.Max(1, r.Count)).ToArray();
        Tensor divisor;
        using (UseBackend(data.Backend)) divisor = Cast(Constant(counts, new Shape([runs.Length, .. Enumerable.Repeat(1, data.Rank - 1)])), data.DType);
        return UnsortedSegmentSum(data, segmentIds, runs.Length) / divisor;
    }

    /// <summary><c>tf.math.segment_max</c>: the maximum of each segment's rows (0 for an empty segment, as in TensorFlow).</summary>
    /// <inheritdoc cref="SegmentSum" path="/exception"/>
    public static Tensor SegmentMax(Tensor data, Tensor segmentIds) => SegmentReduce(nameof(SegmentMax), data, segmentIds, static r => ReduceMax(r, 0), 0);

    /// <summary><c>tf.math.segment_min</c>: the minimum of each segment's rows (0 for an empty segment, as in TensorFlow).</summary>
    /// <inheritdoc cref="SegmentSum" path="/exception"/>
    public static Tensor SegmentMin(Tensor data, Tensor segmentIds) => SegmentReduce(nameof(SegmentMin), data, segmentIds, static r => ReduceMin(r, 0), 0);

    /// <summary><c>tf.math.segment_prod</c>: the product of each segment's rows (1 for an empty segment, as in TensorFlow).</summary>
    /// <inheritdoc cref="SegmentSum" path="/exception"/>
    public static Tensor SegmentProd(Tensor data, Tensor segmentIds) => SegmentReduce(nameof(SegmentProd), data, segmentIds, static r => ReduceProd(r, 0), 1);

    // Each segment's run of rows reduced; an empty segment is `empty` everywhere. Intermediates
    // are not disposed: a gradient tape may have saved them.
    private static Tensor SegmentReduce(string op, Tensor data, Tensor segmentIds, Func<Tensor, Tensor> reduce, double empty)
    {
        var runs = SortedSegments(op, data, segmentIds);
        var rowShape = new Shape(data.Shape.ToArray()[1..]);
        if (runs.Length == 0) return Fill(new Shape([0, .. rowShape.ToArray()]), 0, data.DType, data.Backend);
        // Only the segments that have rows are reduced (there are at most as many as rows): ids with
        // gaps (one id of 10^7 means 10^7 empty segments) must not cost a tensor per empty segment.
        // They all gather one shared `empty` row, placed after the reduced ones.
        var rows = new List<Tensor>();
        var rowOf = new int[runs.Length];
        for (int s = 0; s < runs.Length; s++)
        {
            var r = runs[s];
            if (r.Count == 0) { rowOf[s] = -1; continue; }
            rowOf[s] = rows.Count;
            rows.Add(reduce(data[r.Start..(r.Start + r.Count)]));
        }
        if (rows.Count == runs.Length) return Stack(rows.ToArray(), 0);
        for (int s = 0; s < runs.Length; s++) if (rowOf[s] < 0) rowOf[s] = rows.Count;
        rows.Add(Fill(rowShape, empty, data.DType, data.Backend));
        return Gather(Stack(rows.ToArray(), 0), Engine.FromHost<int>(rowOf, new Shape(runs.Length), data.Backend), 0);
    }

    // The (start, count) run of rows of each segment 0..last id, after checking the ids.
    private static (int Start, int Count)[] SortedSegments(string op, Tensor data, Tensor segmentIds)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(segmentIds);
        if (segmentIds.DType is not (DType.Int32 or DType.Int64))
            throw new ArgumentException($"{op}: segmentIds must be int32 or int64, got {segmentIds.DType.Name()}.", nameof(segmentIds));
        if (data.Rank == 0 || segmentIds.Rank != 1 || segmentIds.Shape[0] != data.Shape[0])
            throw new ArgumentException($"{op}: segmentIds has shape {segmentIds.Shape}; it needs one id per row of data (shape {data.Shape}).", nameof(segmentIds));
        long[] ids;
        using (var i64 = Cast(segmentIds, DType.Int64)) ids = i64.ToArray<long>();
        for (int j = 0; j < ids.Length; j++)
        {
            if (ids[j] < 0)
                throw new ArgumentException($"{op}: segmentIds[{j}] is {ids[j]}; ids must be non-negative.", nameof(segmentIds));
            if (j > 0 && ids[j] < ids[j - 1])
                throw new ArgumentException($"{op}: segmentIds are not sorted: segmentIds[{j}] = {ids[j]} follows {ids[j - 1]} (use UnsortedSegmentSum for unsorted ids).", nameof(segmentIds));
        }
        if (ids.Length > 0 && ids[^1] >= Array.MaxLength)
            throw new ArgumentException($"{op}: segmentIds holds {ids[^1]}, so the result would need {ids[^1] + 1} segments, more than one tensor axis holds ({Array.MaxLength}).", nameof(segmentIds));
        int segments = ids.Length == 0 ? 0 : (int)ids[^1] + 1;
        var runs = new (int Start, int Count)[segments];
        for (int j = 0; j < ids.Length; j++)
        {
            var r = runs[ids[j]];
            runs[ids[j]] = r.Count == 0 ? (j, 1) : (r.Start, r.Count + 1);
        }
        return runs;
    }
}
