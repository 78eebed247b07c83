namespace NeuralFlow.Data.Pipeline;

/// <summary>The first <c>count</c> elements (-1: all).</summary>
internal sealed class TakeNode(Node upstream, long count) : Node, IOrderOnly
{
    public Node Upstream => upstream;
    public Node Over(Node source) => new TakeNode(source, count);
    public override ElementSpec[]? Spec => upstream.Spec;
    public override int Width => upstream.Width;

    public override long Cardinality => count < 0 ? upstream.Cardinality
        : upstream.Cardinality == Dataset.Unknown ? Dataset.Unknown
        : upstream.Cardinality == Dataset.Infinite ? count
        : Math.Min(count, upstream.Cardinality);

    public override IEnumerator<Part[]> Open()
    {
        if (count == 0) yield break;
        using var source = upstream.Open();
        for (long i = 0; (count < 0 || i < count) && source.MoveNext(); i++) yield return source.Current;
    }
}

/// <summary>All but the first <c>count</c> elements, which are disposed unseen (-1: skip everything).</summary>
internal sealed class SkipNode(Node upstream, long count) : Node, IOrderOnly
{
    public Node Upstream => upstream;
    public Node Over(Node source) => new SkipNode(source, count);
    public override ElementSpec[]? Spec => upstream.Spec;
    public override int Width => upstream.Width;

    public override long Cardinality => upstream.Cardinality < 0 ? upstream.Cardinality
        : count < 0 ? 0 : Math.Max(0, upstream.Cardinality - count);

    public override IEnumerator<Part[]> Open()
    {
        using var source = upstream.Open();
        for (long i = 0; count < 0 || i < count; i++)
        {
            if (!source.MoveNext()) yield break;
            Element.Dispose(source.Current);
        }
        while (source.MoveNext()) yield return source.Current;
    }
}
