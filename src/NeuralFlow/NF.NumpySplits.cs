namespace NeuralFlow;

// NumPy's splits (np.array_split, hsplit, vsplit, dsplit; keras.ops has them all): each reads
// its section sizes and hands them to NF.Split, so the pieces are views with Split's gradient.
public static partial class NF
{
    /// <summary>
    /// x split into <paramref name="sections"/> pieces along <paramref name="axis"/>, which need not
    /// divide evenly (<c>np.array_split</c>): an axis of length L gives L % sections pieces of
    /// L / sections + 1 elements, then pieces of L / sections. The pieces are views.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">sections is below 1, or axis is out of range.</exception>
    /// <exception cref="ArgumentException">x is a scalar.</exception>
    public static Tensor[] ArraySplit(Tensor x, int sections, int axis = 0)
    {
        int a = SplitAxis(nameof(ArraySplit), x, axis);
        if (sections < 1)
            throw new ArgumentOutOfRangeException(nameof(sections), sections, $"ArraySplit: sections must be at least 1, got {sections}.");
        int length = x.Shape[a], each = length / sections, extra = length % sections;
        return Split(x, Enumerable.Range(0, sections).Select(i => each + (i < extra ? 1 : 0)).ToArray(), a);
    }

    /// <summary>
    /// x split along <paramref name="axis"/> before each of the increasing positions
    /// <paramref name="indices"/> (<c>np.array_split(x, [2, 3])</c> gives x[:2], x[2:3], x[3:]);
    /// positions past the axis give empty pieces, as NumPy's slices do, and negative ones count from the end.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">axis is out of range.</exception>
    /// <exception cref="ArgumentException">x is a scalar.</exception>
    public static Tensor[] ArraySplit(Tensor x, int[] indices, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int a = SplitAxis(nameof(ArraySplit), x, axis);
        int length = x.Shape[a];
        // NumPy slices x[start:stop] for each pair of cut points: negative cuts count from the end,
        // cuts are clamped to the axis, and a stop before its start gives an empty piece.
        var cuts = indices.Select(i => Math.Clamp(i < 0 ? (long)i + length : i, 0, length)).Prepend(0L).Append(length).ToArray();
        var sizes = new int[cuts.Length - 1];
        var starts = new int[sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            starts[i] = (int)cuts[i];
            sizes[i] = (int)Math.Max(0, cuts[i + 1] - cuts[i]);
        }
        return [.. starts.Select((s, i) => SliceAxis(x, a, s, sizes[i]))];
    }

    /// <summary>
    /// x split into <paramref name="sections"/> equal pieces along axis 1, or axis 0 when x is
    /// 1-D (<c>np.hsplit</c>).
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar, or the axis does not divide into equal pieces.</exception>
    public static Tensor[] HSplit(Tensor x, int sections) => EqualSplit(nameof(HSplit), x, sections, HSplitAxis(x));

    /// <summary>x split before each of <paramref name="indices"/> along axis 1, or axis 0 when x is 1-D (<c>np.hsplit(x, [1, 3])</c>).</summary>
    /// <exception cref="ArgumentException">x is a scalar.</exception>
    public static Tensor[] HSplit(Tensor x, int[] indices) => ArraySplit(x, indices, HSplitAxis(x));

    /// <summary>x split into <paramref name="sections"/> equal pieces along axis 0 (<c>np.vsplit</c>); x needs 2 or more axes.</summary>
    /// <exception cref="ArgumentException">x has fewer than 2 axes, or axis 0 does not divide into equal pieces.</exception>
    public static Tensor[] VSplit(Tensor x, int sections) => EqualSplit(nameof(VSplit), x, sections, AxisOfRank(nameof(VSplit), x, 2, 0));

    /// <summary>x split before each of <paramref name="indices"/> along axis 0 (<c>np.vsplit(x, [1, 3])</c>); x needs 2 or more axes.</summary>
    /// <exception cref="ArgumentException">x has fewer than 2 axes.</exception>
    public static Tensor[] VSplit(Tensor x, int[] indices) => ArraySplit(x, indices, AxisOfRank(nameof(VSplit), x, 2, 0));

    /// <summary>x split into <paramref name="sections"/> equal pieces along axis 2 (<c>np.dsplit</c>); x needs 3 or more axes.</summary>
    /// <exception cref="ArgumentException">x has fewer than 3 axes, or axis 2 does not divide into equal pieces.</exception>
    public static Tensor[] DSplit(Tensor x, int sections) => EqualSplit(nameof(DSplit), x, sections, AxisOfRank(nameof(DSplit), x, 3, 2));

    /// <summary>x split before each of <paramref name="indices"/> along axis 2 (<c>np.dsplit(x, [1, 3])</c>); x needs 3 or more axes.</summary>
    /// <exception cref="ArgumentException">x has fewer than 3 axes.</exception>
    public static Tensor[] DSplit(Tensor x, int[] indices) => ArraySplit(x, indices, AxisOfRank(nameof(DSplit), x, 3, 2));

    // np.split's rule for a number of sections: the axis must divide evenly.
    private static Tensor[] EqualSplit(string op, Tensor x, int sections, int axis)
    {
        if (sections < 1 || x.Shape[axis] % sections != 0)
            throw new ArgumentException($"{op}: axis {axis} of x with shape {x.Shape} (length {x.Shape[axis]}) does not split into {sections} equal pieces; ArraySplit allows unequal ones.", nameof(sections));
        return ArraySplit(x, sections, axis);
    }

    private static int HSplitAxis(Tensor x) => SplitAxis(nameof(HSplit), x, x?.Rank == 1 ? 0 : 1);

    private static int AxisOfRank(string op, Tensor x, int rank, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < rank)
            throw new ArgumentException($"{op}: x has shape {x.Shape} (rank {x.Rank}); it splits along axis {axis}, so it needs at least {rank} axes.", nameof(x));
        return axis;
    }

    private static int SplitAxis(string op, Tensor x, int axis)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0)
            throw new ArgumentException($"{op}: x is a scalar; it needs an axis to split along.", nameof(x));
        return x.Shape.NormalizeAxis(axis, nameof(axis));
    }
}
