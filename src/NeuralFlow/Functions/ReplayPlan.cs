using NeuralFlow.Backends;
using Kind = NeuralFlow.FunctionTrace.BufferKind;

namespace NeuralFlow;

/// <summary>
/// A trace made runnable: the recorded kernel calls and a table of buffer addresses filled per
/// replay. Temporaries live in one arena allocated when the plan is made, packed by lifetime
/// (a buffer whose last reader has run gives its bytes to later ones), so a replay allocates
/// nothing but its outputs, and those only while the caller still holds the previous ones
/// (ReplayPlan.Outputs.cs). Variables are referenced through their current storage, read at each
/// replay, and buffers that existed before the trace (constants) are held by the plan.
/// </summary>
internal sealed partial class ReplayPlan
{
    private const int Alignment = 256; // a GPU's texture alignment; also a cache line multiple on CPUs

    private readonly FunctionTrace.Op[] _ops;
    private readonly nint[] _bases;
    private readonly (int Buffer, int Input, long OffsetBytes)[] _inputs;
    private readonly (int Buffer, Variable Variable)[] _variables;
    private Variable[] _written = [];
    private readonly (int Buffer, Storage Storage)[] _externals;
    private readonly (int Buffer, long Bytes, Layout Layout, DType DType, IBackend Backend)[] _outputs;
    private readonly DeviceBuffer? _arena;
    private (int Buffer, DeviceBuffer Storage)[] _constants = [];

    /// <summary>The arena's size in bytes (all temporaries of one replay).</summary>
    public long ArenaBytes { get; }

    /// <summary>Number of kernel calls (and host actions) one replay runs.</summary>
    public int OpCount => _ops.Length;

    // ---- issue 17: what GraphReplay (GraphReplay.cs) replays as CUDA graphs
    /// <summary>Runs replays as CUDA graph launches where it can; null: kernel by kernel.</summary>
    internal GraphReplay? Graph { get; set; }

    /// <summary>Times each call of kernel-by-kernel replays (NEURALFLOW_REPLAY_PROFILE=1, ReplayProfile.cs); null: off.</summary>
    internal ReplayProfile? Profile { get; set; }
    internal FunctionTrace.Op[] Ops => _ops;
    internal (int Buffer, int Input, long OffsetBytes)[] InputSlots => _inputs;
    internal (int Buffer, Variable Variable)[] VariableSlots => _variables;

    /// <summary>Whether the plan holds a control-flow step (TracedControlFlow: a loop or branch on a tensor predicate).</summary>
    internal bool HasControlFlow => Array.Exists(_ops, o => o.Kind == FunctionTrace.OpKind.Control);

    /// <summary>Whether a replay writes a variable (an assign, an optimizer step, batch-norm statistics); false: it only reads them.</summary>
    internal bool WritesVariables => _written.Length > 0;
    internal (int Buffer, long Bytes, Layout Layout, DType DType, IBackend Backend)[] OutputSlots => _outputs;

    private ReplayPlan(FunctionTrace.Op[] ops, int buffers, (int, int, long)[] inputs, (int, Variable)[] variables, (int, Storage)[] externals,
                       (int, long, Layout, DType, IBackend)[] outputs, DeviceBuffer? arena, long arenaBytes)
    {
        _ops = ops;
        _bases = new nint[buffers];
        _inputs = inputs;
        _variables = variables;
        _externals = externals;
        _outputs = outputs;
        _arena = arena;
        ArenaBytes = arenaBytes;
    }

    /// <summary>Plans <paramref name="trace"/> whose run returned <paramref name="outputs"/>; null (with trace.Failure set) when it cannot be replayed.</summary>
    public static ReplayPlan? Create(FunctionTrace trace, IReadOnlyList<Tensor> outputs)
    {
        if (trace.Failure is not null) return null;
        var buffers = trace.Buffers;
        var ops = trace.Ops;
        // Each variable's buffers (the one it had, and a fresh one if a tape made it copy on
        // write) are one slot: its storage at replay time. The old one must not be read once the
        // new one took over, or a replay writing in place would change what that reader sees.
        var canonical = new int[buffers.Count];
        for (int i = 0; i < canonical.Length; i++) canonical[i] = i;
        var variableSlot = new Dictionary<Variable, int>(ReferenceEqualityComparer.Instance);
        foreach (var b in buffers)
        {
            if (b.Kind != Kind.Variable) continue;
            if (variableSlot.TryGetValue(b.Variable!, out int slot)) canonical[b.Id] = slot;
            else variableSlot[b.Variable!] = b.Id;
            if (b.ReplacedBuffer >= 0)
                for (int j = b.RebindOp; j < ops.Count; j++)
                    if (FunctionTrace.Ref.Touches(ops[j].Reads, b.ReplacedBuffer) || FunctionTrace.Ref.Touches(ops[j].Writes, b.ReplacedBuffer))
                    {
                        trace.Fail($"variable '{b.Variable!.Name ?? "?"}' was updated in place while a gradient tape still needed its old value, and that old value was read afterwards");
                        return null;
                    }
        }
        // Outputs: fresh buffers per replay (the caller owns them), shaped as at the trace.
        var outputSpecs = new (int Buffer, long Bytes, Layout Layout, DType DType, IBackend Backend)[outputs.Count];
        var isOutput = new bool[buffers.Count];
        for (int i = 0; i < outputs.Count; i++)
        {
            var t = outputs[i];
            if (t is null)
            {
                trace.Fail($"output {i} is null");
                return null;
            }
            var b = trace.BufferOf(t.Storage);
            if (b is null || b.Kind != Kind.Temporary || isOutput[b.Id])
            {
                trace.Fail($"output {i} is not a tensor computed inside the function (an input, a variable, a tensor made outside, or another output)");
                return null;
            }
            isOutput[b.Id] = true;
            // Field by field: the tuple's constructor is a framework generic over Layout (JIT-compiled; PlanPassGenericsTests).
            ref var spec = ref outputSpecs[i];
            (spec.Buffer, spec.Bytes, spec.Layout, spec.DType, spec.Backend) = (b.Id, b.Bytes, t.Layout, t.DType, b.Backend!);
        }
        // Remap every reference to its canonical buffer and drop copies of a buffer onto itself
        // (a variable's copy-on-write, once both sides are the variable).
        var planned = new List<ElementwiseFusion.Planned>(ops.Count);
        // A temporary read before any recorded write was filled by something the trace did not
        // see (a backend reached other than through a storage): its replay would read garbage.
        var written = new bool[buffers.Count];
        foreach (var op in ops)
        {
            var reads = Canonical(op.Reads, canonical);
            var writes = Canonical(op.Writes, canonical);
            if (op.SelfCopy && reads[0] == writes[0]) continue;
            foreach (var r in reads)
                if (r.Buffer >= 0 && buffers[r.Buffer].Kind == Kind.Temporary && !written[r.Buffer])
                {
                    trace.Fail("a kernel read a temporary buffer whose contents were written outside the trace's view");
                    return null;
                }
            foreach (var w in writes)
                if (w.Buffer >= 0) written[w.Buffer] = true;
            planned.Add(new(op, reads, writes));
        }
        // Calls whose results nothing reads are dropped (DeadCodeElimination), those that compute
        // constants run once now (ConstantFolding), and chains of elementwise calls become one
        // pass each (ElementwiseFusion); the intermediates they leave out get no arena bytes below.
        planned = DeadCodeElimination.Prune(planned, buffers, isOutput);
        var (replayed, constantOps, isConstant) = ConstantFolding.Split(planned, buffers, isOutput);
        // A linear layer's logits, cross-entropy and weight gradient: one call reading x once (LinearCrossEntropyFusion).
        replayed = LinearCrossEntropyFusion.Fuse(replayed, buffers, isOutput);
        // A batch's row gather read only by matrix products: products that read the rows through the indices (GatherMatMulFusion).
        replayed = GatherMatMulFusion.Fuse(replayed, buffers, isOutput);
        planned = ElementwiseFusion.Fuse(replayed, buffers, isOutput);
        // Plain loops and arrays below, no LINQ: this runs at every trace, and LINQ or lists over
        // the library's structs and tuples are framework generics that ReadyToRun cannot
        // precompile, JIT-compiled in a process's first traced step (ElementwiseFusion.Planned).
        var kept = new FunctionTrace.Op[planned.Count];
        var first = new int[buffers.Count];
        var last = new int[buffers.Count];
        for (int id = 0; id < first.Length; id++) (first[id], last[id]) = (int.MaxValue, -1);
        for (int index = 0; index < planned.Count; index++)
        {
            kept[index] = planned[index].Op;
            Span(planned[index].Reads, index, first, last);
            Span(planned[index].Writes, index, first, last);
        }
        // The arena: temporaries placed first-fit among those whose lifetimes overlap theirs, in
        // the order of their first use (then of their ids).
        var order = TemporariesByFirstUse(buffers, isOutput, isConstant, first, last, planned.Count);
        int placeable = order.Length;
        IBackend? arenaBackend = null;
        var offsets = new long[buffers.Count];
        var placed = new Placed[placeable];  // the live placements, by offset
        int live = 0;
        long arenaBytes = 0;
        for (int o = 0; o < placeable; o++)
        {
            var b = buffers[order[o]];
            if (arenaBackend is null) arenaBackend = b.Backend;
            else if (!ReferenceEquals(arenaBackend, b.Backend))
            {
                trace.Fail("the function computes on more than one device");
                return null;
            }
            int remaining = 0;
            for (int p = 0; p < live; p++)
                if (placed[p].Last >= first[b.Id]) placed[remaining++] = placed[p];
            live = remaining;
            long size = (Math.Max(b.Bytes, 1) + Alignment - 1) / Alignment * Alignment, at = 0;
            int slot = 0;
            for (; slot < live; slot++)
            {
                if (placed[slot].Offset - at >= size) break;
                at = Math.Max(at, placed[slot].Offset + placed[slot].Size);
            }
            // The live placements stay sorted by offset: the new one goes into the gap it fits (slot), or last.
            Array.Copy(placed, slot, placed, slot + 1, live - slot);
            placed[slot] = new Placed { Offset = at, Size = size, Last = last[b.Id] };
            live++;
            offsets[b.Id] = at;
            arenaBytes = Math.Max(arenaBytes, at + size);
        }
        var arena = arenaBackend is null ? null : arenaBackend.Allocate(arenaBytes);
        int ninputs = 0, nvariables = 0, nexternals = 0, nconstants = 0;
        foreach (var b in buffers)
        {
            if (b.Kind == Kind.Input) ninputs++;
            else if (b.Kind == Kind.Variable) nvariables++;
            else if (b.Kind == Kind.External && last[b.Id] >= 0) nexternals++;
            if (isConstant[b.Id]) nconstants++;
        }
        var inputs = new (int Buffer, int Input, long OffsetBytes)[ninputs];
        // Every buffer of a variable (its fresh copy-on-write one too) is addressed by its storage at replay time.
        var variables = new (int, Variable)[nvariables];
        var externals = new (int Id, Storage Storage)[nexternals];
        var constants = new (int Id, DeviceBuffer Buffer)[nconstants];
        (ninputs, nvariables, nexternals, nconstants) = (0, 0, 0, 0);
        foreach (var b in buffers)
        {
            if (b.Kind == Kind.Input)
            {
                ref var input = ref inputs[ninputs++];  // field by field, as the outputs' specs
                (input.Buffer, input.Input, input.OffsetBytes) = (b.Id, b.Input, b.InputOffsetBytes);
            }
            else if (b.Kind == Kind.Variable) variables[nvariables++] = (b.Id, b.Variable!);
            else if (b.Kind == Kind.External && last[b.Id] >= 0) externals[nexternals++] = (b.Id, b.Storage!);
        }
        foreach (var (_, s) in externals) s.AddRef(); // the plan reads them at every replay: they must outlive their owners
        var plan = new ReplayPlan(kept, buffers.Count, inputs, variables, externals, outputSpecs, arena, arenaBytes);
        plan._written = WrittenVariables(planned, buffers);
        foreach (var b in buffers)
            if (b.Kind == Kind.Temporary && !isOutput[b.Id]) plan._bases[b.Id] = arena is null ? 0 : arena.Pointer + (nint)offsets[b.Id];
        foreach (var (id, s) in externals) plan._bases[id] = s.Pointer;
        // Constants (ConstantFolding): computed once, now, into buffers of their own.
        foreach (var b in buffers)
            if (isConstant[b.Id]) constants[nconstants++] = (b.Id, b.Backend!.Allocate(Math.Max(b.Bytes, 1)));
        plan._constants = constants;
        foreach (var (id, buffer) in constants) plan._bases[id] = buffer.Pointer;
        foreach (var op in constantOps) op.Op.Run(plan._bases);
        return plan;
    }

    // The variables a kept call writes (references are canonical: one slot per variable).
    private static Variable[] WrittenVariables(List<ElementwiseFusion.Planned> planned, IReadOnlyList<FunctionTrace.Buffer> buffers)
    {
        var written = new List<Variable>();
        foreach (var p in planned)
            foreach (var w in p.Writes)
                if (w.Buffer >= 0 && buffers[w.Buffer] is { Kind: Kind.Variable, Variable: { } v } && !written.Contains(v)) written.Add(v);
        return written.ToArray();
    }

    private static FunctionTrace.Ref[] Canonical(FunctionTrace.Ref[] refs, int[] canonical)
    {
        var result = new FunctionTrace.Ref[refs.Length];
        for (int i = 0; i < refs.Length; i++)
            result[i] = refs[i].Buffer < 0 ? refs[i] : refs[i] with { Buffer = canonical[refs[i].Buffer] };
        return result;
    }

    // Widens each referenced buffer's lifetime [first, last] to include op `index`.
    private static void Span(FunctionTrace.Ref[] refs, int index, int[] first, int[] last)
    {
        foreach (var r in refs)
            if (r.Buffer >= 0)
            {
                first[r.Buffer] = Math.Min(first[r.Buffer], index);
                last[r.Buffer] = Math.Max(last[r.Buffer], index);
            }
    }

    // An arena placement: its bytes and the last op that uses them.
    private struct Placed
    {
        public long Offset, Size;
        public int Last;
    }

    // The arena's temporaries (used by a replayed call, not outputs nor constants) by first use,
    // then by id: a counting sort over the op indices.
    private static int[] TemporariesByFirstUse(IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput, bool[] isConstant,
                                               int[] first, int[] last, int opCount)
    {
        var starts = new int[opCount + 1];
        int count = 0;
        for (int id = 0; id < buffers.Count; id++)
            if (InArena(id))
            {
                starts[first[id] + 1]++;
                count++;
            }
        for (int i = 0; i < opCount; i++) starts[i + 1] += starts[i];
        var order = new int[count];
        for (int id = 0; id < buffers.Count; id++)
            if (InArena(id)) order[starts[first[id]]++] = id;
        return order;

        bool InArena(int id) => buffers[id].Kind == Kind.Temporary && !isOutput[id] && !isConstant[id] && last[id] >= 0;
    }

    /// <summary>The calls one replay runs, one per line (kernel name and op), to see what fusion did.</summary>
    public string Describe() => string.Join("\n", _ops.Select(o => o.Kernel + (o.Call is { Kind: CallKind.Binary or CallKind.Unary or CallKind.Cast } c ? $" {c.OpName} {c.OutLayout.Shape}" : "")));

    /// <summary>Why this plan cannot run now (a variable a tape saved, a freed constant), or null.</summary>
    public string? CannotReplay()
    {
        foreach (var (_, v) in _variables)
        {
            if (v.IsDisposed) return $"variable '{v.Name ?? "?"}' was disposed";
            var s = v.Storage;
            // Only a plan that writes variables must not run on a buffer a tape saved; reading it is what the tape wants.
            if (s.SavedByTape && Array.IndexOf(_written, v) >= 0) return $"variable '{v.Name ?? "?"}' is saved by a recording gradient tape (an eager step would copy it on write)";
            if (v.Layout.Offset != 0 || !v.Layout.IsContiguous) return $"variable '{v.Name ?? "?"}' is not a packed buffer";
        }
        foreach (var (_, s) in _externals)
            if (s.IsFreed) return "a tensor the function captured was freed";
        return null;
    }

    /// <summary>Runs the recorded calls on <paramref name="inputs"/> (packed, shaped as at the trace) and returns fresh outputs.</summary>
    [MethodImpl(Hot)]
    public Tensor[] Replay(IReadOnlyList<Tensor> inputs)
    {
        var bases = _bases;
        // The kernels' layouts carry the trace's offsets: an input whose element 0 sits elsewhere
        // in its buffer (another row slice) shifts its base by the difference.
        foreach (var (id, i, offset) in _inputs) bases[id] = inputs[i].Storage.Pointer + (nint)(Operands.ByteOffset(inputs[i]) - offset);
        foreach (var (id, v) in _variables) bases[id] = v.Storage.Pointer;
        var results = new Tensor[_outputs.Length];
        for (int i = 0; i < results.Length; i++)
        {
            var (id, bytes, layout, dtype, backend) = _outputs[i];
            var storage = OutputStorage(i, backend, bytes);
            bases[id] = storage.Pointer;
            results[i] = new Tensor(storage, layout, dtype);
        }
        if (Graph?.TryRun(bases, inputs) != true)
        {
            if (Profile is { } profile) profile.Run(_ops, bases);
            else
                foreach (var op in _ops) op.Run(bases);
        }
        // Versions move for what was written only: a tape that saved a variable the plan merely read still holds its value.
        foreach (var v in _written) v.Storage.BumpVersion();
        GC.KeepAlive(inputs);
        GC.KeepAlive(_arena);
        GC.KeepAlive(_constants);
        return results;
    }
}
