namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The consumer's end of a pass: turns each element into tensors the consumer owns, and in
/// "dispose each" mode frees the previous element's tensors when the next is requested.
/// </summary>
/// The pipeline runs under its options (<see cref="PipelineOptions"/>) whenever the pass is advanced.
internal sealed class PassEnumerator : IDisposable
{
    private readonly bool _disposeEach;
    private readonly DatasetOptions _options;
    private readonly IEnumerator<Part[]> _source;
    private Tensor[]? _current;

    public PassEnumerator(Node node, bool disposeEach)
    {
        _disposeEach = disposeEach;
        _options = PipelineOptions.Of(node);
        using (PipelineOptions.Use(_options)) _source = node.Open();
    }

    public Tensor[] Current => _current ?? throw new InvalidOperationException("MoveNext has not been called.");

    public bool MoveNext()
    {
        // tf.function turns a loop over a dataset into a graph loop that draws fresh batches each
        // call; a replay plan is a fixed list of kernels and never runs this C# code, so a pass
        // advanced during an NF.Function trace would hand every replay the traced batches again
        // (the same shuffle order, the same rows). Such a function runs eagerly instead.
        FunctionTrace.Current?.Fail("it draws elements from a Dataset (a loop over it, or MoveNext on its enumerator), which a replay "
            + "cannot repeat: it would see the traced batches again. Iterate outside the function and pass each batch as an argument");
        ReleaseCurrent();
        // The pipeline runs outside the consumer's TensorScope: a scope around a step (Fit's)
        // would otherwise free elements a Shuffle buffer or a Map still holds for later steps.
        // What is delivered belongs to the consumer, as the Dataset documentation says.
        using (TensorScope.Suspend())
        using (PipelineOptions.Use(_options))
        {
            if (!_source.MoveNext()) return false;
            _current = Element.Take(_source.Current);
            return true;
        }
    }

    private void ReleaseCurrent()
    {
        if (_disposeEach && _current is not null)
            foreach (var t in _current) t.Dispose();
        _current = null;
    }

    public void Dispose()
    {
        ReleaseCurrent();
        using (PipelineOptions.Use(_options)) _source.Dispose();
    }
}
