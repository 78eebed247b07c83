using NeuralFlow.Backends;

namespace NeuralFlow;

// Control flow whose predicate, index or bound is a tensor (NF.Cond, NF.Switch, NF.WhileLoop, NF.ForiLoop with tensor
// bounds) is traced as one step of the plan (TracedControlFlow.cs): each branch, and a loop's cond and body, records its
// calls into a sub-list over the trace's own buffers, and the step reads the predicate at each replay to pick the list
// it runs, or how often. This file holds what the trace itself needs for that.
internal sealed partial class FunctionTrace
{
    private int _subLists;

    /// <summary>
    /// True while the calls are recorded without running (a branch not taken at the trace, a loop body the trace
    /// does not enter): as tf.function traces a branch it does not run, no variable changes and no kernel reads
    /// the garbage its inputs may hold; host reads still fail the trace.
    /// </summary>
    public bool DryRun { get; private set; }

    /// <summary>
    /// Runs <paramref name="record"/> with the calls it makes appended to <paramref name="list"/> instead of the
    /// current list; <paramref name="dry"/>: recorded, not run (NF.Random's position is put back after, as the
    /// draws were not made either).
    /// </summary>
    public T RecordInto<T>(List<Op> list, bool dry, Func<T> record)
    {
        var (ops, wasDry) = (Ops, DryRun);
        var random = dry && !wasDry ? NF.Random.State : default;
        var streams = dry && !wasDry ? NF.Random.OpSeedState : default;
        Ops = list;
        DryRun = wasDry || dry;
        _subLists++;
        try
        {
            return record();
        }
        finally
        {
            Ops = ops;
            DryRun = wasDry;
            _subLists--;
            if (dry && !wasDry)
            {
                NF.Random.State = random;
                NF.Random.OpSeedState = streams;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/> with no trace recording on this thread: eager work at the trace that replays do
    /// through a recorded step (a loop's iterations after the first).
    /// </summary>
    public static void Unrecorded(Action run)
    {
        var trace = _current;
        _current = null;
        try
        {
            run();
        }
        finally
        {
            _current = trace;
        }
    }

    /// <summary>
    /// Appends a control-flow step (<see cref="OpKind.Control"/>) that runs <paramref name="run"/> over a replay's
    /// buffers. Its footprint is every buffer the calls of <paramref name="sequences"/> touch (each sequence in the
    /// order its calls run: a branch, or a loop's cond then body) and <paramref name="reads"/>: a buffer some
    /// sequence reads before writing it is read, so the plan keeps what fills it; every buffer written is written;
    /// all of them share the step's one position, so the arena keeps them apart from each other and from every
    /// buffer alive across the step (a body's temporaries live through all its iterations).
    /// </summary>
    public void RecordControl(string name, Action<nint[]> run, IReadOnlyList<Op[]> sequences, IReadOnlyList<Ref> reads)
    {
        var read = new List<int>();
        var written = new List<int>();
        foreach (var r in reads)
            if (r.Buffer >= 0 && !read.Contains(r.Buffer)) read.Add(r.Buffer);
        foreach (var sequence in sequences)
        {
            var seen = new HashSet<int>();
            foreach (var op in sequence)
            {
                foreach (var r in op.Reads)
                    if (r.Buffer >= 0 && seen.Add(r.Buffer) && !read.Contains(r.Buffer)) read.Add(r.Buffer);
                foreach (var w in op.Writes)
                    if (w.Buffer >= 0)
                    {
                        seen.Add(w.Buffer);
                        if (!written.Contains(w.Buffer)) written.Add(w.Buffer);
                    }
            }
        }
        Ops.Add(new Op(run, read.Select(b => new Ref(b, 0)).ToArray(), written.Select(b => new Ref(b, 0)).ToArray(), kernel: name)
        {
            Kind = OpKind.Control,
        });
    }

    /// <summary>The one element of a packed predicate or index tensor at <paramref name="pointer"/>: a bool's byte (0 or 1), or an int64.</summary>
    public static long ReadKey(IBackend backend, nint pointer, long byteOffset, DType dtype)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        Engine.HostReads++;
        backend.Download(pointer, byteOffset, bytes[..dtype.SizeInBytes()]);
        return dtype == DType.Bool ? (bytes[0] != 0 ? 1 : 0) : BitConverter.ToInt64(bytes);
    }
}
