namespace NeuralFlow;

// tf.function's variable lifting: a variable created while a trace records (a Keras layer built on
// its first call, `if (v == null) v = new Variable(...)`) is a real variable, made and initialized
// once at the trace. Its copy from the initial value runs unrecorded (Variable.CopyOf under
// Suspend), and the kernels that computed that initial value are dropped from the plan, so a replay
// neither re-initializes it nor draws its random numbers again. Where that would change what the
// function computes (the initial value comes from an argument, or the function also uses it for
// something else) the trace fails with the reason and the next call traces again.
internal sealed partial class FunctionTrace
{
    private readonly List<Variable> _created = [];
    private readonly HashSet<Op> _liftedOps = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<int, string> _liftedBuffers = [];  // an initial value's buffers -> its variable, for messages

    /// <summary>The variables created while this trace recorded, oldest first.</summary>
    public IReadOnlyList<Variable> Created => _created;

    /// <summary>
    /// Set (to the function's name) when variables may not be created by this trace: tf.function creates
    /// them on its first trace only.
    /// </summary>
    public string? CreationForbiddenIn { get; init; }

    /// <summary>Stops recording on this thread until the result is disposed (null when nothing records).</summary>
    public static IDisposable? Suspend()
    {
        var trace = _current;
        if (trace is null) return null;
        _current = null;
        return new Resume(trace);
    }

    private sealed class Resume(FunctionTrace trace) : IDisposable
    {
        public void Dispose() => _current = trace;
    }

    /// <summary>
    /// A variable is about to be made from <paramref name="initialValue"/> while this trace records:
    /// the ops that computed the value (a backward slice over temporaries) leave the plan.
    /// </summary>
    /// <exception cref="InvalidOperationException">A later trace of the function creates a variable (<see cref="CreationForbiddenIn"/>).</exception>
    public void Creating(Tensor initialValue, string? name)
    {
        string label = $"'{name ?? "?"}' (shape {initialValue.Shape}, {initialValue.DType.Name()})";
        if (CreationForbiddenIn is { } function)
            throw new InvalidOperationException(
                $"NF.Function '{function}' created variable {label} on a call after its first trace. As tf.function, it only supports "
                + "singleton variables created on the first call: create the variable once (if (v == null) v = new Variable(...)) or outside the function.");
        if (Failure is not null) return;
        var start = BufferOf(initialValue.Storage);
        // Made before the trace, or a copy of another variable: the unrecorded copy is all there is.
        if (start is null || start.Kind is BufferKind.External or BufferKind.Variable) return;
        if (start.Kind == BufferKind.Input)
        {
            Fail($"variable {label} is created from argument {start.Input} (tf.function lifts a variable's initializer out of the function, "
                 + "so it cannot depend on the call's arguments); the next call traces again", retryLater: true);
            return;
        }
        var needed = new HashSet<int> { start.Id };
        for (int i = Ops.Count - 1; i >= 0; i--)
        {
            var op = Ops[i];
            if (_liftedOps.Contains(op) || !Array.Exists(op.Writes, w => needed.Contains(w.Buffer))) continue;
            if (op.Kind is not (OpKind.Kernel or OpKind.Upload or OpKind.Random or OpKind.CheckedKernel))
            {
                Fail($"the initial value of variable {label} comes from a {op.Kernel} call, which a replay must run again; the next call traces again", retryLater: true);
                return;
            }
            foreach (var w in op.Writes)
            {
                if (w.Buffer < 0) continue;
                if (_buffers[w.Buffer].Kind != BufferKind.Temporary)
                {
                    Fail($"computing the initial value of variable {label} also updates a {_buffers[w.Buffer].Kind.ToString().ToLowerInvariant()} ({op.Kernel}); the next call traces again", retryLater: true);
                    return;
                }
                needed.Add(w.Buffer);
            }
            foreach (var r in op.Reads)
            {
                if (r.Buffer < 0) continue;
                var read = _buffers[r.Buffer];
                if (read.Kind == BufferKind.Input)
                {
                    Fail($"the initial value of variable {label} is computed from argument {read.Input} (tf.function lifts a variable's initializer "
                         + "out of the function, so it cannot depend on the call's arguments); the next call traces again", retryLater: true);
                    return;
                }
                if (read.Kind == BufferKind.Temporary) needed.Add(r.Buffer);
            }
            _liftedOps.Add(op);
        }
        foreach (int b in needed) _liftedBuffers.TryAdd(b, label);
    }

    /// <summary>The variable made by <see cref="Creating"/>.</summary>
    public void VariableCreated(Variable variable)
    {
        _created.Add(variable);
        // Its buffer, allocated unrecorded, may sit where a freed temporary of the trace did: register it as the variable's.
        var b = Register(variable.Storage.Pointer, variable.Storage.Bytes, BufferKind.Variable);
        b.Variable = variable;
        b.Storage = variable.Storage;
        _variables.TryAdd(variable, variable.Storage);
    }

    /// <summary>
    /// After the run: drops the lifted initializers from <see cref="Ops"/>, or fails the trace when the
    /// function also used an initial value for something else (a replay would find it uncomputed).
    /// </summary>
    public void DropLifted(IReadOnlyList<Tensor?> outputs)
    {
        if (_liftedOps.Count == 0 || Failure is not null) return;
        foreach (var op in Ops)
        {
            if (_liftedOps.Contains(op)) continue;
            foreach (var r in op.Reads)
                if (_liftedBuffers.TryGetValue(r.Buffer, out var label))
                {
                    Fail($"the function uses the initial value of variable {label} besides creating it ({op.Kernel}); read the variable instead. The next call traces again", retryLater: true);
                    return;
                }
        }
        foreach (var o in outputs)
            if (o is not null && BufferOf(o.Storage) is { } b && _liftedBuffers.TryGetValue(b.Id, out var label))
            {
                Fail($"the function returns the initial value of variable {label}; return the variable instead. The next call traces again", retryLater: true);
                return;
            }
        // Ops after a variable's copy-on-write are counted from it (Buffer.RebindOp): keep those indices right.
        var dropped = new int[Ops.Count + 1];
        for (int i = 0; i < Ops.Count; i++) dropped[i + 1] = dropped[i] + (_liftedOps.Contains(Ops[i]) ? 1 : 0);
        foreach (var b in _buffers)
            if (b.RebindOp >= 0) b.RebindOp -= dropped[Math.Min(b.RebindOp, Ops.Count)];
        Ops.RemoveAll(_liftedOps.Contains);
    }
}
