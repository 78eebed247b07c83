namespace NeuralFlow.Data.Pipeline;

/// <summary>One pipeline's elements, then another's (<c>concatenate</c>).</summary>
internal sealed class ConcatenateNode(Node first, Node second) : Node
{
    public override int Width => first.Width;

    public override long Cardinality => (first.Cardinality, second.Cardinality) switch
    {
        (Dataset.Infinite, _) or (_, Dataset.Infinite) => Dataset.Infinite,
        (Dataset.Unknown, _) or (_, Dataset.Unknown) => Dataset.Unknown,
        var (a, b) => a + b,
    };

    /// <summary>Known only where both halves agree on every component.</summary>
    public override ElementSpec[]? Spec =>
        first.Spec is { } a && second.Spec is { } b && a.SequenceEqual(b) ? a : null;

    public override IEnumerator<Part[]> Open()
    {
        using (var source = first.Open())
            while (source.MoveNext()) yield return source.Current;
        using (var source = second.Open())
            while (source.MoveNext()) yield return source.Current;
    }
}
