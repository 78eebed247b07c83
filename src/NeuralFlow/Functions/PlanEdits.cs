using Planned = NeuralFlow.ElementwiseFusion.Planned;

namespace NeuralFlow;

/// <summary>
/// The edits a plan pass collects while it matches (calls replaced in place by fused ones, calls
/// removed), applied in one pass at the end so that the positions it matched against stay valid.
/// Shared by LinearCrossEntropyFusion and GatherMatMulFusion.
/// </summary>
internal sealed class PlanEdits(int count)
{
    private readonly Planned?[] _replaced = new Planned?[count];
    private readonly bool[] _removed = new bool[count];

    /// <summary>The call at <paramref name="at"/> becomes <paramref name="op"/>.</summary>
    public void Replace(int at, Planned op) => _replaced[at] = op;

    /// <summary>The call at <paramref name="at"/> is dropped.</summary>
    public void Remove(int at) => _removed[at] = true;

    /// <summary>True when the call at <paramref name="at"/> was dropped (a later match must not take it).</summary>
    public bool Removed(int at) => _removed[at];

    /// <summary><paramref name="ops"/> with the edits made, in order.</summary>
    public List<Planned> Apply(List<Planned> ops)
    {
        var result = new List<Planned>(ops.Count);
        for (int i = 0; i < ops.Count; i++)
            if (_replaced[i] is { } f) result.Add(f);
            else if (!_removed[i]) result.Add(ops[i]);
        return result;
    }
}
