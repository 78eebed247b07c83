namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// The values of <paramref name="x"/> sorted along <paramref name="axis"/> (<c>tf.sort</c>),
    /// <paramref name="direction"/> "ASCENDING" (default) or "DESCENDING". Stable. NaN orders as
    /// NumPy's sort: last ascending, and so first descending; -0 and +0 are equal. Gradient: the
    /// upstream gradient goes back to the position each value came from.
    /// </summary>
    /// <exception cref="ArgumentException">direction is neither, x is a scalar, or axis is out of range.</exception>
    public static Tensor Sort(Tensor x, int axis = -1, string direction = "ASCENDING")
    {
        bool descending = SortDirection(nameof(Sort), direction);
        int a = SortAxis(nameof(Sort), x, axis);
        var values = Tensor.Empty(x.Shape, x.DType, x.Backend);
        // The permutation is only needed to route a gradient back.
        var order = Tape.AnyRecording ? Tensor.Empty(x.Shape, DType.Int32, x.Backend) : null;
        Engine.Sort(x, a, descending, values, order);
        if (order is null) return values;
        return Tape.Record(values, x, static (g, n) =>
        {
            var (axis, order) = ((int, Tensor))n.State!;
            return [Unpermute(g, order, axis)];
        }, (a, order));
    }

    /// <summary>
    /// The inverse of the permutation <paramref name="x"/> (<c>tf.math.invert_permutation</c>): y with y[x[i]] = i,
    /// in x's integer dtype. x must hold each of 0 .. n-1 exactly once.
    /// </summary>
    /// <exception cref="ArgumentException">x is not an int32/int64 vector, or not a permutation of 0 .. n-1 (the message names the first bad entry).</exception>
    public static Tensor InvertPermutation(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 1 || (x.DType != DType.Int32 && x.DType != DType.Int64))
            throw new ArgumentException($"InvertPermutation: x must be an int32 or int64 vector, not {x.DType.Name()} of shape {x.Shape}.", nameof(x));
        var values = Cast(x, DType.Int64).ToArray<long>();
        var seen = new bool[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            long v = values[i];
            if (v < 0 || v >= values.Length || seen[v])
                throw new ArgumentException($"InvertPermutation: x is not a permutation of 0..{values.Length - 1}: x[{i}] = {v} is {(v < 0 || v >= values.Length ? "out of range" : "repeated")}.", nameof(x));
            seen[v] = true;
        }
        return Cast(ArgSort(x), x.DType);
    }

    /// <summary>
    /// The int32 positions that sort <paramref name="x"/> along <paramref name="axis"/>
    /// (<c>tf.argsort</c>), in the order of <see cref="Sort"/>: always stable (equal values keep
    /// their order, in both directions), NaN last ascending and first descending.
    /// </summary>
    public static Tensor ArgSort(Tensor x, int axis = -1, string direction = "ASCENDING")
    {
        bool descending = SortDirection(nameof(ArgSort), direction);
        int a = SortAxis(nameof(ArgSort), x, axis);
        var indices = Tensor.Empty(x.Shape, DType.Int32, x.Backend);
        Engine.Sort(x, a, descending, null, indices);
        return indices;
    }

    /// <summary>
    /// The <paramref name="k"/> largest values along the last axis and their int32 positions
    /// (<c>tf.math.top_k</c>), largest first; equal values keep the lower position first, as
    /// TensorFlow does. NaN counts as larger than every number (as in <see cref="Sort"/> with
    /// "DESCENDING", and torch.topk), so NaNs come first. <paramref name="sorted"/> false is
    /// accepted for TensorFlow's signature; the result is sorted either way. Gradient: the
    /// upstream gradient of each value goes back to its position, 0 elsewhere.
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar, or k is negative or larger than the last axis.</exception>
    public static (Tensor Values, Tensor Indices) TopK(Tensor x, int k = 1, bool sorted = true)
    {
        _ = sorted;
        int axis = SortAxis(nameof(TopK), x, -1);
        int n = x.Shape[axis];
        if (k < 0 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"TopK: k = {k} must be in [0, {n}] for x of shape {x.Shape} (the last axis has {n} elements).");
        using var all = Tensor.Empty(x.Shape, x.DType, x.Backend);
        var order = Tensor.Empty(x.Shape, DType.Int32, x.Backend);
        Engine.Sort(x, axis, descending: true, all, order);
        Tensor values, indices;
        using (var first = all.View(all.Layout.Slice(axis, 0, k))) values = first.Contiguous();
        using (var first = order.View(order.Layout.Slice(axis, 0, k))) indices = first.Contiguous();
        if (!Tape.AnyRecording)
        {
            order.Dispose();
            return (values, indices);
        }
        values = Tape.Record(values, x, static (g, n) =>
        {
            // The full descending permutation, with zeros for the values below the top k.
            var order = (Tensor)n.State!;
            int rest = order.Shape[-1] - g.Shape[-1];
            if (rest == 0) return [Unpermute(g, order, g.Rank - 1)];
            var restShape = g.Shape.ToArray();
            restShape[^1] = rest;
            var zeros = Fill(new Shape(restShape), 0.0, g.DType, g.Backend);
            var padded = Concat([g, zeros], -1);   // not disposed: an outer tape may record what follows
            return [Unpermute(padded, order, g.Rank - 1)];
        }, order);
        return (values, indices);
    }

    // dx with dx[..., order[..., j], ...] = g[..., j, ...] along axis: a permutation's inverse
    // (the argsort of the permutation) gathered from the flattened g, O(n log n) per line.
    private static Tensor Unpermute(Tensor g, Tensor order, int axis)
    {
        int last = g.Rank - 1;
        if (axis != last)
        {
            var move = Enumerable.Range(0, g.Rank).Where(d => d != axis).Append(axis).ToArray();
            var back = new int[move.Length];
            for (int i = 0; i < move.Length; i++) back[move[i]] = i;
            var moved = new List<Tensor> { Transpose(g, move), Transpose(order, move) };
            moved.Add(Unpermute(moved[0], moved[1], last));
            moved.Add(Transpose(moved[2], back));
            try
            {
                return Reshape(moved[3], moved[3].Shape.ToArray());   // a packed copy, on the tape
            }
            finally
            {
                ReleaseIntermediates(moved, null);
            }
        }
        int len = g.Shape[last];
        long rows = len == 0 ? 0 : g.Count / len;
        if (g.Count == 0) return ZerosLike(g);
        var owned = new List<Tensor>();
        Tensor Own(Tensor t)
        {
            owned.Add(t);
            return t;
        }
        try
        {
            var inverse = Own(ArgSort(order, last));
            var inverse64 = Own(Reshape(Own(Cast(inverse, DType.Int64)), [checked((int)rows), len]));
            var starts = Own(Reshape(Own(Range(0L, rows * len, len)), [checked((int)rows), 1]));
            var flat = Own(Reshape(Own(inverse64 + starts), [-1]));
            var picked = Own(Gather(Own(Reshape(g, [-1])), flat));
            return Reshape(picked, g.Shape.ToArray());
        }
        finally
        {
            ReleaseIntermediates(owned, null);
        }
    }

    private static bool SortDirection(string op, string direction) =>
        direction?.ToUpperInvariant() switch
        {
            "ASCENDING" => false,
            "DESCENDING" => true,
            _ => throw new ArgumentException($"{op}: direction \"{direction}\" is neither \"ASCENDING\" nor \"DESCENDING\".", nameof(direction)),
        };

    private static int SortAxis(string op, Tensor x, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0)
            throw new ArgumentException($"{op}: x is a scalar; it needs at least one axis (reshape it to [1]).", nameof(x));
        if (axis < -x.Rank || axis >= x.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is out of range for x of shape {x.Shape} (rank {x.Rank}).");
        return axis < 0 ? axis + x.Rank : axis;
    }
}
