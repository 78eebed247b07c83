namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// tf.data's <c>ragged_batch</c> (<c>dense_to_ragged_batch</c>): consecutive elements grouped, the components
/// marked ragged joined as the rows of one <see cref="RaggedTensor"/> (their first axes may differ), the
/// others stacked as <c>Batch</c> stacks them (a label per element stays a dense vector).
/// </summary>
internal sealed class RaggedBatchNode : Node
{
    private readonly Node _upstream;
    private readonly int _size;
    private readonly bool _dropRemainder;
    private readonly bool[] _ragged;

    public RaggedBatchNode(Node upstream, int size, bool dropRemainder, bool[] ragged)
    {
        if (size < 1) throw new ArgumentOutOfRangeException("batchSize", size, "RaggedBatch: batchSize must be at least 1.");
        _upstream = upstream;
        _size = size;
        _dropRemainder = dropRemainder;
        _ragged = ragged;
    }

    public override int Width => _upstream.Width;
    public override IReadOnlyList<Node> Inputs => [_upstream];

    protected override TensorSpec[] ComputeSignature()
    {
        int? rows = _dropRemainder ? _size : null;
        var specs = _upstream.Signature;
        return specs.Select((s, c) => _ragged[c] ? Signatures.RaggedBatched(s, rows) : Signatures.Batched([s], rows)[0]).ToArray();
    }

    public override long Cardinality => _upstream.Cardinality switch
    {
        < 0 and var special => special,
        var n => _dropRemainder ? n / _size : (n + _size - 1) / _size,
    };

    public override IEnumerator<Part[]> Open() =>
        BatchNode.Groups(_upstream.Open, _size, _dropRemainder,
            group => BatchNode.Flush(group, (g, c) => _ragged[c] ? RaggedCarrier.Batch("RaggedBatch", g, c) : BatchNode.Stack(g, c)), Element.Dispose);
}
