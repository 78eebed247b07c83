namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>interleave</c> (and <c>flat_map</c>, its cycle of one): each upstream element becomes a
/// dataset through <c>fn</c>, and the elements of up to <c>cycleLength</c> of those datasets are
/// taken in turn, <c>blockLength</c> at a time, in tf.data's deterministic order: a dataset that
/// ends frees its slot, the turn passes to the next slot, and an empty slot is filled with the
/// next upstream element's dataset when its turn comes. With <c>parallel</c> (tf.data's
/// <c>num_parallel_calls</c>) each open slot's dataset runs ahead on a thread of its own
/// (a <see cref="PrefetchNode"/> per slot), so slow sources (files, generators) are read at once
/// while the elements keep the same deterministic order. Not deterministic (the argument, else
/// the pipeline's options), a slot whose next element is not ready yet passes its turn to the
/// next slot that has one ready (tf.data's non-deterministic interleave); the options' private
/// threadpool size caps how many slots read ahead at once.
/// </summary>
internal sealed class InterleaveNode : Node
{
    private readonly Node _upstream;
    private readonly Func<Tensor[], Node> _fn;
    private readonly int _width;            // -1: the output structure's, known once it has seen an element
    private readonly ElementStructure? _output;
    private readonly int _cycleLength;
    private readonly int _blockLength;
    private readonly bool _parallel;
    private readonly bool? _deterministic;

    public InterleaveNode(Node upstream, Func<Tensor[], Node> fn, int width, int cycleLength, int blockLength, string op, bool parallel = false,
                          bool? deterministic = null)
        : this(upstream, fn, width, null, cycleLength, blockLength, op, parallel, deterministic)
    {
    }

    /// <summary>
    /// Elements of dictionaries whose keys are learnt from the first element: <paramref name="fn"/>'s datasets
    /// deliver them through <paramref name="output"/>, which gives the width once it knows the keys.
    /// </summary>
    public InterleaveNode(Node upstream, Func<Tensor[], Node> fn, ElementStructure output, int cycleLength, int blockLength, string op, bool parallel = false,
                          bool? deterministic = null)
        : this(upstream, fn, -1, output, cycleLength, blockLength, op, parallel, deterministic)
    {
    }

    private InterleaveNode(Node upstream, Func<Tensor[], Node> fn, int width, ElementStructure? output, int cycleLength, int blockLength, string op, bool parallel,
                           bool? deterministic)
    {
        _deterministic = deterministic;
        if (cycleLength < 1) throw new ArgumentOutOfRangeException(nameof(cycleLength), cycleLength, $"{op}: cycleLength must be at least 1.");
        if (blockLength < 1) throw new ArgumentOutOfRangeException(nameof(blockLength), blockLength, $"{op}: blockLength must be at least 1.");
        _upstream = upstream;
        _fn = fn;
        _width = width;
        _output = output;
        _cycleLength = cycleLength;
        _blockLength = blockLength;
        _parallel = parallel;
    }

    public override int Width => _output?.Width ?? _width;
    public override IReadOnlyList<Node> Inputs => [_upstream];

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
        var options = PipelineOptions.Current;
        bool ordered = _deterministic ?? options.Deterministic ?? true;
        int readers = _parallel ? options.Threading.PrivateThreadpoolSize ?? int.MaxValue : 0;
        using var source = _upstream.Open();
        bool inputDone = false;
        int open = 0, index = 0, reading = 0;

        // Opens the next input element's dataset in an empty slot (the input permitting).
        void Fill(int i)
        {
            if (slots[i] is not null || inputDone) return;
            if (!source.MoveNext())
            {
                inputDone = true;
                return;
            }
            // A slot reads ahead on its own thread while the threadpool size allows (a size of 1: none do).
            bool ahead = reading < readers && readers > 1;
            slots[i] = Slot.Start(source.Current, _fn, _width, ahead ? Math.Max(2, _blockLength) : 0);
            if (ahead) reading++;
            open++;
        }

        try
        {
            while (!inputDone || open > 0)
            {
                if (index == slots.Count) slots.Add(null);
                Fill(index);
                // Not ordered, every slot of the cycle is open at once, so that any of them can take a turn.
                if (!ordered)
                    for (int i = 0; i < _cycleLength && !inputDone; i++)
                    {
                        if (i == slots.Count) slots.Add(null);
                        Fill(i);
                    }
                int turn = index;
                // Not ordered: a slot with nothing ready yields its turn to the next one that has an
                // element ready; with none ready, whichever gets one first takes the turn.
                if (!ordered && slots[index] is { Ready: false })
                {
                    var spin = new SpinWait();
                    int? ready;
                    while ((ready = slots[index]!.Ready ? index : NextReady(slots, index)) is null) spin.SpinOnce(sleep1Threshold: 10);
                    turn = ready.Value;
                }
                if (slots[turn] is { } slot)
                {
                    int taken = 0;
                    bool ended = false;
                    while (taken < _blockLength && (ordered || taken == 0 || slot.Ready))
                    {
                        if (!slot.Elements.MoveNext())
                        {
                            ended = true;
                            break;
                        }
                        taken++;
                        yield return slot.Elements.Current;
                    }
                    if (ended)
                    {
                        if (slot.ReadsAhead) reading--;
                        slot.Dispose();
                        slots[turn] = null;
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

    /// <summary>The first slot after <paramref name="index"/>, in turn order, whose next element is ready; null when none is.</summary>
    private static int? NextReady(List<Slot?> slots, int index)
    {
        for (int k = 1; k < slots.Count; k++)
        {
            int i = (index + k) % slots.Count;
            if (slots[i] is { Ready: true }) return i;
        }
        return null;
    }

    /// <summary>One upstream element's dataset being read: the element's tensors live until its pass ends.</summary>
    private sealed class Slot(Tensor[] args, IEnumerator<Part[]> elements) : IDisposable
    {
        public IEnumerator<Part[]> Elements => elements;

        /// <summary>Whether its dataset is read ahead on a thread of its own.</summary>
        public bool ReadsAhead => elements is PrefetchNode.Worker;

        /// <summary>Whether the next MoveNext returns without waiting (always, for a slot read when its turn comes).</summary>
        public bool Ready => elements is not PrefetchNode.Worker worker || worker.Ready;

        // ahead: elements the slot's thread may prepare (0: no thread, the slot is read when its turn comes).
        public static Slot Start(Part[] element, Func<Tensor[], Node> fn, int width, int ahead)
        {
            var args = Element.Take(element);
            try
            {
                var node = fn(args) ?? throw new InvalidOperationException("Interleave/FlatMap: the function returned null instead of a dataset.");
                if (width >= 0 && node.Width != width)
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
