namespace NeuralFlow.Data.Pipeline;

/// <summary>Passes over the upstream <c>count</c> times (-1: forever; a pass that yields nothing ends it).</summary>
internal sealed class RepeatNode(Node upstream, long count) : Node, IOrderOnly
{
    public Node Upstream => upstream;
    public Node Over(Node source) => new RepeatNode(source, count);
    public override ElementSpec[]? Spec => upstream.Spec;
    public override int Width => upstream.Width;

    public override long Cardinality => (count, upstream.Cardinality) switch
    {
        (_, 0) => 0,
        (< 0, _) => Dataset.Infinite,
        (_, < 0 and var special) => special,
        var (c, n) => c * n,
    };

    public override IEnumerator<Part[]> Open()
    {
        for (long pass = 0; count < 0 || pass < count; pass++)
        {
            bool any = false;
            using var source = upstream.Open();
            while (source.MoveNext())
            {
                any = true;
                yield return source.Current;
            }
            if (!any) yield break;
        }
    }
}
