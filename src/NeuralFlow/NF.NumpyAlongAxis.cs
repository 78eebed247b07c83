namespace NeuralFlow;

// NumPy's index arithmetic along an axis (np.take_along_axis, put_along_axis, unravel_index,
// ravel_multi_index, argpartition; keras.ops has them). Composed of Gather, TensorScatterUpdate,
// integer division and ArgSort, so every engine runs them; the gathers carry the gradient.
public static partial class NF
{
    /// <summary>
    /// The elements of x picked along <paramref name="axis"/> by <paramref name="indices"/>
    /// (<c>np.take_along_axis</c>): out[..., j, ...] = x[..., indices[..., j, ...], ...]. indices has
    /// x's rank and broadcasts against x off the axis; negative indices count from the end. A null
    /// axis takes from the flattened x with 1-D indices. The gradient adds back onto the picked places.
    /// </summary>
    /// <exception cref="ArgumentException">indices is not integer, its rank differs from x's, the shapes do not broadcast, or an index is out of range.</exception>
    public static Tensor TakeAlongAxis(Tensor x, Tensor indices, int? axis = -1)
    {
        const string op = nameof(TakeAlongAxis);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        var (source, a) = AlongAxisOperands(op, ref x, indices, axis);
        var target = AlongAxisShape(op, source.Shape, indices.Shape, a, broadcastX: true);
        var dims = target.ToArray();
        dims[a] = source.Shape[a];
        var full = BroadcastTo(source, new Shape(dims));
        var flat = FlatPositions(op, full.Shape, indices, target, a);
        var picked = Gather(Reshape(Moveaxis(full, a, -1), [-1]), flat, 0);
        return Moveaxis(Reshape(picked, MovedDims(target, a)), -1, a);
    }

    /// <summary>
    /// A copy of x with <paramref name="values"/> written along <paramref name="axis"/> at
    /// <paramref name="indices"/> (<c>np.put_along_axis</c>, which writes in place; this returns a new
    /// tensor). indices has x's rank and broadcasts to x off the axis, values broadcast to indices'
    /// shape and are cast to x's dtype; a place written twice takes the later value. A null axis
    /// writes into the flattened x (the result keeps x's shape). Gradient: to x where it was kept,
    /// to values where they were written.
    /// </summary>
    /// <exception cref="ArgumentException">indices is not integer, the shapes do not fit, or an index is out of range.</exception>
    public static Tensor PutAlongAxis(Tensor x, Tensor indices, Tensor values, int? axis = -1)
    {
        const string op = nameof(PutAlongAxis);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        var original = x;
        var (source, a) = AlongAxisOperands(op, ref x, indices, axis);
        var target = AlongAxisShape(op, source.Shape, indices.Shape, a, broadcastX: false);
        if (Engine.BroadcastShapes(op, values.Shape, target) != target)
            throw new ArgumentException($"{op}: values of shape {values.Shape} do not broadcast to the indices' shape {target}.", nameof(values));
        var flat = FlatPositions(op, source.Shape, indices, target, a);
        var moved = Moveaxis(source, a, -1);
        var updates = Reshape(Moveaxis(BroadcastTo(Engine.As(values, source.DType), target), a, -1), [-1]);
        var written = TensorScatterUpdate(Reshape(moved, [-1]), Reshape(flat, [-1, 1]), updates);
        return Reshape(Moveaxis(Reshape(written, moved.Shape.ToArray()), -1, a), original.Shape.ToArray());
    }

    /// <summary>
    /// The coordinates of flat <paramref name="indices"/> in an array of <paramref name="shape"/>
    /// (<c>np.unravel_index</c>, <c>keras.ops.unravel_index</c>): one tensor per axis of shape,
    /// each with indices' shape and dtype, in row-major (C) order.
    /// </summary>
    /// <exception cref="ArgumentException">indices is not integer, a dimension is negative, or an index is outside [0, prod(shape)).</exception>
    public static Tensor[] UnravelIndex(Tensor indices, int[] shape)
    {
        const string op = nameof(UnravelIndex);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(shape);
        if (!indices.DType.IsInteger())
            throw new ArgumentException($"{op}: indices must be integers, got {indices.DType.Name()}.", nameof(indices));
        if (shape.Any(d => d < 0))
            throw new ArgumentException($"{op}: shape {NeuralFlow.Shape.Format(shape)} has a negative dimension.", nameof(shape));
        long size = shape.Aggregate(1L, (p, d) => p * d);
        CheckIndexRange(op, indices, size, $"the {size} elements of shape {NeuralFlow.Shape.Format(shape)}");
        var coordinates = new Tensor[shape.Length];
        // The strides and axis lengths need not fit the indices' dtype (uint8 indices in an axis of
        // 300, int32 ones under a stride of 2^32; as scalars of that dtype they overflowed): divide
        // in int64, then give each coordinate (below its index, so it fits) back in the indices' dtype.
        var wide = Cast(indices, DType.Int64);
        long stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            var along = stride == 1 ? wide : FloorDiv(wide, TypedScalar(stride, DType.Int64, indices.Backend));
            coordinates[i] = Cast(i == 0 ? along : FloorMod(along, TypedScalar(shape[i], DType.Int64, indices.Backend)), indices.DType);
            stride *= Math.Max(shape[i], 1);
        }
        return coordinates;
    }

    /// <summary>
    /// The flat row-major indices of the coordinates <paramref name="multiIndex"/> (one integer
    /// tensor per axis, broadcast together) in an array of <paramref name="dims"/>
    /// (<c>np.ravel_multi_index</c>), as int64. <paramref name="mode"/> "raise" refuses a coordinate
    /// outside its axis, "wrap" wraps it around, "clip" clamps it to the axis.
    /// </summary>
    /// <exception cref="ArgumentException">The number of coordinate tensors differs from dims' length, one is not integer, mode is unknown, or ("raise") a coordinate is out of range.</exception>
    public static Tensor RavelMultiIndex(IReadOnlyList<Tensor> multiIndex, int[] dims, string mode = "raise")
    {
        const string op = nameof(RavelMultiIndex);
        ArgumentNullException.ThrowIfNull(multiIndex);
        ArgumentNullException.ThrowIfNull(dims);
        if (mode is not ("raise" or "wrap" or "clip"))
            throw new ArgumentException($"{op}: mode must be \"raise\", \"wrap\" or \"clip\", got \"{mode}\".", nameof(mode));
        if (multiIndex.Count != dims.Length || dims.Length == 0)
            throw new ArgumentException($"{op}: multiIndex has {multiIndex.Count} coordinate tensors but dims {NeuralFlow.Shape.Format(dims)} has {dims.Length} axes; they must match (and be at least one).", nameof(multiIndex));
        if (dims.Any(d => d < 0))
            throw new ArgumentException($"{op}: dims {NeuralFlow.Shape.Format(dims)} has a negative dimension.", nameof(dims));
        Tensor? flat = null;
        long stride = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            var c = multiIndex[i] ?? throw new ArgumentNullException(nameof(multiIndex));
            if (!c.DType.IsInteger())
                throw new ArgumentException($"{op}: coordinate tensor {i} must be integer, got {c.DType.Name()}.", nameof(multiIndex));
            var coordinate = Cast(c, DType.Int64);
            if (mode == "raise") CheckIndexRange(op, coordinate, dims[i], $"axis {i} of dims {NeuralFlow.Shape.Format(dims)} (length {dims[i]})");
            else if (dims[i] == 0)
                throw new ArgumentException($"{op}: axis {i} of dims {NeuralFlow.Shape.Format(dims)} is empty; no coordinate can {mode} into it.", nameof(dims));
            else if (mode == "wrap") coordinate = FloorMod(coordinate, TypedScalar(dims[i], DType.Int64, c.Backend));
            else coordinate = Minimum(Maximum(coordinate, TypedScalar(0, DType.Int64, c.Backend)), TypedScalar(dims[i] - 1, DType.Int64, c.Backend));
            var term = stride == 1 ? coordinate : coordinate * TypedScalar(stride, DType.Int64, c.Backend);
            flat = flat is null ? term : term + flat;
            stride *= dims[i];
        }
        return flat!;
    }

    /// <summary>
    /// Indices that partition x along <paramref name="axis"/> around its <paramref name="kth"/>
    /// element (<c>np.argpartition</c>, int32 as <c>keras.ops.argpartition</c>): the element at
    /// position kth is the one a sort would put there, none before it is greater and none after it
    /// smaller. NumPy leaves the order within each side unspecified; these indices are those of a
    /// stable sort (NaN last), which is one valid partition for every kth at once.
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException">kth or axis is out of range.</exception>
    public static Tensor Argpartition(Tensor x, int kth, int axis = -1) => Argpartition(x, [kth], axis);

    /// <summary>Indices that partition x along <paramref name="axis"/> around each of the <paramref name="kth"/> positions at once (<c>np.argpartition(x, [1, 3])</c>).</summary>
    /// <exception cref="ArgumentException">x is a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A kth or axis is out of range.</exception>
    public static Tensor Argpartition(Tensor x, int[] kth, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(kth);
        if (x.Rank == 0)
            throw new ArgumentException("Argpartition: x is a scalar; it needs an axis to partition along.", nameof(x));
        int a = x.Shape.NormalizeAxis(axis, nameof(axis));
        int n = x.Shape[a];
        foreach (int k in kth)
            if (k < -n || k >= n)
                throw new ArgumentOutOfRangeException(nameof(kth), k, $"Argpartition: kth {k} is out of bounds for axis {axis} of x with shape {x.Shape} (length {n}).");
        return ArgSort(x, a);
    }

    // x (flattened when axis is null) with its axis normalised; indices must be integers of its rank.
    private static (Tensor Source, int Axis) AlongAxisOperands(string op, ref Tensor x, Tensor indices, int? axis)
    {
        if (!indices.DType.IsInteger())
            throw new ArgumentException($"{op}: indices must be integers, got {indices.DType.Name()}.", nameof(indices));
        if (axis is null)
        {
            if (indices.Rank != 1)
                throw new ArgumentException($"{op}: with no axis x is flattened, so indices must be 1-D, got shape {indices.Shape}.", nameof(indices));
            return (Reshape(x, [-1]), 0);
        }
        if (x.Rank == 0)
            throw new ArgumentException($"{op}: x is a scalar; it needs an axis to index along.", nameof(x));
        if (indices.Rank != x.Rank)
            throw new ArgumentException($"{op}: indices of shape {indices.Shape} must have x's rank ({x.Rank}, shape {x.Shape}).", nameof(indices));
        return (x, x.Shape.NormalizeAxis(axis.Value, nameof(axis)));
    }

    // The result's shape: indices' along the axis, x's and indices' broadcast elsewhere (only
    // indices broadcast to x when x is written into).
    private static Shape AlongAxisShape(string op, Shape x, Shape indices, int axis, bool broadcastX)
    {
        var xDims = x.ToArray();
        var iDims = indices.ToArray();
        xDims[axis] = iDims[axis] = 1;
        var common = Engine.BroadcastShapes(op, new Shape(xDims), new Shape(iDims)).ToArray();
        if (!broadcastX && !common.SequenceEqual(xDims))
            throw new ArgumentException($"{op}: indices of shape {indices} do not broadcast to x of shape {x} off axis {axis}.", "indices");
        common[axis] = indices[axis];
        return new Shape(common);
    }

    // The positions in x (of `shape`, axis moved last and flattened) of each index broadcast to
    // `target`, negative indices counted from the end of the axis: [prod(target)] int64.
    private static Tensor FlatPositions(string op, Shape shape, Tensor indices, Shape target, int axis)
    {
        int n = shape[axis];
        var index = Cast(indices, DType.Int64);
        CheckIndexRange(op, index, n, $"axis {axis} (length {n})", allowNegative: true);
        var wrapped = Where(Less(index, TypedScalar(0, DType.Int64, index.Backend)), index + TypedScalar(n, DType.Int64, index.Backend), index);
        // One line of `count` indices for each place off the axis (sized explicitly: -1 cannot be inferred when empty).
        int count = target[axis], lines = target.ToArray().Where((_, d) => d != axis).Aggregate(1, (p, d) => checked(p * d));
        var moved = Reshape(Moveaxis(BroadcastTo(wrapped, target), axis, -1), [lines, count]);
        Tensor rows;
        using (UseBackend(indices.Backend)) rows = Reshape(Range(0L, lines, 1L) * TypedScalar(n, DType.Int64, indices.Backend), [lines, 1]);
        return Reshape(moved + rows, [-1]);
    }

    // target's dims with the axis moved last (Moveaxis(·, axis, -1) of a tensor of that shape).
    private static int[] MovedDims(Shape target, int axis)
    {
        var dims = target.ToArray().ToList();
        int size = dims[axis];
        dims.RemoveAt(axis);
        dims.Add(size);
        return [.. dims];
    }

    // Reads the smallest and largest index on the host (a sync) so that a bad one is an exception
    // naming it, never a read outside the tensor.
    private static void CheckIndexRange(string op, Tensor indices, long size, string what, bool allowNegative = false)
    {
        if (indices.Count == 0) return;
        using var paused = Tape.Pause();
        using var lowest = Cast(ReduceMin(indices), DType.Int64);
        using var highest = Cast(ReduceMax(indices), DType.Int64);
        long lo = lowest.Item<long>(), hi = highest.Item<long>();
        long min = allowNegative ? -size : 0;
        if (lo < min || hi >= size)
            throw new ArgumentException($"{op}: index {(lo < min ? lo : hi)} is out of bounds for {what}; valid indices are {min}..{size - 1}.", "indices");
    }

    // A scalar of dtype on the backend (not a weak C# number: int64 arithmetic stays int64).
    private static Tensor TypedScalar(long value, DType dtype, Backends.IBackend backend) => Fill(NeuralFlow.Shape.Scalar, value, dtype, backend);
}
