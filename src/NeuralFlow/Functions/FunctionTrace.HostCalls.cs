using NeuralFlow.Backends;

namespace NeuralFlow;

// C# code over tensors' values that a replay must run again: tf.print, and functions computed on the host (the
// incomplete gamma and beta functions' series). A plain host read stops a trace (the C# code saw a value a replay
// would not recompute); these say what they read and write, so the trace records them as one host call instead.
internal sealed partial class FunctionTrace
{
    /// <summary>
    /// Reads <paramref name="reads"/> (packed tensors) on the host, runs <paramref name="run"/> on their bytes, and writes
    /// the bytes it returns into <paramref name="write"/> (a packed tensor, when given). While a trace records on this
    /// thread the same is appended as one host call over the replay's buffers (a CUDA graph ends before it), so the
    /// function keeps replaying, and <paramref name="run"/> runs again at every replay with that replay's values.
    /// </summary>
    /// <param name="reads">Contiguous tensors to read (made with <see cref="Aliasing.FreshCopy"/> where needed).</param>
    /// <param name="write">A contiguous tensor <paramref name="run"/>'s bytes go into, or null (run returns null).</param>
    /// <param name="run">The host code; it must depend on nothing else a replay changes, and may run many times.</param>
    /// <param name="name">The call's name in plans and messages.</param>
    public static void RunOnHost(IReadOnlyList<Tensor> reads, Tensor? write, Func<byte[][], byte[]?> run, string name)
    {
        var trace = _current;
        var sources = new (IBackend Backend, nint Pointer, long Offset, byte[] Bytes)[reads.Count];
        for (int i = 0; i < sources.Length; i++)
            sources[i] = Place(reads[i], name);
        (IBackend Backend, nint Pointer, long Offset, byte[] Bytes)? target = write is null ? null : Place(write, name);

        // Now: the eager run (or the trace's), through the real backends, which a trace does not take for C# reading a value;
        // a dry run (a branch not taken at the trace, FunctionTrace.ControlFlow.cs) only records it.
        if (trace?.DryRun != true)
        {
            var now = new byte[sources.Length][];
            for (int i = 0; i < sources.Length; i++)
            {
                var s = sources[i];
                Engine.HostReads++;
                s.Backend.Download(s.Pointer, s.Offset, s.Bytes);
                now[i] = s.Bytes;
            }
            Store(target, run(now), name);
        }
        if (trace is not { Failure: null }) return;

        var refs = Array.ConvertAll(sources, s => trace.Resolve(s.Pointer));
        Ref[] writes = target is { } t ? [trace.Resolve(t.Pointer)] : [];
        if (trace.Failure is not null) return;
        trace.Ops.Add(new Op(bases =>
        {
            var values = new byte[sources.Length][];
            for (int i = 0; i < sources.Length; i++)
            {
                // A fresh array per replay: run may keep what it is given.
                var s = sources[i];
                values[i] = new byte[s.Bytes.Length];
                Engine.HostReads++;
                s.Backend.Download(refs[i].At(bases), s.Offset, values[i]);
            }
            var result = run(values);
            if (target is { } t) Store((t.Backend, writes[0].At(bases), t.Offset, t.Bytes), result, name);
        }, refs, writes, kernel: name) { Kind = writes.Length == 0 ? OpKind.HostRead : OpKind.HostWrite });
    }

    /// <summary>
    /// <see cref="RunOnHost"/> over <paramref name="inputs"/> read as <paramref name="dtypes"/> (one per input): each is
    /// packed first (a copy in a buffer of its own where it is a view, a C# number or another dtype, made with the tape
    /// paused), and the copies are disposed after; the trace keeps their buffers in the plan.
    /// </summary>
    public static void RunOnHostAs(IReadOnlyList<Tensor> inputs, IReadOnlyList<DType> dtypes, Tensor? write, Func<byte[][], byte[]?> run, string name)
    {
        var reads = new Tensor[inputs.Count];
        try
        {
            using (Tape.Pause())
                for (int i = 0; i < reads.Length; i++)
                    reads[i] = Aliasing.PackedAs(inputs[i], dtypes[i]);
            RunOnHost(reads, write, run, name);
        }
        finally
        {
            for (int i = 0; i < reads.Length; i++)
                if (reads[i] is { } r && !ReferenceEquals(r, inputs[i])) r.Dispose();
        }
    }

    // A packed tensor's real backend, buffer address (registered with a recording trace), byte offset and size.
    internal static (IBackend, nint, long, byte[]) Place(Tensor t, string name)
    {
        if (!t.Layout.IsContiguous)
            throw new InvalidOperationException($"{name}: a host call reads and writes packed tensors only (copy a view first).");
        return (Unwrap(t.Storage.Backend), t.Data, Operands.ByteOffset(t), new byte[t.Shape.Count * t.DType.SizeInBytes()]);
    }

    private static void Store((IBackend Backend, nint Pointer, long Offset, byte[] Bytes)? target, byte[]? bytes, string name)
    {
        if (target is not { } t) return;
        if (bytes is null || bytes.Length != t.Bytes.Length)
            throw new InvalidOperationException($"{name}: the host call gave {bytes?.Length ?? 0} bytes for an output of {t.Bytes.Length}.");
        t.Backend.Upload(bytes, t.Pointer, t.Offset);
    }
}
