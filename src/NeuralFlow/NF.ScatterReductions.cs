namespace NeuralFlow;

// Scatters that combine the updates with what is already there instead of adding into zeros:
// tf.tensor_scatter_nd_sub / _min / _max, keras.ops.scatter_update(reduction=...) and
// torch.Tensor.scatter_reduce. They are composed, on every engine, from ops that carry their own
// gradients: the indices are read on the host (ScatterPlan, as TensorScatterUpdate does, so
// NF.Function runs such a step eagerly), and the updates are applied in rounds -- round L holds the
// L-th update of every target row, gathered into place -- each round combined into the running
// result only where it has an update. Duplicates are therefore combined in the order given, and the
// gradient is that of the Gather / Minimum / Maximum / Multiply chain (on a tie between values, the
// earlier one -- the input, then the updates in order -- gets the gradient, as NF.Minimum /
// NF.Maximum give it to their first argument; TensorFlow splits it evenly among ties).
public static partial class NF
{
    /// <summary>
    /// <paramref name="tensor"/> with the slices at the index tuples of <paramref name="indices"/>
    /// replaced by <paramref name="updates"/> (<c>tf.tensor_scatter_nd_update</c>); TensorFlow leaves the
    /// order of duplicates undefined, here the last update of a position wins. The same as <see cref="TensorScatterUpdate"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterNdUpdate(Tensor tensor, Tensor indices, Tensor updates) => TensorScatterUpdate(tensor, indices, updates);

    /// <summary>
    /// <paramref name="tensor"/> with <paramref name="updates"/> added at the index tuples of
    /// <paramref name="indices"/> (<c>tf.tensor_scatter_nd_add</c>); duplicates add up. The same as <see cref="TensorScatterAdd"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterNdAdd(Tensor tensor, Tensor indices, Tensor updates) => TensorScatterAdd(tensor, indices, updates);

    /// <summary>
    /// <paramref name="tensor"/> with <paramref name="updates"/> subtracted at the index tuples of
    /// <paramref name="indices"/> (<c>tf.tensor_scatter_nd_sub</c>); every duplicate is subtracted.
    /// indices [..., K], updates indices.shape[:-1] + tensor.shape[K:].
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterNdSub(Tensor tensor, Tensor indices, Tensor updates)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(updates);
        const string op = nameof(TensorScatterNdSub);
        CheckSameDType(op, tensor, updates);
        CheckScatterArithmetic(op, tensor);
        return Subtract(tensor, ScatterNd(indices, updates, tensor.Shape));
    }

    /// <summary>
    /// <paramref name="tensor"/> with each slice at the index tuples of <paramref name="indices"/>
    /// replaced by the minimum of itself and every update aimed at it (<c>tf.tensor_scatter_nd_min</c>).
    /// NaN propagates as in <see cref="Minimum(Tensor, Tensor)"/>. Gradient: to the smallest of the tensor's value and the
    /// updates (the earliest on a tie).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterNdMin(Tensor tensor, Tensor indices, Tensor updates) =>
        ScatterCombine(nameof(TensorScatterNdMin), tensor, indices, updates, Minimum, includeSelf: true);

    /// <summary>
    /// <paramref name="tensor"/> with each slice at the index tuples of <paramref name="indices"/>
    /// replaced by the maximum of itself and every update aimed at it (<c>tf.tensor_scatter_nd_max</c>).
    /// NaN propagates as in <see cref="Maximum(Tensor, Tensor)"/>. Gradient: to the largest of the tensor's value and the
    /// updates (the earliest on a tie).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterNdMax(Tensor tensor, Tensor indices, Tensor updates) =>
        ScatterCombine(nameof(TensorScatterNdMax), tensor, indices, updates, Maximum, includeSelf: true);

    /// <summary>
    /// <c>keras.ops.scatter_update</c>: <paramref name="inputs"/> with <paramref name="updates"/> written
    /// at the index tuples of <paramref name="indices"/> (indices [N, K], updates [N] + inputs.shape[K:]).
    /// <paramref name="reduction"/> says how an update meets the value already there: null replaces it
    /// (the last of duplicates wins), "add" adds, "max" / "min" keep the larger / smaller, "mul"
    /// multiplies; each duplicate is combined in turn, as NumPy's <c>ufunc.at</c>.
    /// </summary>
    /// <exception cref="ArgumentException">reduction is not one of those, the shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor ScatterUpdate(Tensor inputs, Tensor indices, Tensor updates, string? reduction)
    {
        const string op = nameof(ScatterUpdate);
        switch (reduction?.ToLowerInvariant())
        {
            case null: return TensorScatterUpdate(inputs, indices, updates);
            case "add":
                ArgumentNullException.ThrowIfNull(inputs);
                CheckScatterArithmetic(op, inputs);
                return TensorScatterAdd(inputs, indices, updates);
            case "max": return ScatterCombine(op, inputs, indices, updates, Maximum, includeSelf: true);
            case "min": return ScatterCombine(op, inputs, indices, updates, Minimum, includeSelf: true);
            case "mul": return ScatterCombine(op, inputs, indices, updates, Multiply, includeSelf: true);
            default:
                throw new ArgumentException($"{op}: invalid reduction \"{reduction}\"; supported are null, \"add\", \"max\", \"min\" and \"mul\".", nameof(reduction));
        }
    }

    // Applies the updates to tensor's rows in rounds (see the file comment). Without includeSelf
    // (torch's include_self=False) the first update of a row replaces the row instead of combining.
    private static Tensor ScatterCombine(string op, Tensor tensor, Tensor indices, Tensor updates, Func<Tensor, Tensor, Tensor> combine, bool includeSelf)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(updates);
        CheckSameDType(op, tensor, updates);
        CheckScatterArithmetic(op, tensor);
        var plan = ScatterPlan.Of(op, indices, updates, tensor.Shape);
        var rows = Reshape(tensor, [plan.RowCount, .. plan.Inner]);
        var padded = Concat([Fill(new Shape([1, .. plan.Inner]), 0, updates.DType, updates.Backend), plan.Rows(updates)], 0);
        // The round's mask has a length-1 axis per inner axis, so it broadcasts over each row's slice.
        var maskShape = new Shape([plan.RowCount, .. plan.Inner.Select(_ => 1)]);
        bool first = true;
        Tensor result = rows;
        foreach (var layer in plan.Layers())
        {
            var part = Gather(padded, Engine.FromHost<long>(layer, new Shape(layer.Length), tensor.Backend), 0);
            var has = Engine.FromHost<bool>(layer.Select(j => j != 0).ToArray(), maskShape, tensor.Backend);
            result = Where(has, first && !includeSelf ? part : combine(result, part), result);
            first = false;
        }
        // With no update at all the result is still a tensor of its own, not a view of the input.
        return first ? Identity(tensor) : Reshape(result, tensor.Shape.ToArray());
    }

    // Bool has no arithmetic order or product here; NumPy treats it as 0/1, which the caller can
    // have by casting to uint8 first.
    private static void CheckScatterArithmetic(string op, Tensor tensor)
    {
        if (tensor.DType == DType.Bool)
            throw new ArgumentException($"{op}: bool tensors cannot be combined arithmetically; cast to uint8 or int32 with NF.Cast first.", nameof(tensor));
    }
}
