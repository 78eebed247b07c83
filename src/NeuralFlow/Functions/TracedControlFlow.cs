using NeuralFlow.Backends;
using Op = NeuralFlow.FunctionTrace.Op;

namespace NeuralFlow;

/// <summary>
/// NF.Cond, NF.Switch, NF.WhileLoop and NF.ForiLoop with a tensor predicate, index or bound inside an NF.Function
/// trace: as tf.function turns them into graph control flow, each becomes one step of the plan
/// (<see cref="FunctionTrace.OpKind.Control"/>) instead of a host read that makes the function run eagerly.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A cond or switch records every branch into a list of its own: the branch the trace takes runs (the trace is
/// the eager call), the others are recorded without running (<see cref="FunctionTrace.DryRun"/>: no variable changes,
/// no numbers drawn). Each branch ends copying its results into the step's outputs; a replay reads the predicate or
/// index on the host and runs that branch's list.</item>
/// <item>A while loop copies its initial values into state buffers of its own; its cond and body are recorded once,
/// the body ending with its results copied back into the state, and a replay runs cond, reads the predicate, runs the
/// body, until the predicate fails or maximumIterations is reached. At the trace the first cond and body are the
/// recorded ones and the later iterations run eagerly, unrecorded, on the same state; a loop that does not enter its
/// body at the trace records the body without running it.</item>
/// <item>The predicate is read on the host at each replay (on a GPU a synchronisation, and a CUDA graph ends before
/// the step); the calls inside the step replay kernel by kernel, unfused.</item>
/// </list>
/// </remarks>
internal static class TracedControlFlow
{
    /// <summary>The trace to record a control-flow step in, or null: no trace, a failed one, or a tape recording inside the function (then the predicate is read on the host and the function runs eagerly).</summary>
    public static FunctionTrace? Active => FunctionTrace.Current is { Failure: null, IsRecording: true } trace && !Tape.AnyRecording ? trace : null;

    /// <summary>
    /// branch(k)() for the k that <paramref name="choose"/> makes of <paramref name="key"/>'s value (a packed bool or
    /// int64 element), recorded as one step that chooses again at each replay.
    /// </summary>
    /// <exception cref="InvalidOperationException">The branches return different numbers of tensors, a null, or different dtypes.</exception>
    public static Tensor[] Branches(FunctionTrace trace, string op, Tensor key, int count, Func<long, int> choose, Func<int, Tensor[]> branch)
    {
        var (backend, pointer, offset, _) = FunctionTrace.Place(key, op);
        var keyRef = trace.Resolve(pointer);
        var dtype = key.DType;
        // In a dry run the key holds no value: any branch serves, since none runs.
        int taken = choose(trace.DryRun ? 0 : FunctionTrace.ReadKey(backend, pointer, offset, dtype));
        var lists = new List<Op>[count];
        var results = new Tensor[count][];
        lists[taken] = [];
        results[taken] = Outputs(op, taken, trace.RecordInto(lists[taken], dry: false, () => branch(taken)));
        for (int i = 0; i < count; i++)
        {
            if (i == taken) continue;
            lists[i] = [];
            try
            {
                results[i] = Outputs(op, i, trace.RecordInto(lists[i], dry: true, () => branch(i)));
            }
            catch (Exception e) when (e is not InvalidOperationException { Source: "NeuralFlow.ControlFlow" })
            {
                // Code that only works on the branch's real values (a shape read, a host check) cannot be traced
                // without running it; the taken branch's result is the eager one.
                trace.Fail($"{op}: branch {i}, not taken at the trace, could not be traced without running it ({e.Message})");
                return results[taken];
            }
        }
        var first = results[taken];
        for (int i = 0; i < count; i++)
        {
            var other = results[i];
            if (other.Length != first.Length)
                throw Mismatch($"{op}: branch {i} returns {other.Length} tensors but branch {taken} returns {first.Length}; every branch must return the same structure (as in tf.cond and tf.switch_case).");
            for (int j = 0; j < first.Length; j++)
            {
                if (other[j].DType != first[j].DType)
                    throw Mismatch($"{op}: output {j} is {first[j].DType.Name()} in branch {taken} but {other[j].DType.Name()} in branch {i}; every branch must return the same dtypes (as in tf.cond and tf.switch_case).");
                if (other[j].Shape != first[j].Shape || !SameDevice(other[j], first[j]))
                {
                    trace.Fail($"{op}: output {j} is {first[j].Shape} in branch {taken} but {other[j].Shape} in branch {i} (or on another device); a replay keeps each output's shape");
                    return first;
                }
            }
        }
        var outputs = Array.ConvertAll(first, t => Tensor.Empty(t.Shape, t.DType, t.Backend));
        // The branches not taken copy (recorded only) before the taken one copies for real: the outputs hold its values.
        for (int i = 0; i < count; i++)
            if (i != taken) trace.RecordInto(lists[i], dry: true, () => CopyAll(results[i], outputs));
        trace.RecordInto(lists[taken], dry: false, () => CopyAll(first, outputs));
        var sequences = Array.ConvertAll(lists, l => l.ToArray());
        trace.RecordControl(op, bases =>
        {
            foreach (var call in sequences[choose(FunctionTrace.ReadKey(backend, keyRef.At(bases), offset, dtype))]) call.Run(bases);
        }, sequences, [keyRef]);
        return outputs;
    }

    /// <summary>
    /// The while loop of <see cref="NF.WhileLoop(Func{Tensor[], Tensor}, Func{Tensor[], Tensor[]}, Tensor[], int?)"/>
    /// recorded as one step.
    /// </summary>
    /// <exception cref="InvalidOperationException">body changes the number, a shape or a dtype of the loop variables.</exception>
    public static Tensor[] While(FunctionTrace trace, string op, Func<Tensor[], Tensor> cond, Func<Tensor[], Tensor[]> body,
                                 Tensor[] loopVars, int? maximumIterations)
    {
        var state = Array.ConvertAll(loopVars, t => Tensor.Empty(t.Shape, t.DType, t.Backend));
        CopyAll(loopVars, state);
        var condOps = new List<Op>();
        var key = trace.RecordInto(condOps, dry: false, () => Predicate(op, "cond's result", cond(state)));
        var (backend, pointer, offset, _) = FunctionTrace.Place(key, op);
        var keyRef = trace.Resolve(pointer);
        bool enters = !trace.DryRun && FunctionTrace.ReadKey(backend, pointer, offset, DType.Bool) != 0;
        var bodyOps = new List<Op>();
        trace.RecordInto(bodyOps, dry: !enters, () => CopyBack(NF.CheckLoopOutputs(op, "body", loopVars, body(state)), state));
        if (enters)
            FunctionTrace.Unrecorded(() =>
            {
                // The iterations after the first, eagerly: a replay runs them through the step.
                for (long i = 1; maximumIterations is null || i < maximumIterations; i++)
                {
                    if (!NF.Holds(op, "cond's result", cond(state))) break;
                    CopyBack(NF.CheckLoopOutputs(op, "body", loopVars, body(state)), state);
                }
            });
        var (c, b) = (condOps.ToArray(), bodyOps.ToArray());
        trace.RecordControl(op, bases =>
        {
            for (long i = 0; maximumIterations is null || i < maximumIterations; i++)
            {
                foreach (var call in c) call.Run(bases);
                if (FunctionTrace.ReadKey(backend, keyRef.At(bases), offset, DType.Bool) == 0) break;
                foreach (var call in b) call.Run(bases);
            }
        }, [[.. c, .. b]], []);
        return state;
    }

    /// <summary>A one-element predicate as a packed bool element (nonzero holds, NaN included, as eagerly).</summary>
    /// <exception cref="ArgumentException">pred has more or fewer than one element.</exception>
    public static Tensor Predicate(string op, string what, Tensor? pred)
    {
        if (pred is null) throw new InvalidOperationException($"{op}: {what} is null; it must be a one-element tensor.");
        if (pred.Count != 1) throw new ArgumentException($"{op}: {what} must be a scalar (one element), got shape {pred.Shape}.");
        return Aliasing.PackedAs(pred.DType == DType.Bool ? pred : NF.NotEqual(pred, 0), DType.Bool);
    }

    // What a branch returned, checked for nulls.
    private static Tensor[] Outputs(string op, int branch, Tensor[]? results)
    {
        if (results is null) throw Mismatch($"{op}: branch {branch} returned null.");
        for (int j = 0; j < results.Length; j++)
            if (results[j] is null) throw Mismatch($"{op}: branch {branch} returned null for output {j}.");
        return results;
    }

    // A structure error of the user's branches: thrown through the dry run's catch, which turns other errors into eager runs.
    private static InvalidOperationException Mismatch(string message) => new(message) { Source = "NeuralFlow.ControlFlow" };

    private static bool SameDevice(Tensor a, Tensor b) =>
        ReferenceEquals(FunctionTrace.Unwrap(a.Backend), FunctionTrace.Unwrap(b.Backend));

    private static int CopyAll(Tensor[] sources, Tensor[] targets)
    {
        for (int j = 0; j < sources.Length; j++) Engine.CopyInto(sources[j], targets[j]);
        return 0;
    }

    // A body's results into the loop state. A result over a state buffer (the body returned a loop variable, or a view
    // of one, perhaps in another's place as in (a, b) -> (b, a + b)) is copied aside first, so that no copy back
    // overwrites a value another copy still reads; the loop variable itself, unchanged, is not copied.
    private static int CopyBack(Tensor[] next, Tensor[] state)
    {
        var sources = (Tensor[])next.Clone();
        for (int j = 0; j < sources.Length; j++)
        {
            if (ReferenceEquals(sources[j], state[j])) continue;
            foreach (var s in state)
                if (ReferenceEquals(sources[j].Storage, s.Storage))
                {
                    sources[j] = Aliasing.FreshCopy(sources[j], sources[j].DType);
                    break;
                }
        }
        for (int j = 0; j < sources.Length; j++)
            if (!ReferenceEquals(sources[j], state[j])) Engine.CopyInto(sources[j], state[j]);
        return 0;
    }
}
