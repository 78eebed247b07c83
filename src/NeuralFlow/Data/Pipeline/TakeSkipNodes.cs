namespace NeuralFlow.Data.Pipeline;

/// <summary>The first <c>count</c> elements (-1: all).</summary>
internal sealed class TakeNode(Node upstream, long count) : OrderOnlyNode(upstream)
{
    public override Node Over(Node source) => new TakeNode(source, count);

    public override long Cardinality => count < 0 ? Upstream.Cardinality
        : Upstream.Cardinality == Dataset.Unknown ? Dataset.Unknown
        : Upstream.Cardinality == Dataset.Infinite ? count
        : Math.Min(count, Upstream.Cardinality);

    protected override IEnumerator<T> Order<T>(Func<IEnumerator<T>> open, Action<T> drop)
    {
        if (count == 0) yield break;
        using var source = open();
        for (long i = 0; (count < 0 || i < count) && source.MoveNext(); i++) yield return source.Current;
    }
}

/// <summary>All but the first <c>count</c> elements, which are disposed unseen (-1: skip everything).</summary>
internal sealed class SkipNode(Node upstream, long count) : OrderOnlyNode(upstream)
{
    public override Node Over(Node source) => new SkipNode(source, count);

    public override long Cardinality => Upstream.Cardinality < 0 ? Upstream.Cardinality
        : count < 0 ? 0 : Math.Max(0, Upstream.Cardinality - count);

    protected override IEnumerator<T> Order<T>(Func<IEnumerator<T>> open, Action<T> drop)
    {
        using var source = open();
        for (long i = 0; count < 0 || i < count; i++)
        {
            if (!source.MoveNext()) yield break;
            drop(source.Current);
        }
        while (source.MoveNext()) yield return source.Current;
    }
}
