namespace NeuralFlow;

// TensorFlow's other unsorted segment reductions (tf.math.unsorted_segment_max, _min, _prod, _mean, _sqrt_n), the
// aggregations of graph networks (a node's messages gathered by edge target). Mean and sqrt_n are the sum divided by
// the count. Max, min and prod sort the rows by segment (a stable ArgSort on the device) and combine each row with the
// one 1, 2, 4, ... rows before it when both are of one segment, so the last row of each run holds its segment's
// result after log2(rows) rounds of ordinary ops: no host read, every engine, and a compiled step replays it. Their
// gradients are TensorFlow's rules (ties share the gradient evenly; a product's zeros handled apart).
public static partial class NF
{
    /// <summary>
    /// The maximum of the slices of <paramref name="data"/> that share a segment id (<c>tf.math.unsorted_segment_max</c>):
    /// shape [numSegments] + data.shape[segmentIds.rank:]; an empty segment holds the dtype's lowest value (-3.4028235e38
    /// for float32, as TensorFlow's numeric_limits::lowest). A negative id drops its slice; an id ≥ numSegments is an
    /// error. Gradient: to the slices equal to their segment's maximum, split evenly among ties, as TensorFlow's.
    /// float32, float64, int32 and int64 data.
    /// </summary>
    /// <exception cref="ArgumentException">segmentIds is not an integer tensor, its shape is not a prefix of data's, or an id is ≥ numSegments.</exception>
    /// <exception cref="ArgumentOutOfRangeException">numSegments is negative.</exception>
    /// <exception cref="NotSupportedException">data has another dtype.</exception>
    public static Tensor UnsortedSegmentMax(Tensor data, Tensor segmentIds, int numSegments) =>
        UnsortedSegmentExtreme(nameof(UnsortedSegmentMax), data, segmentIds, numSegments, Maximum, highest: false);

    /// <summary>
    /// The minimum of the slices of <paramref name="data"/> that share a segment id (<c>tf.math.unsorted_segment_min</c>);
    /// an empty segment holds the dtype's largest value. Otherwise as <see cref="UnsortedSegmentMax"/>.
    /// </summary>
    /// <inheritdoc cref="UnsortedSegmentMax" path="/exception"/>
    public static Tensor UnsortedSegmentMin(Tensor data, Tensor segmentIds, int numSegments) =>
        UnsortedSegmentExtreme(nameof(UnsortedSegmentMin), data, segmentIds, numSegments, Minimum, highest: true);

    /// <summary>
    /// The product of the slices of <paramref name="data"/> that share a segment id (<c>tf.math.unsorted_segment_prod</c>);
    /// 1 for an empty segment. Gradient: the product of the segment's other slices (TensorFlow's rule: a slice that is the
    /// segment's only zero gets the product of the rest, every slice of a segment with two zeros gets 0).
    /// </summary>
    /// <inheritdoc cref="UnsortedSegmentMax" path="/exception"/>
    public static Tensor UnsortedSegmentProd(Tensor data, Tensor segmentIds, int numSegments)
    {
        const string op = nameof(UnsortedSegmentProd);
        var (rows, ids) = UnsortedSegmentRows(op, data, segmentIds, numSegments);
        var product = CustomGradient((Tensor d) =>
        {
            var y = SegmentScan(op, d, ids, numSegments, Multiply, Fill(NeuralFlow.Shape.Scalar, 1, d.DType, d.Backend));
            return (y, dy => ProductGradient(op, dy, d, y, ids, numSegments));
        });
        return Reshape(product(rows), SegmentResultShape(rows, numSegments));
    }

    /// <summary>
    /// The mean of the slices of <paramref name="data"/> that share a segment id (<c>tf.math.unsorted_segment_mean</c>):
    /// the sum divided by the number of slices, 0 for an empty segment. Integer data divides as <see cref="Divide"/> does.
    /// </summary>
    /// <inheritdoc cref="UnsortedSegmentMax" path="/exception"/>
    public static Tensor UnsortedSegmentMean(Tensor data, Tensor segmentIds, int numSegments)
    {
        var (sum, count) = SegmentSumAndCount(nameof(UnsortedSegmentMean), data, segmentIds, numSegments);
        return sum / count;
    }

    /// <summary>
    /// The sum of the slices of <paramref name="data"/> that share a segment id divided by the square root of their
    /// number (<c>tf.math.unsorted_segment_sqrt_n</c>), 0 for an empty segment. Float data.
    /// </summary>
    /// <inheritdoc cref="UnsortedSegmentMax" path="/exception"/>
    public static Tensor UnsortedSegmentSqrtN(Tensor data, Tensor segmentIds, int numSegments)
    {
        const string op = nameof(UnsortedSegmentSqrtN);
        ArgumentNullException.ThrowIfNull(data);
        if (!data.DType.IsFloating())
            throw new NotSupportedException($"{op}: data is {data.DType.Name()}; a square root of the count needs float data (convert with NF.Cast).");
        var (sum, count) = SegmentSumAndCount(op, data, segmentIds, numSegments);
        return sum / Sqrt(count);
    }

    // The sum per segment and the number of slices in it (at least 1, in data's dtype, shaped [numSegments, 1, ...] to
    // divide the sum), from one pass of the checks.
    private static (Tensor Sum, Tensor Count) SegmentSumAndCount(string op, Tensor data, Tensor segmentIds, int numSegments)
    {
        var (rows, ids) = UnsortedSegmentRows(op, data, segmentIds, numSegments);
        var sum = SegmentSumOfRows(op, rows, ids, segmentIds, numSegments);
        var counts = Maximum(SegmentSumOfRows(op, OnesLike(ids), ids, segmentIds, numSegments), 1L);
        return (sum, Reshape(Cast(counts, data.DType), [numSegments, .. Enumerable.Repeat(1, data.Rank - segmentIds.Rank)]));
    }

    private static Tensor UnsortedSegmentExtreme(string op, Tensor data, Tensor segmentIds, int numSegments,
                                                 Func<Tensor, Tensor, Tensor> combine, bool highest)
    {
        var (rows, ids) = UnsortedSegmentRows(op, data, segmentIds, numSegments);
        var extreme = CustomGradient((Tensor d) =>
        {
            var y = SegmentScan(op, d, ids, numSegments, combine, ExtremeOf(op, d.DType, highest, d.Backend));
            return (y, dy => TiedGradient(op, dy, d, y, ids, numSegments));
        });
        return Reshape(extreme(rows), SegmentResultShape(rows, numSegments));
    }

    private static int[] SegmentResultShape(Tensor rows, int numSegments) => [numSegments, .. rows.Shape.ToArray()[1..]];

    // rows [count, ...] combined per segment id (int64, one per row; negative ids dropped): [numSegments, ...], `empty`
    // (a scalar) where a segment has no row.
    private static Tensor SegmentScan(string op, Tensor rows, Tensor ids, int numSegments, Func<Tensor, Tensor, Tensor> combine, Tensor empty)
    {
        if (rows.DType is not (DType.Float32 or DType.Float64 or DType.Int32 or DType.Int64))
            throw new NotSupportedException($"{op}: data is {rows.DType.Name()}; it takes float32, float64, int32 or int64 (convert with NF.Cast).");
        // Counting the rows also checks the ids (one ≥ numSegments is refused, naming op).
        var counts = UnsortedSegmentSumOf(op, OnesLike(ids), ids, numSegments);
        int count = rows.Shape[0];
        var inner = rows.Shape.ToArray()[1..];
        var keyShape = new Shape([count, .. inner.Select(_ => 1)]);
        var key = Where(Less(ids, 0L), (long)numSegments, ids);   // dropped rows: one extra segment, cut below
        var order = ArgSort(key);                                   // stable, so a run keeps the rows' order
        var sortedKey = Gather(key, order, 0);
        var acc = Gather(rows, order, 0);
        for (int s = 1; s < count; s *= 2)
        {
            // After this round row i combines the rows of its segment from i - 2s + 1 to i.
            var before = Concat([Fill(new Shape(s), -1, DType.Int64, rows.Backend), sortedKey[..(count - s)]], 0);
            var previous = Concat([BroadcastTo(empty, new Shape([s, .. inner])), acc[..(count - s)]], 0);
            acc = Where(Reshape(Equal(before, sortedKey), keyShape), combine(previous, acc), acc);
        }
        // The last row of each run holds its segment's result; a sum of it and zeros puts it in place.
        var after = Concat([count > 0 ? sortedKey[1..] : sortedKey, Fill(new Shape(count > 0 ? 1 : 0), -1, DType.Int64, rows.Backend)], 0);
        var last = Where(Reshape(NotEqual(after, sortedKey), keyShape), acc, ZerosLike(acc));
        var placed = UnsortedSegmentSumOf(op, last, sortedKey, numSegments + 1)[..numSegments];
        var none = Reshape(Equal(counts, 0L), [numSegments, .. inner.Select(_ => 1)]);
        return Where(none, empty, placed);
    }

    // TensorFlow's _UnsortedSegmentMinOrMaxGrad: each slice equal to its segment's result gets the segment's gradient
    // divided by how many slices tie there; dropped slices get 0.
    private static Tensor TiedGradient(string op, Tensor dy, Tensor rows, Tensor y, Tensor ids, int numSegments)
    {
        var dropped = Less(ids, 0L);
        var at = Where(dropped, 0L, ids);
        var keyShape = new Shape([ids.Shape[0], .. rows.Shape.ToArray()[1..].Select(_ => 1)]);
        var selected = LogicalAnd(Equal(rows, Gather(y, at, 0)), Reshape(LogicalNot(dropped), keyShape));
        var ties = UnsortedSegmentSumOf(op, Cast(selected, dy.DType), ids, numSegments);
        return Where(selected, Gather(dy / Maximum(ties, 1.0), at, 0), ZerosLike(rows));
    }

    // TensorFlow's _UnsortedSegmentProdGrad: the product of the segment's other slices, by division where no zero is in
    // the way; a segment's only zero gets the product of its nonzero slices, and a segment with two zeros passes 0.
    private static Tensor ProductGradient(string op, Tensor dy, Tensor rows, Tensor y, Tensor ids, int numSegments)
    {
        var dropped = Less(ids, 0L);
        var at = Where(dropped, 0L, ids);
        var keyShape = new Shape([ids.Shape[0], .. rows.Shape.ToArray()[1..].Select(_ => 1)]);
        var isZero = Equal(rows, 0);
        var zeros = UnsortedSegmentSumOf(op, Cast(isZero, DType.Int32), ids, numSegments);
        var g = Where(Greater(zeros, 1), ZerosLike(dy), dy);
        var nonZero = Where(isZero, OnesLike(rows), rows);
        var nonZeroProduct = SegmentScan(op, nonZero, ids, numSegments, Multiply, Fill(NeuralFlow.Shape.Scalar, 1, rows.DType, rows.Backend));
        var partial = Where(isZero, Gather(nonZeroProduct, at, 0), Gather(y, at, 0) / nonZero);
        return Where(Reshape(dropped, keyShape), ZerosLike(rows), Gather(g, at, 0) * partial);
    }

    // The dtype's lowest (or largest) value as a scalar: an empty segment's maximum (minimum), as TensorFlow's.
    private static Tensor ExtremeOf(string op, DType dtype, bool highest, Backends.IBackend backend) => dtype switch
    {
        DType.Float32 => Engine.FromHost<float>([highest ? float.MaxValue : float.MinValue], NeuralFlow.Shape.Scalar, backend),
        DType.Float64 => Engine.FromHost<double>([highest ? double.MaxValue : double.MinValue], NeuralFlow.Shape.Scalar, backend),
        DType.Int32 => Engine.FromHost<int>([highest ? int.MaxValue : int.MinValue], NeuralFlow.Shape.Scalar, backend),
        DType.Int64 => Engine.FromHost<long>([highest ? long.MaxValue : long.MinValue], NeuralFlow.Shape.Scalar, backend),
        _ => throw new NotSupportedException($"{op}: data is {dtype.Name()}; it takes float32, float64, int32 or int64 (convert with NF.Cast)."),
    };
}
