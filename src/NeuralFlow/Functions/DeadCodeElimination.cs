using Kind = NeuralFlow.FunctionTrace.BufferKind;
using Planned = NeuralFlow.ElementwiseFusion.Planned;

namespace NeuralFlow;

/// <summary>
/// Issue 17: a replay skips the calls whose results nothing uses, as tf.function prunes the ops
/// that feed no output. The workshop's model ends in Dense(10, activation: "softmax") while its
/// loss reads the logits (the probabilities are marked as Keras marks them, NF.KerasSoftmax), so
/// the softmax an eager step computes is read by no later call: a replay leaves it out.
/// </summary>
/// <remarks>
/// A call is dropped only when it is one of <see cref="Removable"/>'s kernels (deterministic,
/// reading only its arguments, and failing only on arguments the trace already checked, never on
/// data values) and every buffer it writes is a temporary that is no output of the function and
/// that no kept later call reads. Anything else stays: host reads and checks (a bad label must
/// still fail the step), host actions, random draws (they advance NF.Random as the eager step
/// does), optimizer updates, collectives across processes (the other ranks wait for them, and
/// the calls that fill their buffers stay with them) and every write to a variable, an input or
/// a captured tensor.
/// </remarks>
internal static class DeadCodeElimination
{
    private static readonly HashSet<string> Removable =
        [.. ConstantFolding.Pure.Where(k => k != "OneHot"), "Softmax", "MatMul", "Im2Col", "Col2Im", "Pool2D", "Pool2DBackward", "LayerNorm"];

    /// <summary><paramref name="ops"/> without the calls whose writes no one reads (in order).</summary>
    public static List<Planned> Prune(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        if (ElementwiseFusion.Disabled) return ops;  // NEURALFLOW_FUSION=0: the plan as recorded
        var needed = new bool[buffers.Count];
        var keep = new bool[ops.Count];
        int kept = 0;
        // Backwards: a call is live when it must run for its own sake or a live later call reads
        // what it writes. A buffer once needed stays needed (a later overwrite of it may be partial).
        for (int i = ops.Count - 1; i >= 0; i--)
        {
            var (op, reads, writes) = ops[i];
            bool live = op.Kind is not (FunctionTrace.OpKind.Kernel or FunctionTrace.OpKind.Upload) || !IsRemovable(op.Kernel);
            foreach (var w in writes)
                live |= w.Buffer >= 0 && (buffers[w.Buffer].Kind != Kind.Temporary || isOutput[w.Buffer] || needed[w.Buffer]);
            if (!live) continue;
            keep[i] = true;
            kept++;
            foreach (var r in reads)
                if (r.Buffer >= 0) needed[r.Buffer] = true;
        }
        if (kept == ops.Count) return ops;
        var result = new List<Planned>(kept);
        for (int i = 0; i < ops.Count; i++)
            if (keep[i]) result.Add(ops[i]);
        return result;
    }

    private static bool IsRemovable(string kernel) => Removable.Contains(kernel);
}
