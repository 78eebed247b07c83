using NeuralFlow.Backends;
using Kind = NeuralFlow.FunctionTrace.BufferKind;
using Planned = NeuralFlow.ElementwiseFusion.Planned;
using R = NeuralFlow.FunctionTrace.Ref;

namespace NeuralFlow;

/// <summary>
/// Issue 17's logistic-regression bar at plan time: the recorded chain of a linear layer trained
/// with sparse softmax cross-entropy, logits0 = MatMul(x, w), logits = Add(logits0, bias) (when
/// there is a bias), (loss, grad) = SoftmaxCrossEntropy(logits, labels), dlogits = Mul(scale,
/// grad), dw = MatMul(x^T, dlogits) with x^T a view of the same x, becomes one
/// <see cref="IBackend.LinearCrossEntropy"/> call. On the CPU engine that reads x once instead of
/// twice (for a full batch of 60000 x 784, x is 188 MB and each read ~6 ms); the call has the bits
/// of the separate calls (nf_linear_cross_entropy reuses their blocks; the managed engine makes
/// them). Intermediates that other calls read (the bias gradient's Reduce reads dlogits) are still
/// written; anything else that does not match (another x, a logits0 read elsewhere, an operand
/// written in between, other engines) keeps the separate calls.
/// </summary>
internal static class LinearCrossEntropyFusion
{
    /// <summary>A recorded MatMul's settings (<see cref="FunctionTrace.Op.Detail"/>).</summary>
    /// <remarks>Classes, not records: a record's generated equality over a Layout is a framework generic (PlanPassGenericsTests).</remarks>
    internal sealed class MatMulCall(DType dtype, Layout a, Layout b, Layout output, IBackend backend)
    {
        public DType DType { get; } = dtype;
        public Layout A { get; } = a;
        public Layout B { get; } = b;
        public Layout Out { get; } = output;
        public IBackend Backend { get; } = backend;
    }

    /// <summary>A recorded SoftmaxCrossEntropy's settings (<see cref="FunctionTrace.Op.Detail"/>).</summary>
    internal sealed class CrossEntropyCall(DType dtype, Layout logits, DType labelDType, bool sparse)
    {
        public DType DType { get; } = dtype;
        public Layout Logits { get; } = logits;
        public DType LabelDType { get; } = labelDType;
        public bool Sparse { get; } = sparse;
    }

    // The fused call's references, in this order (the recorder's and the pass's runner).
    private const int X = 0, W = 1, Bias = 2, Labels = 3, Scale = 4, Logits0 = 5, Logits = 6, Grad = 7, DLogits = 8, Loss = 9, DW = 10, RefCount = 11;

    /// <summary>True when NEURALFLOW_FUSION=0 (all fusion) or NEURALFLOW_FUSION_LCE=0 (this pass alone) turns it off.</summary>
    public static bool Disabled => ElementwiseFusion.Disabled || Environment.GetEnvironmentVariable("NEURALFLOW_FUSION_LCE") == "0";

    /// <summary>The replay closure of one fused call: <paramref name="call"/>'s layouts with each replay's addresses.</summary>
    public static Action<nint[]> Runner(IBackend backend, LinearCrossEntropyCall call, R[] refs) => bases =>
        backend.LinearCrossEntropy(call with
        {
            X = refs[X].At(bases), W = refs[W].At(bases), Bias = refs[Bias].At(bases), Labels = refs[Labels].At(bases),
            Scale = refs[Scale].At(bases), Logits0 = refs[Logits0].At(bases), Logits = refs[Logits].At(bases), Grad = refs[Grad].At(bases),
            DLogits = refs[DLogits].At(bases), Loss = refs[Loss].At(bases), DW = refs[DW].At(bases),
        });

    /// <summary>What the call reads and writes (references that are not <see cref="R.None"/>).</summary>
    public static (R[] Reads, R[] Writes) Access(R[] refs) => (Present(refs, X, Scale), Present(refs, Logits0, DW));

    private static R[] Present(R[] refs, int from, int to)
    {
        int count = 0;
        for (int i = from; i <= to; i++)
            if (refs[i].Buffer >= 0) count++;
        var result = new R[count];
        for (int i = from, at = 0; i <= to; i++)
            if (refs[i].Buffer >= 0) result[at++] = refs[i];
        return result;
    }

    /// <summary><paramref name="ops"/> with each matching chain replaced by one call, placed where its first MatMul was.</summary>
    public static List<Planned> Fuse(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        if (Disabled) return ops;
        PlanEdits? edits = null;
        for (int i = 0; i < ops.Count; i++)
        {
            if (edits is not null && edits.Removed(i)) continue;
            if (Match(ops, i, buffers, isOutput, out var chain) is not { } fused) continue;
            edits ??= new PlanEdits(ops.Count);
            edits.Replace(i, fused);
            foreach (int j in chain) edits.Remove(j);
        }
        return edits is null ? ops : edits.Apply(ops);
    }

    private static bool Packed(in Layout l, int rows, int cols) =>
        l.Rank == 2 && l.Shape[0] == rows && l.Shape[1] == cols && l.Offset == 0 && l.IsContiguous;

    private static bool IsTransposeOf(in Layout t, in Layout l) =>
        t.Rank == 2 && l.Rank == 2 && t.Offset == l.Offset && t.Shape[0] == l.Shape[1] && t.Shape[1] == l.Shape[0] &&
        t.Strides[0] == l.Strides[1] && t.Strides[1] == l.Strides[0];

    // The ops after `after` that read `buffer`.
    private static List<int> Readers(List<Planned> ops, int after, int buffer)
    {
        var result = new List<int>();
        for (int j = after + 1; j < ops.Count; j++)
            if (R.Touches(ops[j].Reads, buffer)) result.Add(j);
        return result;
    }

    // Which operand of a two-input call reads `r` (with the layout `packed` requires), or -1.
    private static int OperandOf(Planned op, KernelCall call, R r, int rows, int cols)
    {
        int found = -1;
        for (int k = 0; k < 2; k++)
            if (op.Reads[k].Buffer == r.Buffer)
            {
                if (found >= 0 || op.Reads[k] != r || !Packed(call.InLayout(k), rows, cols)) return -1;
                found = k;
            }
        return found;
    }

    private static bool IsTemporary(IReadOnlyList<FunctionTrace.Buffer> buffers, R r) => r.Buffer >= 0 && buffers[r.Buffer].Kind == Kind.Temporary;

    // A matched chain: the calls' positions in the plan, which operand of the add and the multiply
    // is the chain's own, the layouts the fused call takes, and how many calls read each intermediate.
    // A class, not a record (PlanPassGenericsTests).
    private sealed class Chain(int matMul, MatMulCall forward)
    {
        public int MatMulAt { get; } = matMul;
        public MatMulCall Forward { get; } = forward;
        public int N => Forward.A.Shape[0];
        public int C => Forward.B.Shape[1];
        public int AddAt = -1, AddSelf, LossAt, ScaleAt, ScaleSelf, GradientAt;
        public CrossEntropyCall? LossCall;
        public MatMulCall? Backward;
        public Layout BiasLayout, ScaleLayout;
        public int LogitsReaders, GradReaders, DLogitsReaders;
        public bool Contains(int j) => j == MatMulAt || j == AddAt || j == LossAt || j == ScaleAt || j == GradientAt;

        // The fused call's references: from the recorded ops (what replay binds) or from the planned ones
        // (canonical buffers, what the plan's ordering checks compare).
        public R[] Refs(List<Planned> ops, bool recorded)
        {
            R[] In(int j) => recorded ? ops[j].Op.Reads : ops[j].Reads;
            R[] Out(int j) => recorded ? ops[j].Op.Writes : ops[j].Writes;
            var refs = new R[RefCount];
            for (int r = 0; r < RefCount; r++) refs[r] = R.None;
            (refs[X], refs[W], refs[Logits]) = (In(MatMulAt)[0], In(MatMulAt)[1], Out(MatMulAt)[0]);
            if (AddAt >= 0) (refs[Bias], refs[Logits0], refs[Logits]) = (In(AddAt)[1 - AddSelf], Out(MatMulAt)[0], Out(AddAt)[0]);
            (refs[Labels], refs[Loss], refs[Grad]) = (In(LossAt)[1], Out(LossAt)[0], Out(LossAt)[1]);
            (refs[Scale], refs[DLogits]) = (In(ScaleAt)[1 - ScaleSelf], Out(ScaleAt)[0]);
            refs[DW] = Out(GradientAt)[0];
            return refs;
        }
    }

    // The fused call for the chain that starts with the MatMul at `i`, and the indices of the chain's other calls; null when it does not match.
    private static Planned? Match(List<Planned> ops, int i, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput, out List<int> chain)
    {
        chain = [];
        if (Linear(ops[i], buffers) is not { } m) return null;
        var ch = new Chain(i, m);
        if (!BiasAdd(ops, buffers, isOutput, ch) || !CrossEntropy(ops, buffers, ch) || !LossScale(ops, buffers, ch) ||
            !WeightGradient(ops, buffers, ch) || !Movable(ops, ch))
            return null;
        var keep = LinearCrossEntropyKeep.None;
        if (isOutput[ops[ch.LossAt].Reads[0].Buffer] || ch.LogitsReaders > 1) keep |= LinearCrossEntropyKeep.Logits;
        if (isOutput[ops[ch.LossAt].Writes[1].Buffer] || ch.GradReaders > 1) keep |= LinearCrossEntropyKeep.Grad;
        if (isOutput[ops[ch.ScaleAt].Writes[0].Buffer] || ch.DLogitsReaders > 1) keep |= LinearCrossEntropyKeep.DLogits;
        var call = new LinearCrossEntropyCall
        {
            DType = m.DType, XLayout = m.A, XtLayout = ch.Backward!.A, WLayout = m.B, BiasLayout = ch.BiasLayout, LabelDType = ch.LossCall!.LabelDType,
            ScaleLayout = ch.ScaleLayout, DWLayout = ch.Backward.Out, Keep = keep,
        };
        if (!Worth(m.Backend, call)) return null;
        foreach (int j in new[] { ch.AddAt, ch.LossAt, ch.ScaleAt, ch.GradientAt })
            if (j >= 0) chain.Add(j);
        var (reads, writes) = Access(ch.Refs(ops, recorded: false));
        var name = $"LinearCrossEntropy {m.A.Shape} @ {m.B.Shape}";
        var op = new FunctionTrace.Op(Runner(m.Backend, call, ch.Refs(ops, recorded: true)), reads, writes, kernel: name)
        {
            Kind = FunctionTrace.OpKind.CheckedKernel,
        };
        return new Planned(op, reads, writes);
    }

    // logits0 = x @ w: a float matrix product into a packed temporary, on an engine the pass serves.
    private static MatMulCall? Linear(Planned first, IReadOnlyList<FunctionTrace.Buffer> buffers)
    {
        if (first.Op.Detail is not MatMulCall m || m.DType is not (DType.Float32 or DType.Float64)) return null;
        if (m.Backend is not (Backends.Native.NativeCpuBackend or Backends.Managed.ManagedBackend)) return null;
        if (m.A.Rank != 2 || m.B.Rank != 2 || m.Out.Rank != 2) return null;
        R l0 = first.Writes[0];
        return Packed(m.Out, m.A.Shape[0], m.B.Shape[1]) && IsTemporary(buffers, l0) && l0.Offset == 0 ? m : null;
    }

    // logits = logits0 + bias when logits0's only reader is such an add; no add leaves logits = logits0.
    private static bool BiasAdd(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput, Chain ch)
    {
        R l0 = ops[ch.MatMulAt].Writes[0];
        var readers = Readers(ops, ch.MatMulAt, l0.Buffer);
        if (readers.Count == 0) return false;
        int at = readers[0];
        if (ops[at].Op.Call is not { Kind: CallKind.Binary, Code: (int)BinaryOp.Add } add) return true;
        int self = OperandOf(ops[at], add, l0, ch.N, ch.C);
        if (self < 0 || readers.Count != 1 || isOutput[l0.Buffer] || add.InDType != ch.Forward.DType || !Packed(add.OutLayout, ch.N, ch.C)) return false;
        R logits = ops[at].Writes[0];
        if (!IsTemporary(buffers, logits) || logits.Offset != 0) return false;
        (ch.AddAt, ch.AddSelf, ch.BiasLayout) = (at, self, add.InLayout(1 - self));
        return true;
    }

    // (loss, grad) = sparse SoftmaxCrossEntropy(logits, labels): the first of the logits' readers that is one.
    private static bool CrossEntropy(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, Chain ch)
    {
        int writer = ch.AddAt >= 0 ? ch.AddAt : ch.MatMulAt;
        R logits = ops[writer].Writes[0];
        var readers = Readers(ops, writer, logits.Buffer);
        ch.LogitsReaders = readers.Count;
        int at = readers.FindIndex(j => ops[j].Op.Detail is CrossEntropyCall);
        if (at < 0) return false;
        var ce = ops[readers[at]];
        var e = (CrossEntropyCall)ce.Op.Detail!;
        if (!e.Sparse || e.DType != ch.Forward.DType || ce.Reads[0] != logits || !Packed(e.Logits, ch.N, ch.C)) return false;
        R loss = ce.Writes[0], grad = ce.Writes[1];
        if (!IsTemporary(buffers, grad) || grad.Offset != 0 || loss.Buffer < 0) return false;
        (ch.LossAt, ch.LossCall) = (readers[at], e);
        return true;
    }

    // dlogits = scale * grad (the loss's reduction): the gradient's first reader, the other operand [N, C].
    private static bool LossScale(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, Chain ch)
    {
        R grad = ops[ch.LossAt].Writes[1];
        var readers = Readers(ops, ch.LossAt, grad.Buffer);
        ch.GradReaders = readers.Count;
        if (readers.Count == 0) return false;
        var mul = ops[readers[0]];
        if (mul.Op.Call is not { Kind: CallKind.Binary, Code: (int)BinaryOp.Mul } mc || mc.InDType != ch.Forward.DType || !Packed(mc.OutLayout, ch.N, ch.C)) return false;
        int g = OperandOf(mul, mc, grad, ch.N, ch.C);
        if (g < 0 || mc.InLayout(1 - g).Shape[0] != ch.N || mc.InLayout(1 - g).Shape[1] != ch.C) return false;
        R dlogits = mul.Writes[0];
        if (!IsTemporary(buffers, dlogits) || dlogits.Offset != 0) return false;
        (ch.ScaleAt, ch.ScaleSelf, ch.ScaleLayout) = (readers[0], g, mc.InLayout(1 - g));
        return true;
    }

    // dw = x^T @ dlogits: a reader of dlogits multiplying a transposed view of the same x.
    private static bool WeightGradient(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, Chain ch)
    {
        R x = ops[ch.MatMulAt].Reads[0], dlogits = ops[ch.ScaleAt].Writes[0];
        var m = ch.Forward;
        int k = m.A.Shape[1];
        var readers = Readers(ops, ch.ScaleAt, dlogits.Buffer);
        ch.DLogitsReaders = readers.Count;
        foreach (int j in readers)
            if (ops[j].Op.Detail is MatMulCall t && ops[j].Reads[0] == x && ops[j].Reads[1] == dlogits && IsTransposeOf(t.A, m.A) &&
                Packed(t.B, ch.N, ch.C) && Packed(t.Out, k, ch.C) && t.DType == m.DType)
            {
                if (!IsTemporary(buffers, ops[j].Writes[0])) return false;
                (ch.GradientAt, ch.Backward) = (j, t);
                return true;
            }
        return false;
    }

    // The fused call runs where the MatMul was: nothing between it and the weight gradient may write what the chain reads or writes.
    private static bool Movable(List<Planned> ops, Chain ch)
    {
        var (reads, writes) = Access(ch.Refs(ops, recorded: false));
        for (int j = ch.MatMulAt + 1; j < ch.GradientAt; j++)
        {
            if (ch.Contains(j)) continue;
            foreach (var w in ops[j].Writes)
                if (w.Buffer >= 0 && (R.Touches(reads, w.Buffer) || R.Touches(writes, w.Buffer))) return false;
        }
        return true;
    }

    // Fused where the CPU engine's kernel takes the shapes (it then reads x once; elsewhere the
    // call makes the separate calls, which gains nothing). The managed engine, which always makes
    // them, fuses the same chains as the CPU engine would, so both replay one plan.
    private static bool Worth(IBackend backend, in LinearCrossEntropyCall call) =>
        (backend is Backends.Managed.ManagedBackend ? BackendRegistry.NativeCpu : backend) is Backends.Native.NativeCpuBackend cpu &&
        cpu.FusesLinearCrossEntropy(call);
}
