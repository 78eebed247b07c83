namespace NeuralFlow;

// keras.ops.scatter / scatter_update / slice_update under their Keras names. The first two are
// TensorFlow's scatter_nd and tensor_scatter_nd_update (NF.ScatterGather.cs), whose semantics Keras
// documents: scatter adds duplicates into zeros, scatter_update lets the last duplicate win.
// SliceUpdate is composed of slices and concatenations, which every engine and dtype runs, which
// carry the gradient (to the kept part of inputs and to all of updates), and which NF.Function
// traces and replays when the start indices are C# integers.
public static partial class NF
{
    /// <summary>
    /// A tensor of <paramref name="shape"/>, zero except for <paramref name="values"/> at the index
    /// tuples of <paramref name="indices"/> (<c>keras.ops.scatter</c>); values at the same position add
    /// up. The same as <see cref="ScatterNd"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit together, or an index is out of range.</exception>
    public static Tensor Scatter(Tensor indices, Tensor values, Shape shape) => ScatterNd(indices, values, shape);

    /// <summary>
    /// <paramref name="inputs"/> with the slices at the index tuples of <paramref name="indices"/>
    /// replaced by <paramref name="updates"/> (<c>keras.ops.scatter_update</c> without a reduction); the last
    /// of duplicate positions wins. The same as <see cref="TensorScatterUpdate"/>; for Keras'
    /// <c>reduction</c> argument use <see cref="ScatterUpdate(Tensor, Tensor, Tensor, string)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor ScatterUpdate(Tensor inputs, Tensor indices, Tensor updates) => TensorScatterUpdate(inputs, indices, updates);

    /// <summary>
    /// <paramref name="inputs"/> with the block starting at <paramref name="startIndices"/> replaced by
    /// <paramref name="updates"/> (<c>keras.ops.slice_update</c>, <c>inputs[start:start + updates.shape] = updates</c>).
    /// updates has inputs' rank and dtype, and the block must fit inside inputs (no clamping, unlike XLA).
    /// </summary>
    /// <exception cref="ArgumentException">The ranks, the number of start indices or the dtypes differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A start index is negative or the block runs past the end of an axis.</exception>
    public static Tensor SliceUpdate(Tensor inputs, int[] startIndices, Tensor updates)
    {
        const string op = nameof(SliceUpdate);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(startIndices);
        ArgumentNullException.ThrowIfNull(updates);
        CheckSameDType(op, inputs, updates);
        if (updates.Rank != inputs.Rank)
            throw new ArgumentException($"{op}: updates (shape {updates.Shape}) must have the rank of inputs (shape {inputs.Shape}).", nameof(updates));
        if (startIndices.Length != inputs.Rank)
            throw new ArgumentException(
                $"{op}: {startIndices.Length} start indices for inputs of rank {inputs.Rank} (shape {inputs.Shape}); give one per axis.", nameof(startIndices));
        for (int a = 0; a < inputs.Rank; a++)
        {
            int s = startIndices[a], n = inputs.Shape[a], u = updates.Shape[a];
            if (s < 0 || (long)s + u > n)
                throw new ArgumentOutOfRangeException(nameof(startIndices),
                    $"{op}: on axis {a}, updates of length {u} starting at {s} do not fit inside inputs of length {n} (shape {inputs.Shape}); need 0 <= start <= {n - u}.");
        }
        // A scalar "block" is updates itself: copy it, so the result is a tensor of its own.
        return inputs.Rank == 0 ? Identity(updates) : ReplaceBlock(inputs, startIndices, updates, 0);
    }

    /// <summary>
    /// <see cref="SliceUpdate(Tensor, int[], Tensor)"/> with the start indices an integer tensor of one
    /// entry per axis (read on the host: under NF.Function the function runs eagerly).
    /// </summary>
    /// <exception cref="ArgumentException">startIndices is not an integer vector, or as for the int[] overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The block does not fit inside inputs.</exception>
    public static Tensor SliceUpdate(Tensor inputs, Tensor startIndices, Tensor updates)
    {
        ArgumentNullException.ThrowIfNull(startIndices);
        if (!startIndices.DType.IsInteger() || startIndices.Rank != 1)
            throw new ArgumentException(
                $"SliceUpdate: startIndices must be an integer vector, got {startIndices.DType.Name()} of shape {startIndices.Shape}.", nameof(startIndices));
        long[] starts;
        using (var wide = Cast(startIndices, DType.Int64)) starts = wide.ToArray<long>();
        return SliceUpdate(inputs, starts.Select(s => (int)Math.Clamp(s, int.MinValue, int.MaxValue)).ToArray(), updates);
    }

    // Axis by axis: the part before the block, the block (recursing into the next axis), the part after.
    private static Tensor ReplaceBlock(Tensor inputs, int[] start, Tensor updates, int axis)
    {
        if (axis == inputs.Rank) return updates;
        int s = start[axis], u = updates.Shape[axis], n = inputs.Shape[axis];
        var middle = ReplaceBlock(SliceAxis(inputs, axis, s, u), start, updates, axis + 1);
        return Concat([SliceAxis(inputs, axis, 0, s), middle, SliceAxis(inputs, axis, s + u, n - s - u)], axis);
    }
}
