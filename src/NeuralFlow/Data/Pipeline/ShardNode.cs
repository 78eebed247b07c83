namespace NeuralFlow.Data.Pipeline;

/// <summary>Every <c>count</c>-th element starting at <c>index</c> (tf.data's <c>shard</c>); the others are disposed unseen.</summary>
internal sealed class ShardNode(Node upstream, int count, int index) : Node, IOrderOnly
{
    public Node Upstream => upstream;
    public Node Over(Node source) => new ShardNode(source, count, index);
    public override ElementSpec[]? Spec => upstream.Spec;
    public override int Width => upstream.Width;

    public override long Cardinality => upstream.Cardinality < 0 ? upstream.Cardinality
        : upstream.Cardinality / count + (index < upstream.Cardinality % count ? 1 : 0);

    public override IEnumerator<Part[]> Open()
    {
        using var source = upstream.Open();
        for (long i = 0; source.MoveNext(); i++)
        {
            if (i % count == index) yield return source.Current;
            else Element.Dispose(source.Current);
        }
    }
}
