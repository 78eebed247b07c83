namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>interleave</c> (and <c>flat_map</c>, its cycle of one): each upstream element becomes a
/// dataset through <c>fn</c>, and the elements of up to <c>cycleLength</c> of those datasets are
/// taken in turn, <c>blockLength</c> at a time, in tf.data's deterministic order: a dataset that
/// ends frees its slot, the turn passes to the next slot, and an empty slot is filled with the
/// next upstream element's dataset when its turn comes. With <c>parallel</c> (tf.data's
/// <c>num_parallel_calls</c>) each open slot's dataset runs ahead on a thread of its own
/// (a <see cref="PrefetchNode"/> per slot), so slow sources (files, generators) are read at once
/// while the elements keep the same deterministic order.
/// </summary>
internal sealed class InterleaveNode : Node
{
    private readonly Node _upstream;
    private readonly Func<Tensor[], Node> _fn;
    private readonly int _width;
    private readonly int _cycleLength;
    private readonly int _blockLength;
    private readonly bool _parallel;

    public InterleaveNode(Node upstream, Func<Tensor[], Node> fn, int width, int cycleLength, int blockLength, string op, bool parallel = false)
    {
        if (cycleLength < 1) throw new ArgumentOutOfRangeException(nameof(cycleLength), cycleLength, $"{op}: cycleLength must be at least 1.");
        if (blockLength < 1) throw new ArgumentOutOfRangeException(nameof(blockLength), blockLength, $"{op}: blockLength must be at least 1.");
        _upstream = upstream;
        _fn = fn;
        _width = width;
        _cycleLength = cycleLength;
        _blockLength = blockLength;
        _parallel = parallel;
    }

    public override int Width => _width;

    // The function traced once on a placeholder element: the dataset it returns tells the spec.
    protected override TensorSpec[] ComputeSignature() => Signatures.Traced(this, _upstream.Signature, args =>
    {
        try
        {
            var node = _fn(args) ?? throw new InvalidOperationException("Interleave/FlatMap: the function returned null instead of a dataset.");
            return node.Signature;
        }
        finally
        {
            foreach (var a in args) a.Dispose();
        }
    });

    public override long Cardinality => _upstream.Cardinality == 0 ? 0 : Dataset.Unknown;

    public override IEnumerator<Part[]> Open()
    {
        // Grown as inputs open, not sized cycleLength up front: a cycle longer than the inputs
        // (int.MaxValue, or Autotune's processor count over three files) costs only the slots used.
        var slots = new List<Slot?>();
        using var source = _upstream.Open();
        bool inputDone = false;
        int open = 0, index = 0;
        try
        {
            while (!inputDone || open > 0)
            {
                if (index == slots.Count) slots.Add(null);
                if (slots[index] is null && !inputDone)
                {
                    if (source.MoveNext()) { slots[index] = Slot.Start(source.Current, _fn, _width, _parallel ? Math.Max(2, _blockLength) : 0); open++; }
                    else inputDone = true;
                }
                if (slots[index] is { } slot)
                {
                    int taken = 0;
                    while (taken < _blockLength && slot.Elements.MoveNext())
                    {
                        taken++;
                        yield return slot.Elements.Current;
                    }
                    if (taken < _blockLength)
                    {
                        slot.Dispose();
                        slots[index] = null;
                        open--;
                    }
                }
                // Past the last slot nothing can open once the input is done: wrap there.
                index = index + 1 >= _cycleLength || (inputDone && index + 1 >= slots.Count) ? 0 : index + 1;
            }
        }
        finally
        {
            foreach (var slot in slots) slot?.Dispose();
        }
    }

    /// <summary>One upstream element's dataset being read: the element's tensors live until its pass ends.</summary>
    private sealed class Slot(Tensor[] args, IEnumerator<Part[]> elements) : IDisposable
    {
        public IEnumerator<Part[]> Elements => elements;

        // ahead: elements the slot's thread may prepare (0: no thread, the slot is read when its turn comes).
        public static Slot Start(Part[] element, Func<Tensor[], Node> fn, int width, int ahead)
        {
            var args = Element.Take(element);
            try
            {
                var node = fn(args) ?? throw new InvalidOperationException("Interleave/FlatMap: the function returned null instead of a dataset.");
                if (node.Width != width)
                    throw new InvalidOperationException($"Interleave/FlatMap: the function's dataset has {node.Width} components per element, expected {width}.");
                return new Slot(args, ahead > 0 ? new PrefetchNode(node, ahead).Open() : node.Open());
            }
            catch
            {
                foreach (var a in args) a.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            elements.Dispose();
            foreach (var a in args) a.Dispose();
        }
    }
}
