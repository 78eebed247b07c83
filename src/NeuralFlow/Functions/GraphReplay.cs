using NeuralFlow.Backends;
using NeuralFlow.Backends.Cuda;
using Kind = NeuralFlow.FunctionTrace.OpKind;

namespace NeuralFlow;

/// <summary>
/// A <see cref="ReplayPlan"/> on a GPU replayed as CUDA graphs (issue 17): its kernel calls are
/// captured once and each later replay is one graph launch instead of one launch per kernel.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The first replay runs kernel by kernel (the trace itself was eager too); the second
/// captures. A capture runs no kernel and has no C# side effect, so a failed one (a kernel that
/// waits for the device, such as a checked Cholesky's or LU's info read) costs nothing: that replay and all later
/// ones run kernel by kernel, with the reason in <see cref="Fallback"/> and one line on standard
/// error.</item>
/// <item>A graph has fixed addresses. Inputs are copied into buffers of the graph before each
/// launch and outputs copied out of the graph's buffers after it (the caller owns fresh ones);
/// variables are updated in place, and if one has moved to another buffer the plan is captured
/// again (at most <see cref="MaxCaptures"/> times).</item>
/// <item>What changes per replay is set before each launch, in op order: C# host actions (an
/// optimizer's iteration count) run, random draws take fresh Philox counters from NF.Random and
/// optimizer steps this step's learning rate and step count, written to the graph's slots.</item>
/// <item>A host read (a label check) splits the plan: a graph up to it, the read, a graph after;
/// so does a host write (a composed optimizer's learning rate and step for this replay).
/// So does a collective across processes (DataParallel's gradient allreduce): MPI runs on the
/// host, between the graph of the calls before it and that of the calls after it.
/// So does a kernel whose check the launch reads (sparse cross-entropy's labels, Gather's and
/// ScatterAdd's indices): a bad label or index fails that launch, and the optimizer steps after
/// it never run, as eagerly. Constants the
/// trace uploaded are copied on the device from a buffer of their own.</item>
/// <item><c>NEURALFLOW_CUDA_GRAPHS=0</c> (or <see cref="TracedFunction.CudaGraphs"/> = false)
/// turns graphs off, for debugging.</item>
/// </list>
/// </remarks>
internal sealed class GraphReplay
{
    private const int MaxCaptures = 3;

    /// <summary>False when NEURALFLOW_CUDA_GRAPHS is 0, false or off.</summary>
    public static bool EnabledByDefault { get; } =
        Environment.GetEnvironmentVariable("NEURALFLOW_CUDA_GRAPHS")?.Trim().ToLowerInvariant() is not ("0" or "false" or "off");

    private sealed class Segment(FunctionTrace.Op[] ops, FunctionTrace.Op? read)
    {
        public readonly FunctionTrace.Op[] Ops = ops;
        // The host read, write or collective that ends it, run after its launch: a write (a composed optimizer's
        // learning rate) must land after the calls before it and before those after it, which one
        // graph could not do when a step writes one buffer twice (two ApplyGradients calls).
        public readonly FunctionTrace.Op? Read = read;
        public readonly CudaGraph.SlotKind[] Slots = ops.Where(o => o.Kind is Kind.Random or Kind.Optimizer)
            .Select(o => o.Kind == Kind.Random ? CudaGraph.SlotKind.Random : CudaGraph.SlotKind.Optimizer).ToArray();
        public readonly bool HasKernels = ops.Any(o => o.Kind != Kind.HostAction);  // else no graph (nothing to launch)
        public CudaGraph? Graph;
    }

    private readonly ReplayPlan _plan;
    private readonly CudaBackend _backend;
    private readonly string _name;
    private readonly Segment[] _segments;
    private readonly Dictionary<FunctionTrace.Op, DeviceBuffer> _constants = new(ReferenceEqualityComparer.Instance);
    private DeviceBuffer[]? _inputs, _outputs;
    private nint[]? _bases;  // the addresses the graphs were captured with
    private int _replays, _captures;

    /// <summary>How many replays ran as graph launches.</summary>
    public long Launches { get; private set; }

    /// <summary>Why replays run kernel by kernel instead (null while graphs are used or not tried yet).</summary>
    public string? Fallback { get; private set; }

    private GraphReplay(ReplayPlan plan, CudaBackend backend, string name)
    {
        _plan = plan;
        _backend = backend;
        _name = name;
        var segments = new List<Segment>();
        var run = new List<FunctionTrace.Op>();
        foreach (var op in plan.Ops)
        {
            if (op.Kind is Kind.HostRead or Kind.HostWrite or Kind.Collective or Kind.Control)
                segments.Add(new Segment([.. run], op));
            else if (op.Kind == Kind.CheckedKernel)
                segments.Add(new Segment([.. run, op], null));  // the launch reads the check before the next graph
            else
            {
                run.Add(op);
                continue;
            }
            run.Clear();
        }
        segments.Add(new Segment([.. run], null));
        _segments = [.. segments];
    }

    /// <summary>The graph replay of <paramref name="plan"/> when graphs are on and every kernel of <paramref name="trace"/> ran on one GPU; else null.</summary>
    public static GraphReplay? For(ReplayPlan plan, FunctionTrace trace, string name, bool enabled)
    {
        if (!enabled) return null;
        var backends = trace.Backends.Distinct().ToList();
        return backends is [CudaBackend cuda] ? new GraphReplay(plan, cuda, name) : null;
    }

    /// <summary>
    /// Runs the plan's calls as graph launches on the addresses in <paramref name="bases"/>
    /// (filled for this replay); false when the caller must run them kernel by kernel.
    /// </summary>
    public bool TryRun(nint[] bases, IReadOnlyList<Tensor> inputs)
    {
        if (Fallback is not null || _replays++ == 0) return false;
        if (ArgumentSharesAVariable(bases, inputs)) return false;
        if (_bases is null || VariablesMoved(bases))
        {
            if (_captures++ == MaxCaptures)
            {
                Fail($"its variables moved to new buffers {MaxCaptures} times, so each graph went stale");
                return false;
            }
            if (!Capture(bases, inputs)) return false;
        }
        Launch(bases, inputs);
        return true;
    }

    // An argument that is (a view of) a variable the plan updates: the graph would read its copy of
    // the argument, taken before the launch, where the eager call reads the variable as the step
    // left it; such a call replays kernel by kernel, on the variable's own buffer.
    private bool ArgumentSharesAVariable(nint[] bases, IReadOnlyList<Tensor> inputs)
    {
        foreach (var (_, input, _) in _plan.InputSlots)
        {
            var pointer = inputs[input].Storage.Pointer;
            foreach (var (id, _) in _plan.VariableSlots)
                if (bases[id] == pointer) return true;
        }
        return false;
    }

    private bool VariablesMoved(nint[] bases)
    {
        foreach (var (id, _) in _plan.VariableSlots)
            if (bases[id] != _bases![id]) return true;
        return false;
    }

    private bool Capture(nint[] bases, IReadOnlyList<Tensor> inputs)
    {
        DropGraphs();
        var graphBases = (nint[])bases.Clone();
        var inputSlots = _plan.InputSlots;
        var outputSlots = _plan.OutputSlots;
        _inputs ??= inputSlots.Select(s => _backend.Allocate(inputs[s.Input].Shape.Count * inputs[s.Input].DType.SizeInBytes())).ToArray();
        _outputs ??= outputSlots.Select(s => _backend.Allocate(s.Bytes)).ToArray();
        // Element 0 of input i sits at its base plus the offset it had at the trace.
        for (int k = 0; k < inputSlots.Length; k++) graphBases[inputSlots[k].Buffer] = _inputs[k].Pointer - (nint)inputSlots[k].OffsetBytes;
        for (int k = 0; k < outputSlots.Length; k++) graphBases[outputSlots[k].Buffer] = _outputs[k].Pointer;
        foreach (var s in _segments.Where(s => s.HasKernels))
        {
            string? failure = null;
            CudaGraph? graph = null;
            try
            {
                foreach (var op in s.Ops)
                    if (op.Kind == Kind.Upload && !_constants.ContainsKey(op)) _constants[op] = Constant((FunctionTrace.UploadDetail)op.Detail!);
                CudaGraph.BeginCapture(_backend, s.Slots.Length);
            }
            catch (Exception e)
            {
                Fail($"capturing it failed: {e.Message}");
                return false;
            }
            try
            {
                foreach (var op in s.Ops) RecordInCapture(op, graphBases);
            }
            catch (Exception e)
            {
                failure = e.Message;
            }
            finally
            {
                try
                {
                    graph = CudaGraph.EndCapture(_backend);
                }
                catch (Exception e)
                {
                    failure ??= e.Message;
                }
            }
            if (failure is null && !graph!.Slots().AsSpan().SequenceEqual(s.Slots))
                failure = "the engine took other per-launch values (slots) than the plan's random draws and optimizer steps";
            if (failure is not null)
            {
                graph?.Dispose();
                Fail($"capturing it failed: {failure}");
                return false;
            }
            s.Graph = graph;
        }
        _bases = graphBases;
        return true;
    }

    // Inside a capture: the kernels only. Host actions and fresh per-launch values come before each launch (SetUp).
    private void RecordInCapture(FunctionTrace.Op op, nint[] bases)
    {
        switch (op.Kind)
        {
            case Kind.HostAction:
                return;
            case Kind.Upload:
                var u = (FunctionTrace.UploadDetail)op.Detail!;
                if (u.Bytes.Length == 0) return;
                var bytes = Layout.Contiguous(new Shape(u.Bytes.Length));
                _backend.Copy(DType.UInt8, _constants[op].Pointer, bytes, u.Destination.At(bases) + (nint)u.ByteOffset, bytes);
                return;
            case Kind.Random:
                var r = (FunctionTrace.RandomDetail)op.Detail!;
                r.RunWith(bases, r.Seed, r.Offset);
                return;
            case Kind.Optimizer:
                var o = (FunctionTrace.OptimizerDetail)op.Detail!;
                o.RunWith(bases, o.Fixed);
                return;
            default:
                op.Run(bases);
                return;
        }
    }

    private DeviceBuffer Constant(FunctionTrace.UploadDetail upload)
    {
        var buffer = _backend.Allocate(upload.Bytes.Length);
        _backend.Upload(upload.Bytes, buffer.Pointer, 0);
        return buffer;
    }

    private void Launch(nint[] bases, IReadOnlyList<Tensor> inputs)
    {
        var inputSlots = _plan.InputSlots;
        for (int k = 0; k < inputSlots.Length; k++)
        {
            var t = inputs[inputSlots[k].Input];
            _backend.Copy(t.DType, t.Storage.Pointer, t.Layout, _inputs![k].Pointer, Layout.Contiguous(t.Shape));
        }
        foreach (var s in _segments)
        {
            SetUp(s);
            s.Graph?.Launch();
            s.Read?.Run(_bases!);
        }
        Launches++;
        var outputSlots = _plan.OutputSlots;
        for (int k = 0; k < outputSlots.Length; k++)
        {
            var (id, _, layout, dtype, _) = outputSlots[k];
            _backend.Copy(dtype, _outputs![k].Pointer, layout, bases[id], layout);
        }
    }

    // What an eager replay does on the host between its kernels, in the same order.
    private void SetUp(Segment s)
    {
        int slot = 0;
        foreach (var op in s.Ops)
            switch (op.Kind)
            {
                case Kind.HostAction:
                    op.Run(_bases!);
                    break;
                case Kind.Random:
                    if (((FunctionTrace.RandomDetail)op.Detail!).Draw is { } draw)
                    {
                        var (seed, offset) = draw();
                        s.Graph!.SetRandom(slot, seed, offset);
                    }
                    slot++;
                    break;
                case Kind.Optimizer:
                    var o = (FunctionTrace.OptimizerDetail)op.Detail!;
                    if (o.Parameters is { } parameters) s.Graph!.SetOptimizer(slot, o.Kind, o.DType, parameters());
                    slot++;
                    break;
            }
    }

    private void Fail(string reason)
    {
        Fallback = reason;
        DropGraphs();
        NF.Warn($"NF.Function '{_name}' replays kernel by kernel, not as a CUDA graph: {reason}.");
    }

    private void DropGraphs()
    {
        foreach (var s in _segments)
        {
            s.Graph?.Dispose();
            s.Graph = null;
        }
        _bases = null;
    }
}
