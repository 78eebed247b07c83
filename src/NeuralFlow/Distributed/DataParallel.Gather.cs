namespace NeuralFlow.Distributed;

// Rows split among the ranks batch by batch and put back together: Predict under a strategy
// (Model.DistributedEvaluation.cs) gives each rank its contiguous part of every global batch
// (PartOf, Fit's split too), and every rank then needs all the outputs in the batches' order.
// Each rank's rows are sent as bytes (one broadcast per rank, rooted there: any dtype, and
// ranks with different row counts), then interleaved back batch by batch on every rank.
public sealed partial class DataParallel
{
    /// <summary>
    /// The batch each rank takes of a global batch of <paramref name="globalBatchSize"/>
    /// (tf.distribute's <c>InputContext.get_per_replica_batch_size</c>), for a custom loop that
    /// batches its own shard of the data: <c>data.Shard(strategy.WorldSize, strategy.Rank).Batch(strategy.PerReplicaBatchSize(256))</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The global batch size is not positive, or not a multiple of <see cref="WorldSize"/> (as TensorFlow refuses it).</exception>
    public int PerReplicaBatchSize(int globalBatchSize)
    {
        if (globalBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(globalBatchSize), globalBatchSize, "PerReplicaBatchSize: the global batch size must be at least 1.");
        if (globalBatchSize % WorldSize != 0)
            throw new ArgumentOutOfRangeException(nameof(globalBatchSize), globalBatchSize,
                $"PerReplicaBatchSize: the global batch size {globalBatchSize} is not divisible by the {WorldSize} ranks; pass a multiple of WorldSize " +
                "(Fit, Evaluate and Predict take any global batch and split it themselves).");
        return globalBatchSize / WorldSize;
    }

    /// <summary>Rank <paramref name="rank"/>'s contiguous part [From, To) of a batch of <paramref name="count"/> examples.</summary>
    internal (int From, int To) PartOf(int count, int rank) =>
        ((int)((long)count * rank / WorldSize), (int)((long)count * (rank + 1) / WorldSize));

    /// <summary>
    /// Every rank's <paramref name="mine"/> (its parts of the batches of <paramref name="batchSizes"/>,
    /// concatenated) as one tensor of all the batches' rows in order, on every rank. A collective.
    /// </summary>
    /// <exception cref="InvalidOperationException">The ranks ran different batches or got outputs of different shapes (thrown on every rank).</exception>
    internal Tensor GatherParts(Tensor mine, IReadOnlyList<int> batchSizes)
    {
        ThrowIfUnusable();
        if (mine.Rank == 0) throw new ArgumentException("GatherParts: a scalar has no rows to gather.", nameof(mine));
        var rowShape = mine.Shape.ToArray()[1..];
        long rowBytes = (long)rowShape.Aggregate(1L, (p, d) => p * d) * mine.DType.SizeInBytes();
        uint hash = 2166136261;  // FNV-1a over the dtype and the row's dims: the same in every process
        foreach (long v in rowShape.Select(d => (long)d).Prepend((long)mine.DType).Prepend(rowShape.Length))
            hash = (hash ^ (uint)v) * 16777619;
        var all = Gather([batchSizes.Count, mine.Shape[0], hash]);
        // Each rank's rows are its parts of the batches (a model keeps the batch axis).
        long RowsOf(int r) => batchSizes.Sum(n => (long)(PartOf(n, r).To - PartOf(n, r).From));
        for (int r = 0; r < WorldSize; r++)
            if (all[3 * r] != batchSizes.Count || all[3 * r + 2] != hash || all[3 * r + 1] != RowsOf(r))
                throw OnEveryRank(new InvalidOperationException(
                    $"Predict: the ranks ran different batches or got outputs of different shapes ({string.Join("; ", Enumerable.Range(0, WorldSize).Select(q => $"rank {q}: {all[3 * q]} batches, {all[3 * q + 1]} rows"))}); " +
                    "every rank must predict on the same data with the same model (a callback that stops one rank's Predict early stops only that rank)."));
        // Every rank's bytes: its own read from the device, the others' broadcast from them.
        var bytes = new byte[WorldSize][];
        for (int r = 0; r < WorldSize; r++)
        {
            long size = (long)all[3 * r + 1] * rowBytes;
            if (size > int.MaxValue)
                throw new ArgumentException($"Predict: rank {r}'s outputs hold {size} bytes, more than one broadcast moves (2^31 - 1); predict in smaller pieces.", nameof(mine));
            bytes[r] = GC.AllocateUninitializedArray<byte>((int)size, pinned: true);
        }
        Read(mine, bytes[Rank]);
        for (int r = 0; r < WorldSize; r++) Broadcast(bytes[r].AsSpan(), root: r);
        // Interleaved back: batch by batch, rank 0's part first.
        long total = batchSizes.Sum(n => (long)n);
        if (total * rowBytes > int.MaxValue)
            throw new ArgumentException($"Predict: the outputs hold {total * rowBytes} bytes, more than one tensor is built from here (2^31 - 1); predict in smaller pieces.", nameof(mine));
        var result = GC.AllocateUninitializedArray<byte>((int)(total * rowBytes));
        var read = new long[WorldSize];
        long written = 0;
        foreach (int n in batchSizes)
            for (int r = 0; r < WorldSize; r++)
            {
                var (from, to) = PartOf(n, r);
                long length = (to - from) * rowBytes;
                bytes[r].AsSpan((int)read[r], (int)length).CopyTo(result.AsSpan((int)written));
                (read[r], written) = (read[r] + length, written + length);
            }
        return Write(mine.DType, new Shape([checked((int)total), .. rowShape]), mine.Backend, result);
    }
}
