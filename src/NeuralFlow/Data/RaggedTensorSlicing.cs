namespace NeuralFlow.Data;

// Indexing, slicing, concat and stack of RaggedTensors: the new row partitions are worked out on the
// host and the values gathered (NF.Gather, on the device) in their new order; below axis 1 the rows
// stay and their values are joined with NF.Concat / NF.Stack.
public sealed partial class RaggedTensor
{
    /// <summary>Row <paramref name="index"/> (negative counts from the end) of a ragged-rank-1 tensor, as <c>rt[i]</c>: a dense tensor.</summary>
    /// <exception cref="InvalidOperationException">The row is itself ragged: read it with <see cref="Row"/>.</exception>
    public Tensor this[int index]
    {
        get
        {
            int i = RowIndex(index, NRows, 0);
            if (_ragged is not null)
                throw new InvalidOperationException($"RaggedTensor: rt[{index}] of {Shape} is itself ragged; read it with Row({index}).");
            return GatherDense(_dense!, RangeOf(_splits[i], _splits[i + 1]));
        }
    }

    /// <summary>
    /// <c>rt[i, j]</c>: value j of row i (negative indices count from the end), a dense tensor — a scalar, or the
    /// innermost row for a tensor with two ragged axes.
    /// </summary>
    /// <exception cref="IndexOutOfRangeException">i or j is outside its row.</exception>
    /// <exception cref="InvalidOperationException">The value is itself ragged (three or more ragged axes).</exception>
    public Tensor this[int index, int inner]
    {
        get
        {
            int i = RowIndex(index, NRows, 0);
            long start = _splits[i];
            long k = start + RowIndex(inner, (int)(_splits[i + 1] - start), 1);
            if (_dense is not null) return NF.Squeeze(GatherDense(_dense, [(int)k]), 0);
            if (_ragged!._ragged is not null)
                throw new InvalidOperationException($"RaggedTensor: rt[{index}, {inner}] of {Shape} is itself ragged; read it with Row({index}).Row({inner}).");
            return _ragged[(int)k];
        }
    }

    /// <summary>Row <paramref name="index"/> as a ragged tensor of one less rank (<c>rt[i]</c> of a tensor with two or more ragged axes).</summary>
    /// <exception cref="InvalidOperationException">The rows are dense (ragged rank 1): use the indexer.</exception>
    public RaggedTensor Row(int index)
    {
        int i = RowIndex(index, NRows, 0);
        if (_ragged is null) throw new InvalidOperationException($"RaggedTensor.Row: the rows of {Shape} are dense tensors; read them with rt[{index}].");
        return _ragged.Slice((int)_splits[i], (int)_splits[i + 1]);
    }

    private static int RowIndex(int index, int count, int axis)
    {
        int i = index < 0 ? index + count : index;
        if (i < 0 || i >= count) throw new IndexOutOfRangeException($"RaggedTensor: index {index} is out of range on axis {axis}, which has {count} values there.");
        return i;
    }

    /// <summary><c>rt[start:stop]</c>: rows start to stop, Python's rules (negative from the end, clamped, null for an open end).</summary>
    public RaggedTensor Slice(int? start, int? stop)
    {
        var (a, b) = PythonRange(start, stop, NRows);
        return GatherRows(RangeOf(a, b));
    }

    /// <summary>
    /// <c>rt[:, start:stop]</c>: the same slice of every row (Python's rules per row, so <c>-2</c> takes each row's
    /// last two values and short rows give what they have).
    /// </summary>
    public RaggedTensor SliceRows(int? start, int? stop)
    {
        var keep = new List<int>();
        var lengths = new long[NRows];
        for (int i = 0; i < NRows; i++)
        {
            var (a, b) = PythonRange(start, stop, (int)(_splits[i + 1] - _splits[i]));
            lengths[i] = b - a;
            for (int k = a; k < b; k++) keep.Add((int)_splits[i] + k);
        }
        return Rebuild(nameof(SliceRows), SplitsOf(nameof(SliceRows), lengths), GatherValues([.. keep]));
    }

    /// <summary>
    /// <c>tf.reverse(rt, [axis])</c>: axis 0 reverses the order of the rows, axis 1 the values (or inner rows) within
    /// each row.
    /// </summary>
    /// <exception cref="ArgumentException">An axis other than 0 or 1.</exception>
    public RaggedTensor Reverse(int axis)
    {
        if (axis == 0) return GatherRows(Enumerable.Range(0, NRows).Reverse().ToArray());
        if (axis != 1) throw new ArgumentException($"RaggedTensor.Reverse: axis {axis}; NeuralFlow reverses a ragged tensor along axis 0 or 1.", nameof(axis));
        var order = new int[_splits[^1]];
        for (int i = 0; i < NRows; i++)
            for (long k = _splits[i]; k < _splits[i + 1]; k++) order[k] = (int)(_splits[i] + _splits[i + 1] - 1 - k);
        return Rebuild(nameof(Reverse), _splits, GatherValues(order));
    }

    private static (int Start, int Stop) PythonRange(int? start, int? stop, int count)
    {
        static int Clamp(int v, int count) => Math.Clamp(v < 0 ? v + count : v, 0, count);
        int a = start is { } s ? Clamp(s, count) : 0, b = stop is { } e ? Clamp(e, count) : count;
        return (a, Math.Max(a, b));
    }

    /// <summary>
    /// <c>tf.concat(rts, axis)</c>: axis 0 puts the rows one after another; axis 1 joins row i of every input into one
    /// row (the inputs need as many rows); a deeper axis (up to rank - 1; negative counts from the end) joins the values
    /// of each row along it, so the inputs need the same row partitions above it, as TensorFlow asserts.
    /// The inputs need the same dtype, rank and ragged rank, and the same uniform inner sizes but on the axis joined.
    /// </summary>
    /// <exception cref="ArgumentException">No inputs, an axis outside the rank, different dtypes, ranks, ragged ranks, inner shapes, row counts (axis 1) or row partitions (deeper axes).</exception>
    public static RaggedTensor Concat(IReadOnlyList<RaggedTensor> values, int axis = 0)
    {
        const string op = nameof(Concat);
        var all = Checked(op, values);
        int rank = all[0].Rank;
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentException($"RaggedTensor.{op}: axis {axis} is out of range for rank {rank} ({all[0].Shape}); give -{rank} .. {rank - 1}.", nameof(axis));
        if (a >= 2) return Deeper(op, all, a, stack: false);
        SameInnerAxes(op, all);
        if (a == 0)
        {
            var splits = new List<long> { 0 };
            foreach (var rt in all)
            {
                long offset = splits[^1];   // read once: AddRange would see the splits it is adding
                splits.AddRange(rt._splits.Skip(1).Select(s => s + offset));
            }
            return Rebuild(op, [.. splits], ConcatValues(all));
        }
        SameRowCount(op, all, a);
        var (order, lengths) = Interleave(all, all[0].NRows);
        return Rebuild(op, SplitsOf(op, lengths), GatherFrom(ConcatValues(all), order));
    }

    /// <summary>
    /// <c>tf.stack(rts, axis)</c>: a new axis of length count(rts) — at 0 the inputs become the rows, at 1 row i holds row i
    /// of every input (one more ragged axis); deeper (up to rank; negative counts from rank + 1) it stacks the values of
    /// each row, so the inputs need the same row partitions above it and the same shape below.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Concat"/>.</exception>
    public static RaggedTensor Stack(IReadOnlyList<RaggedTensor> values, int axis = 0)
    {
        const string op = nameof(Stack);
        var all = Checked(op, values);
        int rank = all[0].Rank;
        int a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank)
            throw new ArgumentException($"RaggedTensor.{op}: axis {axis} is out of range for stacking rank-{rank} tensors ({all[0].Shape}); give -{rank + 1} .. {rank}.", nameof(axis));
        if (a >= 2) return Deeper(op, all, a, stack: true);
        SameInnerAxes(op, all);
        if (a == 0)
            return FromRowLengths(Concat(all, 0), all.Select(rt => (long)rt.NRows).ToArray());
        SameRowCount(op, all, a);
        int n = all[0].NRows;
        // Row i of input t is row t * n + i of their concatenation; the result's row i holds those of every t.
        var rows = new int[n * all.Count];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < all.Count; t++) rows[i * all.Count + t] = t * n + i;
        var inner = Concat(all, 0).GatherRows(rows);
        return FromRowLengths(inner, Enumerable.Repeat((long)all.Count, n).ToArray());
    }

    // Concat or stack below the outer axis: every input keeps its (shared) rows, whose values are joined one axis down.
    private static RaggedTensor Deeper(string op, List<RaggedTensor> all, int axis, bool stack)
    {
        for (int t = 1; t < all.Count; t++)
            if (!all[t]._splits.AsSpan().SequenceEqual(all[0]._splits))
                throw new ArgumentException(
                    $"RaggedTensor.{op}: along axis {axis} the inputs need the same rows above it, but input {t}'s row splits [{string.Join(", ", all[t]._splits)}] " +
                    $"differ from input 0's [{string.Join(", ", all[0]._splits)}].", "values");
        if (all[0]._ragged is not null)
        {
            var inner = all.Select(rt => rt._ragged!).ToList();
            return Make(op, all[0]._splits, null, stack ? Stack(inner, axis - 1) : Concat(inner, axis - 1));
        }
        var dense = all.Select(rt => rt._dense!).ToList();
        int joined = axis - 1;   // the axis of the values tensors
        var first = dense[0].Shape.ToArray();
        for (int t = 1; t < dense.Count; t++)
        {
            var shape = dense[t].Shape.ToArray();
            bool fits = Enumerable.Range(0, first.Length).All(d => (!stack && d == joined) || shape[d] == first[d]);
            if (!fits)
                throw new ArgumentException(
                    $"RaggedTensor.{op}: along axis {axis} input {t}'s values have shape {dense[t].Shape} and input 0's {dense[0].Shape}; " +
                    (stack ? "stacking needs them equal." : $"they may differ only on the axis joined."), "values");
        }
        return Make(op, all[0]._splits, stack ? NF.Stack(dense, joined) : NF.Concat(dense, joined), null);
    }

    private static void SameRowCount(string op, List<RaggedTensor> all, int axis)
    {
        if (all.Any(rt => rt.NRows != all[0].NRows))
            throw new ArgumentException($"RaggedTensor.{op}: along axis {axis} every input needs the same number of rows (got {string.Join(", ", all.Select(rt => rt.NRows))}).", "values");
    }

    private static List<RaggedTensor> Checked(string op, IReadOnlyList<RaggedTensor> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException($"RaggedTensor.{op}: give at least one ragged tensor.", nameof(values));
        var all = values.Select((rt, i) => rt ?? throw new ArgumentNullException(nameof(values), $"RaggedTensor.{op}: input {i} is null.")).ToList();
        var first = all[0];
        for (int i = 1; i < all.Count; i++)
        {
            var rt = all[i];
            if (rt.DType != first.DType || rt.RaggedRank != first.RaggedRank || rt.Rank != first.Rank)
                throw new ArgumentException(
                    $"RaggedTensor.{op}: input {i} ({rt.Shape}, {rt.DType.Name()}) does not match input 0 ({first.Shape}, {first.DType.Name()}); they need the same dtype, rank and ragged rank.",
                    nameof(values));
        }
        return all;
    }

    // Axes 0 and 1 move whole values: their uniform inner axes must agree.
    private static void SameInnerAxes(string op, List<RaggedTensor> all)
    {
        var inner = all[0].FlatValues.Shape.ToArray()[1..];
        for (int i = 1; i < all.Count; i++)
            if (!all[i].FlatValues.Shape.ToArray()[1..].SequenceEqual(inner))
                throw new ArgumentException(
                    $"RaggedTensor.{op}: input {i} ({all[i].Shape}) does not match input 0 ({all[0].Shape}); they need the same dtype, ragged rank and inner axes.",
                    "values");
    }

    // Axis-1 order: row i of every input in turn, as indices into their concatenated values.
    private static (int[] Order, long[] Lengths) Interleave(List<RaggedTensor> all, int n)
    {
        var offsets = new long[all.Count];
        for (int t = 1; t < all.Count; t++) offsets[t] = offsets[t - 1] + all[t - 1]._splits[^1];
        var order = new List<int>();
        var lengths = new long[n];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < all.Count; t++)
            {
                var s = all[t]._splits;
                lengths[i] += s[i + 1] - s[i];
                for (long k = s[i]; k < s[i + 1]; k++) order.Add((int)(offsets[t] + k));
            }
        return ([.. order], lengths);
    }

    // The values of several ragged tensors one after another (a tensor, or a ragged tensor for nested rows).
    private static object ConcatValues(List<RaggedTensor> all) =>
        all[0]._dense is not null ? NF.Concat(all.Select(rt => rt._dense!).ToList(), 0) : Concat(all.Select(rt => rt._ragged!).ToList(), 0);

    // The rows at the given indices, in that order.
    private RaggedTensor GatherRows(int[] rows)
    {
        var keep = new List<int>();
        var lengths = new long[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            int i = rows[r];
            lengths[r] = _splits[i + 1] - _splits[i];
            for (long k = _splits[i]; k < _splits[i + 1]; k++) keep.Add((int)k);
        }
        return Rebuild(nameof(GatherRows), SplitsOf(nameof(GatherRows), lengths), GatherValues([.. keep]));
    }

    private object GatherValues(int[] indices) => GatherFrom(_dense is not null ? _dense : _ragged!, indices);

    private static object GatherFrom(object values, int[] indices) =>
        values is Tensor t ? GatherDense(t, indices) : ((RaggedTensor)values).GatherRows(indices);

    private static Tensor GatherDense(Tensor values, int[] indices) => NF.Gather(values, NF.Constant(indices, new Shape(indices.Length)), 0);

    private static RaggedTensor Rebuild(string op, long[] splits, object values) =>
        values is Tensor t ? Make(op, splits, t, null) : Make(op, splits, null, (RaggedTensor)values);

    private static int[] RangeOf(long start, long stop) => Enumerable.Range((int)start, (int)(stop - start)).ToArray();
}
