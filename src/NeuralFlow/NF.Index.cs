namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Slices of <paramref name="x"/> along <paramref name="axis"/> picked by integer
    /// <paramref name="indices"/> (<c>tf.gather</c>): the result has shape
    /// x.shape[:axis] + indices.shape + x.shape[axis+1:]. With <paramref name="batchDims"/> b
    /// (negative counts from indices' rank), the first b axes of x and indices are batch axes that
    /// must match, each batch gathers from its own slice, and the result has shape
    /// x.shape[:axis] + indices.shape[b:] + x.shape[axis+1:]; axis defaults to b, as in TensorFlow.
    /// An index outside the axis (negative ones included) is an error, as on TensorFlow's CPU.
    /// </summary>
    /// <exception cref="ArgumentException">indices is not an integer tensor, axis or batchDims is out of range, the batch axes differ, or an index is out of range.</exception>
    [MethodImpl(Hot)]
    public static Tensor Gather(Tensor x, Tensor indices, int? axis = null, int batchDims = 0)
    {
        CheckIndexDType(nameof(Gather), indices);
        Engine.BackendOf(nameof(Gather), x, indices);
        if (batchDims != 0) return GatherBatched(x, indices, axis, batchDims);
        int a = x.Shape.NormalizeAxis(axis ?? 0);
        using var flat = indices.Contiguous();
        var dims = new List<int>(x.Shape.ToArray()[..a]);
        dims.AddRange(indices.Shape);
        dims.AddRange(x.Shape.ToArray()[(a + 1)..]);
        var outShape = new Shape(dims.ToArray());
        var result = Tensor.Empty(outShape, x.DType, x.Backend);
        Engine.Gather(x, a, flat, result);
        return Tape.Record(result, x, indices, static (g, n) =>
        {
            // Scatter-add g's slices back into zeros of x's shape: rows picked twice receive both
            // gradients. g has shape x[:axis] + indices.shape + x[axis+1:]; the index axes merge into one.
            int axis = (int)n.State!;
            var x = n.X;
            var dims = x.Shape.ToArray();
            dims[axis] = checked((int)n.Y.Count);
            return [ScatterAddAlong(Reshape(g, dims), Reshape(n.Y, [-1]), axis, x.Shape[axis]), null];
        }, a);
    }

    /// <summary>
    /// One-hot encoding (<c>tf.one_hot</c>): <paramref name="onValue"/> at each index,
    /// <paramref name="offValue"/> elsewhere; an index outside [0, depth), negative ones
    /// included, gives all offValue, as in TensorFlow. The new axis of length
    /// <paramref name="depth"/> goes at <paramref name="axis"/> of the result: -1 (the default)
    /// appends it (shape indices.shape + [depth]); 0..rank inserts it there; other negative
    /// values count from the end of the result's rank + 1 axes, as NumPy does for a new axis.
    /// </summary>
    public static Tensor OneHot(Tensor indices, int depth, double onValue = 1, double offValue = 0, int axis = -1, DType dtype = DType.Float32)
    {
        CheckIndexDType(nameof(OneHot), indices);
        if (depth < 0) throw new ArgumentOutOfRangeException(nameof(depth), depth, "OneHot: depth must be at least 0.");
        int rank = indices.Rank;
        if (axis < -(rank + 1) || axis > rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis,
                $"OneHot: axis {axis} is outside [-{rank + 1}, {rank}] for indices of shape {indices.Shape} (the result has rank {rank + 1}).");
        int at = axis < 0 ? axis + rank + 1 : axis;
        ScalarRange.Check($"{nameof(OneHot)} (onValue)", onValue, dtype);
        ScalarRange.Check($"{nameof(OneHot)} (offValue)", offValue, dtype);
        var dims = indices.Shape.ToArray().Append(depth).ToArray();
        var result = Tensor.Empty(new Shape(dims), dtype, indices.Backend);
        Engine.OneHot(indices, depth, onValue, offValue, result);
        if (at == rank) return result;
        // The kernel writes the encoding last; move that axis into place and pack it, so the
        // result is an ordinary row-major tensor.
        var perm = Enumerable.Range(0, rank).ToList();
        perm.Insert(at, rank);
        using (result)
        using (var moved = Transpose(result, perm.ToArray()))
            return moved.Contiguous();
    }

    [MethodImpl(Hot)]
    private static void CheckIndexDType(string op, Tensor indices)
    {
        if (indices.DType is not (DType.Int32 or DType.Int64 or DType.UInt8))
            throw new ArgumentException($"{op}: indices must be int32, int64 or uint8, got {indices.DType.Name()}.", nameof(indices));
    }
}
