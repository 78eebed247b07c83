namespace NeuralFlow;

// torch.Tensor.scatter_reduce: an element-wise index along one axis (torch's dim) rather than
// TensorFlow's index tuples. Each element of index names, together with its own position on the
// other axes, one element of the input, so the index is turned into full index tuples on the host
// and the reduction is the round-based ScatterCombine of NF.ScatterReductions.cs.
public static partial class NF
{
    /// <summary>
    /// <c>torch.Tensor.scatter_reduce(dim, index, src, reduce, include_self)</c>: for every position p of
    /// <paramref name="index"/>, the element of <paramref name="input"/> at p with axis
    /// <paramref name="axis"/> replaced by index[p] is combined with src[p]. <paramref name="reduce"/> is
    /// "sum", "prod", "mean", "amax" or "amin" ("max" / "min" are taken as the last two). With
    /// <paramref name="includeSelf"/> false the input's own value at a position that receives updates
    /// is left out (positions that receive none keep it). "mean" divides by the number of values taken
    /// (floor division for integer dtypes, as torch). index, input and src have one rank; index is no
    /// longer than src on any axis and no longer than input on the axes other than axis; only the
    /// part of src that index covers is used. Gradient: that of the composition; for "amax" and
    /// "amin" split evenly among the values tied at the extreme, as torch's.
    /// </summary>
    /// <exception cref="ArgumentException">reduce is unknown, index is not an integer tensor, the ranks, shapes or dtypes do not fit, or an index is outside [0, input.shape[axis]).</exception>
    /// <exception cref="ArgumentOutOfRangeException">axis is outside [-rank, rank).</exception>
    public static Tensor ScatterReduce(Tensor input, int axis, Tensor index, Tensor src, string reduce, bool includeSelf = true)
    {
        const string op = nameof(ScatterReduce);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(reduce);
        Func<Tensor, Tensor, Tensor>? combine = reduce switch
        {
            "sum" or "mean" => Add,
            "prod" => Multiply,
            "amax" or "max" => Maximum,
            "amin" or "min" => Minimum,
            _ => throw new ArgumentException($"{op}: reduce must be \"sum\", \"prod\", \"mean\", \"amax\" or \"amin\", got \"{reduce}\".", nameof(reduce)),
        };
        CheckIndexDType(op, index);
        CheckSameDType(op, input, src);
        Engine.BackendOf(op, input, index);
        Engine.BackendOf(op, input, src);
        int rank = input.Rank;
        if (index.Rank != rank || src.Rank != rank)
            throw new ArgumentException(
                $"{op}: input (shape {input.Shape}), index (shape {index.Shape}) and src (shape {src.Shape}) must have one rank.", nameof(index));
        if (rank == 0)
        {
            // A scalar is one position on an axis of length 1 (torch takes dim 0 or -1 for it).
            if (axis is not (0 or -1))
                throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is outside [-1, 1) for a scalar input.");
            var one = ScatterReduce(Reshape(input, [1]), 0, Reshape(index, [1]), Reshape(src, [1]), reduce, includeSelf);
            return Reshape(one, []);
        }
        if (axis < -rank || axis >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is outside [{-rank}, {rank}) for input of shape {input.Shape}.");
        int ax = axis < 0 ? axis + rank : axis;
        var idims = index.Shape.ToArray();
        for (int d = 0; d < rank; d++)
        {
            if (idims[d] > src.Shape[d] || (d != ax && idims[d] > input.Shape[d]))
                throw new ArgumentException(
                    $"{op}: index (shape {index.Shape}) is longer on axis {d} than src (shape {src.Shape}){(d != ax ? $" or input (shape {input.Shape})" : "")}.", nameof(index));
        }
        var tuples = IndexTuples(op, index, idims, ax, input.Shape[ax]);
        int count = tuples.Length / rank;
        var updates = Reshape(Slice(src, new int[rank], idims), [count]);
        var flatInput = Reshape(input, [checked((int)input.Shape.Count)]);
        // Every element of the input is one row of a flat vector; a tuple names its row number.
        var strides = new long[rank];
        for (int d = rank - 1, s = 1; d >= 0; s *= input.Shape[d], d--) strides[d] = s;
        var rowsOf = new long[count];
        for (int t = 0; t < count; t++)
            for (int d = 0; d < rank; d++) rowsOf[t] += tuples[t * rank + d] * strides[d];
        var rowIndex = Engine.FromHost<long>(rowsOf, new Shape(count, 1), input.Backend);
        var reduced = ScatterCombine(op, flatInput, rowIndex, updates, combine, includeSelf, splitTies: reduce is "amax" or "max" or "amin" or "min");
        if (reduce == "mean")
        {
            // Divide by how many values each position took: its updates, plus itself when included.
            var taken = new double[flatInput.Shape[0]];
            foreach (long r in rowsOf) taken[r]++;
            for (int r = 0; r < taken.Length; r++) taken[r] = Math.Max(1, taken[r] + (includeSelf ? 1 : 0));
            var divisor = Cast(Engine.FromHost<double>(taken, new Shape(taken.Length), input.Backend), input.DType);
            reduced = input.DType.IsFloating() ? Divide(reduced, divisor) : FloorDiv(reduced, divisor);
        }
        return Reshape(reduced, input.Shape.ToArray());
    }

    // The full index tuple ([count * rank], row-major over index's positions) of every element of
    // index: its own position, with the axis' coordinate replaced by the element.
    private static long[] IndexTuples(string op, Tensor index, int[] idims, int axis, int axisLength)
    {
        long[] values;
        using (var wide = Cast(index, DType.Int64)) values = wide.ToArray<long>();
        int rank = idims.Length;
        var tuples = new long[values.LongLength * rank];
        var position = new int[rank];
        for (long j = 0; j < values.LongLength; j++)
        {
            if (values[j] < 0 || values[j] >= axisLength)
                throw new ArgumentException(
                    $"{op}: index (shape {index.Shape}) holds {values[j]} at flat position {j}, outside [0, {axisLength}) for axis {axis} of input.", nameof(index));
            for (int d = 0; d < rank; d++) tuples[j * rank + d] = d == axis ? values[j] : position[d];
            for (int d = rank - 1; d >= 0 && ++position[d] == idims[d]; d--) position[d] = 0;   // next position
        }
        return tuples;
    }
}
