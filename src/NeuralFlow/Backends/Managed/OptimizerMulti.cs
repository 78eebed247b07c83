using System.Buffers;
using System.Numerics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// The optimizer over many variables in one call (issue 17, <c>nf_optimizer_update_multi</c>):
/// one <see cref="WorkerPool"/> job over the concatenation of all tensors' elements, each piece running the
/// per-tensor step of <see cref="IOptimizerStep{T}"/> on the tensors it spans. Every element's
/// result depends on its own values only, so the bits equal one call per tensor.
/// </summary>
public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void OptimizerUpdateMulti(OptimizerKind kind, DType dtype, ReadOnlySpan<OptimizerTensor> tensors, in OptimizerParams p)
    {
        const string M = nameof(OptimizerUpdateMulti);
        CheckOptimizer(M, kind, dtype, p, 0, 0, 0, 0, 0, 0);
        var (need0, need1, need2) = OptimizerSlots.Needed(kind, p);
        // The kept tensors and their starts live in pooled arrays, the buffer spans on the stack:
        // a training step calls this every step, and it allocated a few KB each time.
        var kept = ArrayPool<OptimizerTensor>.Shared.Rent(Math.Max(tensors.Length, 1));
        var start = ArrayPool<long>.Shared.Rent(tensors.Length + 1);
        int spanCount = 5 * tensors.Length;
        var rented = spanCount > 256 ? ArrayPool<BufferSpan>.Shared.Rent(spanCount) : null;
        Span<BufferSpan> spans = rented != null ? rented : stackalloc BufferSpan[256];
        try
        {
            long total = 0;
            int n = 0, used = 0;
            int size = dtype.SizeInBytes();
            start[0] = 0;
            for (int i = 0; i < tensors.Length; i++)
            {
                var t = tensors[i];
                bool plainlyValid = t.Count >= 0 && (t.Count == 0 || (t.Param != 0 && t.Grad != 0 &&
                    (!need0 || t.Slot0 != 0) && (!need1 || t.Slot1 != 0) && (!need2 || t.Slot2 != 0)));
                // Only a tensor that fails the quick test pays for the message naming it (and throws there).
                if (!plainlyValid) CheckOptimizer($"{M}: tensors[{i}]", kind, dtype, p, t.Param, t.Grad, t.Slot0, t.Slot1, t.Slot2, t.Count);
                if (t.Count == 0) continue;
                if (t.Count > long.MaxValue / 8 - total)
                    throw new ArgumentException($"{M}: the tensors hold more than 2^60 elements together (tensors[{i}] passes it).", nameof(tensors));
                total += t.Count;
                nint s0 = need0 ? t.Slot0 : 0, s1 = need1 ? t.Slot1 : 0, s2 = need2 ? t.Slot2 : 0;
                kept[n++] = t with { Slot0 = s0, Slot1 = s1, Slot2 = s2 };
                start[n] = total;
                nint bytes = (nint)(t.Count * size);
                AddSpan(spans, ref used, t.Param, bytes, i, 0, true);
                AddSpan(spans, ref used, t.Grad, bytes, i, 1, false);
                AddSpan(spans, ref used, s0, bytes, i, 2, true);
                AddSpan(spans, ref used, s1, bytes, i, 3, true);
                AddSpan(spans, ref used, s2, bytes, i, 4, true);
            }
            CheckNoOverlap(M, spans[..used]);
            if (total == 0) return;
            RunOptimizer(kind, dtype, p, new ManyTensors(kept, start, n));
        }
        finally
        {
            ArrayPool<OptimizerTensor>.Shared.Return(kept);
            ArrayPool<long>.Shared.Return(start);
            if (rented != null) ArrayPool<BufferSpan>.Shared.Return(rented);
        }
    }

    /// <summary>One buffer of one tensor: [Begin, End), which tensor, which of its buffers (<see cref="BufferNames"/>), whether the step writes it; Order keeps the sort stable.</summary>
    private record struct BufferSpan(nint Begin, nint End, int Tensor, int Name, bool Written, int Order);

    private static readonly string[] BufferNames = ["param", "grad", "slot0", "slot1", "slot2"];

    private static void AddSpan(Span<BufferSpan> spans, ref int used, nint at, nint bytes, int tensor, int name, bool written)
    {
        if (at == 0) return;
        spans[used] = new BufferSpan(at, at + bytes, tensor, name, written, used);
        used++;
    }

    // As common/optimizer_multi.cpp: a buffer a step writes may share memory with no other buffer of the call.
    private static void CheckNoOverlap(string M, Span<BufferSpan> spans)
    {
        // Stable (by insertion order on ties): of two ranges starting together, the message names the earlier tensor first.
        spans.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.Order.CompareTo(b.Order));
        for (int i = 0; i < spans.Length; i++)
            for (int j = i + 1; j < spans.Length && spans[j].Begin < spans[i].End; j++)
                if (spans[i].Written || spans[j].Written)
                    throw new ArgumentException(
                        $"{M}: tensors[{spans[i].Tensor}].{BufferNames[spans[i].Name]} overlaps tensors[{spans[j].Tensor}].{BufferNames[spans[j].Name]}; " +
                        "the buffers a step writes may not share memory with any other buffer of the call (the tensors are updated at once, in no order).",
                        "tensors");
    }

    /// <summary>The first <paramref name="count"/> checked tensors with elements, and the element count before each (start[count] is the total).</summary>
    private readonly struct ManyTensors(OptimizerTensor[] tensors, long[] start, int count) : IOptimizerTarget
    {
        [MethodImpl(ManagedKernel)]
        public void Run<T, TStep>(TStep step, long cost) where T : unmanaged where TStep : struct, IOptimizerStep<T>
        {
            long total = start[count];
            WorkerPool.Split(new Job<T, TStep> { Tensors = this, Step = step }, total, ChunksFor(total * cost, total / Vector<T>.Count));
        }

        private struct Job<T, TStep> : IRangeJob where T : unmanaged where TStep : struct, IOptimizerStep<T>
        {
            public ManyTensors Tensors;
            public TStep Step;
            [MethodImpl(ManagedKernel)]
            public readonly void Run(long begin, long end) => Tensors.Range<T, TStep>(Step, begin, end);
        }

        // Elements [b, e) of the concatenation: each tensor's share of it, in order.
        [MethodImpl(ManagedKernel)]
        private void Range<T, TStep>(TStep step, long b, long e) where T : unmanaged where TStep : struct, IOptimizerStep<T>
        {
            int k = Array.BinarySearch(start, 0, count + 1, b);
            if (k < 0) k = ~k - 1;  // the last tensor starting before b
            for (; k < count && start[k] < e; k++)
            {
                var t = tensors[k];
                long from = Math.Max(b, start[k]) - start[k], to = Math.Min(e, start[k + 1]) - start[k];
                if (from < to) OptimizerRange<T, TStep>(step, t.Param, t.Grad, t.Slot0, t.Slot1, t.Slot2, from, to);
            }
        }
    }
}
