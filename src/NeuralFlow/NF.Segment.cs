namespace NeuralFlow;

// Sums of slices into rows picked by index (tf.math.unsorted_segment_sum, torch index_add_): the
// scatter-add kernel, which is also the gradient of Gather (and so of Embedding, GatherNd, Repeat).
// The output is made of zeros and the kernel adds each slice into its row, with no one-hot
// (indices x rows) matrix; the CPU engines add each row's terms in index order, so a step gives
// the same bits every run.
public static partial class NF
{
    /// <summary>
    /// Sums of the slices of <paramref name="data"/> that share a segment id
    /// (<c>tf.math.unsorted_segment_sum</c>): <paramref name="segmentIds"/> has the shape of
    /// data's leading axes, and the result has shape [numSegments] + data.shape[segmentIds.rank:],
    /// row s the sum of the slices whose id is s (zeros where none is). A negative id drops its
    /// slice, as in TensorFlow; an id ≥ numSegments is an error (TensorFlow's CPU kernel). Gradient
    /// for data: the upstream gradient gathered at each slice's id (zero for dropped slices).
    /// float32, float64, int32 and int64 data.
    /// </summary>
    /// <exception cref="ArgumentException">segmentIds is not an integer tensor, its shape is not a prefix of data's, numSegments is negative, or an id is ≥ numSegments.</exception>
    /// <exception cref="NotSupportedException">data is uint8 or bool.</exception>
    public static Tensor UnsortedSegmentSum(Tensor data, Tensor segmentIds, int numSegments) =>
        UnsortedSegmentSumOf(nameof(UnsortedSegmentSum), data, segmentIds, numSegments);

    // UnsortedSegmentSum under the name of the op that called it (the other unsorted segment reductions sum too).
    private static Tensor UnsortedSegmentSumOf(string op, Tensor data, Tensor segmentIds, int numSegments)
    {
        var (rows, ids) = UnsortedSegmentRows(op, data, segmentIds, numSegments);
        return SegmentSumOfRows(op, rows, ids, segmentIds, numSegments);
    }

    // The sum of UnsortedSegmentRows' rows per id (segmentIds, the caller's, only for the out-of-range message).
    private static Tensor SegmentSumOfRows(string op, Tensor rows, Tensor ids, Tensor segmentIds, int numSegments)
    {
        if (rows.DType is not (DType.Float32 or DType.Float64 or DType.Int32 or DType.Int64))
            throw new NotSupportedException($"{op}: data is {rows.DType.Name()}; sums take float32, float64, int32 or int64 (convert with NF.Cast).");
        Tensor target;
        using (var scope = TensorScope.Begin())
        {
            // Negative ids go to an extra last row that is cut off; ids ≥ numSegments move one up,
            // out of the kernel's range, so it refuses them as it refuses any bad index.
            var shifted = Where(GreaterEqual(ids, (long)numSegments), ids + 1L, ids);
            target = scope.Keep(Where(Less(ids, 0L), (long)numSegments, shifted));
        }
        Tensor sums;
        try
        {
            sums = ScatterAddAlong(rows, target, 0, checked(numSegments + 1));
        }
        catch (ArgumentException) when (FirstSegmentOutOfRange(op, segmentIds, numSegments) is { } bad)
        {
            throw bad;   // the kernel named the shifted id; name the caller's
        }
        var at = new TensorIndex[] { 0..numSegments };
        return sums[at];
    }

    // The checks every unsorted segment reduction makes, and its data as rows [count] + data.shape[segmentIds.rank:]
    // with the ids flat in int64 (one per row).
    private static (Tensor Rows, Tensor Ids) UnsortedSegmentRows(string op, Tensor data, Tensor segmentIds, int numSegments)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(segmentIds);
        CheckIndexDType(op, segmentIds);
        Engine.BackendOf(op, data, segmentIds);
        if (numSegments < 0)
            throw new ArgumentOutOfRangeException(nameof(numSegments), numSegments, $"{op}: numSegments must be at least 0.");
        var ddims = data.Shape.ToArray();
        var idims = segmentIds.Shape.ToArray();
        if (idims.Length > ddims.Length || !ddims[..idims.Length].SequenceEqual(idims))
            throw new ArgumentException(
                $"{op}: segmentIds of shape {segmentIds.Shape} must match the leading axes of data (shape {data.Shape}).", nameof(segmentIds));
        int count = Product(op, idims);
        return (Reshape(data, [count, .. ddims[idims.Length..]]), Reshape(Cast(segmentIds, DType.Int64), [count]));
    }

    // The first id ≥ numSegments, as the exception naming it (null if none).
    private static ArgumentException? FirstSegmentOutOfRange(string op, Tensor segmentIds, int numSegments)
    {
        long[] all;
        using (var ids = Cast(segmentIds, DType.Int64)) all = ids.ToArray<long>();
        for (long j = 0; j < all.LongLength; j++)
        {
            if (all[j] < numSegments) continue;
            return new ArgumentException(
                $"{op}: segmentIds (shape {segmentIds.Shape}) holds {all[j]} at flat position {j}, outside [0, {numSegments}) for numSegments {numSegments}.",
                nameof(segmentIds));
        }
        return null;
    }

    /// <summary>
    /// Zeros of <paramref name="src"/>'s shape with <paramref name="rows"/> along
    /// <paramref name="axis"/>, plus slice j of src added into row indices[j] (rank-1 integer
    /// indices, one per slice). The gradient of Gather; its own gradient is a Gather, so gradients
    /// of gradients work too.
    /// </summary>
    internal static Tensor ScatterAddAlong(Tensor src, Tensor indices, int axis, int rows)
    {
        using var flat = indices.Contiguous();
        var dims = src.Shape.ToArray();
        dims[axis] = rows;
        var result = Fill(new Shape(dims), 0, src.DType, src.Backend);
        try
        {
            Engine.ScatterAdd(src, axis, flat, result);
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return Tape.Record(result, src, indices, static (g, n) => [Gather(g, n.Y, (int)n.State!), null], axis);
    }
}
