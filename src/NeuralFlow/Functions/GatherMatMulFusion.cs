using NeuralFlow.Backends;
using Kind = NeuralFlow.FunctionTrace.BufferKind;
using MatMulCall = NeuralFlow.LinearCrossEntropyFusion.MatMulCall;
using Planned = NeuralFlow.ElementwiseFusion.Planned;
using R = NeuralFlow.FunctionTrace.Ref;

namespace NeuralFlow;

/// <summary>
/// Issue 17's Fit bar at plan time: a traced step that gathers a shuffled batch's rows,
/// g = Gather(x, indices) along axis 0, and reads g only as the first operand of matrix products
/// (the first dense layer's forward g @ w and its weight gradient g^T @ dz, through the Flatten's
/// view), runs each product as one <see cref="IBackend.GatherMatMul"/> call and drops the gather.
/// On the CPU engine those read x's rows through the indices: the gather was a copy of every
/// batch (800 KB of random 3 KB rows a step for Fashion-MNIST at batch 256, 15-20% of an epoch),
/// and the product reads the rows once either way. Same bits as the separate calls (the kernel
/// sums in the order of the product on the gathered copy). The gather's buffer stays in the plan
/// for engines that run the calls separately (the managed engine, which fuses the same steps so
/// that both replay one plan). Anything that does not match (g read by another kind of call or as
/// a second operand, an output, x or the indices written in between, a shape the CPU kernel
/// declines) keeps the gather.
/// </summary>
internal static class GatherMatMulFusion
{
    /// <summary>A recorded Gather's settings (<see cref="FunctionTrace.Op.Detail"/>).</summary>
    /// <remarks>A class, not a record: a record's generated equality over a Layout is a framework generic (PlanPassGenericsTests).</remarks>
    internal sealed class GatherCall(DType dtype, Layout x, int axis, DType indexDType, long indexCount, IBackend backend)
    {
        public DType DType { get; } = dtype;
        public Layout X { get; } = x;
        public int Axis { get; } = axis;
        public DType IndexDType { get; } = indexDType;
        public long IndexCount { get; } = indexCount;
        public IBackend Backend { get; } = backend;
    }

    // The fused call's references, in this order (the recorder's and the pass's runner).
    private const int X = 0, Indices = 1, B = 2, G = 3, Out = 4;

    /// <summary>True when NEURALFLOW_FUSION=0 (all fusion) or NEURALFLOW_FUSION_GATHER=0 (this pass alone) turns it off.</summary>
    public static bool Disabled => ElementwiseFusion.Disabled || Environment.GetEnvironmentVariable("NEURALFLOW_FUSION_GATHER") == "0";

    /// <summary>The replay closure of one fused call: <paramref name="call"/>'s layouts with each replay's addresses.</summary>
    public static Action<nint[]> Runner(IBackend backend, GatherMatMulCall call, R[] refs) => bases =>
        backend.GatherMatMul(call with
        {
            X = refs[X].At(bases), Indices = refs[Indices].At(bases), B = refs[B].At(bases), G = refs[G].At(bases), Output = refs[Out].At(bases),
        });

    /// <summary>
    /// What the call reads and writes. The first product writes G (run separately, it gathers into
    /// it) and the later ones read it, so G lives in the arena from the first to the last.
    /// </summary>
    public static (R[] Reads, R[] Writes) Access(R[] refs, bool gatherFirst) =>
        gatherFirst ? ([refs[X], refs[Indices], refs[B]], [refs[G], refs[Out]]) : ([refs[X], refs[Indices], refs[B], refs[G]], [refs[Out]]);

    /// <summary><paramref name="ops"/> with each matching gather removed and its products replaced by fused calls.</summary>
    public static List<Planned> Fuse(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        if (Disabled) return ops;
        PlanEdits? edits = null;
        for (int i = 0; i < ops.Count; i++)
        {
            if (ops[i].Op.Detail is not GatherCall gather || Match(ops, i, gather, buffers, isOutput) is not { } fused) continue;
            edits ??= new PlanEdits(ops.Count);
            edits.Remove(i);
            foreach (var (at, op) in fused) edits.Replace(at, op);
        }
        return edits is null ? ops : edits.Apply(ops);
    }

    // x as [L, K] rows with unit column stride (its axes after the first packed), or null.
    private static Layout? Rows(in Layout x)
    {
        if (x.Rank < 2) return null;
        long k = 1;
        for (int d = x.Rank - 1; d >= 1; d--)
        {
            if (x.Shape[d] != 1 && x.Strides[d] != k) return null;
            k *= x.Shape[d];
        }
        if (k == 0 || k > int.MaxValue || x.Strides[0] < k) return null;
        return new Layout(new Shape(x.Shape[0], (int)k), [x.Strides[0], 1], x.Offset);
    }

    private static bool Is(in Layout l, int rows, int cols, long rowStride, long colStride) =>
        l.Rank == 2 && l.Offset == 0 && l.Shape[0] == rows && l.Shape[1] == cols && l.Strides[0] == rowStride && l.Strides[1] == colStride;

    // The fused products (position, call) replacing the gather at `i` and its readers; null when it does not match.
    private static List<(int At, Planned Op)>? Match(List<Planned> ops, int i, GatherCall gather, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        if (gather.Axis != 0 || gather.DType != DType.Float32 || gather.IndexDType is not (DType.Int32 or DType.Int64) ||
            gather.IndexCount <= 0 || gather.IndexCount > int.MaxValue)
            return null;
        if (gather.Backend is not (Backends.Native.NativeCpuBackend or Backends.Managed.ManagedBackend)) return null;
        if (Rows(gather.X) is not { } rows) return null;
        R x = ops[i].Reads[0], indices = ops[i].Reads[1], g = ops[i].Writes[0];
        if (g.Buffer < 0 || g.Offset != 0 || buffers[g.Buffer].Kind != Kind.Temporary || isOutput[g.Buffer] || x.Buffer == g.Buffer) return null;
        int n = (int)gather.IndexCount, k = rows.Shape[1];
        var fused = new List<(int, Planned)>();
        int last = i;
        for (int j = i + 1; j < ops.Count; j++)
        {
            bool reads = R.Touches(ops[j].Reads, g.Buffer);
            if (R.Touches(ops[j].Writes, g.Buffer)) return null;  // G rewritten (a temporary reused in place): leave it
            if (!reads) continue;
            // A product reading g (only) as its first operand, [n, K] row-major or its transpose.
            if (ops[j].Op.Detail is not MatMulCall m || m.DType != gather.DType || !ReferenceEquals(m.Backend, gather.Backend) ||
                ops[j].Reads[0] != g || ops[j].Reads[1].Buffer == g.Buffer)
                return null;
            bool transposed;
            if (Is(m.A, n, k, k, 1)) transposed = false;
            else if (Is(m.A, k, n, 1, k)) transposed = true;
            else return null;
            if (m.B.Rank != 2 || m.Out.Rank != 2 || !m.Out.IsContiguous || m.Out.Offset != 0) return null;
            var call = new GatherMatMulCall
            {
                DType = gather.DType, XLayout = gather.X, XRows = rows, IndexDType = gather.IndexDType, IndexCount = n, GLayout = m.A,
                TransposeG = transposed, BLayout = m.B, OutLayout = m.Out, GatherFirst = fused.Count == 0,
            };
            if (!Worth(gather.Backend, call)) return null;
            var (r, w) = Access(RefsOf(ops[i], ops[j], recorded: false), call.GatherFirst);
            var op = new FunctionTrace.Op(Runner(gather.Backend, call, RefsOf(ops[i], ops[j], recorded: true)), r, w,
                                          kernel: $"GatherMatMul {(transposed ? "g^T" : "g")} ({n}, {k}) @ {m.B.Shape}");
            fused.Add((j, new Planned(op, r, w)));
            last = j;
        }
        if (fused.Count == 0) return null;
        // The products run where they were, so nothing between the gather and the last of them may write x or the indices.
        for (int j = i + 1; j <= last; j++)
            foreach (var w in ops[j].Writes)
                if (w.Buffer >= 0 && (w.Buffer == x.Buffer || w.Buffer == indices.Buffer)) return null;
        return fused;
    }

    // The fused call's references (x, indices, b, G, out): as recorded (what replay binds) or as
    // planned (canonical buffers, what the plan's ordering compares).
    private static R[] RefsOf(Planned gather, Planned product, bool recorded)
    {
        var (gr, gw, pr, pw) = recorded ? (gather.Op.Reads, gather.Op.Writes, product.Op.Reads, product.Op.Writes)
                                        : (gather.Reads, gather.Writes, product.Reads, product.Writes);
        return [gr[0], gr[1], pr[1], gw[0], pw[0]];
    }

    // Fused where the CPU engine's kernel takes the shapes (elsewhere the call makes the separate
    // calls, which gains nothing). The managed engine fuses the same steps as the CPU engine would,
    // so both replay one plan.
    private static bool Worth(IBackend backend, in GatherMatMulCall call) =>
        (backend is Backends.Managed.ManagedBackend ? BackendRegistry.NativeCpu : backend) is Backends.Native.NativeCpuBackend cpu &&
        cpu.FusesGatherMatMul(call);
}
