namespace NeuralFlow.Keras;

/// <summary>
/// The output shapes of the symbolic operations, with null for an unknown dimension (the batch),
/// by Keras 3's rules (keras/src/ops/operation_utils.py and each op's compute_output_spec): a
/// dimension stays unknown wherever the op moves it, and shapes that cannot meet throw an
/// <see cref="ArgumentException"/> naming both, before anything runs.
/// </summary>
internal static class SymbolicShapes
{
    private static string F(IEnumerable<int?> shape) => KerasTensor.Format(shape);

    /// <summary>Keras' broadcast_shapes: aligned from the right; 1 stretches, an unknown meets anything.</summary>
    public static int?[] Broadcast(string op, int?[] a, int?[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var x = Enumerable.Repeat<int?>(1, rank - a.Length).Concat(a).ToArray();
        var y = Enumerable.Repeat<int?>(1, rank - b.Length).Concat(b).ToArray();
        var output = new int?[rank];
        for (int i = 0; i < rank; i++)
            output[i] = x[i] == 1 ? y[i]
                : x[i] is null ? (y[i] == 1 ? null : y[i])
                : y[i] == 1 || y[i] is null || y[i] == x[i] ? x[i]
                : throw new ArgumentException(
                    $"{op}: shapes {F(a)} and {F(b)} do not broadcast: dimension {i} is {x[i]} in one and {y[i]} in the other (each pair must be equal, or one of them 1).");
        return output;
    }

    /// <summary>Axis <paramref name="axis"/> (negative from the end) of a rank-<paramref name="rank"/> shape.</summary>
    public static int Axis(string op, int axis, int rank, IEnumerable<int?> shape) =>
        axis >= -rank && axis < rank ? (axis + rank) % rank
        : throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is out of range for shape {F(shape)} (rank {rank}).");

    /// <summary>A reduction over <paramref name="axes"/> (null: all), the reduced axes kept as 1 with <paramref name="keepDims"/>.</summary>
    public static int?[] Reduce(string op, int?[] shape, int[]? axes, bool keepDims)
    {
        var reduced = axes is null ? Enumerable.Range(0, shape.Length).ToHashSet() : axes.Select(a => Axis(op, a, shape.Length, shape)).ToHashSet();
        return keepDims ? shape.Select((d, i) => reduced.Contains(i) ? 1 : d).ToArray() : shape.Where((_, i) => !reduced.Contains(i)).ToArray();
    }

    /// <summary>Keras' compute_reshape_output_shape: one -1 at most, unknown when the input has an unknown dimension.</summary>
    public static int?[] Reshape(string op, int?[] shape, int[] newShape)
    {
        if (newShape.Count(d => d == -1) > 1 || newShape.Any(d => d < -1))
            throw new ArgumentException($"{op}: the new shape ({string.Join(", ", newShape)}) may have one -1 (the dimension to infer) and otherwise sizes >= 0.");
        if (shape.Any(d => d is null)) return newShape.Select(d => d == -1 ? null : (int?)d).ToArray();
        long size = shape.Aggregate(1L, (p, d) => p * d!.Value);
        long known = newShape.Where(d => d != -1).Aggregate(1L, (p, d) => p * d);
        bool fits = newShape.Contains(-1) ? known != 0 && size % known == 0 : size == known;
        if (!fits)
            throw new ArgumentException($"{op}: cannot reshape a tensor of shape {F(shape)} ({size} values) into ({string.Join(", ", newShape)}).");
        return newShape.Select(d => d == -1 ? (int?)(size / known) : d).ToArray();
    }

    /// <summary>A permutation of the axes (null: reversed).</summary>
    public static int?[] Transpose(string op, int?[] shape, int[]? perm)
    {
        if (perm is null) return shape.Reverse().ToArray();
        var axes = perm.Select(a => Axis(op, a, shape.Length, shape)).ToArray();
        if (axes.Length != shape.Length || axes.Distinct().Count() != axes.Length)
            throw new ArgumentException($"{op}: axes ({string.Join(", ", perm)}) are not a permutation of the {shape.Length} axes of shape {F(shape)}.");
        return axes.Select(a => shape[a]).ToArray();
    }

    /// <summary>Keras' compute_expand_dims_output_shape: a 1 at each axis of the result (NumPy's tuple of axes).</summary>
    public static int?[] ExpandDims(string op, int?[] shape, int[] axes)
    {
        var at = NF.ExpandedAxes(axes, shape.Length, F(shape)).ToHashSet();
        var output = new List<int?>();
        int next = 0;
        for (int i = 0; i < shape.Length + axes.Length; i++) output.Add(at.Contains(i) ? 1 : shape[next++]);
        return output.ToArray();
    }

    /// <summary>Keras' squeeze: every axis of size 1 (null axes), or those named, which must be 1.</summary>
    public static int?[] Squeeze(string op, int?[] shape, int[]? axes)
    {
        if (axes is null) return shape.Where(d => d != 1).ToArray();
        var at = axes.Select(a => Axis(op, a, shape.Length, shape)).ToHashSet();
        foreach (int a in axes)
            if (shape[Axis(op, a, shape.Length, shape)] is var size && size != 1)
                throw new ArgumentException($"{op}: cannot squeeze axis {a} of shape {F(shape)}: its size is {size?.ToString() ?? "None (unknown)"}, not 1.");
        return shape.Where((_, i) => !at.Contains(i)).ToArray();
    }

    /// <summary>Tensors joined along <paramref name="axis"/>: every other dimension equal where known.</summary>
    public static int?[] Concatenate(string op, IReadOnlyList<int?[]> shapes, int axis)
    {
        var first = shapes[0];
        int at = Axis(op, axis, first.Length, first);
        foreach (var s in shapes)
            if (s.Length != first.Length || s.Where((d, i) => i != at && d is not null && first[i] is not null && d != first[i]).Any())
                throw new ArgumentException($"{op}: shapes {string.Join(", ", shapes.Select(F))} differ outside axis {axis}; every tensor must have the first's shape except on that axis.");
        var output = (int?[])first.Clone();
        output[at] = shapes.Any(s => s[at] is null) ? null : shapes.Sum(s => s[at]!.Value);
        return output;
    }

    /// <summary>Tensors of one shape stacked on a new axis.</summary>
    public static int?[] Stack(string op, IReadOnlyList<int?[]> shapes, int axis)
    {
        var first = shapes[0];
        foreach (var s in shapes)
            if (s.Length != first.Length || s.Where((d, i) => d is not null && first[i] is not null && d != first[i]).Any())
                throw new ArgumentException($"{op}: shapes {string.Join(", ", shapes.Select(F))} differ; stacked tensors must all have one shape.");
        int at = Axis(op, axis, first.Length + 1, first);
        return [.. first[..at], shapes.Count, .. first[at..]];
    }

    /// <summary>Keras' compute_matmul_output_shape: [..., m, k] @ [..., k, n], the leading axes broadcast; a vector is a matrix of one row (left) or column (right).</summary>
    public static int?[] MatMul(string op, int?[] a, int?[] b)
    {
        if (a.Length == 0 || b.Length == 0)
            throw new ArgumentException($"{op}: matmul needs tensors of rank >= 1, got shapes {F(a)} and {F(b)}.");
        var x = a.Length == 1 ? [1, .. a] : a;
        var y = b.Length == 1 ? [.. b, 1] : b;
        if (x[^1] is int k1 && y[^2] is int k2 && k1 != k2)
            throw new ArgumentException($"{op}: shapes {F(a)} and {F(b)} cannot be multiplied: the last dimension of the first ({k1}) must equal the second-to-last of the second ({k2}).");
        var batch = Broadcast(op, x[..^2], y[..^2]);
        var output = new List<int?>(batch);
        if (a.Length > 1) output.Add(x[^2]);
        if (b.Length > 1) output.Add(y[^1]);
        return output.ToArray();
    }

    /// <summary>x[indices]: positions drop their axis, ranges keep it (unknown on an unknown axis), new axes add a 1.</summary>
    public static int?[] Index(string op, int?[] shape, TensorIndex[] indices)
    {
        int ellipses = indices.Count(i => i.IsEllipsis);
        int read = indices.Count(i => !i.IsNewAxis && !i.IsEllipsis);
        if (ellipses > 1) throw new IndexOutOfRangeException($"{op}: an index can only have a single ellipsis (NF.Ellipsis); got {ellipses}.");
        if (read > shape.Length) throw new IndexOutOfRangeException($"{op}: too many indices: {read} for a tensor of shape {F(shape)} (rank {shape.Length}).");
        var expanded = ellipses == 0 ? indices
            : [.. indices.TakeWhile(i => !i.IsEllipsis), .. Enumerable.Repeat((TensorIndex)(..), shape.Length - read), .. indices.SkipWhile(i => !i.IsEllipsis).Skip(1)];
        var output = new List<int?>();
        int axis = 0;
        foreach (var index in expanded)
        {
            if (index.IsNewAxis) { output.Add(1); continue; }
            var size = shape[axis];
            if (size is int known)
            {
                var pick = index.Pick(known, axis, new Shape(shape.Select(d => d ?? 1).ToArray()));
                if (index.IsRange) output.Add(pick.Count);
            }
            else if (index.IsRange) output.Add(null);
            axis++;
        }
        output.AddRange(shape.Skip(axis));
        return output.ToArray();
    }
}
