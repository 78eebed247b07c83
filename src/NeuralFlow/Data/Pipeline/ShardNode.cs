namespace NeuralFlow.Data.Pipeline;

/// <summary>Every <c>count</c>-th element starting at <c>index</c> (tf.data's <c>shard</c>); the others are disposed unseen.</summary>
internal sealed class ShardNode(Node upstream, int count, int index) : OrderOnlyNode(upstream)
{
    public override Node Over(Node source) => new ShardNode(source, count, index);

    public override long Cardinality => Upstream.Cardinality < 0 ? Upstream.Cardinality
        : Upstream.Cardinality / count + (index < Upstream.Cardinality % count ? 1 : 0);

    protected override IEnumerator<T> Order<T>(Func<IEnumerator<T>> open, Action<T> drop)
    {
        using var source = open();
        for (long i = 0; source.MoveNext(); i++)
        {
            if (i % count == index) yield return source.Current;
            else drop(source.Current);
        }
    }
}
