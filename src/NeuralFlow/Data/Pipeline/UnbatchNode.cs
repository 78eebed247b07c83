namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Splits every element along its first axis into one element per row (<c>unbatch</c>): the
/// inverse of <c>Batch</c>. Every component of an element must have the same first dimension.
/// Rows are views of the batch (no copy); the batch itself is released once split.
/// </summary>
internal sealed class UnbatchNode(Node upstream) : Node
{
    public override int Width => upstream.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => Signatures.Unbatched(upstream.Signature);

    // tf.data's rule (UnbatchDatasetOp): n batches whose first dimension the element spec knows
    // (that of the first component that knows one: a Batch that drops its remainder, rows of
    // tensors, a Map traced on them) unbatch to n * that size; a size unknown or 0 leaves it unknown.
    public override long Cardinality => upstream.Cardinality switch
    {
        < 0 and var special => special,
        var n => StaticRows(upstream) is > 0 and var rows ? n * rows : Dataset.Unknown,
    };

    /// <summary>The first dimension the spec of <paramref name="node"/> gives its elements, when it knows one.</summary>
    private static int? StaticRows(Node node)
    {
        TensorSpec[] specs;
        // A spec that cannot be derived (a Map that fails on its trace) tells no size, as printing tells no spec.
        try { specs = node.Signature; }
        catch (Exception e) when (e is not OutOfMemoryException) { return null; }
        foreach (var spec in specs)
            if (spec.Shape is { Count: > 0 } shape && shape[0] is { } rows) return rows;
        return null;
    }

    public override IEnumerator<Part[]> Open()
    {
        using var source = upstream.Open();
        long index = 0;
        while (source.MoveNext())
        {
            Tensor[] batch = Element.Take(source.Current);
            try
            {
                // A ragged component splits into its rows (dense ones for ragged rank 1), made here; the rest are views.
                var ragged = Array.ConvertAll(batch, RaggedCarrier.Of);
                int rows = Rows(batch, ragged, index++);
                for (int r = 0; r < rows; r++)
                {
                    var element = new Part[batch.Length];
                    for (int c = 0; c < element.Length; c++)
                        element[c] = Part.Owned(ragged[c] is { } rt ? RaggedCarrier.Row(rt, r) : batch[c].View(batch[c].Layout.Select(0, r)));
                    yield return element;
                }
            }
            finally
            {
                foreach (var t in batch) t.Dispose();
            }
        }
    }

    private static int Rows(Tensor[] batch, RaggedTensor?[] ragged, long index)
    {
        for (int c = 0; c < batch.Length; c++)
            if (ragged[c] is null && batch[c].Rank == 0)
                throw new InvalidOperationException($"Unbatch: element {index} has a scalar component (shape {batch[c].Shape}); every component needs a first axis to split.");
        int RowsOf(int c) => ragged[c]?.NRows ?? batch[c].Shape[0];
        int rows = RowsOf(0);
        for (int c = 1; c < batch.Length; c++)
            if (RowsOf(c) != rows)
                throw new InvalidOperationException(
                    $"Unbatch: the components of element {index} have different first dimensions ({string.Join(", ", Enumerable.Range(0, batch.Length).Select(RowsOf))} rows); they must agree.");
        return rows;
    }
}
