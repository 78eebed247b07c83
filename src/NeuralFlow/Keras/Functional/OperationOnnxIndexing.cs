using NeuralFlow.IO;

namespace NeuralFlow.Keras;

/// <summary>
/// The ONNX form of Keras' GetItem (<c>x[:, 1:3, 0, None]</c>): one Slice of every range (steps
/// included; a negative one goes over its whole axis, as symbolic indexing allows), a Gather of each
/// position with a Squeeze of its axis (from the last axis back, so the earlier axes keep their numbers), and an Unsqueeze of
/// the new axes at their places in the result. The batch axis is indexed as any other (x[0], x[:2]).
/// </summary>
internal static class OperationOnnxIndexing
{
    public static string GetItem(OperationValues<string> v, IOperationOnnx e)
    {
        var shape = e.Shape(0);
        var key = v.Key(1);
        int read = key.Count(i => !i.IsNewAxis && !i.IsEllipsis);
        var expanded = key.Any(i => i.IsEllipsis)
            ? [.. key.TakeWhile(i => !i.IsEllipsis), .. Enumerable.Repeat((TensorIndex)(..), shape.Count - read), .. key.SkipWhile(i => !i.IsEllipsis).Skip(1)]
            : key;
        var (starts, ends, axes, steps) = (new List<long>(), new List<long>(), new List<long>(), new List<long>());
        var positions = new List<(int Axis, long Index)>();
        var newAxes = new List<long>();
        int axis = 0, outAxis = 0;
        foreach (var index in expanded)
        {
            if (index.IsNewAxis) { newAxes.Add(outAxis++); continue; }
            if (index.IsRange)
            {
                var r = index.RangeBounds;
                if (!r.Equals(..) || index.Step != 1)
                {
                    bool back = index.Step < 0;   // over the whole axis: from the last element past the first
                    starts.Add(back ? -1 : r.Start.IsFromEnd ? -r.Start.Value : r.Start.Value);
                    ends.Add(back ? long.MinValue : r.End.IsFromEnd ? (r.End.Value == 0 ? long.MaxValue : -r.End.Value) : r.End.Value);
                    axes.Add(axis);
                    steps.Add(index.Step);
                }
                outAxis++;
            }
            else
            {
                positions.Add((axis, index.PythonPosition));
            }
            axis++;
        }
        var x = v[0];
        if (axes.Count > 0) x = e.Node("Slice", [x, e.Ints([.. starts]), e.Ints([.. ends]), e.Ints([.. axes]), e.Ints([.. steps])]);
        foreach (var (at, position) in positions.OrderByDescending(p => p.Axis))
            x = e.Node("Squeeze", [e.Node("Gather", [x, e.Ints(position)], OnnxWriter.IntAttribute("axis", at)), e.Ints(at)]);
        return newAxes.Count > 0 ? e.Node("Unsqueeze", [x, e.Ints([.. newAxes])]) : x;
    }
}
