using Kind = NeuralFlow.FunctionTrace.BufferKind;
using Planned = NeuralFlow.ElementwiseFusion.Planned;

namespace NeuralFlow;

/// <summary>
/// Issue 17: the calls of a trace that compute the same values at every replay (C# numbers
/// uploaded as constants, a Fill of ones for the loss gradient's seed, a cast or a division of
/// such constants) run once, when the plan is made, into buffers the plan owns. A replay skips
/// them, and a chain with a constant in it (x * 0.5f) becomes consecutive elementwise calls that
/// <see cref="ElementwiseFusion"/> can fuse.
/// </summary>
internal static class ConstantFolding
{
    // Deterministic kernels that read only their arguments (no generator, no host state, no variables' updates).
    internal static readonly HashSet<string> Pure = ["Upload", "Fill", "Range", "Binary", "Unary", "Cast", "Copy", "Reduce", "Where", "OneHot"];

    /// <summary>Splits <paramref name="ops"/> into the calls a replay runs and those that compute constants (in order).</summary>
    public static (List<Planned> Replayed, List<Planned> Constant, bool[] IsConstant) Split(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        var writers = new int[buffers.Count];
        foreach (var op in ops)
            foreach (var w in op.Writes)
                if (w.Buffer >= 0) writers[w.Buffer]++;
        var isConstant = new bool[buffers.Count];
        if (ElementwiseFusion.Disabled) return (ops, [], isConstant);  // NEURALFLOW_FUSION=0: the plan as recorded
        var replayed = new List<Planned>(ops.Count);
        var constant = new List<Planned>();
        foreach (var op in ops)
        {
            bool folds = Pure.Contains(op.Op.Kernel) && op.Writes.Length == 1 && op.Writes[0].Buffer >= 0;
            foreach (var r in op.Reads)
                folds &= r.Buffer >= 0 && isConstant[r.Buffer];
            if (folds)
            {
                int b = op.Writes[0].Buffer;
                // Its own buffer, written by this call alone: a temporary, not an output of the function.
                folds = buffers[b].Kind == Kind.Temporary && !isOutput[b] && writers[b] == 1;
            }
            if (folds)
            {
                isConstant[op.Writes[0].Buffer] = true;
                constant.Add(op);
            }
            else replayed.Add(op);
        }
        return (replayed, constant, isConstant);
    }
}
