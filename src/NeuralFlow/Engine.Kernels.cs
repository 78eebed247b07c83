using NeuralFlow.Backends;

namespace NeuralFlow;

// The kernels other than elementwise ops and copies. Each takes operands the op has validated
// and a fresh result it has shaped, and holds the operands alive across the backend call.
internal static partial class Engine
{
    /// <summary>
    /// result = a @ b over broadcast batch axes. The layouts already carry any transposes:
    /// <see cref="NF.MatMul(Tensor, Tensor, bool, bool)"/> alone decides them (the ABI has no transpose flags).
    /// </summary>
    [MethodImpl(Hot)]
    public static void MatMul(Tensor a, in Layout aLayout, Tensor b, in Layout bLayout, Tensor result)
    {
        if (Float16Compute.Involves(a, b, result))
        {
            using var f = new Float16Compute();
            MatMul(f.In(a), aLayout, f.In(b), bLayout, f.Out(result));
            return;
        }
        using var held = new Operands(a, b);
        result.Backend.MatMul(a.DType, held.A, aLayout, held.B, bLayout, result.Data, result.Layout);
    }

    /// <summary>Softmax or log-softmax of <paramref name="x"/> along <paramref name="axis"/> into the fresh, contiguous <paramref name="result"/>.</summary>
    [MethodImpl(Hot)]
    public static void Softmax(bool log, Tensor x, int axis, Tensor result)
    {
        if (Float16Compute.Involves(x, result))
        {
            using var f = new Float16Compute();
            Softmax(log, f.In(x), axis, f.Out(result));
            return;
        }
        using var held = new Operands(x);
        x.Backend.Softmax(log, x.DType, held.A, x.Layout, axis, result.Data);
    }

    /// <summary>Reduces <paramref name="input"/> over the axes in <paramref name="axesMask"/> into the fresh <paramref name="result"/>.</summary>
    [MethodImpl(Hot)]
    public static void Reduce(ReduceOp op, Tensor input, uint axesMask, Tensor result)
    {
        if (Float16Compute.Involves(input, result))
        {
            using var f = new Float16Compute();
            Reduce(op, f.In(input), axesMask, f.Out(result));
            return;
        }
        using var held = new Operands(input);
        input.Backend.Reduce(op, input.DType, held.A, input.Layout, axesMask, result.Data, result.DType);
    }

    /// <summary>Converts <paramref name="x"/> into the fresh <paramref name="result"/> of another dtype.</summary>
    [MethodImpl(Hot)]
    public static void Cast(Tensor x, Tensor result)
    {
        using var held = new Operands(x);
        x.Backend.Cast(x.DType, held.A, x.Layout, result.DType, result.Data);
    }

    /// <summary>Slices of <paramref name="x"/> along <paramref name="axis"/> picked by the packed <paramref name="indices"/>.</summary>
    [MethodImpl(Hot)]
    public static void Gather(Tensor x, int axis, Tensor indices, Tensor result)
    {
        if (Float16Compute.Involves(x, result))
        {
            using var f = new Float16Compute();
            Gather(f.In(x), axis, indices, f.Out(result));
            return;
        }
        using var held = new Operands(x, indices);
        x.Backend.Gather(x.DType, held.A, x.Layout, axis, indices.DType, held.FirstOfB, indices.Count, result.Data);
    }

    /// <summary>
    /// Adds the slices of <paramref name="src"/> along <paramref name="axis"/> into rows
    /// <paramref name="indices"/> (packed) of <paramref name="result"/>, which the caller has
    /// filled (zeros or the values to add to) and owns: contiguous, src's shape with its row count there.
    /// </summary>
    [MethodImpl(Hot)]
    public static void ScatterAdd(Tensor src, int axis, Tensor indices, Tensor result)
    {
        if (Float16Compute.Involves(src, result))
        {
            using var f = new Float16Compute();
            ScatterAdd(f.In(src), axis, indices, f.InOut(result));
            return;
        }
        using var held = new Operands(src, indices);
        src.Backend.ScatterAdd(src.DType, held.A, src.Layout, axis, indices.DType, held.FirstOfB, result.Shape[axis], result.Data);
    }

    /// <summary>One-hot rows of length <paramref name="depth"/> for <paramref name="indices"/> into the fresh <paramref name="result"/>.</summary>
    public static void OneHot(Tensor indices, long depth, double onValue, double offValue, Tensor result)
    {
        if (result.DType == DType.Float16)
        {
            using var f = new Float16Compute();
            OneHot(indices, depth, onValue, offValue, f.Out(result));
            return;
        }
        using var held = new Operands(indices);
        indices.Backend.OneHot(indices.DType, held.A, indices.Layout, depth, onValue, offValue, result.DType, result.Data);
    }

    /// <summary>
    /// Per-row softmax cross-entropy of <paramref name="logits"/> against the packed
    /// <paramref name="labels"/> into <paramref name="loss"/>, and softmax - labels into
    /// <paramref name="gradient"/> when one is asked for.
    /// </summary>
    [MethodImpl(Hot)]
    public static void SoftmaxCrossEntropy(Tensor logits, Tensor labels, bool sparse, Tensor loss, Tensor? gradient)
    {
        if (Float16Compute.Involves(logits, labels, loss, gradient))
        {
            using var f = new Float16Compute();
            SoftmaxCrossEntropy(f.In(logits), f.In(labels), sparse, f.Out(loss), f.Out(gradient));
            return;
        }
        using var held = new Operands(logits, labels);
        logits.Backend.SoftmaxCrossEntropy(logits.DType, held.A, logits.Layout, labels.DType, held.FirstOfB, sparse,
            loss.Data, gradient is null ? 0 : gradient.Data);
    }

    /// <summary>
    /// One fused optimizer step on every (variable, packed gradient, slots) of <paramref name="members"/>
    /// in one backend call (issue 17's multi-tensor apply); the variables share dtype and backend.
    /// </summary>
    [MethodImpl(Hot)]
    public static void OptimizerUpdateMulti(OptimizerKind kind, IReadOnlyList<(Variable Variable, Tensor Gradient, Variable[] Slots)> members, in OptimizerParams p)
    {
        var first = members[0].Variable;
        if (first.DType == DType.Float16)
        {
            // The step in float32 on stand-ins, then each variable and slot rounded once to
            // float16 (a float16 model without a float32 master copy, as torch's optimizers on
            // .half() parameters). The stand-ins live until f is disposed, after the call.
            using var f = new Float16Compute();
            Span<OptimizerTensor> wide = members.Count <= 128 ? stackalloc OptimizerTensor[members.Count] : new OptimizerTensor[members.Count];
            for (int i = 0; i < wide.Length; i++)
            {
                var (v, g, slots) = members[i];
                wide[i] = Entry(f.InOut(v), f.In(g), Array.ConvertAll<Variable, Tensor>(slots, s => f.InOut(s)));
            }
            first.Backend.OptimizerUpdateMulti(kind, DType.Float32, wide, p);
            return;
        }
        // Every training step passes here: the table is on the stack, nothing is allocated.
        Span<OptimizerTensor> table = members.Count <= 128 ? stackalloc OptimizerTensor[members.Count] : new OptimizerTensor[members.Count];
        for (int i = 0; i < table.Length; i++)
        {
            var (v, g, slots) = members[i];
            table[i] = Entry(v, g, slots);
        }
        first.Backend.OptimizerUpdateMulti(kind, first.DType, table, p);
        GC.KeepAlive(members);  // the list holds every operand until the call has returned
    }

    /// <summary>One variable's row of the fused step: its buffers (views at their offsets) and count.</summary>
    private static OptimizerTensor Entry(Tensor v, Tensor g, Tensor[] slots) =>
        new(v.Data + (nint)Operands.ByteOffset(v), g.Data + (nint)Operands.ByteOffset(g), slots.Length > 0 ? slots[0].Data : 0,
            slots.Length > 1 ? slots[1].Data : 0, slots.Length > 2 ? slots[2].Data : 0, v.Count);
}
