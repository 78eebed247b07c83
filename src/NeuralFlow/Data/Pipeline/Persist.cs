namespace NeuralFlow.Data.Pipeline;

/// <summary>The pass that writes a pipeline's elements to a saved dataset: <c>Save</c>'s, and a <c>Snapshot</c>'s first.</summary>
internal static class Persist
{
    /// <summary>
    /// The shards of a save without a shard function: tf.data's default spreads the elements round
    /// robin over the machine's CPU budget, so that reading them back in parallel has a shard per core.
    /// </summary>
    public static int DefaultShards => Environment.ProcessorCount;

    /// <summary>
    /// One pass of <paramref name="upstream"/> that yields each element (the caller's) after
    /// writing it to the shard <paramref name="shardFunc"/> picks, and commits the
    /// saved dataset at <paramref name="path"/> with the spec <paramref name="spec"/> gives once the
    /// pass has ended. Left early or failing, it leaves nothing at <paramref name="path"/>. Without a
    /// shard function, element i goes to shard i mod <see cref="DefaultShards"/>, as tf.data's save does.
    /// </summary>
    public static IEnumerable<Part[]> Write(Node upstream, string path, int width, Func<Tensor[], long>? shardFunc, Func<ElementSpec> spec, bool replace, string op,
                                            string compression = "")
    {
        if (upstream.Cardinality == Dataset.Infinite)
            throw new InvalidOperationException($"{op}: the dataset is infinite (a Repeat without a count?), so a pass never ends and '{path}' would never be complete; put Repeat after {op}, or Take a finite part.");
        using var writing = SavedDataset.Begin(path, width, op, compression);
        int shards = DefaultShards;
        long index = 0;
        using (var source = upstream.Open())
            while (source.MoveNext())
            {
                var element = source.Current;
                try
                {
                    long shard = index++ % shards;
                    if (shardFunc is not null)
                    {
                        // The function sees the element as tensors; row views become owned ones, kept for the consumer.
                        var tensors = Element.Take(element);
                        element = Element.Own(tensors);
                        shard = shardFunc(tensors);
                    }
                    writing.Append(shard, element);
                }
                catch
                {
                    Element.Dispose(element);
                    throw;
                }
                yield return element;
            }
        writing.Commit(spec(), replace);
    }
}
