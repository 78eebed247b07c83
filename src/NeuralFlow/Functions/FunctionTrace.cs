using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// The recording of one run of an <see cref="NF.Function(Func{Tensor, Tensor}, int, bool, Data.TensorSpec[])"/> lambda:
/// while it is <see cref="Current"/> on a thread, every storage hands out a
/// <see cref="RecordingBackend"/> (Storage.Backend), so each backend call an Engine op makes is
/// run and appended to <see cref="Ops"/> with its buffer addresses rewritten as (buffer, byte
/// offset). Buffers are the inputs, the storages of variables, buffers that existed before the
/// trace (constants), and the temporaries allocated during it. <see cref="ReplayPlan"/> turns
/// the list into a replay.
/// </summary>
/// <remarks>
/// The hook sits below Engine, on the IBackend seam, so any op that goes through Engine
/// (including ops added later) is recorded with no change of its own. What cannot be replayed
/// is detected and reported through <see cref="Fail"/>: the run itself is the eager run, so a
/// failed trace costs nothing but the plan.
/// </remarks>
internal sealed partial class FunctionTrace
{
    [ThreadStatic] private static FunctionTrace? _current;

    /// <summary>The trace recording on this thread, or null (one field read on every op's hot path).</summary>
    public static FunctionTrace? Current
    {
        [MethodImpl(Hot)] get => _current;
    }

    internal enum BufferKind { Input, Temporary, External, Variable }

    /// <summary>One buffer a recorded kernel call touched.</summary>
    internal sealed class Buffer
    {
        public int Id;
        public nint Base;
        public long Bytes;
        public BufferKind Kind;
        public int Input = -1;
        public long InputOffsetBytes;     // inputs: where element 0 sat in the buffer at the trace (a row slice replays at its own)
        public Storage? Storage;          // externals and variables: kept alive and checked at replay
        public Variable? Variable;
        public IBackend? Backend;         // temporaries: whose arena holds them
        public int RebindOp = -1;         // variables: the op index from which this buffer replaces an older one
        public int ReplacedBuffer = -1;   // ... and which
    }

    /// <summary>A recorded pointer argument: a buffer id (-1: a null pointer) and a byte offset into it.</summary>
    internal readonly record struct Ref(int Buffer, long Offset)
    {
        public static readonly Ref None = new(-1, 0);

        [MethodImpl(Hot)]
        public nint At(nint[] bases) => Buffer < 0 ? 0 : bases[Buffer] + (nint)Offset;

        /// <summary>True when one of <paramref name="refs"/> points into <paramref name="buffer"/>.</summary>
        /// <remarks>A loop, not Array.Exists: the plan passes run once per trace, and a framework generic over a library struct is JIT-compiled at the first one.</remarks>
        public static bool Touches(Ref[] refs, int buffer)
        {
            foreach (var r in refs)
                if (r.Buffer == buffer) return true;
            return false;
        }
    }

    /// <summary>One recorded call: how to run it against a table of buffer addresses, and which buffers it reads and writes.</summary>
    internal sealed class Op(Action<nint[]> run, Ref[] reads, Ref[] writes, bool selfCopy = false, string kernel = "", KernelCall? call = null)
    {
        public readonly Action<nint[]> Run = run;
        /// <summary>The IBackend method recorded (for messages and <see cref="ReplayPlan.Describe"/>).</summary>
        public readonly string Kernel = kernel;
        /// <summary>The call's settings as data, for the kernels that analyses compare or fuse (elementwise ones: inputs are <see cref="Reads"/>, the output Writes[0]); null for the others.</summary>
        public readonly KernelCall? Call = call;
        public readonly Ref[] Reads = reads;
        public readonly Ref[] Writes = writes;
        /// <summary>A copy between two layouts of one buffer; dropped when source and target are the same buffer and layout at replay (a variable's copy-on-write).</summary>
        public readonly bool SelfCopy = selfCopy;
        /// <summary>What the call is, for a replay that does not simply run it (a CUDA graph: GraphReplay).</summary>
        public OpKind Kind { get; init; }
        /// <summary>Kind's particulars: <see cref="UploadDetail"/>, <see cref="RandomDetail"/> or <see cref="OptimizerDetail"/>.</summary>
        public object? Detail { get; init; }
    }

    /// <summary>
    /// What a recorded call does beyond running one kernel with fixed arguments: a CUDA graph
    /// (GraphReplay) records kernels once and launches them many times, so it treats host work
    /// and per-replay values apart.
    /// </summary>
    internal enum OpKind
    {
        /// <summary>A kernel with the arguments it had at the trace.</summary>
        Kernel,
        /// <summary>Host bytes written to a buffer (a constant); <see cref="UploadDetail"/>.</summary>
        Upload,
        /// <summary>A buffer read on the host and checked (FunctionTrace.ReadChecked).</summary>
        HostRead,
        /// <summary>C# state advanced per replay (an optimizer's iteration count); touches no buffer.</summary>
        HostAction,
        /// <summary>
        /// Values computed on the host per replay and written into buffers (a composed optimizer's
        /// learning rate and step): its Writes name them, so that the plan passes order the calls
        /// that read them after it; a CUDA graph ends before it, as before a host read.
        /// </summary>
        HostWrite,
        /// <summary>A random draw; <see cref="RandomDetail"/>.</summary>
        Random,
        /// <summary>A fused optimizer step; <see cref="OptimizerDetail"/>.</summary>
        Optimizer,
        /// <summary>
        /// A kernel whose argument check a CUDA graph runs on the device and its launch reads
        /// (sparse cross-entropy's label range, Gather's and ScatterAdd's index range): a graph
        /// ends after it, so that a bad label or index stops the step before the calls after it,
        /// as the eager call's exception would.
        /// </summary>
        CheckedKernel,
        /// <summary>
        /// A step of a collective across processes (DataParallel's allreduce of a packed gradient
        /// bucket: its start, a progress test, its wait; the ranks' agreement check), recorded by
        /// <see cref="RunCollective"/>. It reads and writes its buffer in place and the other ranks
        /// wait for it, so no plan pass drops it (DeadCodeElimination keeps every call that is no
        /// plain kernel), folds it or moves a call that touches its buffer across it, and the
        /// arena keeps its buffer from its first use to its last reader, the wait included: MPI
        /// may write into it at any point between the start and the wait. A CUDA graph cannot
        /// hold an MPI call: GraphReplay ends a graph before it and runs it on the host.
        /// </summary>
        Collective,
        /// <summary>
        /// A control-flow step (a cond, switch or while loop with a tensor predicate, index or bound,
        /// FunctionTrace.ControlFlow.cs): it reads its predicate on the host and runs the calls of one
        /// of its sub-lists, or of its body as many times as the loop runs; its Reads and Writes are
        /// every buffer those calls touch. A CUDA graph ends before it, as before a host read.
        /// </summary>
        Control,
    }

    /// <summary>An upload's bytes and where they go.</summary>
    internal sealed record UploadDetail(byte[] Bytes, Ref Destination, long ByteOffset);

    /// <summary>
    /// A random draw: <paramref name="Draw"/> (null for a stateless draw) gives each replay's
    /// (seed, offset) and advances NF.Random; <paramref name="RunWith"/> runs the kernel with given ones.
    /// </summary>
    internal sealed record RandomDetail(Func<(ulong Seed, ulong Offset)>? Draw, Action<nint[], ulong, ulong> RunWith, ulong Seed, ulong Offset);

    /// <summary>
    /// An optimizer step: <paramref name="Parameters"/> (null when they are fixed) gives each
    /// replay's hyperparameters; <paramref name="RunWith"/> runs the kernel with given ones.
    /// </summary>
    internal sealed record OptimizerDetail(OptimizerKind Kind, DType DType, Func<OptimizerParams>? Parameters,
                                           Action<nint[], OptimizerParams> RunWith, OptimizerParams Fixed);

    private readonly List<Buffer> _buffers = [];
    private readonly Dictionary<nint, Buffer> _byBase = [];
    private readonly List<Buffer> _live = [];
    private readonly Dictionary<IBackend, RecordingBackend> _proxies = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Variable, Storage> _variables = new(ReferenceEqualityComparer.Instance);
    private Func<OptimizerParams>? _pendingOptimizerParams;

    /// <summary>The list calls are appended to: the plan's, or a control-flow step's sub-list while one is traced (FunctionTrace.ControlFlow.cs).</summary>
    public List<Op> Ops { get; private set; } = [];
    public IReadOnlyList<Buffer> Buffers => _buffers;
    public IReadOnlyDictionary<Variable, Storage> Variables => _variables;

    /// <summary>Why this trace cannot be replayed (the first reason), or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>How many random draws the trace recorded so far: the next one's ordinal (RandomReuse).</summary>
    public int RandomDraws;

    /// <summary>Whether the function read a tensor's value on the host (so its shapes, too, may depend on values).</summary>
    public bool ReadValues { get; internal set; }

    /// <summary>True when the failure may not recur on a later call (variables created by a first call that builds a model).</summary>
    public bool RetryLater { get; private set; }

    public FunctionTrace(IReadOnlyList<Tensor> inputs)
    {
        for (int i = 0; i < inputs.Count; i++)
        {
            var t = inputs[i];
            if (t is Variable v)
            {
                // A variable passed as an argument is state, not data: the function may update it in
                // place (an apply(var, grad) step) and may reach the same variable through its closure
                // too. The plan addresses it as it does a captured variable, by its storage at each
                // replay; the signature holds which variable it was (TracedFunction), so a call with
                // another tensor or variable traces again instead of writing the wrong buffer.
                var state = Register(t.Storage.Pointer, t.Storage.Bytes, BufferKind.Variable);
                state.Variable = v;
                state.Storage = t.Storage;
                _variables.TryAdd(v, t.Storage);
                continue;
            }
            var b = Register(t.Storage.Pointer, t.Storage.Bytes, BufferKind.Input);
            b.Input = i;
            b.InputOffsetBytes = Operands.ByteOffset(t);
            b.Storage = t.Storage;
        }
    }

    /// <summary>Makes this trace the thread's recording one until the result is disposed.</summary>
    public IDisposable Begin()
    {
        if (_current is not null) throw new InvalidOperationException("NF.Function: a trace is already recording on this thread.");
        _current = this;
        return new End(this);
    }

    private sealed class End(FunctionTrace trace) : IDisposable
    {
        public void Dispose()
        {
            if (ReferenceEquals(_current, trace)) _current = null;
        }
    }

    /// <summary>True while this trace is the thread's recording one (a proxy kept past its trace only forwards).</summary>
    public bool IsRecording
    {
        [MethodImpl(Hot)] get => ReferenceEquals(_current, this);
    }

    /// <summary>The recording stand-in for <paramref name="backend"/>.</summary>
    [MethodImpl(Hot)]
    public IBackend Proxy(IBackend backend)
    {
        if (backend is RecordingBackend) return backend;
        if (!_proxies.TryGetValue(backend, out var proxy)) _proxies[backend] = proxy = new RecordingBackend(backend, this);
        return proxy;
    }

    /// <summary>The real backend behind a recording stand-in.</summary>
    [MethodImpl(Hot)]
    public static IBackend Unwrap(IBackend backend) => backend is RecordingBackend r ? r.Inner : backend;

    /// <summary>Marks the trace as not replayable; the run goes on eagerly, so its results stay right.</summary>
    public void Fail(string reason, bool retryLater = false)
    {
        if (Failure is not null) return;
        // NEURALFLOW_TRACE_DEBUG=1 adds where it happened, to find the line that stops a trace.
        Failure = Environment.GetEnvironmentVariable("NEURALFLOW_TRACE_DEBUG") == "1" ? reason + " at\n" + Environment.StackTrace : reason;
        RetryLater = retryLater;
    }

    // ---- Buffers ----

    private Buffer Register(nint pointer, long bytes, BufferKind kind)
    {
        // An address handed out again belongs to the new buffer: the old one was freed.
        for (int i = _live.Count - 1; i >= 0; i--)
        {
            var old = _live[i];
            if (old.Base < pointer + Math.Max(bytes, 1) && pointer < old.Base + Math.Max(old.Bytes, 1))
            {
                _live.RemoveAt(i);
                if (_byBase.TryGetValue(old.Base, out var same) && ReferenceEquals(same, old)) _byBase.Remove(old.Base);
            }
        }
        var b = new Buffer { Id = _buffers.Count, Base = pointer, Bytes = bytes, Kind = kind };
        _buffers.Add(b);
        _byBase[pointer] = b;
        _live.Add(b);
        return b;
    }

    /// <summary>A buffer a recording backend allocated during the trace.</summary>
    public void Allocated(DeviceBuffer buffer, IBackend backend) =>
        Register(buffer.Pointer, buffer.Bytes, BufferKind.Temporary).Backend = backend;

    /// <summary>A tensor's buffer handed to a kernel (Tensor.Data): buffers made before the trace are registered here.</summary>
    [MethodImpl(Hot)]
    public void Saw(Tensor tensor, Storage storage, nint pointer)
    {
        if (!_byBase.TryGetValue(pointer, out var b))
        {
            b = Register(pointer, storage.Bytes, BufferKind.External);
            b.Storage = storage;
        }
        if (tensor is not Variable v) return;
        if (b.Kind == BufferKind.Input)
        {
            // An argument that is a view of a variable the function also uses: a replay for another
            // argument would write that tensor in the variable's stead (a variable itself is state).
            Fail($"argument {b.Input} shares its buffer with variable '{v.Name ?? "?"}', which the function also uses (a view of it); pass the variable itself, or a copy");
            return;
        }
        _variables.TryAdd(v, storage);
        if (b.Kind == BufferKind.External)
        {
            b.Kind = BufferKind.Variable;
            b.Variable = v;
        }
        else if (b.Kind == BufferKind.Temporary && b.Variable is null)
            Fail($"variable '{v.Name ?? "?"}' was given a buffer made during the trace other than by an in-place update");
    }

    /// <summary>A variable moved to a fresh buffer (copy-on-write, Variable.BeginWrite) during the trace.</summary>
    public void Rebound(Variable variable, Storage old, Storage fresh)
    {
        Saw(variable, old, old.Pointer);
        if (_subLists > 0)
        {
            // RebindOp indexes the plan's list; a step's sub-list replays many times, where a rebinding cannot be ordered.
            Fail($"variable '{variable.Name ?? "?"}' moved to a new buffer (copy on write for a gradient tape) inside a loop or branch");
            return;
        }
        if (!_byBase.TryGetValue(fresh.Pointer, out var b) || b.Kind != BufferKind.Temporary)
        {
            Fail($"variable '{variable.Name ?? "?"}' moved to a buffer the trace did not allocate");
            return;
        }
        b.Kind = BufferKind.Variable;
        b.Variable = variable;
        b.RebindOp = Ops.Count;
        b.ReplacedBuffer = _byBase.TryGetValue(old.Pointer, out var o) ? o.Id : -1;
    }

    /// <summary>The buffer id and offset of an address a kernel received.</summary>
    public Ref Resolve(nint pointer)
    {
        if (pointer == 0) return Ref.None;
        if (_byBase.TryGetValue(pointer, out var b)) return new Ref(b.Id, 0);
        for (int i = _live.Count - 1; i >= 0; i--)
        {
            b = _live[i];
            if (pointer >= b.Base && pointer < b.Base + b.Bytes) return new Ref(b.Id, pointer - b.Base);
        }
        Fail("a kernel received an address outside every buffer the trace knows");
        return Ref.None;
    }

    /// <summary>The buffer record of <paramref name="storage"/>, if a kernel touched it or the trace made it.</summary>
    public Buffer? BufferOf(Storage storage) => _byBase.TryGetValue(storage.Pointer, out var b) ? b : null;

    // ---- Ops ----

    public void Record(Action<nint[]> run, Ref[] reads, Ref[] writes, bool selfCopy = false, OpKind kind = OpKind.Kernel, object? detail = null,
                       KernelCall? call = null,
                       [System.Runtime.CompilerServices.CallerMemberName] string kernel = "") =>
        Ops.Add(new Op(run, reads, writes, selfCopy, kernel, call) { Kind = kind, Detail = detail });

    /// <summary>
    /// C# work a replay must redo at this point of the op list (an optimizer's iteration count):
    /// the one exception to "C# side effects run at trace time only", for library state that eager
    /// steps advance.
    /// </summary>
    public void RecordHostAction(Action action) => Ops.Add(new Op(_ => action(), [], [], kernel: "HostAction") { Kind = OpKind.HostAction });

    /// <summary>
    /// C# code that writes <paramref name="variables"/> at this point of every replay (it ran
    /// unrecorded at the trace): values the host computes per step, such as a learning rate
    /// schedule's, which a recorded upload would freeze. The variables must exist before the trace.
    /// </summary>
    public void RecordHostWrite(Action write, IReadOnlyList<Variable> variables)
    {
        var writes = new Ref[variables.Count];
        for (int i = 0; i < writes.Length; i++)
        {
            var v = variables[i];
            Saw(v, v.Storage, v.Storage.Pointer);  // a variable buffer of the plan, addressed by its storage at each replay
            writes[i] = Resolve(v.Storage.Pointer);
        }
        Ops.Add(new Op(_ => write(), [], writes, kernel: "HostWrite") { Kind = OpKind.HostWrite });
    }

    /// <summary>
    /// Runs <paramref name="run"/>, one step of a collective across processes, on
    /// <paramref name="buffer"/>'s address (0 without one) now, and while a trace records on this
    /// thread appends it as an <see cref="OpKind.Collective"/> call that reads and writes the
    /// buffer in place: a replay runs it at the same point, on that replay's address of the
    /// buffer, so every rank issues the same collectives in the same order whether it runs the
    /// step eagerly, traces it or replays it. <paramref name="run"/> must depend on nothing the
    /// replay changes but the address (a per-step value, such as a gradient weight, it reads itself).
    /// </summary>
    public static void RunCollective(Tensor? buffer, Action<nint> run, string name)
    {
        nint pointer = buffer?.Data ?? 0;
        if (_current?.DryRun != true) run(pointer);
        if (_current is not { Failure: null } trace) return;
        Ref[] refs = buffer is null ? [] : [trace.Resolve(pointer)];
        var at = buffer is null ? Ref.None : refs[0];
        trace.Ops.Add(new Op(p => run(at.At(p)), refs, refs, kernel: name) { Kind = OpKind.Collective });
    }

    /// <summary>Every real backend a storage handed to the traced code (kernels ran on these only).</summary>
    public IEnumerable<IBackend> Backends => _proxies.Keys;

    private Action<byte[]>? _pendingCheck;

    /// <summary>
    /// <paramref name="tensor"/>'s values on the host, for code that reads them only to validate
    /// (label ranges). Under a trace the read does not stop the trace: a replay reads the same
    /// buffer again and runs <paramref name="replayCheck"/> on it, which throws for bad values, so
    /// a replayed step refuses bad data as the eager one does (one small host read per replay).
    /// </summary>
    public static T[] ReadChecked<T>(Tensor tensor, Action<T[]> replayCheck) where T : unmanaged
    {
        var trace = _current;
        if (trace is null) return tensor.ToArray<T>();
        trace._pendingCheck = bytes => replayCheck(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray());
        try
        {
            return tensor.ToArray<T>();
        }
        finally
        {
            trace._pendingCheck = null;
        }
    }

    /// <summary>The replay check of a host read in progress (<see cref="ReadChecked"/>), or null for a read that stops the trace.</summary>
    public Action<byte[]>? TakeCheck()
    {
        var check = _pendingCheck;
        _pendingCheck = null;
        return check;
    }

    /// <summary>The next recorded optimizer update takes its settings from <paramref name="parameters"/> at each replay (learning rate schedule, step count).</summary>
    public void SetNextOptimizerParams(Func<OptimizerParams> parameters) => _pendingOptimizerParams = parameters;

    public Func<OptimizerParams>? TakeOptimizerParams()
    {
        var p = _pendingOptimizerParams;
        _pendingOptimizerParams = null;
        return p;
    }
}
