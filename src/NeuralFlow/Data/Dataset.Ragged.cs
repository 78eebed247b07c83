using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

// Datasets of ragged data (the ragged guide's "Datasets" section): the rows of a RaggedTensor as elements,
// and the refusal that keeps RaggedTensor components away from consumers of dense tensors.
public abstract partial class Dataset
{
    /// <summary>
    /// The rows of a ragged tensor, one element each (<c>from_tensor_slices(rt)</c>): dense tensors of varying length
    /// (shape <c>[len]</c>, or <c>[len, ...]</c> over uniform inner axes), as TensorFlow gives them, and an element spec
    /// that says so: <c>RaggedTensorSpec(TensorShape([None]), tf.int32, 0, tf.int64)</c>. Batch them into a
    /// <see cref="RaggedTensor"/> with <see cref="DatasetRaggedExtensions.RaggedBatch(Dataset{Tensor}, int, bool)"/>
    /// (C#'s <c>Batch</c> keeps the element type, so a ragged batch has its own name), or pad them with <c>PaddedBatch</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has two or more ragged axes (its rows would be ragged themselves).</exception>
    public static Dataset<Tensor> FromTensorSlices(RaggedTensor rows)
    {
        var spec = RowSpec(rows, nameof(rows));
        return new(new GeneratorNode(() => Enumerable.Range(0, rows.NRows).Select(i => new[] { rows[i] }), Structure<Tensor>.New(), rows.NRows, [spec], "_TensorSliceDataset"));
    }

    /// <summary>
    /// Pairs of a ragged tensor's rows and a tensor's rows, <c>(x[i], y[i])</c> (<c>from_tensor_slices((rt, labels))</c>):
    /// variable-length token ids and their labels, for <see cref="DatasetRaggedExtensions.RaggedBatch(Dataset{ValueTuple{Tensor, Tensor}}, int, bool)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">y does not have one row per row of x, or x has two or more ragged axes.</exception>
    public static Dataset<(Tensor, Tensor)> FromTensorSlices(RaggedTensor x, Tensor y)
    {
        var spec = RowSpec(x, nameof(x));
        ArgumentNullException.ThrowIfNull(y);
        if (y.Shape.Rank == 0 || y.Shape[0] != x.NRows)
            throw new ArgumentException($"FromTensorSlices: the ragged tensor has {x.NRows} rows, but y has shape {y.Shape}; give one row of y per row.", nameof(y));
        var ySpec = new TensorSpec(TensorSpec.Known(y.Shape).Skip(1).ToArray(), y.DType);
        return new(new GeneratorNode(() => Enumerable.Range(0, x.NRows).Select(i => new[] { x[i], y.View(y.Layout.Select(0, i)) }),
            Structure<(Tensor, Tensor)>.New(), x.NRows, [spec, ySpec], "_TensorSliceDataset"));
    }

    // The spec of a ragged tensor's rows (ragged rank 0), refusing rows that are ragged themselves.
    private static TensorSpec RowSpec(RaggedTensor rt, string name)
    {
        ArgumentNullException.ThrowIfNull(rt, name);
        if (rt.RaggedRank != 1)
            throw new ArgumentException(
                $"FromTensorSlices: the ragged tensor {rt.Shape} has {rt.RaggedRank} ragged axes, so its rows are ragged themselves; NeuralFlow slices ragged tensors of ragged rank 1 " +
                "(build the rows' dataset from those, then Batch it).", name);
        return Signatures.Unbatched([RaggedCarrier.Spec(rt)])[0];
    }

    /// <summary>Refuses elements that hold a <see cref="RaggedTensor"/> on their way to <paramref name="consumer"/>, which takes dense tensors.</summary>
    internal void RefuseRagged(string consumer)
    {
        if (!Schema.HasRagged) return;
        throw new ArgumentException(
            $"{consumer}: the dataset's elements {Schema} hold a RaggedTensor, but it takes dense tensors. Pad the rows first, " +
            "e.g. ds.Map((x, y) => (x.ToTensor(), y)) or PaddedBatch instead of RaggedBatch.", "dataset");
    }
}

/// <summary>
/// tf.data's ragged batching for datasets of variable-length tensors (<c>Dataset.ragged_batch</c>,
/// <c>tf.data.experimental.dense_to_ragged_batch</c>) and its inverse.
/// </summary>
public static class DatasetRaggedExtensions
{
    /// <summary>
    /// Groups <paramref name="batchSize"/> consecutive elements into one <see cref="RaggedTensor"/> whose rows they are
    /// (<c>ragged_batch</c>): elements may differ in their first axis (their other axes must agree); the last batch is
    /// smaller unless <paramref name="dropRemainder"/>. Elements that are RaggedTensors are stacked, one ragged axis more.
    /// A batch that mixes dtypes, ranks, or ragged and dense elements ends the pass with an <see cref="InvalidOperationException"/> naming them.
    /// </summary>
    public static Dataset<RaggedTensor> RaggedBatch(this Dataset<Tensor> dataset, int batchSize, bool dropRemainder = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return new(new RaggedBatchNode(dataset.Node, batchSize, dropRemainder, [true]));
    }

    /// <summary>
    /// <see cref="RaggedBatch(Dataset{Tensor}, int, bool)"/> of (features, label) pairs: the features become a
    /// <see cref="RaggedTensor"/>, the labels are stacked as <c>Batch</c> stacks them (TF keeps a fixed-shape component dense).
    /// </summary>
    public static Dataset<(RaggedTensor, Tensor)> RaggedBatch(this Dataset<(Tensor, Tensor)> dataset, int batchSize, bool dropRemainder = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return new(new RaggedBatchNode(dataset.Node, batchSize, dropRemainder, [true, false]));
    }

    /// <summary>
    /// The rows of each ragged batch, one element each (<c>unbatch</c> of a ragged-rank-1 batch, whose rows are dense
    /// tensors of varying length); <c>Unbatch()</c> splits batches with two or more ragged axes into RaggedTensor rows.
    /// </summary>
    public static Dataset<Tensor> UnbatchRows(this Dataset<RaggedTensor> dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return new(new UnbatchNode(dataset.Node));
    }
}
