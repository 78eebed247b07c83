namespace NeuralFlow.Data.Pipeline;

/// <summary>Pairs up elements of several pipelines, stopping at the shortest.</summary>
internal sealed class ZipNode(Node[] inputs) : Node
{
    public override int Width => inputs.Sum(n => n.Width);
    public override IReadOnlyList<Node> Inputs => [..inputs];
    protected override TensorSpec[] ComputeSignature() => inputs.SelectMany(n => n.Signature).ToArray();

    public override long Cardinality
    {
        get
        {
            var counts = inputs.Select(n => n.Cardinality).ToArray();
            var finite = counts.Where(c => c >= 0).ToArray();
            if (finite.Length > 0) return counts.Contains(Dataset.Unknown) ? Dataset.Unknown : finite.Min();
            return counts.Contains(Dataset.Unknown) ? Dataset.Unknown : Dataset.Infinite;
        }
    }

    public override IEnumerator<Part[]> Open()
    {
        var sources = new List<IEnumerator<Part[]>>(inputs.Length);
        try
        {
            foreach (var n in inputs) sources.Add(n.Open());
            while (Next(sources) is { } element) yield return element;
        }
        finally
        {
            foreach (var s in sources) s.Dispose();
        }
    }

    /// <summary>The next element of every source, joined; null (and nothing leaked) once one ends or fails.</summary>
    private static Part[]? Next(List<IEnumerator<Part[]>> sources)
    {
        var parts = new List<Part[]>(sources.Count);
        try
        {
            foreach (var s in sources)
            {
                if (!s.MoveNext())
                {
                    Element.DisposeAll(parts);
                    return null;
                }
                parts.Add(s.Current);
            }
        }
        catch
        {
            Element.DisposeAll(parts);
            throw;
        }
        return parts.SelectMany(p => p).ToArray();
    }
}
