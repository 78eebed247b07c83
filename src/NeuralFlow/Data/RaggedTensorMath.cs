namespace NeuralFlow.Data;

// Elementwise math on a RaggedTensor (TF's overloaded operators and tf.ragged.map_flat_values) and the
// reductions over its axes (tf.reduce_sum(rt, axis=...) and kin): NF ops on the flat values, so they
// run on the device and a gradient tape records them.
public sealed partial class RaggedTensor
{
    /// <summary>
    /// <c>tf.ragged.map_flat_values</c>: <paramref name="fn"/> applied to the flat values, the row partitions kept.
    /// </summary>
    /// <exception cref="ArgumentException">fn changed the number of flat values (it must work elementwise along the first axis).</exception>
    public RaggedTensor MapFlatValues(Func<Tensor, Tensor> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return WithFlatValues(fn(FlatValues) ?? throw new ArgumentException("RaggedTensor.MapFlatValues: fn returned null.", nameof(fn)));
    }

    /// <summary>
    /// <paramref name="op"/> applied elementwise, TF's broadcasting rules: two ragged tensors need the same row
    /// partitions; a dense operand is right-aligned against this one's shape, where the ragged axes need size 1 and the
    /// outer axis size 1 or <see cref="NRows"/> (a [n, 1] column adds one value per row).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public RaggedTensor Elementwise(Tensor other, Func<Tensor, Tensor, Tensor> op, bool otherFirst = false)
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(op);
        var y = BroadcastDense(other);
        return WithFlatValues(otherFirst ? op(y, FlatValues) : op(FlatValues, y));
    }

    /// <summary><paramref name="op"/> applied elementwise to two ragged tensors with the same row partitions.</summary>
    /// <exception cref="ArgumentException">The row partitions differ.</exception>
    public RaggedTensor Elementwise(RaggedTensor other, Func<Tensor, Tensor, Tensor> op)
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(op);
        if (!SamePartitions(other))
            throw new ArgumentException(
                $"RaggedTensor: the operands' row partitions differ (shapes {Shape} and {other.Shape}, row lengths [{string.Join(", ", RowLengthsOf(this))}] and [{string.Join(", ", RowLengthsOf(other))}]); elementwise ops need ragged operands with the same rows.",
                nameof(other));
        return WithFlatValues(op(FlatValues, other.FlatValues));
    }

    private static IEnumerable<long> RowLengthsOf(RaggedTensor rt) => rt._splits.Zip(rt._splits.Skip(1), (a, b) => b - a);

    // A dense operand as one that broadcasts against the flat values.
    private Tensor BroadcastDense(Tensor y)
    {
        int rank = Rank, flatInner = FlatValues.Shape.Rank - 1, grid = RaggedRank + 1;
        var dims = y.Shape.ToArray();
        if (dims.Length > rank)
            throw new ArgumentException($"RaggedTensor: a dense operand of shape {y.Shape} has more axes than the ragged tensor {Shape}.", "other");
        int covered = dims.Length - flatInner;   // how many of the outer and ragged axes y reaches
        if (covered <= 0) return y;              // it only meets the uniform inner axes: plain broadcasting
        for (int a = 0; a < covered; a++)
        {
            int axis = grid - covered + a;       // the ragged tensor's axis that y's axis a lines up with
            bool outer = axis == 0;
            if (dims[a] == 1 || (outer && dims[a] == NRows)) continue;
            throw new ArgumentException(
                $"RaggedTensor: a dense operand of shape {y.Shape} does not broadcast against {Shape}: its axis {a} has size {dims[a]}, but it meets " +
                (outer ? $"the {NRows} rows (give 1 or {NRows})" : "a ragged axis (give 1 there)") + ".", "other");
        }
        var innerDims = dims[covered..];
        bool perRow = covered == grid && dims[0] == NRows && NRows != 1;
        if (!perRow) return NF.Reshape(y, innerDims.Length == 0 ? [] : innerDims);
        // One value per outer row: each flat value takes its row's.
        using var onValues = NF.UseBackend(FlatValues.Backend);   // the row ids go where the flat values live
        var rows = NF.Reshape(y, [NRows, .. innerDims]);
        var ids = Array.ConvertAll(FlatOuterRowIds(), i => (int)i);
        return NF.Gather(rows, NF.Constant(ids, new Shape(ids.Length)), 0);
    }

    /// <summary>Elementwise sum (<c>rt + x</c>); see <see cref="Elementwise(Tensor, Func{Tensor, Tensor, Tensor}, bool)"/> for broadcasting.</summary>
    public static RaggedTensor operator +(RaggedTensor a, Tensor b) => a.Elementwise(b, NF.Add);
    /// <summary>Elementwise sum.</summary>
    public static RaggedTensor operator +(Tensor a, RaggedTensor b) => b.Elementwise(a, NF.Add, otherFirst: true);
    /// <summary>Elementwise sum of ragged tensors with the same rows.</summary>
    public static RaggedTensor operator +(RaggedTensor a, RaggedTensor b) => a.Elementwise(b, NF.Add);
    /// <summary>Elementwise difference.</summary>
    public static RaggedTensor operator -(RaggedTensor a, Tensor b) => a.Elementwise(b, NF.Subtract);
    /// <summary>Elementwise difference.</summary>
    public static RaggedTensor operator -(Tensor a, RaggedTensor b) => b.Elementwise(a, NF.Subtract, otherFirst: true);
    /// <summary>Elementwise difference of ragged tensors with the same rows.</summary>
    public static RaggedTensor operator -(RaggedTensor a, RaggedTensor b) => a.Elementwise(b, NF.Subtract);
    /// <summary>Elementwise product.</summary>
    public static RaggedTensor operator *(RaggedTensor a, Tensor b) => a.Elementwise(b, NF.Multiply);
    /// <summary>Elementwise product.</summary>
    public static RaggedTensor operator *(Tensor a, RaggedTensor b) => b.Elementwise(a, NF.Multiply, otherFirst: true);
    /// <summary>Elementwise product of ragged tensors with the same rows.</summary>
    public static RaggedTensor operator *(RaggedTensor a, RaggedTensor b) => a.Elementwise(b, NF.Multiply);
    /// <summary>Elementwise quotient (NF.Divide's dtype rules).</summary>
    public static RaggedTensor operator /(RaggedTensor a, Tensor b) => a.Elementwise(b, NF.Divide);
    /// <summary>Elementwise quotient.</summary>
    public static RaggedTensor operator /(Tensor a, RaggedTensor b) => b.Elementwise(a, NF.Divide, otherFirst: true);
    /// <summary>Elementwise quotient of ragged tensors with the same rows.</summary>
    public static RaggedTensor operator /(RaggedTensor a, RaggedTensor b) => a.Elementwise(b, NF.Divide);
    /// <summary>Elementwise negation.</summary>
    public static RaggedTensor operator -(RaggedTensor a) => a.MapFlatValues(NF.Negative);

    /// <summary>
    /// <c>tf.reduce_sum(rt, axis)</c>. Axis 0 sums the rows position by position (a dense result as long as the
    /// longest row); the innermost ragged axis (1 for <c>(n, None)</c>, -1 counts from the flat values' end) gives
    /// one value per row, 0 for an empty row; an inner uniform axis reduces the flat values.
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of range, or a ragged axis that is not the innermost one.</exception>
    public Tensor ReduceSum(int axis) => Dense(nameof(ReduceSum), axis, Reduce(nameof(ReduceSum), axis, (v, ids, n) => NF.UnsortedSegmentSum(v, ids, n), static (v, a, k) => NF.ReduceSum(v, a, k)));

    /// <summary><c>tf.reduce_max(rt, axis)</c>: as <see cref="ReduceSum"/>; an empty row gives the dtype's lowest value, as TensorFlow.</summary>
    public Tensor ReduceMax(int axis) => Dense(nameof(ReduceMax), axis, Reduce(nameof(ReduceMax), axis, NF.UnsortedSegmentMax, static (v, a, k) => NF.ReduceMax(v, a, k)));

    /// <summary><c>tf.reduce_min(rt, axis)</c>: as <see cref="ReduceSum"/>; an empty row gives the dtype's largest value.</summary>
    public Tensor ReduceMin(int axis) => Dense(nameof(ReduceMin), axis, Reduce(nameof(ReduceMin), axis, NF.UnsortedSegmentMin, static (v, a, k) => NF.ReduceMin(v, a, k)));

    /// <summary><c>tf.reduce_prod(rt, axis)</c>: as <see cref="ReduceSum"/>; an empty row gives 1.</summary>
    public Tensor ReduceProd(int axis) => Dense(nameof(ReduceProd), axis, Reduce(nameof(ReduceProd), axis, NF.UnsortedSegmentProd, static (v, a, k) => NF.ReduceProd(v, a, k)));

    /// <summary>
    /// <c>tf.reduce_mean(rt, axis)</c>: the sum over the count. As in TensorFlow, integers give a float64 mean and an
    /// empty row's mean is NaN (0 / 0).
    /// </summary>
    public Tensor ReduceMean(int axis)
    {
        var values = FlatValues.DType.IsFloating() ? this : MapFlatValues(v => NF.Cast(v, DType.Float64));
        var sum = values.Reduce(nameof(ReduceMean), axis, (v, ids, n) => NF.UnsortedSegmentSum(v, ids, n), static (v, a, k) => NF.ReduceSum(v, a, k));
        var count = values.MapFlatValues(NF.OnesLike).Reduce(nameof(ReduceMean), axis, (v, ids, n) => NF.UnsortedSegmentSum(v, ids, n), static (v, a, k) => NF.ReduceSum(v, a, k));
        return NF.Divide(Dense(nameof(ReduceMean), axis, sum), (Tensor)count);
    }

    // The public reductions give a dense tensor: a reduction that leaves a ragged axis is refused by name.
    private Tensor Dense(string op, int axis, object result) => result as Tensor ?? throw new ArgumentException(
        $"RaggedTensor.{op}: reducing axis {axis} of {Shape} leaves a ragged tensor; NeuralFlow's ragged reductions give dense results only " +
        "(reduce the innermost ragged axis of a (n, None) tensor, axis 0 of it, or every axis of ToTensor()'s rows with MapFlatValues).", nameof(axis));

    // A reduction over one axis: a Tensor when the result has no ragged axis left, else a RaggedTensor.
    private object Reduce(string op, int axis, Func<Tensor, Tensor, int, Tensor> segment, Func<Tensor, int, bool, Tensor> dense)
    {
        int rank = Rank;
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentOutOfRangeException(nameof(axis), axis, $"RaggedTensor.{op}: axis {axis} is out of range for rank {rank} ({Shape}).");
        int grid = RaggedRank + 1;
        if (a >= grid) return WithFlatValues(dense(FlatValues, a - grid + 1, false));
        if (a == 0 && RaggedRank == 1)
        {
            // Position j of every row reduces together: segments by the place in the row.
            var place = new int[_splits[^1]];
            long longest = 0;
            for (int i = 0; i < NRows; i++)
            {
                longest = Math.Max(longest, _splits[i + 1] - _splits[i]);
                for (long k = _splits[i]; k < _splits[i + 1]; k++) place[k] = (int)(k - _splits[i]);
            }
            return segment(FlatValues, NF.Constant(place, new Shape(place.Length)), (int)longest);
        }
        if (a != RaggedRank)
            throw new ArgumentException(
                $"RaggedTensor.{op}: axis {axis} of {Shape} is an outer ragged axis; NeuralFlow reduces axis 0 of a (n, None) tensor, the innermost ragged axis ({RaggedRank}) and the uniform inner axes.",
                nameof(axis));
        // The innermost ragged axis: one segment per innermost row.
        var level = this;
        while (level._ragged is not null) level = level._ragged;
        var ids = Array.ConvertAll(level.ValueRowIds(), i => (int)i);
        var reduced = segment(level._dense!, NF.Constant(ids, new Shape(ids.Length)), level.NRows);
        return RaggedRank == 1 ? reduced : ReplaceInnermost(reduced);
    }

    // This tensor with its innermost ragged axis replaced by one value per innermost row.
    private RaggedTensor ReplaceInnermost(Tensor rows) =>
        _ragged!._ragged is null ? new RaggedTensor(_splits, rows, null, _uniform) : new RaggedTensor(_splits, null, _ragged.ReplaceInnermost(rows), _uniform);
}
