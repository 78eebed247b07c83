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
        Planned?[]? replaced = null;
        bool[]? removed = null;
        for (int i = 0; i < ops.Count; i++)
        {
            if (removed is not null && removed[i]) continue;
            if (Match(ops, i, buffers, isOutput, out var chain) is not { } fused) continue;
            replaced ??= new Planned?[ops.Count];
            removed ??= new bool[ops.Count];
            replaced[i] = fused;
            foreach (int j in chain) removed[j] = true;
        }
        if (replaced is null) return ops;
        var result = new List<Planned>(ops.Count);
        for (int i = 0; i < ops.Count; i++)
            if (replaced[i] is { } f) result.Add(f);
            else if (!removed![i]) result.Add(ops[i]);
        return result;
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

    // The fused call for the chain that starts with the MatMul at `i`, and the indices of the chain's other calls; null when it does not match.
    private static Planned? Match(List<Planned> ops, int i, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput, out List<int> chain)
    {
        chain = [];
        var first = ops[i];
        if (first.Op.Detail is not MatMulCall m || m.DType is not (DType.Float32 or DType.Float64)) return null;
        if (m.Backend is not (Backends.Native.NativeCpuBackend or Backends.Managed.ManagedBackend)) return null;
        if (m.A.Rank != 2 || m.B.Rank != 2 || m.Out.Rank != 2) return null;
        int n = m.A.Shape[0], k = m.A.Shape[1], c = m.B.Shape[1];
        R x = first.Reads[0], l0 = first.Writes[0];
        if (!Packed(m.Out, n, c) || !IsTemporary(buffers, l0) || l0.Offset != 0) return null;
        var refs = new R[RefCount];
        for (int r = 0; r < RefCount; r++) refs[r] = R.None;
        (refs[X], refs[W]) = (first.Op.Reads[0], first.Op.Reads[1]);
        // The bias add: logits0's only reader.
        var l0Readers = Readers(ops, i, l0.Buffer);
        if (l0Readers.Count == 0) return null;
        R logits = l0;
        Layout biasLayout = default;
        int at = l0Readers[0];
        if (ops[at].Op.Call is { Kind: CallKind.Binary, Code: (int)BinaryOp.Add } add)
        {
            int self = OperandOf(ops[at], add, l0, n, c);
            if (self < 0 || l0Readers.Count != 1 || isOutput[l0.Buffer] || add.InDType != m.DType || !Packed(add.OutLayout, n, c)) return null;
            logits = ops[at].Writes[0];
            if (!IsTemporary(buffers, logits) || logits.Offset != 0) return null;
            biasLayout = add.InLayout(1 - self);
            (refs[Bias], refs[Logits0], refs[Logits]) = (ops[at].Op.Reads[1 - self], first.Op.Writes[0], ops[at].Op.Writes[0]);
            chain.Add(at);
        }
        else refs[Logits] = first.Op.Writes[0];
        int logitsWriter = chain.Count > 0 ? chain[0] : i;
        // The cross-entropy: the first of the logits' readers that is one.
        var logitsReaders = Readers(ops, logitsWriter, logits.Buffer);
        int ceAt = -1;
        foreach (int j in logitsReaders)
            if (ops[j].Op.Detail is CrossEntropyCall)
            {
                ceAt = j;
                break;
            }
        if (ceAt < 0) return null;
        var ce = ops[ceAt];
        if (ce.Op.Detail is not CrossEntropyCall e || !e.Sparse || e.DType != m.DType || ce.Reads[0] != logits || !Packed(e.Logits, n, c)) return null;
        R loss = ce.Writes[0], grad = ce.Writes[1];
        if (!IsTemporary(buffers, grad) || grad.Offset != 0 || loss.Buffer < 0) return null;
        (refs[Labels], refs[Loss], refs[Grad]) = (ce.Op.Reads[1], ce.Op.Writes[0], ce.Op.Writes[1]);
        chain.Add(ceAt);
        // The loss's scale: the first reader of the gradient.
        var gradReaders = Readers(ops, ceAt, grad.Buffer);
        if (gradReaders.Count == 0) return null;
        int mulAt = gradReaders[0];
        var mul = ops[mulAt];
        if (mul.Op.Call is not { Kind: CallKind.Binary, Code: (int)BinaryOp.Mul } mc || mc.InDType != m.DType || !Packed(mc.OutLayout, n, c)) return null;
        int g = OperandOf(mul, mc, grad, n, c);
        if (g < 0 || mc.InLayout(1 - g).Shape[0] != n || mc.InLayout(1 - g).Shape[1] != c) return null;
        R dlogits = mul.Writes[0];
        if (!IsTemporary(buffers, dlogits) || dlogits.Offset != 0) return null;
        (refs[Scale], refs[DLogits]) = (mul.Op.Reads[1 - g], mul.Op.Writes[0]);
        var scaleLayout = mc.InLayout(1 - g);
        chain.Add(mulAt);
        // The weight gradient: a reader of dlogits that multiplies x^T (the same x) by it.
        int gradAt = -1;
        MatMulCall? gm = null;
        var dlReaders = Readers(ops, mulAt, dlogits.Buffer);
        foreach (int j in dlReaders)
            if (ops[j].Op.Detail is MatMulCall t && ops[j].Reads[0] == x && ops[j].Reads[1] == dlogits && IsTransposeOf(t.A, m.A) &&
                Packed(t.B, n, c) && Packed(t.Out, k, c) && t.DType == m.DType)
            {
                (gradAt, gm) = (j, t);
                break;
            }
        if (gm is null) return null;
        R dw = ops[gradAt].Writes[0];
        if (!IsTemporary(buffers, dw)) return null;
        refs[DW] = ops[gradAt].Op.Writes[0];
        chain.Add(gradAt);
        // Moved to `i`: nothing between may write what the chain reads or writes.
        var (reads, writes) = Access(CanonicalRefs(ops, i, ceAt, mulAt, gradAt, chain.Count == 4 ? chain[0] : -1));
        for (int j = i + 1; j < gradAt; j++)
        {
            if (chain.Contains(j)) continue;
            foreach (var w in ops[j].Writes)
                if (w.Buffer >= 0 && (R.Touches(reads, w.Buffer) || R.Touches(writes, w.Buffer))) return null;
        }
        // Intermediates other calls read (or the function returns) are still written.
        var keep = LinearCrossEntropyKeep.None;
        if (isOutput[logits.Buffer] || logitsReaders.Count > 1) keep |= LinearCrossEntropyKeep.Logits;
        if (isOutput[grad.Buffer] || gradReaders.Count > 1) keep |= LinearCrossEntropyKeep.Grad;
        if (isOutput[dlogits.Buffer] || dlReaders.Count > 1) keep |= LinearCrossEntropyKeep.DLogits;
        var call = new LinearCrossEntropyCall
        {
            DType = m.DType, XLayout = m.A, XtLayout = gm.A, WLayout = m.B, BiasLayout = biasLayout, LabelDType = e.LabelDType,
            ScaleLayout = scaleLayout, DWLayout = gm.Out, Keep = keep,
        };
        if (!Worth(m.Backend, call)) return null;
        var name = $"LinearCrossEntropy {m.A.Shape} @ {m.B.Shape}";
        var op = new FunctionTrace.Op(Runner(m.Backend, call, refs), reads, writes, kernel: name) { Kind = FunctionTrace.OpKind.CheckedKernel };
        return new Planned(op, reads, writes);
    }

    // Fused where the CPU engine's kernel takes the shapes (it then reads x once; elsewhere the
    // call makes the separate calls, which gains nothing). The managed engine, which always makes
    // them, fuses the same chains as the CPU engine would, so both replay one plan.
    private static bool Worth(IBackend backend, in LinearCrossEntropyCall call) =>
        (backend is Backends.Managed.ManagedBackend ? BackendRegistry.NativeCpu : backend) is Backends.Native.NativeCpuBackend cpu &&
        cpu.FusesLinearCrossEntropy(call);

    // The chain's canonical references, in the order of the fused call's (the planned ops' Reads and Writes).
    private static R[] CanonicalRefs(List<Planned> ops, int mm, int ce, int mul, int grad, int add)
    {
        var refs = new R[RefCount];
        for (int r = 0; r < RefCount; r++) refs[r] = R.None;
        (refs[X], refs[W]) = (ops[mm].Reads[0], ops[mm].Reads[1]);
        if (add >= 0)
        {
            int self = ops[add].Reads[0].Buffer == ops[mm].Writes[0].Buffer ? 0 : 1;
            (refs[Bias], refs[Logits0], refs[Logits]) = (ops[add].Reads[1 - self], ops[mm].Writes[0], ops[add].Writes[0]);
        }
        else refs[Logits] = ops[mm].Writes[0];
        (refs[Labels], refs[Loss], refs[Grad]) = (ops[ce].Reads[1], ops[ce].Writes[0], ops[ce].Writes[1]);
        int g = ops[mul].Reads[0].Buffer == ops[ce].Writes[1].Buffer ? 0 : 1;
        (refs[Scale], refs[DLogits]) = (ops[mul].Reads[1 - g], ops[mul].Writes[0]);
        refs[DW] = ops[grad].Writes[0];
        return refs;
    }
}
