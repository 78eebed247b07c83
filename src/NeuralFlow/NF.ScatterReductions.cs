namespace NeuralFlow;

// Scatters that combine the updates with what is already there instead of adding into zeros:
// tf.tensor_scatter_nd_sub / _min / _max, keras.ops.scatter_update(reduction=...) and
// torch.Tensor.scatter_reduce. They are composed, on every engine, from ops that carry their own
// gradients: the indices are read on the host (ScatterPlan, as TensorScatterUpdate does, so
// NF.Function runs such a step eagerly), and the updates are applied in rounds -- round L holds the
// L-th update of every target row, gathered into place -- each round combined into the running
// result only where it has an update. Duplicates are therefore combined in the order given, and the
// gradient is that of the Gather / Multiply chain, except for min and max: there, as TensorFlow's
// tensor_scatter_nd_min/max and torch's scatter_reduce amin/amax, every value equal to the result
// at its position (the input's, each update's) gets an even share of that position's gradient.
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
    /// updates, split evenly among tied values, as TensorFlow's.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterNdMin(Tensor tensor, Tensor indices, Tensor updates) =>
        ScatterCombine(nameof(TensorScatterNdMin), tensor, indices, updates, Minimum, includeSelf: true, splitTies: true);

    /// <summary>
    /// <paramref name="tensor"/> with each slice at the index tuples of <paramref name="indices"/>
    /// replaced by the maximum of itself and every update aimed at it (<c>tf.tensor_scatter_nd_max</c>).
    /// NaN propagates as in <see cref="Maximum(Tensor, Tensor)"/>. Gradient: to the largest of the tensor's value and the
    /// updates, split evenly among tied values, as TensorFlow's.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public static Tensor TensorScatterNdMax(Tensor tensor, Tensor indices, Tensor updates) =>
        ScatterCombine(nameof(TensorScatterNdMax), tensor, indices, updates, Maximum, includeSelf: true, splitTies: true);

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
            case "max": return ScatterCombine(op, inputs, indices, updates, Maximum, includeSelf: true, splitTies: true);
            case "min": return ScatterCombine(op, inputs, indices, updates, Minimum, includeSelf: true, splitTies: true);
            case "mul": return ScatterCombine(op, inputs, indices, updates, Multiply, includeSelf: true);
            default:
                throw new ArgumentException($"{op}: invalid reduction \"{reduction}\"; supported are null, \"add\", \"max\", \"min\" and \"mul\".", nameof(reduction));
        }
    }

    // Applies the updates to tensor's rows in rounds (see the file comment). Without includeSelf
    // (torch's include_self=False) the first update of a row replaces the row instead of combining.
    // splitTies (min and max) gives the gradient TensorFlow's and torch's rule instead of the chain's.
    private static Tensor ScatterCombine(string op, Tensor tensor, Tensor indices, Tensor updates, Func<Tensor, Tensor, Tensor> combine, bool includeSelf,
                                         bool splitTies = false)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(updates);
        CheckSameDType(op, tensor, updates);
        CheckScatterArithmetic(op, tensor);
        var plan = ScatterPlan.Of(op, indices, updates, tensor.Shape);
        // With no update at all the result is still a tensor of its own, not a view of the input.
        if (plan.Targets.Length == 0) return Identity(tensor);
        if (!splitTies || !tensor.DType.IsFloating()) return Rounds(tensor, updates);
        var extreme = CustomGradient((Tensor t, Tensor u) =>
        {
            var y = Rounds(t, u);
            return (y, dy => SplitAmongTies(dy, t, u, y, plan, includeSelf));
        });
        return extreme(tensor, updates);

        Tensor Rounds(Tensor t, Tensor u)
        {
            var rows = Reshape(t, [plan.RowCount, .. plan.Inner]);
            var padded = Concat([Fill(new Shape([1, .. plan.Inner]), 0, u.DType, u.Backend), plan.Rows(u)], 0);
            // The round's mask has a length-1 axis per inner axis, so it broadcasts over each row's slice.
            var maskShape = new Shape([plan.RowCount, .. plan.Inner.Select(_ => 1)]);
            bool first = true;
            Tensor result = rows;
            foreach (var layer in plan.Layers())
            {
                var part = Gather(padded, Engine.FromHost<long>(layer, new Shape(layer.Length), t.Backend), 0);
                var has = Engine.FromHost<bool>(layer.Select(j => j != 0).ToArray(), maskShape, t.Backend);
                result = Where(has, first && !includeSelf ? part : combine(result, part), result);
                first = false;
            }
            return Reshape(result, t.Shape.ToArray());
        }
    }

    // The gradient of a scattered min or max, TensorFlow's (_TensorScatterMinOrMaxGrad) and torch's
    // (scatter_reduce amin/amax): at each position, the values equal to the result there -- the
    // input's (unless includeSelf is false and the position received updates) and those of the
    // updates aimed at it -- share its upstream gradient evenly; the others get 0.
    private static (Tensor? DT, Tensor? DU) SplitAmongTies(Tensor dy, Tensor t, Tensor u, Tensor y, ScatterPlan plan, bool includeSelf)
    {
        var rowShape = new Shape([plan.RowCount, .. plan.Inner]);
        var outRows = Reshape(y, rowShape);
        var targets = Engine.FromHost<long>(plan.Targets.Select(r => (long)r).ToArray(), new Shape(plan.Targets.Length), t.Backend);
        var updateTies = Cast(Equal(plan.Rows(u), Gather(outRows, targets, 0)), dy.DType);
        var selfTies = Cast(Equal(Reshape(t, rowShape), outRows), dy.DType);
        if (!includeSelf)
        {
            var received = new bool[plan.RowCount];
            foreach (int r in plan.Targets) received[r] = true;
            var mask = Engine.FromHost<bool>(received, new Shape([plan.RowCount, .. plan.Inner.Select(_ => 1)]), t.Backend);
            selfTies = Where(mask, ZerosLike(selfTies), selfTies);
        }
        var ties = selfTies + ScatterAddAlong(updateTies, targets, 0, plan.RowCount);
        // A NaN result equals nothing: no value takes its gradient (0, not 0/0).
        var share = DivideNoNan(Reshape(dy, rowShape), ties);
        return (Reshape(share * selfTies, t.Shape.ToArray()), Reshape(Gather(share, targets, 0) * updateTies, u.Shape.ToArray()));
    }

    // Bool has no arithmetic order or product here; NumPy treats it as 0/1, which the caller can
    // have by casting to uint8 first.
    private static void CheckScatterArithmetic(string op, Tensor tensor)
    {
        if (tensor.DType == DType.Bool)
            throw new ArgumentException($"{op}: bool tensors cannot be combined arithmetically; cast to uint8 or int32 with NF.Cast first.", nameof(tensor));
    }
}
