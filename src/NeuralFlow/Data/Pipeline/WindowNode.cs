namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>window(size, shift, stride, drop_remainder)</c> followed by the usual
/// <c>flat_map(lambda w: w.batch(size))</c>: window k holds the elements k * shift,
/// k * shift + stride, ... (<c>size</c> of them), each component stacked along a new first axis.
/// Windows start while their first element exists, so the last ones may be shorter unless
/// <c>dropRemainder</c>. Overlapping windows share elements (each stack is its own copy).
/// </summary>
internal sealed class WindowNode : Node
{
    private readonly Node _upstream;
    private readonly int _size, _shift, _stride;
    private readonly bool _dropRemainder;

    public WindowNode(Node upstream, int size, int shift, int stride, bool dropRemainder)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "Window: size must be at least 1.");
        if (shift < 1) throw new ArgumentOutOfRangeException(nameof(shift), shift, "Window: shift must be at least 1.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Window: stride must be at least 1.");
        (_upstream, _size, _shift, _stride, _dropRemainder) = (upstream, size, shift, stride, dropRemainder);
    }

    public override int Width => _upstream.Width;
    public override IReadOnlyList<Node> Inputs => [_upstream];

    // Only dropRemainder makes every window full.
    protected override TensorSpec[] ComputeSignature() => Signatures.Batched(_upstream.Signature, _dropRemainder ? _size : null);

    /// <summary>The span of one full window, in upstream elements.</summary>
    private long Span => (long)(_size - 1) * _stride + 1;

    public override long Cardinality => _upstream.Cardinality switch
    {
        < 0 and var special => special,
        var n when _dropRemainder => n >= Span ? (n - Span) / _shift + 1 : 0,
        var n => (n + _shift - 1) / _shift,
    };

    public override IEnumerator<Part[]> Open()
    {
        // Buffered upstream elements, the first of which has position `first`.
        var buffer = new List<Part[]>();
        long first = 0;
        bool ended = false;
        try
        {
            using var source = _upstream.Open();
            for (long start = 0; ; start += _shift)
            {
                // Read until the window's last element is buffered, or the input ends.
                while (!ended && first + buffer.Count < start + Span)
                {
                    if (source.MoveNext()) buffer.Add(source.Current);
                    else ended = true;
                }
                var group = new List<Part[]>(_size);
                for (long i = start; i < start + Span && i - first < buffer.Count; i += _stride)
                    group.Add(Array.ConvertAll(buffer[(int)(i - first)], p => p.Share()));
                if (group.Count == 0 || (_dropRemainder && group.Count < _size))
                {
                    Element.DisposeAll(group);
                    yield break;
                }
                yield return BatchNode.Flush(group);
                // Elements before the next window's start are no longer needed.
                int done = (int)Math.Min(buffer.Count, start + _shift - first);
                Element.DisposeAll(buffer.Take(done));
                buffer.RemoveRange(0, done);
                first += done;
                // Skip (and free) elements that fall between windows when shift > span.
                while (first < start + _shift && !ended)
                {
                    if (source.MoveNext()) { Element.Dispose(source.Current); first++; }
                    else ended = true;
                }
            }
        }
        finally
        {
            Element.DisposeAll(buffer);
        }
    }
}

/// <summary>
/// <c>rebatch</c> with a list of sizes: the elements of the unbatched input regrouped into
/// batches whose sizes cycle through <c>sizes</c> (tf.data's <c>rebatch(batch_size=[2, 1, 1])</c>).
/// </summary>
internal sealed class RebatchNode : Node
{
    private readonly Node _rows;
    private readonly int[] _sizes;
    private readonly bool _dropRemainder;

    public RebatchNode(Node upstream, int[] sizes, bool dropRemainder)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length == 0 || sizes.Any(s => s < 1))
            throw new ArgumentOutOfRangeException(nameof(sizes), $"Rebatch: every batch size must be at least 1, got [{string.Join(", ", sizes)}].");
        (_rows, _sizes, _dropRemainder) = (new UnbatchNode(upstream), sizes, dropRemainder);
    }

    public override int Width => _rows.Width;
    public override IReadOnlyList<Node> Inputs => [_rows];

    protected override TensorSpec[] ComputeSignature() =>
        Signatures.Batched(_rows.Signature, _dropRemainder && _sizes.All(s => s == _sizes[0]) ? _sizes[0] : null);
    public override long Cardinality => _rows.Cardinality == Dataset.Infinite ? Dataset.Infinite : Dataset.Unknown;

    public override IEnumerator<Part[]> Open()
    {
        var group = new List<Part[]>();
        try
        {
            using var source = _rows.Open();
            for (int k = 0; ; k++)
            {
                int size = _sizes[k % _sizes.Length];
                while (group.Count < size && source.MoveNext()) group.Add(source.Current);
                if (group.Count == 0 || (group.Count < size && _dropRemainder)) yield break;
                yield return BatchNode.Flush(group);
            }
        }
        finally
        {
            Element.DisposeAll(group);
        }
    }
}
