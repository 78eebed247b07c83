namespace NeuralFlow.Data;

/// <summary>
/// What became of tf.data's map-and-batch fusion for one <c>Batch</c> (see
/// <see cref="Dataset.MapBatchFusion"/>): whether the <c>Map</c> before it runs once per batch
/// instead of once per element, and if not, why. The decision is taken when the dataset is first
/// enumerated; until then <see cref="Decided"/> is false.
/// </summary>
/// <remarks>
/// A <c>Map</c> is fused when it comes from <c>FromTensorSlices</c> (so element shapes are known
/// before the pass) through nothing but order-only steps (<c>Shuffle</c>, <c>Take</c>,
/// <c>Skip</c>, <c>Repeat</c>, <c>Shard</c>), and tracing its function on one element and on a
/// batch proves the batch run equal to the element runs row by row: elementwise tensor ops and
/// views only, no host reads, random numbers, reductions or variables (Pipeline/RowwiseProof.cs).
/// The fused pipeline then gathers the raw rows of a batch in one op and runs the function once
/// on them; the results, their order, shuffling, <c>dropRemainder</c> and the last partial batch
/// are those of the unfused pipeline. Each batch is traced again and checked; a batch whose
/// check fails (a C# side effect changed what the function does) is mapped element by element.
/// As with tf.function, C# side effects in the function run once per batch (and twice more at
/// the decision), not once per element. <c>Batch(..., fuseMap: false)</c> turns fusion off.
/// </remarks>
public sealed class MapBatchFusion
{
    private long _fused, _perElement;

    internal MapBatchFusion() { }

    /// <summary>True once the first pass has decided.</summary>
    public bool Decided { get; internal set; }

    /// <summary>True when the Map runs once per batch.</summary>
    public bool IsFused { get; internal set; }

    /// <summary>Why the Map is not fused (or why the last checked batch was mapped per element); null when fused.</summary>
    public string? Reason { get; internal set; }

    /// <summary>Batches the fused function made.</summary>
    public long FusedBatches => Interlocked.Read(ref _fused);

    /// <summary>Batches of a fused pipeline that were mapped element by element because their check failed.</summary>
    public long PerElementBatches => Interlocked.Read(ref _perElement);

    internal void CountFused() => Interlocked.Increment(ref _fused);

    internal void CountPerElement(string reason)
    {
        Reason = reason;
        Interlocked.Increment(ref _perElement);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        !Decided ? "map-and-batch fusion: not decided yet (enumerate the dataset first)"
        : IsFused ? $"map-and-batch fusion: fused ({FusedBatches} batches fused, {PerElementBatches} mapped per element{(Reason is null ? "" : ": " + Reason)})"
        : $"map-and-batch fusion: not fused: {Reason}";
}
