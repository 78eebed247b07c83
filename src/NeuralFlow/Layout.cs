namespace NeuralFlow;

/// <summary>
/// How a tensor's elements sit in its buffer: a shape, a stride per dimension (in elements,
/// 0 broadcasts, negative walks backwards) and an offset (in elements). Views (slices,
/// transposes, broadcasts) are new layouts over the same buffer. Mirrors <c>nf_layout</c>, whose
/// int64 dimensions hold these int32 ones (the widths are set out on <see cref="NeuralFlow.Shape"/>).
/// </summary>
public readonly struct Layout
{
    /// <summary>The logical shape.</summary>
    public Shape Shape { get; }
    /// <summary>Element strides, one per dimension.</summary>
    public long[] Strides { get; }
    /// <summary>Elements from the buffer start to element [0, ..., 0].</summary>
    public long Offset { get; }

    /// <summary>A layout from its parts.</summary>
    [MethodImpl(Hot)]
    public Layout(Shape shape, long[] strides, long offset)
    {
        if (strides.Length != shape.Rank)
            throw new ArgumentException($"A layout needs one stride per dimension: shape {shape} has rank {shape.Rank}, got {strides.Length} strides.");
        Shape = shape;
        Strides = strides;
        Offset = offset;
    }

    /// <summary>The row-major layout of <paramref name="shape"/> starting at element 0.</summary>
    [MethodImpl(Hot)]
    public static Layout Contiguous(Shape shape) => new(shape, shape.RowMajorStrides, 0);

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Row-major strides for <paramref name="dims"/>.</summary>
    [MethodImpl(Hot)]
    public static long[] RowMajorStrides(ReadOnlySpan<int> dims)
    {
        var strides = new long[dims.Length];
        long s = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(dims[i], 1);
        }
        return strides;
    }

    /// <summary>
    /// True when the elements are row-major and packed (size-1 dimensions may have any stride).
    /// A layout of no elements is contiguous whatever its strides, as the native engines' is_contiguous
    /// says: RowMajorStrides gives the axes after a 0 the strides of size 1, so without this the
    /// managed kernels refused their own fresh outputs of shape (2, 0, 5).
    /// </summary>
    public bool IsContiguous
    {
        get
        {
            if (Shape.Count == 0) return true;
            long expected = 1;
            var dims = Shape.Dims;
            for (int i = dims.Length - 1; i >= 0; i--)
            {
                if (dims[i] == 1) continue;
                if (Strides[i] != expected) return false;
                expected *= dims[i];
            }
            return true;
        }
    }

    /// <summary>
    /// This layout broadcast to <paramref name="target"/> by NumPy's rules: missing leading
    /// dimensions and size-1 dimensions get stride 0. The caller has checked compatibility.
    /// </summary>
    [MethodImpl(Hot)]
    public Layout BroadcastTo(Shape target)
    {
        if (target == Shape) return this; // an operand of the result's own shape (the common case) keeps its layout
        int lead = target.Rank - Rank;
        var strides = new long[target.Rank];
        for (int i = 0; i < target.Rank; i++)
        {
            int j = i - lead;
            strides[i] = j < 0 || Shape.Dims[j] == 1 && target.Dims[i] != 1 ? 0 : Strides[j];
        }
        return new Layout(target, strides, Offset);
    }

    /// <summary>The axes reordered: axis i of the result is axis perm[i] of this layout.</summary>
    [MethodImpl(Hot)]
    public Layout Permute(ReadOnlySpan<int> perm)
    {
        var dims = new int[Rank];
        var strides = new long[Rank];
        for (int i = 0; i < Rank; i++)
        {
            dims[i] = Shape.Dims[perm[i]];
            strides[i] = Strides[perm[i]];
        }
        return new Layout(new Shape(dims), strides, Offset);
    }

    /// <summary>The same buffer seen with another shape; only valid for contiguous layouts.</summary>
    [MethodImpl(Hot)]
    public Layout WithShape(Shape shape) => new(shape, RowMajorStrides(shape.Dims), Offset);

    /// <summary>Element <paramref name="index"/> of <paramref name="axis"/>, which disappears from the result.</summary>
    public Layout Select(int axis, int index)
    {
        var dims = Shape.ToArray().ToList();
        var strides = Strides.ToList();
        long offset = Offset + index * Strides[axis];
        dims.RemoveAt(axis);
        strides.RemoveAt(axis);
        return new Layout(new Shape(dims.ToArray()), strides.ToArray(), offset);
    }

    /// <summary>Elements start, start+step, ... (count of them) along <paramref name="axis"/>.</summary>
    [MethodImpl(Hot)]
    public Layout Slice(int axis, int start, int count, int step = 1)
    {
        var dims = Shape.ToArray();
        var strides = (long[])Strides.Clone();
        dims[axis] = count;
        long offset = Offset + (count > 0 ? start * Strides[axis] : 0);
        strides[axis] = Strides[axis] * step;
        return new Layout(new Shape(dims), strides, offset);
    }

    /// <summary>A size-1 dimension inserted at <paramref name="axis"/> (0..Rank).</summary>
    [MethodImpl(Hot)]
    public Layout InsertAxis(int axis)
    {
        var dims = Shape.ToArray().ToList();
        var strides = Strides.ToList();
        dims.Insert(axis, 1);
        strides.Insert(axis, 0);
        return new Layout(new Shape(dims.ToArray()), strides.ToArray(), Offset);
    }

    /// <summary>The lowest and one-past-highest element index this layout touches (for bounds checks).</summary>
    public (long Min, long End) Extent()
    {
        if (Shape.Count == 0) return (Offset, Offset);
        long lo = Offset, hi = Offset;
        for (int i = 0; i < Rank; i++)
        {
            long span = (Shape.Dims[i] - 1) * Strides[i];
            if (span < 0) lo += span; else hi += span;
        }
        return (lo, hi + 1);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Layout(shape={Shape}, strides=({string.Join(", ", Strides)}), offset={Offset})";
}
