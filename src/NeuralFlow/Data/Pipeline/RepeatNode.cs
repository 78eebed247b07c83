namespace NeuralFlow.Data.Pipeline;

/// <summary>Passes over the upstream <c>count</c> times (-1: forever; a pass that yields nothing ends it).</summary>
internal sealed class RepeatNode(Node upstream, long count) : OrderOnlyNode(upstream)
{
    public override Node Over(Node source) => new RepeatNode(source, count);

    // tf.data's RepeatDataset rules: no repetitions (or nothing to repeat) is known to be empty
    // even when the upstream's count is unknown, and forever is infinite whatever the upstream.
    public override long Cardinality => (count, Upstream.Cardinality) switch
    {
        (0, _) or (_, 0) => 0,
        (< 0, _) => Dataset.Infinite,
        (_, < 0 and var special) => special,
        var (c, n) => c * n,
    };

    protected override IEnumerator<T> Order<T>(Func<IEnumerator<T>> open, Action<T> drop)
    {
        for (long pass = 0; count < 0 || pass < count; pass++)
        {
            bool any = false;
            using var source = open();
            while (source.MoveNext())
            {
                any = true;
                yield return source.Current;
            }
            if (!any) yield break;
        }
    }
}
