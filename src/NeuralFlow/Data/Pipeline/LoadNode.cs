namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>tf.data.Dataset.load</c>: the elements of a saved dataset (<see cref="SavedDataset"/>), shard
/// after shard in ascending id order, so a dataset saved as one shard comes back in its order. Its
/// spec is the one saved; each pass reads the files afresh.
/// </summary>
internal sealed class LoadNode(SavedDataset saved) : Node
{
    public override int Width => saved.Spec.Count;
    public override long Cardinality => saved.Count;
    protected override TensorSpec[] ComputeSignature() => [.. saved.Spec.Components];
    public override IEnumerator<Part[]> Open() => saved.Elements("Load").GetEnumerator();
}
