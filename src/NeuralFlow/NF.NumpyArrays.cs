namespace NeuralFlow;

// NumPy's axis moves, flips and stacks (np.moveaxis, swapaxes, ravel, flip, fliplr, flipud,
// hstack, vstack, column_stack; keras.ops has them all). Each is a Transpose, Reshape, Reverse or
// Concat, so every engine runs them and their gradients are those ops'.
public static partial class NF
{
    /// <summary>
    /// x with axis <paramref name="source"/> moved to position <paramref name="destination"/>, the
    /// other axes keeping their order (<c>np.moveaxis</c>, <c>keras.ops.moveaxis</c>). A view.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor Moveaxis(Tensor x, int source, int destination) => Moveaxis(x, [source], [destination]);

    /// <summary>
    /// x with each axis of <paramref name="source"/> moved to the matching position of
    /// <paramref name="destination"/>, the other axes keeping their order (<c>np.moveaxis</c>). A view.
    /// </summary>
    /// <exception cref="ArgumentException">source and destination differ in length, or one lists an axis twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor Moveaxis(Tensor x, int[] source, int[] destination)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.Length != destination.Length)
            throw new ArgumentException($"Moveaxis: source [{string.Join(", ", source)}] and destination [{string.Join(", ", destination)}] must have the same number of axes.", nameof(destination));
        var from = DistinctAxes(nameof(Moveaxis), x, source, nameof(source));
        var to = DistinctAxes(nameof(Moveaxis), x, destination, nameof(destination));
        // The axes not moved fill the free positions in their order.
        var perm = new int[x.Rank];
        Array.Fill(perm, -1);
        for (int i = 0; i < from.Length; i++) perm[to[i]] = from[i];
        using var rest = Enumerable.Range(0, x.Rank).Where(a => !from.Contains(a)).GetEnumerator();
        for (int i = 0; i < perm.Length; i++)
            if (perm[i] < 0 && rest.MoveNext()) perm[i] = rest.Current;
        return Transpose(x, perm);
    }

    /// <summary>x with axes <paramref name="axis1"/> and <paramref name="axis2"/> interchanged (<c>np.swapaxes</c>). A view.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor Swapaxes(Tensor x, int axis1, int axis2)
    {
        ArgumentNullException.ThrowIfNull(x);
        int a1 = x.Shape.NormalizeAxis(axis1, nameof(axis1));
        int a2 = x.Shape.NormalizeAxis(axis2, nameof(axis2));
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[a1], perm[a2]) = (perm[a2], perm[a1]);
        return Transpose(x, perm);
    }

    /// <summary>
    /// x flattened to 1-D in row-major order (<c>np.ravel</c>, <c>keras.ops.ravel</c>): a view when x
    /// is contiguous, else a copy; a scalar gives one element.
    /// </summary>
    public static Tensor Ravel(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Reshape(x, [-1]);
    }

    /// <summary>x with the order of its elements reversed along every axis (<c>np.flip(x)</c>).</summary>
    public static Tensor Flip(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Reverse(x, Enumerable.Range(0, x.Rank).ToArray());
    }

    /// <summary>x with the order of its elements reversed along <paramref name="axis"/> (<c>np.flip(x, axis)</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    public static Tensor Flip(Tensor x, int axis) => Reverse(x, axis);

    /// <summary>x with the order of its elements reversed along each of <paramref name="axes"/> (<c>np.flip(x, (0, 2))</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is listed twice.</exception>
    public static Tensor Flip(Tensor x, int[] axes) => Reverse(x, axes);

    /// <summary>x with its columns (axis 1) in reverse order (<c>np.fliplr</c>).</summary>
    /// <exception cref="ArgumentException">x has fewer than 2 axes.</exception>
    public static Tensor Fliplr(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2)
            throw new ArgumentException($"Fliplr: x has shape {x.Shape} (rank {x.Rank}); it needs at least 2 axes, the columns being axis 1.", nameof(x));
        return Reverse(x, 1);
    }

    /// <summary>x with its rows (axis 0) in reverse order (<c>np.flipud</c>).</summary>
    /// <exception cref="ArgumentException">x is a scalar.</exception>
    public static Tensor Flipud(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 1)
            throw new ArgumentException("Flipud: x is a scalar; it needs at least 1 axis, the rows being axis 0.", nameof(x));
        return Reverse(x, 0);
    }

    /// <summary>
    /// The tensors joined column-wise (<c>np.hstack</c>): along axis 0 when they are 1-D (scalars
    /// count as 1-D), along axis 1 otherwise. Mixed dtypes take the widest (NumPy's promotion).
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, or their shapes do not match off the joined axis.</exception>
    public static Tensor Hstack(IReadOnlyList<Tensor> tensors)
    {
        var parts = StackParts(nameof(Hstack), tensors, t => t.Rank == 0 ? Reshape(t, [1]) : t);
        return Concat(parts, parts[0].Rank == 1 ? 0 : 1);
    }

    /// <summary>
    /// The tensors joined row-wise (<c>np.vstack</c>): 1-D [n] (and scalars) are taken as rows [1, n],
    /// then all are concatenated on axis 0. Mixed dtypes take the widest.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, or their shapes do not match off axis 0.</exception>
    public static Tensor Vstack(IReadOnlyList<Tensor> tensors) =>
        Concat(StackParts(nameof(Vstack), tensors, t => t.Rank < 2 ? Reshape(t, [1, -1]) : t), 0);

    /// <summary>
    /// 1-D tensors as the columns of a matrix (<c>np.column_stack</c>): [n] is taken as [n, 1]
    /// (scalars as [1, 1]), 2-D and higher stay as they are, then all are concatenated on axis 1.
    /// Mixed dtypes take the widest.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, or their shapes do not match off axis 1.</exception>
    public static Tensor ColumnStack(IReadOnlyList<Tensor> tensors) =>
        Concat(StackParts(nameof(ColumnStack), tensors, t => t.Rank < 2 ? Reshape(t, [-1, 1]) : t), 1);

    // The tensors of a NumPy stack, each reshaped by `shape` and cast to the widest dtype among
    // them (np.hstack of int32 and float64 is float64), or the op's exception for none.
    private static Tensor[] StackParts(string op, IReadOnlyList<Tensor> tensors, Func<Tensor, Tensor> shape)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException($"{op}: no tensors to stack; give at least one.", nameof(tensors));
        var widest = tensors[0];
        foreach (var t in tensors)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
            if (Engine.PromotedDType(op, widest, t) != widest.DType) widest = t;
        }
        return tensors.Select(t => shape(Engine.As(t, widest.DType))).ToArray();
    }

    // Each axis normalised; an axis listed twice is the op's exception.
    private static int[] DistinctAxes(string op, Tensor x, int[] axes, string paramName)
    {
        var normalized = axes.Select(a => x.Shape.NormalizeAxis(a, paramName)).ToArray();
        if (normalized.Distinct().Count() != normalized.Length)
            throw new ArgumentException($"{op}: {paramName} [{string.Join(", ", axes)}] lists an axis of x with shape {x.Shape} twice.", paramName);
        return normalized;
    }
}
