using NeuralFlow.Backends;
using R = NeuralFlow.FunctionTrace.Ref;

namespace NeuralFlow;

/// <summary>
/// The stand-in that storages hand out while a <see cref="FunctionTrace"/> records: each call
/// runs on the real backend (the trace is the eager run) and is appended to the trace as a
/// closure over (buffer, offset) references, so that a replay runs the same kernel with the same
/// settings on the buffers of that replay. Every IBackend method is implemented here
/// (RecordingBackendTests checks it by reflection): a method added to IBackend with a default body
/// and not listed here would otherwise run that default, which throws.
/// </summary>
/// <remarks>
/// Host reads (<see cref="Download"/>) make the trace fail: the C# code saw a value that a replay
/// would not recompute. Two kinds of call are re-evaluated at each replay: random numbers drawn
/// from NF.Random's generator (fresh numbers, the generator advanced as an eager step would) and
/// optimizer updates whose settings the optimizer marked (learning rate schedule, step count).
/// </remarks>
internal sealed class RecordingBackend(IBackend inner, FunctionTrace trace) : IBackend
{
    public IBackend Inner { get; } = inner;

    public string Name => Inner.Name;
    public string Description => Inner.Description;
    public Device Device => Inner.Device;
    public bool IsHostMemory => Inner.IsHostMemory;
    public MemoryStats GetMemoryStats() => Inner.GetMemoryStats();

    private bool On => trace.IsRecording && trace.Failure is null;
    private R Ref(nint p) => trace.Resolve(p);

    public DeviceBuffer Allocate(long bytes)
    {
        var buffer = Inner.Allocate(bytes);
        if (trace.IsRecording) trace.Allocated(buffer, Inner);
        return buffer;
    }

    public void Upload(ReadOnlySpan<byte> source, nint destination, long byteOffset)
    {
        if (!trace.DryRun) Inner.Upload(source, destination, byteOffset);
        if (!On) return;
        // Host bytes written during the trace (NF.Constant, a C# number) are constants of the function.
        var bytes = source.ToArray();
        var (k, d) = (Inner, Ref(destination));
        trace.Record(p => k.Upload(bytes, d.At(p), byteOffset), [], [d], kind: FunctionTrace.OpKind.Upload,
                     detail: new FunctionTrace.UploadDetail(bytes, d, byteOffset),
                     call: new KernelCall(CallKind.Upload, 0, [null], [DType.UInt8], k, bytes, byteOffset: byteOffset));
    }

    public void Download(nint source, long byteOffset, Span<byte> destination)
    {
        Inner.Download(source, byteOffset, destination);
        if (!trace.IsRecording) return;
        if (trace.TakeCheck() is { } check)
        {
            // A validation read (FunctionTrace.ReadChecked): replays read the buffer again and check it.
            var (k, rs, bytes) = (Inner, Ref(source), new byte[destination.Length]);
            if (On) trace.Record(p => { Engine.HostReads++; k.Download(rs.At(p), byteOffset, bytes); check(bytes); }, [rs], [], kind: FunctionTrace.OpKind.HostRead);
        }
        else
        {
            trace.ReadValues = true;
            trace.Fail("the function reads a tensor's value on the host (ToArray, Item, ToString, a C# comparison or loop on a value, or a clipNorm computed on the host); a replay would not see new values");
        }
    }

    public void Binary(BinaryOp op, DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.Binary(op, dtype, a, aLayout, b, bLayout, output, outLayout);
        if (!On) return;
        var (k, ra, rb, ro, la, lb, lo) = (Inner, Ref(a), Ref(b), Ref(output), aLayout, bLayout, outLayout);
        trace.Record(p => k.Binary(op, dtype, ra.At(p), la, rb.At(p), lb, ro.At(p), lo), [ra, rb], [ro],
                     call: new KernelCall(CallKind.Binary, (int)op, [la, lb, lo], [dtype, dtype, op.IsComparison() ? DType.Bool : dtype], k));
    }

    public void Unary(UnaryOp op, DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.Unary(op, dtype, x, xLayout, output, outLayout);
        if (!On) return;
        var (k, rx, ro, lx, lo) = (Inner, Ref(x), Ref(output), xLayout, outLayout);
        trace.Record(p => k.Unary(op, dtype, rx.At(p), lx, ro.At(p), lo), [rx], [ro], call: new KernelCall(CallKind.Unary, (int)op, [lx, lo], [dtype, dtype], k));
    }

    public void Reduce(ReduceOp op, DType dtype, nint x, in Layout xLayout, uint axesMask, nint output, DType outDtype)
    {
        if (!trace.DryRun) Inner.Reduce(op, dtype, x, xLayout, axesMask, output, outDtype);
        if (!On) return;
        var (k, rx, ro, lx) = (Inner, Ref(x), Ref(output), xLayout);
        trace.Record(p => k.Reduce(op, dtype, rx.At(p), lx, axesMask, ro.At(p), outDtype), [rx], [ro]);
    }

    public void Softmax(bool log, DType dtype, nint x, in Layout xLayout, int axis, nint output)
    {
        if (!trace.DryRun) Inner.Softmax(log, dtype, x, xLayout, axis, output);
        if (!On) return;
        var (k, rx, ro, lx) = (Inner, Ref(x), Ref(output), xLayout);
        trace.Record(p => k.Softmax(log, dtype, rx.At(p), lx, axis, ro.At(p)), [rx], [ro]);
    }

    public void MatMul(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.MatMul(dtype, a, aLayout, b, bLayout, output, outLayout);
        if (!On) return;
        var (k, ra, rb, ro, la, lb, lo) = (Inner, Ref(a), Ref(b), Ref(output), aLayout, bLayout, outLayout);
        trace.Record(p => k.MatMul(dtype, ra.At(p), la, rb.At(p), lb, ro.At(p), lo), [ra, rb], [ro],
                     detail: new LinearCrossEntropyFusion.MatMulCall(dtype, la, lb, lo, k));
    }

    public void Im2Col(DType dtype, nint x, in Layout xLayout, in Window2D window, nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.Im2Col(dtype, x, xLayout, window, output, outLayout);
        if (!On) return;
        var (k, rx, ro, lx, w, lo) = (Inner, Ref(x), Ref(output), xLayout, window, outLayout);
        trace.Record(p => k.Im2Col(dtype, rx.At(p), lx, w, ro.At(p), lo), [rx], [ro]);
    }

    public void Col2Im(DType dtype, nint cols, in Layout colsLayout, in Window2D window, nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.Col2Im(dtype, cols, colsLayout, window, output, outLayout);
        if (!On) return;
        var (k, rc, ro, lc, w, lo) = (Inner, Ref(cols), Ref(output), colsLayout, window, outLayout);
        trace.Record(p => k.Col2Im(dtype, rc.At(p), lc, w, ro.At(p), lo), [rc], [ro]);
    }

    public void Pool2D(PoolOp op, DType dtype, nint x, in Layout xLayout, in Window2D window, nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.Pool2D(op, dtype, x, xLayout, window, output, outLayout);
        if (!On) return;
        var (k, rx, ro, lx, w, lo) = (Inner, Ref(x), Ref(output), xLayout, window, outLayout);
        trace.Record(p => k.Pool2D(op, dtype, rx.At(p), lx, w, ro.At(p), lo), [rx], [ro]);
    }

    public void Pool2DBackward(PoolOp op, DType dtype, nint x, in Layout xLayout, nint dy, in Layout dyLayout, in Window2D window, nint dx, in Layout dxLayout)
    {
        if (!trace.DryRun) Inner.Pool2DBackward(op, dtype, x, xLayout, dy, dyLayout, window, dx, dxLayout);
        if (!On) return;
        var (k, rx, rdy, rdx, lx, ldy, w, ldx) = (Inner, Ref(x), Ref(dy), Ref(dx), xLayout, dyLayout, window, dxLayout);
        trace.Record(p => k.Pool2DBackward(op, dtype, rx.At(p), lx, rdy.At(p), ldy, w, rdx.At(p), ldx), [rx, rdy], [rdx]);
    }

    public void BatchNorm(DType dtype, nint x, long outer, long features, long inner, nint gamma, nint beta, nint mean, nint variance,
                          double epsilon, nint output, nint batchMean, nint batchVariance)
    {
        if (!trace.DryRun) Inner.BatchNorm(dtype, x, outer, features, inner, gamma, beta, mean, variance, epsilon, output, batchMean, batchVariance);
        if (!On) return;
        var (k, rx, rg, rb, rm, rv, ro, rbm, rbv) = (Inner, Ref(x), Ref(gamma), Ref(beta), Ref(mean), Ref(variance), Ref(output), Ref(batchMean), Ref(batchVariance));
        trace.Record(p => k.BatchNorm(dtype, rx.At(p), outer, features, inner, rg.At(p), rb.At(p), rm.At(p), rv.At(p), epsilon, ro.At(p), rbm.At(p), rbv.At(p)),
            [rx, rg, rb, rm, rv], [ro, rbm, rbv]);
    }

    public void BatchNormBackward(DType dtype, nint x, long outer, long features, long inner, nint dy, nint gamma, nint mean, nint variance,
                                  double epsilon, bool training, nint dx, nint dgamma, nint dbeta)
    {
        if (!trace.DryRun) Inner.BatchNormBackward(dtype, x, outer, features, inner, dy, gamma, mean, variance, epsilon, training, dx, dgamma, dbeta);
        if (!On) return;
        var (k, rx, rdy, rg, rm, rv, rdx, rdg, rdb) = (Inner, Ref(x), Ref(dy), Ref(gamma), Ref(mean), Ref(variance), Ref(dx), Ref(dgamma), Ref(dbeta));
        trace.Record(p => k.BatchNormBackward(dtype, rx.At(p), outer, features, inner, rdy.At(p), rg.At(p), rm.At(p), rv.At(p), epsilon, training, rdx.At(p), rdg.At(p), rdb.At(p)),
            [rx, rdy, rg, rm, rv], [rdx, rdg, rdb]);
    }

    public void LayerNorm(DType dtype, nint x, long rows, long cols, nint gamma, nint beta, double epsilon, nint output)
    {
        if (!trace.DryRun) Inner.LayerNorm(dtype, x, rows, cols, gamma, beta, epsilon, output);
        if (!On) return;
        var (k, rx, rg, rb, ro) = (Inner, Ref(x), Ref(gamma), Ref(beta), Ref(output));
        trace.Record(p => k.LayerNorm(dtype, rx.At(p), rows, cols, rg.At(p), rb.At(p), epsilon, ro.At(p)), [rx, rg, rb], [ro]);
    }

    public void LayerNormBackward(DType dtype, nint x, long rows, long cols, nint dy, nint gamma, double epsilon, nint dx, nint dgamma, nint dbeta)
    {
        if (!trace.DryRun) Inner.LayerNormBackward(dtype, x, rows, cols, dy, gamma, epsilon, dx, dgamma, dbeta);
        if (!On) return;
        var (k, rx, rdy, rg, rdx, rdg, rdb) = (Inner, Ref(x), Ref(dy), Ref(gamma), Ref(dx), Ref(dgamma), Ref(dbeta));
        trace.Record(p => k.LayerNormBackward(dtype, rx.At(p), rows, cols, rdy.At(p), rg.At(p), epsilon, rdx.At(p), rdg.At(p), rdb.At(p)),
            [rx, rdy, rg], [rdx, rdg, rdb]);
    }

    public void Cast(DType source, nint x, in Layout xLayout, DType destination, nint output)
    {
        if (!trace.DryRun) Inner.Cast(source, x, xLayout, destination, output);
        if (!On) return;
        var (k, rx, ro, lx) = (Inner, Ref(x), Ref(output), xLayout);
        // The output is written packed in the input's shape (the kernel's contract).
        trace.Record(p => k.Cast(source, rx.At(p), lx, destination, ro.At(p)), [rx], [ro],
                     call: new KernelCall(CallKind.Cast, 0, [lx, Layout.Contiguous(lx.Shape)], [source, destination], k));
    }

    public void Copy(DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.Copy(dtype, x, xLayout, output, outLayout);
        if (!On) return;
        var (k, rx, ro, lx, lo) = (Inner, Ref(x), Ref(output), xLayout, outLayout);
        bool sameLayout = lx.Offset == lo.Offset && lx.Strides.AsSpan().SequenceEqual(lo.Strides);
        trace.Record(p => k.Copy(dtype, rx.At(p), lx, ro.At(p), lo), [rx], [ro], selfCopy: sameLayout, call: new KernelCall(CallKind.Copy, 0, [lx, lo], [dtype, dtype], k));
    }

    public void Gather(DType dtype, nint x, in Layout xLayout, int axis, DType indexDtype, nint indices, long indexCount, nint output)
    {
        if (!trace.DryRun) Inner.Gather(dtype, x, xLayout, axis, indexDtype, indices, indexCount, output);
        if (!On) return;
        var (k, rx, ri, ro, lx) = (Inner, Ref(x), Ref(indices), Ref(output), xLayout);
        // Checked: in a CUDA graph its index check runs on the device and the launch reads it.
        trace.Record(p => k.Gather(dtype, rx.At(p), lx, axis, indexDtype, ri.At(p), indexCount, ro.At(p)), [rx, ri], [ro],
                     kind: FunctionTrace.OpKind.CheckedKernel, detail: new GatherMatMulFusion.GatherCall(dtype, lx, axis, indexDtype, indexCount, k));
    }

    public void GatherMatMul(in GatherMatMulCall call)
    {
        if (!trace.DryRun) Inner.GatherMatMul(call);
        if (!On) return;
        R[] refs = [Ref(call.X), Ref(call.Indices), Ref(call.B), Ref(call.G), Ref(call.Output)];
        var (reads, writes) = GatherMatMulFusion.Access(refs, call.GatherFirst);
        trace.Record(GatherMatMulFusion.Runner(Inner, call, refs), reads, writes);
    }

    public void ScatterAdd(DType dtype, nint src, in Layout srcLayout, int axis, DType indexDtype, nint indices, long rows, nint output)
    {
        if (!trace.DryRun) Inner.ScatterAdd(dtype, src, srcLayout, axis, indexDtype, indices, rows, output);
        if (!On) return;
        var (k, rs, ri, ro, ls) = (Inner, Ref(src), Ref(indices), Ref(output), srcLayout);
        // The output is read too: the kernel adds into what the op filled it with.
        trace.Record(p => k.ScatterAdd(dtype, rs.At(p), ls, axis, indexDtype, ri.At(p), rows, ro.At(p)), [rs, ri, ro], [ro],
                     kind: FunctionTrace.OpKind.CheckedKernel);
    }

    public void OneHot(DType indexDtype, nint indices, in Layout indicesLayout, long depth, double onValue, double offValue, DType outDtype, nint output)
    {
        if (!trace.DryRun) Inner.OneHot(indexDtype, indices, indicesLayout, depth, onValue, offValue, outDtype, output);
        if (!On) return;
        var (k, ri, ro, li) = (Inner, Ref(indices), Ref(output), indicesLayout);
        trace.Record(p => k.OneHot(indexDtype, ri.At(p), li, depth, onValue, offValue, outDtype, ro.At(p)), [ri], [ro]);
    }

    public void Fill(DType dtype, nint output, long count, double value)
    {
        if (!trace.DryRun) Inner.Fill(dtype, output, count, value);
        if (!On) return;
        var (k, ro) = (Inner, Ref(output));
        trace.Record(p => k.Fill(dtype, ro.At(p), count, value), [], [ro], call: new KernelCall(CallKind.Fill, 0, [null], [dtype], k, value: value, count: count));
    }

    public void Range(DType dtype, nint output, long count, double start, double delta)
    {
        if (!trace.DryRun) Inner.Range(dtype, output, count, start, delta);
        if (!On) return;
        var (k, ro) = (Inner, Ref(output));
        trace.Record(p => k.Range(dtype, ro.At(p), count, start, delta), [], [ro]);
    }

    public void RandomUniform(DType dtype, nint output, long count, ulong seed, ulong offset, double low, double high)
    {
        var k = Inner;
        if (trace.IsRecording) (seed, offset) = RecordRandom(output, count, seed, offset, (o, s, at) => k.RandomUniform(dtype, o, count, s, at, low, high));
        if (!trace.DryRun) Inner.RandomUniform(dtype, output, count, seed, offset, low, high);
    }

    public void RandomNormal(DType dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev)
    {
        var k = Inner;
        if (trace.IsRecording) (seed, offset) = RecordRandom(output, count, seed, offset, (o, s, at) => k.RandomNormal(dtype, o, count, s, at, mean, stddev));
        if (!trace.DryRun) Inner.RandomNormal(dtype, output, count, seed, offset, mean, stddev);
    }

    // Records the draw and returns the (seed, offset) the trace run draws with: the op's, or, where
    // the gradient of a function called under a tape recomputes its forward, the forward's (RandomReuse).
    private (ulong Seed, ulong Offset) RecordRandom(nint output, long count, ulong seed, ulong offset, Action<nint, ulong, ulong> draw)
    {
        var ro = Ref(output);
        Action<nint[], ulong, ulong> runWith = (p, s, at) => draw(ro.At(p), s, at);
        var (drawn, undo) = FreshDraw(seed, offset, count);
        int ordinal = trace.RandomDraws++;
        var fresh = drawn is null ? null : RandomReuse.Wrap(ordinal, drawn);
        // Counted and reused after a failure too: the run goes on eagerly, and a gradient's recomputation still needs the forward's numbers.
        if (trace.Failure is null)
            trace.Record(fresh is null ? p => draw(ro.At(p), seed, offset) : p => { var (s, at) = fresh(); draw(ro.At(p), s, at); },
                         [], [ro], kind: FunctionTrace.OpKind.Random, detail: new FunctionTrace.RandomDetail(fresh, runWith, seed, offset));
        return fresh is null ? (seed, offset) : RandomReuse.AtTrace(ordinal, seed, offset, undo);
    }

    // Numbers NF.Random just drew (its counter sits right after them), or a seeded layer's stream
    // just drew: a replay draws afresh from the same generator (and a reused draw gives the
    // generator its numbers back). Any other (seed, offset) is a stateless draw, replayed as it is.
    private static (Func<(ulong, ulong)>? Draw, Action? Undo) FreshDraw(ulong seed, ulong offset, long count)
    {
        ulong end = offset + (ulong)count;
        if (NF.Random.State is var (s, o) && s == seed && (ulong)o == end)
            return (() => NF.Random.Draw(count), () => NF.Random.Rewind((long)end, (long)offset));
        if (RandomStream.JustDrew(seed, offset, count) is not { } stream) return (null, null);
        return (() => stream.Draw(count), () => { if (stream.Position == (long)end) stream.Position = (long)offset; });
    }

    public void OptimizerUpdate(OptimizerKind kind, DType dtype, nint param, nint grad, nint slot0, nint slot1, nint slot2, long count, in OptimizerParams p)
    {
        if (!trace.DryRun) Inner.OptimizerUpdate(kind, dtype, param, grad, slot0, slot1, slot2, count, p);
        if (!On) return;
        var (k, rp, rg, r0, r1, r2, fixedParams) = (Inner, Ref(param), Ref(grad), Ref(slot0), Ref(slot1), Ref(slot2), p);
        var dynamic = trace.TakeOptimizerParams();
        Action<nint[], OptimizerParams> runWith = (b, prm) => k.OptimizerUpdate(kind, dtype, rp.At(b), rg.At(b), r0.At(b), r1.At(b), r2.At(b), count, prm);
        trace.Record(b => runWith(b, dynamic is null ? fixedParams : dynamic()),
            [rp, rg, r0, r1, r2], [rp, r0, r1, r2], kind: FunctionTrace.OpKind.Optimizer,
            detail: new FunctionTrace.OptimizerDetail(kind, dtype, dynamic, runWith, fixedParams));
    }

    public void OptimizerUpdateMulti(OptimizerKind kind, DType dtype, ReadOnlySpan<OptimizerTensor> tensors, in OptimizerParams p)
    {
        if (!trace.DryRun) Inner.OptimizerUpdateMulti(kind, dtype, tensors, p);
        if (!On) return;
        // One op for the whole group: each tensor's five buffers, resolved once.
        var refs = new R[tensors.Length * 5];
        var counts = new long[tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            (refs[5 * i], refs[5 * i + 1], refs[5 * i + 2], refs[5 * i + 3], refs[5 * i + 4]) = (Ref(t.Param), Ref(t.Grad), Ref(t.Slot0), Ref(t.Slot1), Ref(t.Slot2));
            counts[i] = t.Count;
        }
        var (k, fixedParams) = (Inner, p);
        var dynamic = trace.TakeOptimizerParams();
        Action<nint[], OptimizerParams> runWith = (b, prm) =>
        {
            Span<OptimizerTensor> table = counts.Length <= 128 ? stackalloc OptimizerTensor[counts.Length] : new OptimizerTensor[counts.Length];
            for (int i = 0; i < table.Length; i++)
                table[i] = new(refs[5 * i].At(b), refs[5 * i + 1].At(b), refs[5 * i + 2].At(b), refs[5 * i + 3].At(b), refs[5 * i + 4].At(b), counts[i]);
            k.OptimizerUpdateMulti(kind, dtype, table, prm);
        };
        var writes = new R[4 * tensors.Length];  // all but the gradients (a loop: LINQ over Ref is JIT-compiled at the first trace)
        for (int j = 0, w = 0; j < refs.Length; j++)
            if (j % 5 != 1) writes[w++] = refs[j];
        trace.Record(b => runWith(b, dynamic is null ? fixedParams : dynamic()), refs, writes, kind: FunctionTrace.OpKind.Optimizer,
            detail: new FunctionTrace.OptimizerDetail(kind, dtype, dynamic, runWith, fixedParams));
    }

    public void FusedElementwise(DType dtype, ReadOnlySpan<nint> inputs, ReadOnlySpan<Layout> inputLayouts, ReadOnlySpan<FusedStep> steps,
                                 nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.FusedElementwise(dtype, inputs, inputLayouts, steps, output, outLayout);
        if (!On) return;
        var refs = new R[inputs.Length];
        for (int i = 0; i < refs.Length; i++) refs[i] = Ref(inputs[i]);
        var ro = Ref(output);
        trace.Record(ElementwiseFusion.Runner(Inner, dtype, refs, inputLayouts.ToArray(), steps.ToArray(), ro, outLayout), refs, [ro]);
    }

    public void SoftmaxCrossEntropy(DType dtype, nint logits, in Layout logitsLayout, DType labelDtype, nint labels, bool sparse, nint lossOut, nint gradOut)
    {
        if (!trace.DryRun) Inner.SoftmaxCrossEntropy(dtype, logits, logitsLayout, labelDtype, labels, sparse, lossOut, gradOut);
        if (!On) return;
        var (k, rx, rl, ro, rg, lx) = (Inner, Ref(logits), Ref(labels), Ref(lossOut), Ref(gradOut), logitsLayout);
        trace.Record(p => k.SoftmaxCrossEntropy(dtype, rx.At(p), lx, labelDtype, rl.At(p), sparse, ro.At(p), rg.At(p)), [rx, rl], [ro, rg],
                     kind: sparse ? FunctionTrace.OpKind.CheckedKernel : FunctionTrace.OpKind.Kernel,
                     detail: new LinearCrossEntropyFusion.CrossEntropyCall(dtype, lx, labelDtype, sparse));
    }

    public void LinearCrossEntropy(in LinearCrossEntropyCall call)
    {
        if (!trace.DryRun) Inner.LinearCrossEntropy(call);
        if (!On) return;
        R[] refs =
        [
            Ref(call.X), Ref(call.W), Ref(call.Bias), Ref(call.Labels), Ref(call.Scale), Ref(call.Logits0), Ref(call.Logits), Ref(call.Grad),
            Ref(call.DLogits), Ref(call.Loss), Ref(call.DW),
        ];
        var (reads, writes) = LinearCrossEntropyFusion.Access(refs);
        trace.Record(LinearCrossEntropyFusion.Runner(Inner, call, refs), reads, writes, kind: FunctionTrace.OpKind.CheckedKernel);
    }

    public void Where(DType dtype, nint cond, in Layout condLayout, nint x, in Layout xLayout, nint y, in Layout yLayout, nint output, in Layout outLayout)
    {
        if (!trace.DryRun) Inner.Where(dtype, cond, condLayout, x, xLayout, y, yLayout, output, outLayout);
        if (!On) return;
        var (k, rc, rx, ry, ro, lc, lx, ly, lo) = (Inner, Ref(cond), Ref(x), Ref(y), Ref(output), condLayout, xLayout, yLayout, outLayout);
        trace.Record(p => k.Where(dtype, rc.At(p), lc, rx.At(p), lx, ry.At(p), ly, ro.At(p), lo), [rc, rx, ry], [ro],
                     call: new KernelCall(CallKind.Where, 0, [lc, lx, ly, lo], [DType.Bool, dtype, dtype, dtype], k));
    }

    public void Scan(ScanOp op, DType dtype, nint x, in Layout xLayout, int axis, bool exclusive, bool reverse, nint output)
    {
        if (!trace.DryRun) Inner.Scan(op, dtype, x, xLayout, axis, exclusive, reverse, output);
        if (!On) return;
        var (k, rx, ro, lx) = (Inner, Ref(x), Ref(output), xLayout);
        trace.Record(p => k.Scan(op, dtype, rx.At(p), lx, axis, exclusive, reverse, ro.At(p)), [rx], [ro]);
    }

    public void Sort(DType dtype, nint x, in Layout xLayout, int axis, bool descending, nint valuesOut, DType indexDtype, nint indicesOut)
    {
        if (!trace.DryRun) Inner.Sort(dtype, x, xLayout, axis, descending, valuesOut, indexDtype, indicesOut);
        if (!On) return;
        var (k, rx, rv, ri, lx) = (Inner, Ref(x), Ref(valuesOut), Ref(indicesOut), xLayout);
        trace.Record(p => k.Sort(dtype, rx.At(p), lx, axis, descending, rv.At(p), indexDtype, ri.At(p)), [rx], [rv, ri]);
    }

    // The linalg kernels' checks run again on every replay: a matrix that turns singular raises there too.
    public void Lu(DType dtype, nint a, in Layout aLayout, nint luOut, nint pivotsOut, nint permOut, nint infoOut, bool check)
    {
        if (!trace.DryRun) Inner.Lu(dtype, a, aLayout, luOut, pivotsOut, permOut, infoOut, check);
        if (!On) return;
        var (k, ra, rl, rp, rq, ri, la) = (Inner, Ref(a), Ref(luOut), Ref(pivotsOut), Ref(permOut), Ref(infoOut), aLayout);
        trace.Record(p => k.Lu(dtype, ra.At(p), la, rl.At(p), rp.At(p), rq.At(p), ri.At(p), check), [ra], [rl, rp, rq, ri]);
    }

    public void TriangularSolve(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, bool lower, bool unitDiagonal, nint output)
    {
        if (!trace.DryRun) Inner.TriangularSolve(dtype, a, aLayout, b, bLayout, lower, unitDiagonal, output);
        if (!On) return;
        var (k, ra, rb, ro, la, lb) = (Inner, Ref(a), Ref(b), Ref(output), aLayout, bLayout);
        trace.Record(p => k.TriangularSolve(dtype, ra.At(p), la, rb.At(p), lb, lower, unitDiagonal, ro.At(p)), [ra, rb], [ro]);
    }

    public void Cholesky(DType dtype, nint a, in Layout aLayout, nint lOut, nint infoOut, bool check)
    {
        if (!trace.DryRun) Inner.Cholesky(dtype, a, aLayout, lOut, infoOut, check);
        if (!On) return;
        var (k, ra, rl, ri, la) = (Inner, Ref(a), Ref(lOut), Ref(infoOut), aLayout);
        trace.Record(p => k.Cholesky(dtype, ra.At(p), la, rl.At(p), ri.At(p), check), [ra], [rl, ri]);
    }
}
