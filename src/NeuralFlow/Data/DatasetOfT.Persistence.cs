using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

public partial class Dataset<T>
{
    /// <summary>
    /// <c>dataset.save(path, shard_func=...)</c>: runs one pass and writes every element (tensors,
    /// text, tuples and dictionaries of them) to the directory <paramref name="path"/>, which
    /// <see cref="Dataset.Load{T}"/> reads back, in this program or another. Writes are atomic: the
    /// save goes into a hidden directory beside <paramref name="path"/> that takes its name only
    /// once complete, so a failed or killed save leaves nothing <c>Load</c> accepts (at most a
    /// hidden <c>.name.*.tmp</c> directory, safe to delete), and a saved dataset already at
    /// <paramref name="path"/> is replaced only then. A directory that holds other files is
    /// never overwritten. <paramref name="shardFunc"/> (TF's shard_func) maps each element to a
    /// shard id (0 or more), one file per id; without it everything goes to one shard, so
    /// <c>Load</c> keeps the order (TensorFlow spreads elements round-robin over shards by default).
    /// An infinite dataset is refused, as its pass would never end. <paramref name="compression"/>
    /// "GZIP" compresses the shard files (TF's compression="GZIP"; null or "" for none); <c>Load</c>
    /// reads it from the saved spec.
    /// </summary>
    public void Save(string path, Func<T, long>? shardFunc = null, string? compression = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (compression is not (null or "" or "GZIP"))
            throw new ArgumentException($"Save: compression must be null, \"\" or \"GZIP\" (tf.data's save takes GZIP or none), not \"{compression}\".", nameof(compression));
        var spec = ElementSpec;   // first: a trace learns the keys of a Map's dictionaries
        using var pass = Persist.Write(Node, SavedDataset.FullPath(path), Node.Width, Lift(shardFunc), () => spec, replace: true, nameof(Save), compression ?? "").GetEnumerator();
        while (pass.MoveNext()) Element.Dispose(pass.Current);
    }

    /// <summary>
    /// <c>snapshot(path)</c>: the first complete pass writes the elements to the directory
    /// <paramref name="path"/> while yielding them, and every later pass, in this run or a later
    /// one, reads them from there instead of running the steps before <c>Snapshot</c>. As with
    /// <see cref="Save"/>, the snapshot takes its name only when a pass has ended, so a pass left
    /// early (a loop broken off, an iterator disposed) or a killed run leaves none a later pass
    /// would read: that pass writes it again. TensorFlow keys snapshots by a fingerprint of the
    /// dataset's graph, which a C# function has not; here the path is the key, and a snapshot whose
    /// element spec or element count differs from this dataset's is refused with an
    /// <see cref="InvalidOperationException"/> naming both: delete it, or give another path, when
    /// the upstream changes. <paramref name="shardFunc"/> spreads the elements over shard files as in
    /// <see cref="Save"/> (later passes then read shard after shard). An infinite upstream is refused
    /// when a pass starts, as no pass of it would complete the snapshot: put <c>Repeat</c> after <c>Snapshot</c>.
    /// </summary>
    public Dataset<T> Snapshot(string path, Func<T, long>? shardFunc = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return With(new SnapshotNode(Node, Elements, SavedDataset.FullPath(path), Lift(shardFunc)));
    }

    private Func<Tensor[], long>? Lift(Func<T, long>? shardFunc)
    {
        if (shardFunc is null) return null;
        var structure = Elements;
        return tensors => shardFunc(structure.Build(tensors));
    }
}
