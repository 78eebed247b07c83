namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Decides whether running a Map function once on a stacked batch of n elements gives, row by
/// row, what it gives on each element alone, from two traces of it (<see cref="FunctionTrace"/>):
/// one on an element, one on the batch. It holds when both runs make the same kernel calls with
/// the same constants and settings, every call is elementwise, and each batched call is the
/// element's call with one leading axis of n prepended to every operand: stepping one row of
/// the buffers that come from the inputs, and standing still (stride 0) on constants.
/// </summary>
/// <remarks>
/// Why that is a proof: an elementwise kernel computes each output index from the operands at
/// that index alone, so the batched call is n copies of the element's call, copy b on row b of
/// every input-derived buffer. By induction over the calls, row b of every such buffer holds
/// what the element run computes from element b. The C# code cannot have behaved differently
/// per element: a trace fails on any host read of a value, so its calls depend only on shapes,
/// which all elements share. (C# side effects, such as a counter, run once per batch; as with
/// tf.function, keep them out of the function.) Random numbers, reductions, matrix products,
/// gathers, variables and the like are not elementwise, so such a function is not fused.
/// </remarks>
internal static class RowwiseProof
{
    /// <summary>What the check needs of an output of the element run: the tensors themselves are not kept (a step's scope may free them).</summary>
    internal readonly record struct Output(int Buffer, DType DType, Layout Layout);

    /// <summary>The outputs of a run as the trace sees them (buffer -1: one no kernel of the run touched).</summary>
    public static Output[] Describe(FunctionTrace trace, Tensor[] outputs) =>
        Array.ConvertAll(outputs, t => new Output(trace.BufferOf(t.Storage)?.Id ?? -1, t.DType, t.Layout));

    /// <summary>Null when the batch run is the element run per row; otherwise why not, for <see cref="Data.MapBatchFusion.Reason"/>.</summary>
    public static string? Check(FunctionTrace one, Output[] oneOut, FunctionTrace batch, Tensor[] batchOut, int n)
    {
        if (one.Failure is { } f1) return $"it cannot be traced ({f1})";
        if (batch.Failure is { } f2) return $"it cannot be traced on a batch ({f2})";
        if (one.Ops.Count != batch.Ops.Count || one.Buffers.Count != batch.Buffers.Count)
            return $"it runs {batch.Ops.Count} kernels on a batch of {n} but {one.Ops.Count} on one element";

        // Per buffer: the bytes of one element's row in the batch's buffer (it comes from the
        // inputs), or -1 (a constant: the same in both runs).
        var rowBytes = new long[one.Buffers.Count];
        for (int i = 0; i < rowBytes.Length; i++)
        {
            var (be, bb) = (one.Buffers[i], batch.Buffers[i]);
            rowBytes[i] = -1;
            if (be.Kind != bb.Kind) return "it makes different buffers on a batch than on one element";
            switch (be.Kind)
            {
                case FunctionTrace.BufferKind.Input:
                    if (bb.Bytes != n * be.Bytes || be.InputOffsetBytes != 0 || bb.InputOffsetBytes != 0)
                        return "Internal: the inputs of the fusion check are not packed";
                    rowBytes[i] = be.Bytes;
                    break;
                case FunctionTrace.BufferKind.Variable:
                    return $"it reads variable '{be.Variable?.Name ?? "?"}', whose value may change while the pipeline runs";
                case FunctionTrace.BufferKind.External when !ReferenceEquals(be.Storage, bb.Storage):
                    return "it reads a different captured tensor on a batch than on one element";
            }
        }

        for (int k = 0; k < one.Ops.Count; k++)
        {
            var (oe, ob) = (one.Ops[k], batch.Ops[k]);
            if (oe.Kernel != ob.Kernel) return $"its kernel {k} is {oe.Kernel} on one element but {ob.Kernel} on a batch";
            if (oe.Call is not { } ce || ob.Call is not { } cb)
                return $"it runs a {oe.Kernel} kernel, which is not elementwise (only elementwise arithmetic, comparisons, casts, copies and views run on whole batches)";
            if (!ce.SameSettings(cb)) return $"its {oe.Kernel} kernel {k} has other settings or constants on a batch than on one element";
            var refsE = oe.Reads.Concat(oe.Writes).ToArray();
            var refsB = ob.Reads.Concat(ob.Writes).ToArray();
            if (refsE.Length != refsB.Length || refsE.Length != ce.Layouts.Length) return $"Internal: {oe.Kernel} kernel {k} has operands without layouts";
            bool batched = false;
            for (int j = 0; j < oe.Reads.Length; j++)
                batched |= refsE[j].Buffer >= 0 && rowBytes[refsE[j].Buffer] >= 0;
            for (int j = 0; j < refsE.Length; j++)
            {
                var (re, rb) = (refsE[j], refsB[j]);
                if (re != rb) return $"its {oe.Kernel} kernel {k} addresses other buffers on a batch than on one element";
                if (re.Buffer < 0) continue;
                bool write = j >= oe.Reads.Length;
                var kind = one.Buffers[re.Buffer].Kind;
                if (write && kind is FunctionTrace.BufferKind.Input or FunctionTrace.BufferKind.External)
                    return $"its {oe.Kernel} kernel writes into an input or a tensor made outside the function";
                var (le, lb) = (ce.Layouts[j], cb.Layouts[j]);
                if (!batched)
                {
                    // A constant computed from constants: the same call, and it must not overwrite an element's rows.
                    if (write && rowBytes[re.Buffer] >= 0) return $"its {oe.Kernel} kernel {k} overwrites data of the element with a constant";
                    if (!Same(le, lb)) return $"its {oe.Kernel} kernel {k} computes a constant of another shape on a batch than on one element";
                    continue;
                }
                if (le is not { } l1 || lb is not { } l2) return $"Internal: {oe.Kernel} kernel {k} has operands without layouts";
                if (write && rowBytes[re.Buffer] < 0)
                {
                    var (ee, eb) = (one.Buffers[re.Buffer], batch.Buffers[re.Buffer]);
                    if (eb.Bytes != n * ee.Bytes) return $"its {oe.Kernel} kernel {k} writes a buffer that is not one row per element on a batch";
                    rowBytes[re.Buffer] = ee.Bytes;
                }
                int item = ce.DTypes[j].SizeInBytes();
                long row = rowBytes[re.Buffer];
                if (row >= 0 && row % item != 0) return $"its {oe.Kernel} kernel {k} reads an element's rows with another dtype";
                if (!Same(Prepend(l1, n, row < 0 ? 0 : row / item), l2))
                    return $"its {oe.Kernel} kernel {k} does not keep the batch's first axis as the element index " +
                           $"(operand {j}: shape {l1.Shape} on one element, {l2.Shape} on a batch of {n})";
            }
        }

        if (oneOut.Length != batchOut.Length) return "it returns a different number of tensors on a batch";
        var described = Describe(batch, batchOut);
        for (int i = 0; i < oneOut.Length; i++)
        {
            var (te, tb) = (oneOut[i], described[i]);
            if (te.Buffer < 0 || te.Buffer != tb.Buffer || rowBytes[te.Buffer] < 0)
                return $"its output {i} does not come from the element (a constant or a tensor made outside would not gain a batch axis)";
            int item = te.DType.SizeInBytes();
            if (te.DType != tb.DType || rowBytes[te.Buffer] % item != 0 || !Same(Prepend(te.Layout, n, rowBytes[te.Buffer] / item), tb.Layout))
                return $"its output {i} has shape {tb.Layout.Shape} on a batch of {n}, not ({n}, ...) of the element's {te.Layout.Shape}";
        }
        return null;
    }

    /// <summary><paramref name="layout"/> with a leading axis of <paramref name="n"/> that steps <paramref name="stride"/> elements.</summary>
    private static Layout Prepend(Layout layout, int n, long stride)
    {
        var dims = new int[layout.Rank + 1];
        var strides = new long[layout.Rank + 1];
        dims[0] = n;
        strides[0] = stride;
        for (int d = 0; d < layout.Rank; d++)
        {
            dims[d + 1] = layout.Shape[d];
            strides[d + 1] = layout.Strides[d];
        }
        return new Layout(new Shape(dims), strides, layout.Offset);
    }

    private static bool Same(Layout? a, Layout? b) =>
        a is not { } x ? b is null
        : b is { } y && x.Shape == y.Shape && x.Offset == y.Offset && x.Strides.AsSpan().SequenceEqual(y.Strides);
}
