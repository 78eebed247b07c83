using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

public partial class Dataset<T>
{
    /// <summary>
    /// <c>dataset.save(path, compression=..., shard_func=...)</c>: runs one pass and writes every
    /// element (tensors, text, tuples and dictionaries of them) to the directory <paramref name="path"/>,
    /// which <see cref="Dataset.Load{T}"/> reads back, in this program or another.
    /// <para>Shards: as tf.data, elements go round robin over one shard file per CPU core (element i to
    /// shard i mod <see cref="Environment.ProcessorCount"/>; a shard that gets no element has no file), and
    /// <c>Load</c> reads the shards interleaved, so the elements come back in their order.
    /// <paramref name="shardFunc"/> (TF's shard_func, an int64 scalar per element: a C# long, or
    /// <see cref="ShardByTensor"/> for a function returning a tensor) picks each element's shard
    /// instead: shard id 0 or more, one file per id.</para>
    /// <para>Atomic: the save goes into a hidden directory beside <paramref name="path"/>
    /// (<c>.name.nf-saving-{id}.tmp</c>, with its <c>.lock</c>) that takes its name only once complete,
    /// so a failed or killed save leaves nothing <c>Load</c> accepts, and a saved dataset already at
    /// <paramref name="path"/> is replaced only then. A failed save removes its hidden files; a killed
    /// one's are removed by the next save to the same path (a save still running, in this process or
    /// another, is recognized by its lock and left alone). A directory that holds other files is never
    /// overwritten. An infinite dataset is refused, as its pass would never end.</para>
    /// <para><paramref name="compression"/> "GZIP" compresses the shard files (TF's compression="GZIP";
    /// null, "" or "NONE" for none); <c>Load</c> reads it from the saved spec.</para>
    /// </summary>
    public void Save(string path, Func<T, long>? shardFunc = null, string? compression = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string mode = Compression(compression, nameof(Save), "save");
        var spec = ElementSpec;   // first: a trace learns the keys of a Map's dictionaries
        using var pass = Persist.Write(Node, SavedDataset.FullPath(path), Node.Width, Lift(shardFunc), () => spec, replace: true, nameof(Save), mode).GetEnumerator();
        while (pass.MoveNext()) Element.Dispose(pass.Current);
    }

    /// <summary>
    /// <c>snapshot(path, compression=..., shard_func=...)</c>: the first complete pass writes the
    /// elements to <c>path/{fingerprint}</c> while yielding them, and every later pass, in this run or a
    /// later one, reads them from there instead of running the steps before <c>Snapshot</c>.
    /// <para>As tf.data's snapshot, the snapshot is keyed by a fingerprint of the pipeline before it:
    /// its steps and their settings, the tensors it was built from and its functions' compiled code.
    /// A changed pipeline writes a new snapshot beside the old instead of reading stale elements. Not
    /// covered (delete the directory, or give another path, when these change): the contents of files
    /// it reads, what a generator yields, values a function captures, and methods a function calls.</para>
    /// <para>The snapshot takes its name only when a pass has ended, so a pass left early (a loop
    /// broken off, an iterator disposed), a failure or a killed run leaves none a later pass would
    /// read: that pass writes it again. An infinite upstream (<c>Repeat()</c> before <c>Snapshot</c>)
    /// could never complete one (tf.data writes it for ever): its elements stream through unwritten,
    /// with a warning on <see cref="NF.WarningLog"/>; put <c>Repeat</c> after <c>Snapshot</c>.</para>
    /// <para><paramref name="shardFunc"/> and the default sharding are as in <see cref="Save"/>;
    /// <paramref name="compression"/> "GZIP" (or tf.data's "AUTO", which picks it here) compresses it.</para>
    /// </summary>
    public Dataset<T> Snapshot(string path, Func<T, long>? shardFunc = null, string? compression = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string mode = compression == "AUTO" ? "GZIP" : Compression(compression, nameof(Snapshot), "snapshot");
        return With(new SnapshotNode(Node, Elements, SavedDataset.FullPath(path), Lift(shardFunc), mode));
    }

    /// <summary>
    /// A shard function for <see cref="Save"/> and <see cref="Snapshot"/> from one that returns a tensor,
    /// as tf.data's shard_func does: an integer scalar (int64 as tf.data wants, or int32), refused by
    /// <c>Save</c> naming what it was otherwise.
    /// </summary>
    public static Func<T, long> ShardByTensor(Func<T, Tensor> shardFunc)
    {
        ArgumentNullException.ThrowIfNull(shardFunc);
        return element =>
        {
            using var id = shardFunc(element);
            if (id is null || id.Rank != 0 || id.DType is not (DType.Int64 or DType.Int32))
                throw new InvalidOperationException(
                    $"the shard function must return an int64 scalar tensor (tf.data's shard_func), but returned {(id is null ? "null" : $"a {id.DType} tensor of shape {id.Shape}")}.");
            return id.DType == DType.Int64 ? id.Item<long>() : id.Item<int>();
        };
    }

    private static string Compression(string? compression, string op, string verb) => compression switch
    {
        null or "" or "NONE" => "",
        "GZIP" => "GZIP",
        _ => throw new ArgumentException($"{op}: compression must be null, \"\", \"NONE\" or \"GZIP\" (tf.data's {verb} takes GZIP or none), not \"{compression}\".", nameof(compression)),
    };

    private Func<Tensor[], long>? Lift(Func<T, long>? shardFunc)
    {
        if (shardFunc is null) return null;
        var structure = Elements;
        return tensors => shardFunc(structure.Build(tensors));
    }
}
