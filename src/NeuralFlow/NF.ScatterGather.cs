namespace NeuralFlow;

// Gathers and scatters by index tuples (tf.gather_nd, tf.scatter_nd,
// tf.tensor_scatter_nd_update / _add). An index tuple of length K names a slice of the first K
// axes; each tuple is turned into the row number of those K axes merged into one, and the work
// is then a Gather of rows, whose kernel, gradient and every-engine support they share.
// GatherNd, and ScatterNd / TensorScatterAdd of float32, float64, int32 and int64, stay on the
// device: the row numbers are computed there and the scatter-add kernel adds the updates into
// zeros (duplicates summed; in the order given on the CPU engines). TensorScatterUpdate, and the
// scatters of uint8 and bool, read the indices on the host (one synchronisation, and NF.Function
// runs such a step eagerly): which row each update lands in is decided there, and the result is
// gathered from the input rows and the updates, exactly, with duplicates in the order given.
public static partial class NF
{
    /// <summary>
    /// Slices of <paramref name="params"/> picked by the index tuples in the last axis of
    /// <paramref name="indices"/> (<c>tf.gather_nd</c>): indices [..., K] gives
    /// indices.shape[:-1] + params.shape[K:]. With <paramref name="batchDims"/> b, the first b axes
    /// of both are batch axes that match, and each batch gathers from its own params. An index
    /// outside params (negative ones included) is an error, as on TensorFlow's CPU. Gradient: the
    /// upstream gradient added back at the gathered positions.
    /// </summary>
    /// <exception cref="ArgumentException">indices is not an integer tensor of rank ≥ 1, K is larger than params' rank, the batch axes differ, or an index is out of range.</exception>
    public static Tensor GatherNd(Tensor @params, Tensor indices, int batchDims = 0)
    {
        ArgumentNullException.ThrowIfNull(@params);
        ArgumentNullException.ThrowIfNull(indices);
        const string op = nameof(GatherNd);
        CheckIndexDType(op, indices);
        if (indices.Rank == 0)
            throw new ArgumentException($"{op}: indices is a scalar; it needs at least one axis, the last holding the index tuples.", nameof(indices));
        if (batchDims < 0 || batchDims >= indices.Rank || batchDims > @params.Rank)
            throw new ArgumentOutOfRangeException(nameof(batchDims), batchDims,
                $"{op}: batchDims {batchDims} must be in [0, {Math.Min(indices.Rank - 1, @params.Rank)}] for params of shape {@params.Shape} and indices of shape {indices.Shape}.");
        int k = indices.Shape[-1];
        if (batchDims + k > @params.Rank)
            throw new ArgumentException(
                $"{op}: index tuples of length {k} (indices of shape {indices.Shape}) need params of rank at least {batchDims + k}, got shape {@params.Shape}.", nameof(indices));
        if (batchDims > 0) return GatherNdBatched(@params, indices, batchDims);
        var pdims = @params.Shape.ToArray();
        var outer = indices.Shape.ToArray()[..^1];
        var rowDims = pdims[..k];
        int rows = Product(op, rowDims);
        var merged = Reshape(@params, [rows, .. pdims[k..]]);
        var flat = RowNumbers(indices, rowDims);
        try
        {
            return Reshape(Gather(merged, flat, 0), [.. outer, .. pdims[k..]]);
        }
        catch (ArgumentException) when (OutOfRange(op, indices, rowDims, "params", @params.Shape) is { } named)
        {
            // The gather refused a -1: name the tuple and component instead of the merged row.
            throw named;
        }
    }

    // The row-major row number (int64) of each index tuple in the last axis of indices over the
    // axes rowDims, or -1 (which the kernels refuse) when any component is outside its axis: a
    // single bad component may still give a row in range. Computed on the device.
    private static Tensor RowNumbers(Tensor indices, int[] rowDims)
    {
        int k = rowDims.Length;
        using var scope = TensorScope.Begin();
        var idx = Cast(indices, DType.Int64);
        var strides = new long[k];
        for (int d = k - 1, s = 1; d >= 0; s *= rowDims[d], d--) strides[d] = s;
        var strideT = Engine.FromHost<long>(strides, new Shape(k), indices.Backend);
        var sizeT = Engine.FromHost<long>(rowDims.Select(d => (long)d).ToArray(), new Shape(k), indices.Backend);
        var rowNumber = ReduceSum(Multiply(idx, strideT), -1);
        var bad = ReduceAny(LogicalOr(Less(idx, 0), GreaterEqual(idx, sizeT)), -1);
        return scope.Keep(Where(bad, -1L, rowNumber));
    }

    /// <summary>
    /// A tensor of <paramref name="shape"/>, zero except where <paramref name="updates"/> are added
    /// at the index tuples of <paramref name="indices"/> (<c>tf.scatter_nd</c>): indices [..., K],
    /// updates indices.shape[:-1] + shape[K:]. Updates to the same position are summed. Gradient for
    /// updates: the upstream gradient gathered at their positions. float32, float64, int32 and
    /// int64 stay on the device; uint8 and bool updates read the indices on the host.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit together, or an index is out of range.</exception>
    public static Tensor ScatterNd(Tensor indices, Tensor updates, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(updates);
        const string op = nameof(ScatterNd);
        var (rowDims, inner) = ScatterPlan.Shapes(op, indices, updates, shape);
        if (updates.DType is DType.Float32 or DType.Float64 or DType.Int32 or DType.Int64)
        {
            int count = Product(op, indices.Shape.ToArray()[..^1]);
            var flat = RowNumbers(indices, rowDims);
            try
            {
                var sums = ScatterAddAlong(Reshape(updates, [count, .. inner]), flat, 0, Product(op, rowDims));
                return Reshape(sums, shape.ToArray());
            }
            catch (ArgumentException) when (OutOfRange(op, indices, rowDims, "a target", shape) is { } named)
            {
                throw named;   // the kernel refused a -1: name the tuple and component
            }
        }
        var plan = ScatterPlan.Of(op, indices, updates, shape);
        var padded = Concat([Fill(new Shape([1, .. plan.Inner]), 0, updates.DType, updates.Backend), plan.Rows(updates)], 0);
        Tensor? sum = null;
        foreach (var layer in plan.Layers())
        {
            // Row r of a layer is 0 (the zero row) or 1 + the update that lands on r in that round.
            var map = Engine.FromHost<long>(layer, new Shape(layer.Length), updates.Backend);
            var part = Gather(padded, map, 0);
            sum = sum is null ? part : sum + part;
        }
        sum ??= Fill(new Shape([plan.RowCount, .. plan.Inner]), 0, updates.DType, updates.Backend);
        return Reshape(sum, shape.ToArray());
    }

    /// <summary>
    /// <paramref name="tensor"/> with the slices at the index tuples of <paramref name="indices"/>
    /// replaced by <paramref name="updates"/> (<c>tf.tensor_scatter_nd_update</c>); a position given
    /// twice takes the last update. Gradient: the upstream gradient to tensor where it was kept and
    /// to each update that was written. Indices are read on the host.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterUpdate(Tensor tensor, Tensor indices, Tensor updates)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(updates);
        const string op = nameof(TensorScatterUpdate);
        CheckSameDType(op, tensor, updates);
        var plan = ScatterPlan.Of(op, indices, updates, tensor.Shape);
        var source = Concat([Reshape(tensor, [plan.RowCount, .. plan.Inner]), plan.Rows(updates)], 0);
        var map = new long[plan.RowCount];
        for (int r = 0; r < map.Length; r++) map[r] = r;
        for (int j = 0; j < plan.Targets.Length; j++) map[plan.Targets[j]] = plan.RowCount + j;   // later updates win
        var picked = Gather(source, Engine.FromHost<long>(map, new Shape(map.Length), tensor.Backend), 0);
        return Reshape(picked, tensor.Shape.ToArray());
    }

    /// <summary>
    /// <paramref name="tensor"/> with <paramref name="updates"/> added at the index tuples of
    /// <paramref name="indices"/> (<c>tf.tensor_scatter_nd_add</c>); duplicates add up. On the device
    /// for float32, float64, int32 and int64, as <see cref="ScatterNd"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterAdd(Tensor tensor, Tensor indices, Tensor updates)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(updates);
        CheckSameDType(nameof(TensorScatterAdd), tensor, updates);
        return Add(tensor, ScatterNd(indices, updates, tensor.Shape));
    }

    private static void CheckSameDType(string op, Tensor tensor, Tensor updates)
    {
        if (tensor.DType != updates.DType)
            throw new ArgumentException($"{op}: updates are {updates.DType.Name()} but tensor is {tensor.DType.Name()}; convert with NF.Cast.", nameof(updates));
    }

    // batch_dims b: the batch axes are merged into one, and its coordinate is prepended to every
    // index tuple, so that a plain GatherNd over [batch, ...] does the rest.
    private static Tensor GatherNdBatched(Tensor @params, Tensor indices, int b)
    {
        var pdims = @params.Shape.ToArray();
        var idims = indices.Shape.ToArray();
        if (!pdims[..b].SequenceEqual(idims[..b]))
            throw new ArgumentException(
                $"GatherNd: with batchDims {b}, the first {b} axes of params (shape {@params.Shape}) and indices (shape {indices.Shape}) must match.", nameof(indices));
        int batch = Product(nameof(GatherNd), pdims[..b]);
        var middle = idims[b..^1];
        int perBatch = Product(nameof(GatherNd), middle);
        int k = idims[^1];
        var flatParams = Reshape(@params, [batch, .. pdims[b..]]);
        var tuples = Reshape(Cast(indices, DType.Int64), [batch, perBatch, k]);
        Tensor coordinate;
        using (UseBackend(indices.Backend))
        using (var column = Reshape(Range(0L, batch), [batch, 1, 1]))
            coordinate = BroadcastTo(column, new Shape(batch, perBatch, 1));
        var gathered = GatherNd(flatParams, Concat([coordinate, tuples], -1));
        return Reshape(gathered, [.. pdims[..b], .. middle, .. pdims[(b + k)..]]);
    }

    // The product of some axes, which become one axis here, so it must fit a dimension.
    private static int Product(string op, int[] dims)
    {
        if (dims.Contains(0)) return 0;
        long product = 1;
        foreach (int d in dims)
        {
            product *= d;   // below 2^31 before, so below 2^62 after
            if (product > int.MaxValue)
                throw new ArgumentException($"{op}: axes [{string.Join(", ", dims)}] merge into more positions than a dimension holds ({int.MaxValue}).");
        }
        return (int)product;
    }

    // The first index tuple with a component outside `dims`, as an exception naming it (null if none).
    private static ArgumentException? OutOfRange(string op, Tensor indices, int[] dims, string what, Shape whatShape)
    {
        long[] all;
        using (var idx = Cast(indices, DType.Int64)) all = idx.ToArray<long>();
        int k = dims.Length;
        for (long t = 0; k > 0 && t < all.LongLength / k; t++)
        {
            var tuple = all.AsSpan(checked((int)(t * k)), k);
            for (int d = 0; d < k; d++)
            {
                if (tuple[d] >= 0 && tuple[d] < dims[d]) continue;
                return new ArgumentException(
                    $"{op}: index tuple {t} of indices (shape {indices.Shape}) is [{string.Join(", ", tuple.ToArray())}]: component {d} = {tuple[d]} is outside [0, {dims[d]}) for {what} of shape {whatShape}.",
                    nameof(indices));
            }
        }
        return null;
    }

    // Where each update of a scatter lands: the row of the first K axes (merged) of the target.
    private sealed class ScatterPlan
    {
        public required int RowCount { get; init; }
        public required int[] Inner { get; init; }
        public required int[] Targets { get; init; }   // per update, its row

        public static ScatterPlan Of(string op, Tensor indices, Tensor updates, Shape target)
        {
            var (rowDims, inner) = Shapes(op, indices, updates, target);
            if (OutOfRange(op, indices, rowDims, "a target", target) is { } bad) throw bad;
            int k = rowDims.Length;
            long[] all;
            using (var idx = Cast(indices, DType.Int64)) all = idx.ToArray<long>();
            int count = Product(op, indices.Shape.ToArray()[..^1]);
            var targets = new int[count];
            for (int t = 0; t < count; t++)
            {
                long row = 0;
                for (int d = 0; d < k; d++) row = row * rowDims[d] + all[t * k + d];
                targets[t] = checked((int)row);
            }
            return new ScatterPlan { RowCount = Product(op, rowDims), Inner = inner, Targets = targets };
        }

        // Checks that indices and updates fit the target shape; returns the axes the index
        // tuples name (rowDims) and the slice shape below them (inner). Reads no index.
        public static (int[] RowDims, int[] Inner) Shapes(string op, Tensor indices, Tensor updates, Shape target)
        {
            ArgumentNullException.ThrowIfNull(indices);
            CheckIndexDType(op, indices);
            if (indices.Rank == 0)
                throw new ArgumentException($"{op}: indices is a scalar; it needs at least one axis, the last holding the index tuples.", nameof(indices));
            Engine.BackendOf(op, indices, updates);
            int k = indices.Shape[-1];
            var tdims = target.ToArray();
            if (k > tdims.Length)
                throw new ArgumentException($"{op}: index tuples of length {k} (indices of shape {indices.Shape}) are longer than the rank of shape {target}.", nameof(indices));
            var expected = indices.Shape.ToArray()[..^1].Concat(tdims[k..]).ToArray();
            if (!updates.Shape.ToArray().SequenceEqual(expected))
                throw new ArgumentException(
                    $"{op}: updates must have shape indices.shape[:-1] + shape[{k}:] = [{string.Join(", ", expected)}] (indices {indices.Shape}, shape {target}), got {updates.Shape}.",
                    nameof(updates));
            return (tdims[..k], tdims[k..]);
        }

        // updates as [count, ..inner].
        public Tensor Rows(Tensor updates) => Reshape(updates, [Targets.Length, .. Inner]);

        // Gather maps, one per round: round L sends the L-th update of each row (1-based, into the
        // updates after a zero row) there, so duplicates are added in the order given.
        public IEnumerable<long[]> Layers()
        {
            var seen = new int[RowCount];
            var layers = new List<long[]>();
            for (int j = 0; j < Targets.Length; j++)
            {
                int round = seen[Targets[j]]++;
                if (round == layers.Count) layers.Add(new long[RowCount]);
                layers[round][Targets[j]] = j + 1;
            }
            return layers;
        }
    }
}
