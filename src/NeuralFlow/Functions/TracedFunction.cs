using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// A C# function over tensors compiled by tracing (<c>tf.function</c>): what
/// <see cref="NF.Function(Func{Tensor, Tensor}, int, bool, Data.TensorSpec[])"/> returns wraps one of these (get it with
/// <see cref="Of"/>). The first call for an input signature (shapes, dtypes, devices, the
/// default device, and the learning phase a caller set with <c>Layer.TrainingMode</c>) runs the function eagerly while every kernel it runs is recorded; later calls
/// with that signature replay the recorded kernels on the new inputs without running the C#
/// function: no tape, no tensor objects per op, temporaries in one arena.
/// </summary>
/// <remarks>
/// As with <c>tf.function</c>:
/// <list type="bullet">
/// <item>C# side effects (printing, appending to a list, reading a field) happen at trace time
/// only; C# numbers and flags the function reads (a <c>training</c> flag, a loop count) are frozen
/// into the trace. Pass what changes as tensors, or make another function. A tensor the function
/// captures is captured by value at the trace: rebinding the C# variable that held it is seen only
/// by the trace of a new signature, as tf.function captures an eager tensor (a Variable assigned
/// outside is seen by every replay).</item>
/// <item>A Variable passed as an argument is state, not data: the function may update it in place,
/// as eagerly, and may reach it through its closure too; each variable passed gets its own trace
/// (the signature holds which variable it was), so no replay writes another tensor in its stead.
/// A view of a variable the function also uses, passed as an argument, runs eagerly, with the reason.</item>
/// <item>Variables are created on the first trace only, as tf.function's: one created then (a Keras
/// layer built on its first call, <c>if (v == null) v = new Variable(...)</c>) is made and
/// initialized once, outside the plan, which reads it. A later trace that creates a variable throws
/// (<see cref="InvalidOperationException"/> naming the function and the variable). A first trace
/// that also updates a variable it created (an optimizer's first step, a counter) is not replayed:
/// the next call traces again, which checks that the variable is a singleton.</item>
/// <item>Variable updates (Assign, optimizer steps, batch-norm statistics) replay in place;
/// optimizers recompute their learning rate and step count per replay (a composed one, such as
/// Lion, reads them from scalar variables each replay rewrites); NF.Random draws fresh
/// numbers per replay, advancing its generator as an eager call would.</item>
/// <item>NF.Print and the ops computed on the host (the incomplete gamma and beta functions, the
/// host factorizations, the CTC loss) are recorded as host calls that each replay runs again with
/// its own values, so they print and compute at every call and the function still replays.</item>
/// <item>What cannot be replayed runs eagerly, with the reason in <see cref="EagerReason"/>
/// (and one warning on standard error): a value read on the host inside the function (ToArray,
/// Item, a C# if on a tensor's value), a loop over a Dataset (a replay would see the traced batches again), a custom optimizer whose Update takes its learning rate
/// and step as C# numbers. Never a wrong answer.</item>
/// <item>Called while a GradientTape records, it runs eagerly (the tape records its ops), unless
/// <see cref="ReplayUnderTape"/> is set: then a traced signature replays and is recorded on the tape
/// as one op whose gradient is a compiled function of its own (see <see cref="FunctionGradient"/>
/// for what it recomputes and when such a call runs eagerly still).</item>
/// <item>A new signature traces again; at most <c>maxTraces</c> are kept (the least recently
/// called goes first), and a function traced more than five times warns once, as TensorFlow does.
/// When it is called with more signatures than it keeps (batches padded to each batch's longest
/// sequence: a new length nearly every step), so that traces are dropped before they were
/// replayed, retracing would cost more than it saves (a trace costs several eager calls): after
/// three such drops, new signatures run eagerly and the kept traces still replay, with one
/// warning. TensorFlow relaxes such shapes into one trace of unknown length; a replay plan is
/// sized for its shapes, so fixed shapes (PaddedBatch with paddedShapes,
/// BucketBySequenceLength with padToBucketBoundary) are what replays.</item>
/// <item>Warnings (frequent retracing, an eager fallback) go to <see cref="Log"/> (standard error
/// unless set) and stay on the function in <see cref="Warnings"/>.</item>
/// </list>
/// </remarks>
public sealed partial class TracedFunction
{
    private const int RetraceWarningAt = 5;
    private const int MaxRetries = 2;
    // A dropped trace replayed fewer times than this did not pay for itself; after this many such
    // drops the function stops tracing new signatures (see the remarks).
    private const int PaidOffReplays = 2;
    private const int WastedTracesLimit = 3;

    private readonly Func<Tensor[], Tensor[]> _body;
    private readonly int _maxTraces;
    private readonly List<Entry> _entries = [];
    private readonly object _gate = new();
    private bool _warnedRetrace;
    private int _wastedTraces;
    private string? _newSignaturesEager;  // set: signatures without a kept trace run eagerly, for this reason
    private string? _warnedReason;
    private readonly List<string> _warnings = [];

    private sealed class Entry(Shape[] shapes, DType[] dtypes, IBackend[] backends, IBackend defaultBackend, bool? training, Variable?[] variables)
    {
        // Which arguments were variables, and which: the plan updates such an argument in place
        // as state (FunctionTrace), so it replays only for that very variable.
        public readonly Variable?[] Variables = variables;
        // Keras' `training` argument: a step traced in inference mode must not replay for a
        // caller in training mode (Dropout would stay off), nor the other way round; nor one traced
        // with no phase set (where the augmentation layers augment) for a caller in inference mode.
        public readonly bool? Training = training;
        public readonly Shape[] Shapes = shapes;
        public readonly DType[] DTypes = dtypes;
        public readonly IBackend[] Backends = backends;
        public readonly IBackend DefaultBackend = defaultBackend;
        public ReplayPlan? Plan;
        public string? EagerReason;  // set: this signature always runs eagerly
        public int Retries;
        public long Replays;
        // The specs of what the trace returned (for ConcreteFunction and PrettyPrintedConcreteSignatures).
        public Data.TensorSpec[]? Outputs;
        // How a replay under a recording tape is put on it (TracedFunction.Tape.cs); made for Plan, dropped with it.
        public FunctionGradient? Gradient;
    }

    internal TracedFunction(Func<Tensor[], Tensor[]> body, string name, int maxTraces)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTraces, 1);
        _body = body;
        Name = name;
        _maxTraces = maxTraces;
    }

    /// <summary>
    /// Where NF.Function warnings are written (frequent retracing, an eager fallback, a replay
    /// without CUDA graphs): the library's warning log, <see cref="NF.WarningLog"/> (this property
    /// reads and sets it; null writes to <see cref="Console.Error"/>). Each function also keeps its
    /// own in <see cref="Warnings"/>.
    /// </summary>
    public static TextWriter? Log { get => NF.WarningLog; set => NF.WarningLog = value; }

    /// <summary>The warnings this function has written, oldest first (each is written once).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    private void Warn(string message)
    {
        _warnings.Add(message);
        NF.Warn(message);
    }

    /// <summary>The wrapped function's name (for messages).</summary>
    public string Name { get; }

    /// <summary>How many times the function was traced (its C# body ran under a trace).</summary>
    public int TraceCount { get; private set; }

    /// <summary>How many calls were replays (the C# body did not run).</summary>
    public long ReplayCount { get; private set; }

    /// <summary>True when the last call was a replay.</summary>
    public bool LastCallReplayed { get; private set; }

    /// <summary>Why the last call ran eagerly (null when it was a replay or a successful trace).</summary>
    public string? EagerReason { get; private set; }

    /// <summary>The kernel calls one replay of the most recent plan runs (0 before a plan exists).</summary>
    public int OpCount { get; private set; }

    /// <summary>The arena bytes of the most recent plan (all its temporaries).</summary>
    public long ArenaBytes { get; private set; }

    /// <summary>
    /// Whether replays on a GPU run as CUDA graphs (one launch per replay instead of one per
    /// kernel); on by default, off when NEURALFLOW_CUDA_GRAPHS=0. Takes effect at the next trace.
    /// </summary>
    public bool CudaGraphs { get; set; } = GraphReplay.EnabledByDefault;

    /// <summary>
    /// <c>tf.function(jit_compile=...)</c>: true (the default) plans each trace with its kernels
    /// fused (elementwise chains into one pass, bias and activation into the matmul, the loss into
    /// its logits' matmul) and its constants folded; false replays the kernels as recorded, as
    /// NEURALFLOW_FUSION=0 does for every function. Takes effect at the next trace.
    /// </summary>
    public bool JitCompile { get; set; } = true;

    /// <summary>
    /// Whether a call while a GradientTape records replays (tf.function's behaviour: one op on the tape,
    /// its gradient a second compiled function) instead of running the C# body eagerly. Off by default:
    /// the gradient recomputes the forward (it keeps none of the replay's intermediates), and on CPUs that
    /// costs more than the eager dispatch it saves (a 784-128-10 MLP, batch 128, forward under a tape and
    /// its gradient: 0.50-0.56 ms a step against 0.34-0.36 ms eagerly on the native engine; batch 16:
    /// 0.247 against 0.228 ms). Either way the gradients are the eager ones, bit for bit on the CPU engines.
    /// </summary>
    public bool ReplayUnderTape { get; set; }

    /// <summary>How many replays of the most recent plan ran as CUDA graph launches.</summary>
    public long CudaGraphLaunches => _lastPlan?.Graph?.Launches ?? 0;

    /// <summary>Why the most recent plan, on a GPU, replays kernel by kernel instead of as CUDA graphs (null otherwise).</summary>
    public string? CudaGraphFallback => _lastPlan?.Graph?.Fallback;

    private ReplayPlan? _lastPlan;

    /// <summary>The most recent plan (tests and benchmarks read its op list).</summary>
    internal ReplayPlan? LatestPlan => _lastPlan;

    /// <summary>The function behind a delegate returned by NF.Function, for its statistics.</summary>
    public static TracedFunction Of(Delegate function) =>
        function?.Target as TracedFunction ?? throw new ArgumentException("Not a function made by NF.Function.", nameof(function));

    /// <summary>Calls the function: a replay when this signature has a plan, else an eager run (traced when possible).</summary>
    public Tensor[] Call(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"NF.Function '{Name}': input {i} is null.");
        if (_signature is not null) inputs = Bind(inputs);
        // Inside another function's trace, this one's kernels are simply part of that trace.
        if (FunctionTrace.Current is not null) return _body(inputs);
        lock (_gate)
        {
            LastCallReplayed = false;
            // tf.config.run_functions_eagerly(True): the C# body at every call, asked for, so no warning.
            if (NF.RunFunctionsEagerly)
            {
                EagerReason = "NF.RunFunctionsEagerly is set";
                return _body(inputs);
            }
            // Under a recording tape a replay is put on the tape as one op (TracedFunction.Tape.cs), when asked for.
            bool underTape = Tape.AnyRecording;
            if (underTape && !ReplayUnderTape)
                return Eager("it is called while a GradientTape records (eagerly the tape sees its ops; ReplayUnderTape = true records a replay as one op instead)", inputs);
            if (underTape && TapeEagerReason(inputs) is { } why) return Eager(why, inputs);
            var packed = Packed(inputs);
            var entry = Find(packed);
            if (entry?.EagerReason is { } reason) return Eager(reason, inputs);
            if (entry is null && _newSignaturesEager is { } thrashing) return Eager(thrashing, inputs);
            if (entry?.Plan is { } plan)
            {
                if (plan.CannotReplay() is null)
                {
                    if (underTape && plan.HasControlFlow) return Eager(ControlFlowUnderTapeReason, inputs);
                    if (underTape && plan.WritesVariables) return Eager(WritesUnderTapeReason, inputs);
                    ReplayCount++;
                    entry.Replays++;
                    LastCallReplayed = true;
                    EagerReason = null;
                    _lastPlan = plan;
                    return underTape ? ReplayOnTape(entry, plan, inputs, packed) : plan.Replay(packed);
                }
                entry.Plan = null; // a captured value went away or a variable moved: trace again
            }
            // A trace's run is an eager run (under a tape, the tape records its ops); later calls replay.
            return Trace(entry ?? Add(packed), packed);
        }
    }

    private Tensor[] Eager(string reason, Tensor[] inputs)
    {
        EagerReason = reason;
        if (_warnedReason != reason)
        {
            _warnedReason = reason;
            Warn($"NF.Function '{Name}' runs eagerly: {reason}.");
        }
        return _body(inputs);
    }

    private Tensor[] Trace(Entry entry, Tensor[] packed)
    {
        // tf.function creates variables on its first trace only (FunctionTrace.Lifting.cs).
        var trace = new FunctionTrace(packed) { CreationForbiddenIn = TraceCount > 0 ? Name : null };
        Tensor[] outputs;
        using (trace.Begin())
            outputs = OwnOutputs(trace, _body(packed) ?? throw new InvalidOperationException($"NF.Function '{Name}': the function returned null."));
        trace.DropLifted(outputs);
        TraceCount++;
        entry.Outputs = outputs.All(o => o is not null) ? Array.ConvertAll(outputs, o => Data.TensorSpec.FromTensor(o)) : null;
        if (TraceCount > RetraceWarningAt && !_warnedRetrace)
        {
            _warnedRetrace = true;
            Warn($"WARNING: NF.Function '{Name}' was traced {TraceCount} times. Tracing is expensive: call it with inputs of the same shapes and dtypes (pad the last batch, or drop it), and create it once outside loops.");
        }
        // A variable created by the trace (a layer built on its first call, an optimizer's first step making its slots, a
        // counter) is a singleton only if the next trace does not create it again: that trace checks it before any replay
        // (tf.function traces twice to know; here a trace runs the body, so the second call is that second trace). Kept, this
        // trace's plan would replay `new Dense(2).Call(x)` with the first call's layer where eager makes a new one each call,
        // so none is made from it.
        if (trace.Failure is null && trace.Created.Count > 0)
        {
            EagerReason = null;
            return outputs;
        }
        ReplayPlan? plan;
        using (ElementwiseFusion.Off(!JitCompile))
            plan = ReplayPlan.Create(trace, outputs);
        if (plan is not null)
        {
            entry.Plan = plan;
            entry.Gradient = null;
            plan.Graph = GraphReplay.For(plan, trace, Name, CudaGraphs);
            if (ReplayProfile.Enabled) plan.Profile = ReplayProfile.For(plan, Name);
            _lastPlan = plan;
            EagerReason = null;
            OpCount = plan.OpCount;
            ArenaBytes = plan.ArenaBytes;
            return outputs;
        }
        EagerReason = trace.Failure;
        if (!trace.RetryLater || ++entry.Retries > MaxRetries) entry.EagerReason = trace.Failure;
        if (!trace.RetryLater && _warnedReason != trace.Failure)
        {
            _warnedReason = trace.Failure;
            Warn($"NF.Function '{Name}' runs eagerly: {trace.Failure}.");
        }
        return outputs;
    }

    // As tf.function's, every output is a tensor of the call's own: one that is an input, a variable,
    // a tensor made outside or before the trace, or one already returned (or a view of one) becomes a
    // recorded copy (NF.Identity), so each replay hands out its own buffer and a variable's value is
    // returned as it was, not as the variable later becomes.
    private static Tensor[] OwnOutputs(FunctionTrace trace, Tensor[] outputs)
    {
        var own = new bool[trace.Buffers.Count];
        Tensor[]? result = null;
        for (int i = 0; i < outputs.Length; i++)
        {
            if (outputs[i] is null) continue;  // ReplayPlan names it
            var b = trace.BufferOf(outputs[i].Storage);
            if (b is { Kind: FunctionTrace.BufferKind.Temporary } && b.Id < own.Length && !own[b.Id])
            {
                own[b.Id] = true;
                continue;
            }
            result ??= (Tensor[])outputs.Clone();
            result[i] = NF.Identity(outputs[i]);
        }
        return result ?? outputs;
    }

    // Inputs the plan addresses as packed buffers (a row slice is one, at any offset): a strided
    // view, or a tensor passed twice, is copied first, so every input is laid out as at the trace.
    // A variable is state the function may update (FunctionTrace), never copied: passed twice, both
    // arguments are it, as eagerly; a plain tensor sharing its buffer is copied instead.
    private static Tensor[] Packed(Tensor[] inputs)
    {
        Tensor[]? packed = null;
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            bool state = t is Variable && t.Layout.IsContiguous && t.Layout.Offset == 0;
            bool shared = false;
            for (int j = 0; j < inputs.Length && !shared && !state; j++)
                shared = j != i && ReferenceEquals(inputs[j].Storage, t.Storage) && (j < i || inputs[j] is Variable);
            if (state || (t.Layout.IsContiguous && !shared && !t.IsWeakScalar)) continue;
            packed ??= (Tensor[])inputs.Clone();
            packed[i] = Aliasing.FreshCopy(t, t.DType);
        }
        return packed ?? inputs;
    }

    private Entry? Find(Tensor[] inputs)
    {
        var defaultBackend = NF.Backend;
        bool? training = Keras.Layer.TrainingPhase;
        for (int k = _entries.Count - 1; k >= 0; k--)
        {
            var e = _entries[k];
            if (e.Shapes.Length != inputs.Length || !ReferenceEquals(e.DefaultBackend, defaultBackend) || e.Training != training) continue;
            bool match = true;
            for (int i = 0; i < inputs.Length && match; i++)
                match = e.DTypes[i] == inputs[i].DType && ReferenceEquals(e.Backends[i], inputs[i].Backend) && e.Shapes[i] == inputs[i].Shape
                        && ReferenceEquals(e.Variables[i], inputs[i] as Variable);
            if (!match) continue;
            // Least recently used first out: a step called every batch outlives a shape seen once.
            if (k != _entries.Count - 1)
            {
                _entries.RemoveAt(k);
                _entries.Add(e);
            }
            return e;
        }
        return null;
    }

    private Entry Add(Tensor[] inputs)
    {
        if (_entries.Count >= _maxTraces)
        {
            // The least recently called signature goes; a trace dropped before it paid for itself
            // counts towards running new signatures eagerly.
            var dropped = _entries[0];
            _entries.RemoveAt(0);
            if (dropped.Plan is not null && dropped.Replays < PaidOffReplays && ++_wastedTraces >= WastedTracesLimit)
                _newSignaturesEager = $"it is called with more input signatures (shapes, dtypes) than the {_maxTraces} it keeps traces for, "
                    + "and traces were dropped before they were replayed; new signatures run eagerly and the kept traces still replay "
                    + "(pad batches to a few fixed shapes, e.g. PaddedBatch with paddedShapes or BucketBySequenceLength with padToBucketBoundary, to replay every step)";
        }
        var e = new Entry(Array.ConvertAll(inputs, t => t.Shape), Array.ConvertAll(inputs, t => t.DType),
                          Array.ConvertAll(inputs, t => t.Backend), NF.Backend, Keras.Layer.TrainingPhase, Array.ConvertAll(inputs, t => t as Variable));
        _entries.Add(e);
        return e;
    }
}
