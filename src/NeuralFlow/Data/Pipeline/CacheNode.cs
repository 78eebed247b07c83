namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Remembers the elements of the first complete pass and replays them afterwards (the upstream,
/// e.g. an expensive Map, runs once). A pass abandoned early is not kept, as in TensorFlow.
/// Replayed elements are new handles on the cached data, so consumers can dispose them freely;
/// the cache itself lives as long as the dataset (the GC frees it).
/// </summary>
internal sealed class CacheNode(Node upstream) : Node
{
    private Part[][]? _cache;

    public override int Width => upstream.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;
    public override long Cardinality => upstream.Cardinality;

    public override IEnumerator<Part[]> Open()
    {
        if (Volatile.Read(ref _cache) is { } cached) return Replay(cached);
        return Record();
    }

    private static IEnumerator<Part[]> Replay(Part[][] cached)
    {
        foreach (var element in cached) yield return Share(element);
    }

    private IEnumerator<Part[]> Record()
    {
        var recorded = new List<Part[]>();
        bool complete = false;
        try
        {
            using var source = upstream.Open();
            while (source.MoveNext())
            {
                var element = source.Current;
                recorded.Add(element);
                yield return Share(element);
            }
            complete = true;
        }
        finally
        {
            if (!complete || Interlocked.CompareExchange(ref _cache, recorded.ToArray(), null) is not null)
                Element.DisposeAll(recorded);
        }
    }

    private static Part[] Share(Part[] element)
    {
        var copy = new Part[element.Length];
        for (int i = 0; i < copy.Length; i++) copy[i] = element[i].Share();
        return copy;
    }
}
