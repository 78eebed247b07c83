using NeuralFlow.Data;

namespace NeuralFlow.Keras;

/// <summary>
/// Turns a <see cref="DirectorySplit"/> into a dataset as Keras' paths_and_labels_to_dataset does:
/// (file, label) pairs shuffled each pass within a buffer of 8 batches (1024 elements unbatched)
/// by the seed, batched, then read by a loader, a few batches at once, and prefetched.
/// </summary>
internal static class DirectoryPipeline
{
    /// <summary>The labels of a split as Keras encodes them: int32 [n], float32 [n, 1] ("binary") or one-hot float32 [n, classes].</summary>
    public static Tensor Labels(int[] ids, string labelMode, int classes) => labelMode switch
    {
        "int" => NF.Constant(ids),
        "binary" => NF.Constant(ids.Select(i => (float)i).ToArray(), [ids.Length, 1]),
        _ => NF.OneHot(NF.Constant(ids), classes),
    };

    /// <summary>
    /// Positions into <paramref name="split"/>'s files with their labels, shuffled and batched
    /// (<paramref name="batchSize"/> null: one at a time): what a loader turns into inputs.
    /// </summary>
    public static Dataset<(Tensor, Tensor)> LabeledPositions(DirectorySplit split, DirectoryContents contents, int? batchSize)
    {
        var positions = Positions(split);
        var ds = Dataset.FromTensorSlices(positions, Labels(split.Labels!, contents.LabelMode!, contents.ClassNames!.Length));
        if (split.Shuffle) ds = ds.Shuffle(ShuffleBuffer(batchSize), contents.Seed);
        return batchSize is { } b ? ds.Batch(b, fuseMap: false) : ds;
    }

    /// <summary>Positions into <paramref name="split"/>'s files, shuffled and batched, without labels.</summary>
    public static Dataset<Tensor> UnlabeledPositions(DirectorySplit split, DirectoryContents contents, int? batchSize)
    {
        var ds = Dataset.FromTensorSlices(Positions(split));
        if (split.Shuffle) ds = ds.Shuffle(ShuffleBuffer(batchSize), contents.Seed);
        return batchSize is { } b ? ds.Batch(b, fuseMap: false) : ds;
    }

    private static Tensor Positions(DirectorySplit split) => NF.Constant(Enumerable.Range(0, split.Paths.Length).Select(i => (long)i).ToArray());

    private static int ShuffleBuffer(int? batchSize) => batchSize is { } b ? (int)Math.Min((long)b * 8, int.MaxValue) : 1024;

    /// <summary>
    /// The files at <paramref name="positions"/> (a scalar, or a batch of them), in that order,
    /// (a scalar position gives one file).
    /// </summary>
    public static string[] Files(DirectorySplit split, Tensor positions) =>
        positions.ToArray<long>().Select(p => split.Paths[p]).ToArray();

    /// <summary>
    /// The dataset of (inputs, labels): <paramref name="load"/> reads a batch of files into one
    /// tensor with a leading batch axis (dropped again for unbatched datasets). Runs on the backend
    /// that was current when the dataset was made.
    /// </summary>
    public static DirectoryDataset<(Tensor, Tensor)> Labeled(DirectorySplit split, DirectoryContents contents, int? batchSize, Func<string[], Tensor> load)
    {
        var backend = NF.Backend;
        var ds = LabeledPositions(split, contents, batchSize)
            .Map(e => (Load(backend, split, e.Item1, load), e.Item2), Parallelism)
            .Prefetch(Dataset.Autotune);
        return new DirectoryDataset<(Tensor, Tensor)>(ds, contents.ClassNames, split.Paths);
    }

    /// <summary>The dataset of inputs alone (Keras' labels=None or label_mode=None).</summary>
    public static DirectoryDataset<Tensor> Unlabeled(DirectorySplit split, DirectoryContents contents, int? batchSize, Func<string[], Tensor> load)
    {
        var backend = NF.Backend;
        var ds = UnlabeledPositions(split, contents, batchSize).Map(p => Load(backend, split, p, load), Parallelism).Prefetch(Dataset.Autotune);
        return new DirectoryDataset<Tensor>(ds, null, split.Paths);
    }

    // Batches decoded at once (Keras maps with num_parallel_calls=AUTOTUNE); the order stays the
    // file order, and a handful bounds the memory held by batches in flight.
    private static int Parallelism => Math.Clamp(Environment.ProcessorCount, 1, 4);

    private static Tensor Load(Backends.IBackend backend, DirectorySplit split, Tensor positions, Func<string[], Tensor> load)
    {
        using var _ = NF.UseBackend(backend);
        var batch = load(Files(split, positions));
        return positions.Rank == 0 ? NF.Squeeze(batch, 0) : batch;
    }
}
