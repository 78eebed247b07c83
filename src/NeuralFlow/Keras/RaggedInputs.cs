using System.Runtime.CompilerServices;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

/// <summary>
/// How a ragged input runs through Keras layers: as tf.keras 2's RNNs do with it, the rows are padded
/// to the batch's longest (<see cref="RaggedTensor.ToTensor"/>) and their lengths ride with the padded
/// tensor (weakly, by reference, as a Keras mask does). Each layer then gives what it gives on the
/// <see cref="RaggedTensor"/> itself: a layer that works per position (Embedding, Dense, Activation,
/// Dropout) runs on the padded tensor and its output keeps the lengths (the padding positions are
/// never read); GlobalAveragePooling1D and GlobalMaxPooling1D reduce each row's own steps; a
/// recurrent layer runs each row over its own length (the lengths as a mask), its sequence output
/// ragged again. Any other layer is refused by name. The padded values are never handed out: a
/// ragged result is cut back to its rows (<see cref="Unpad"/>).
/// </summary>
internal static class RaggedInputs
{
    /// <summary>The row lengths of a padded ragged batch: each row's real steps come first, the rest is padding.</summary>
    internal sealed class Rows(long[] lengths)
    {
        public long[] Lengths { get; } = lengths;

        /// <summary>[batch, steps] bool, true on a row's real steps, made on <paramref name="x"/>'s device in the caller's scope.</summary>
        public Tensor MaskFor(Tensor x)
        {
            int n = x.Shape[0], steps = x.Shape[1];
            var real = new bool[n * steps];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < Lengths[i] && j < steps; j++) real[i * steps + j] = true;
            using var on = NF.UseBackend(x.Backend);
            return NF.Constant(real, new Shape(n, steps));
        }
    }

    private static readonly ConditionalWeakTable<Tensor, Rows> Attached = new();

    /// <summary>The row lengths <paramref name="x"/> carries when it is a padded ragged batch, else null.</summary>
    public static Rows? Of(Tensor x) => Attached.TryGetValue(x, out var rows) ? rows : null;

    private static Tensor Mark(Tensor padded, Rows rows)
    {
        Attached.AddOrUpdate(padded, rows);
        return padded;
    }

    /// <summary>
    /// <paramref name="rt"/> (one ragged axis, the rows') padded with zeros, carrying its row lengths.
    /// <paramref name="who"/> names the input in the refusal of a tensor with more ragged axes.
    /// </summary>
    public static Tensor Pad(RaggedTensor rt, string who)
    {
        ArgumentNullException.ThrowIfNull(rt);
        if (rt.RaggedRank != 1)
            throw new NotSupportedException(
                $"{who}: the RaggedTensor {rt.Shape} has {rt.RaggedRank} ragged axes; Keras layers take ragged inputs of one ragged axis (batch, None, ...). Pad the inner axes first (ToTensor).");
        var lengths = new long[rt.NRows];
        var splits = rt.RowSplits;
        for (int i = 0; i < lengths.Length; i++) lengths[i] = splits[i + 1] - splits[i];
        return Mark(rt.ToTensor(), new Rows(lengths));
    }

    /// <summary>A copy of a padded ragged batch on <paramref name="backend"/>, still carrying its row lengths.</summary>
    public static Tensor To(Tensor x, Backends.IBackend backend)
    {
        var copy = x.To(backend);
        return Of(x) is { } rows ? Mark(copy, rows) : copy;
    }

    /// <summary>The rows of a padded ragged result: each row cut at its length (gathered, so gradients flow).</summary>
    public static RaggedTensor Unpad(Tensor padded, Rows rows) => RaggedTensor.FromTensor(padded, lengths: rows.Lengths);

    /// <summary>The rows of a model input: a padded ragged batch's own rows, or every row of a dense tensor whole (<c>RaggedTensor.from_tensor</c>).</summary>
    public static RaggedTensor RowsOf(Tensor x) => Of(x) is { } rows ? Unpad(x, rows) : RaggedTensor.FromTensor(x);

    /// <summary>
    /// A result as the user sees it: a padded ragged one as its <see cref="RaggedTensor"/>, a dense one as itself.
    /// </summary>
    public static object Result(Tensor y) => Of(y) is { } rows ? Unpad(y, rows) : y;

    /// <summary>
    /// Runs <paramref name="layer"/> (through <paramref name="run"/>, its call on these tensors) on
    /// <paramref name="inputs"/>, one of which may be a padded ragged batch: then as tf.keras 2 runs
    /// the layer on the RaggedTensor (see the class summary), or refused by name.
    /// </summary>
    public static IReadOnlyList<Tensor> Run(Layer layer, Tensor[] inputs, Func<Tensor[], IReadOnlyList<Tensor>> run)
    {
        Rows? rows = null;
        foreach (var t in inputs)
            if (t is not null && Of(t) is { } r) { rows = r; break; }
        if (rows is null) return run(inputs);
        if (inputs.Length != 1) throw Refused(layer, $"it was given {inputs.Length} inputs, one of them ragged");
        var x = inputs[0];
        switch (layer)
        {
            case Model or Layers.InputLayer:
                return run(inputs);   // a nested model runs its own layers on the ragged batch; an Input passes it on
            case Layers.Embedding or Layers.Dense or Layers.Activation or Layers.ReLU or Layers.LeakyReLU or Layers.ELU:
            case Layers.Dropout when layer.GetType() == typeof(Layers.Dropout):
                return Ragged(run(inputs), rows);
            case Layers.GlobalAveragePooling1D { DataFormat: "channels_last" }:
                // tf.keras 2 takes the mean of each row (tf.reduce_mean of the RaggedTensor): an empty row's is NaN (0 / 0).
                return [layer.WithMask(x, rows.MaskFor(x), () => run(inputs))[0]];
            case Layers.GlobalMaxPooling1D { DataFormat: "channels_last" } max:
                return [MaxOfRows(max, x, rows)];
            case Layers.RNN rnn:
                if (rnn.GoBackwards && rnn.ReturnSequences)
                    throw Refused(layer, "goBackwards with returnSequences gives its steps in reverse, which NeuralFlow does not cut back into rows");
                return Recurrent(layer, x, rows, rnn.ReturnSequences, run);
            case Layers.Bidirectional bidirectional:
                return Recurrent(layer, x, rows, bidirectional.ForwardLayer.ReturnSequences, run);
            default:
                throw Refused(layer, "it works on dense tensors only");
        }
    }

    // A recurrent layer runs each row over its own steps: the lengths as its mask (tf.keras 2 passes them as sequence_lengths).
    // The last output is then the row's last real step's; a returned sequence is ragged again, its states dense.
    private static IReadOnlyList<Tensor> Recurrent(Layer layer, Tensor x, Rows rows, bool returnSequences, Func<Tensor[], IReadOnlyList<Tensor>> run)
    {
        var ys = layer.WithMask(x, rows.MaskFor(x), () => run([x]));
        if (!returnSequences) return ys;
        var marked = ys.ToArray();
        marked[0] = Mark(ys[0], rows);
        return marked;
    }

    private static IReadOnlyList<Tensor> Ragged(IReadOnlyList<Tensor> ys, Rows rows) => ys.Count == 1 ? [Mark(ys[0], rows)] : ys;

    // Each row's maximum over its own steps (tf.reduce_max of the RaggedTensor): an empty row gives the dtype's lowest value, TF's identity of max.
    private static Tensor MaxOfRows(Layers.GlobalMaxPooling1D layer, Tensor x, Rows rows)
    {
        if (x.Rank != 3)
            throw new ArgumentException($"{layer.Name}: needs ragged inputs of shape (batch, None, channels), got padded shape {x.Shape}.", nameof(x));
        var real = NF.ExpandDims(rows.MaskFor(x), 2);
        double lowest = x.DType switch
        {
            DType.Float64 => double.MinValue,
            DType.Int32 => int.MinValue,
            DType.Int64 => long.MinValue,
            _ => float.MinValue,
        };
        return NF.ReduceMax(NF.Where(real, x, lowest), [1], layer.Keepdims);
    }

    private static NotSupportedException Refused(Layer layer, string why) => new(
        $"{layer.Name} ({layer.GetType().Name}) does not take ragged input: {why}. Ragged inputs reach Embedding, Dense, Activation, ReLU, LeakyReLU, ELU, Dropout, " +
        "GlobalAveragePooling1D, GlobalMaxPooling1D, the recurrent layers (LSTM, GRU, SimpleRNN, RNN) and Bidirectional; pad the rows before this layer " +
        "(RaggedTensor.ToTensor(), with Embedding(maskZero: true) or Masking to keep the lengths) or reduce them first.");
}
