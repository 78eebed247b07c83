using System.Numerics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// The optimizer over many variables in one call (issue 17, <c>nf_optimizer_update_multi</c>):
/// one Parallel.For over the concatenation of all tensors' elements, each piece running the
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
        var kept = new List<OptimizerTensor>(tensors.Length);
        var spans = new List<(nint Begin, nint End, int Tensor, string Name, bool Written)>();
        long total = 0;
        int size = dtype.SizeInBytes();
        for (int i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            var (s0, s1, s2) = CheckOptimizer($"{M}: tensors[{i}]", kind, dtype, p, t.Param, t.Grad, t.Slot0, t.Slot1, t.Slot2, t.Count);
            if (t.Count == 0) continue;
            if (t.Count > long.MaxValue / 8 - total)
                throw new ArgumentException($"{M}: the tensors hold more than 2^60 elements together (tensors[{i}] passes it).", nameof(tensors));
            total += t.Count;
            kept.Add(t with { Slot0 = s0, Slot1 = s1, Slot2 = s2 });
            nint bytes = (nint)(t.Count * size);
            foreach (var (at, name, written) in new[] { (t.Param, "param", true), (t.Grad, "grad", false), (s0, "slot0", true), (s1, "slot1", true), (s2, "slot2", true) })
                if (at != 0) spans.Add((at, at + bytes, i, name, written));
        }
        CheckNoOverlap(M, spans);
        if (total == 0) return;
        var all = kept.ToArray();
        var start = new long[all.Length + 1];
        for (int k = 0; k < all.Length; k++) start[k + 1] = start[k] + all[k].Count;
        RunOptimizer(kind, dtype, p, new ManyTensors(all, start));
    }

    // As common/optimizer_multi.cpp: a buffer a step writes may share memory with no other buffer of the call.
    private static void CheckNoOverlap(string M, List<(nint Begin, nint End, int Tensor, string Name, bool Written)> spans)
    {
        // Stable (by insertion order on ties): of two ranges starting together, the message names the earlier tensor first.
        var order = spans.Select((s, k) => (s, k)).OrderBy(x => x.s.Begin).ThenBy(x => x.k).Select(x => x.s).ToList();
        spans.Clear();
        spans.AddRange(order);
        for (int i = 0; i < spans.Count; i++)
            for (int j = i + 1; j < spans.Count && spans[j].Begin < spans[i].End; j++)
                if (spans[i].Written || spans[j].Written)
                    throw new ArgumentException(
                        $"{M}: tensors[{spans[i].Tensor}].{spans[i].Name} overlaps tensors[{spans[j].Tensor}].{spans[j].Name}; " +
                        "the buffers a step writes may not share memory with any other buffer of the call (the tensors are updated at once, in no order).",
                        "tensors");
    }

    /// <summary>Checked tensors with elements, and the element count before each (start[^1] is the total).</summary>
    private readonly struct ManyTensors(OptimizerTensor[] tensors, long[] start) : IOptimizerTarget
    {
        [MethodImpl(ManagedKernel)]
        public void Run<T, TStep>(TStep step, long cost) where T : unmanaged where TStep : struct, IOptimizerStep<T>
        {
            long total = start[^1];
            int pieces = ChunksFor(total * cost, total / Vector<T>.Count);
            if (pieces == 1)
            {
                Range<T, TStep>(step, 0, total);
                return;
            }
            var (self, s) = (this, step);
            Parallel.For(0, pieces, ManagedBackend.Options, piece =>
                self.Range<T, TStep>(s, SplitPoint(total, pieces, piece), SplitPoint(total, pieces, piece + 1)));
        }

        // Elements [b, e) of the concatenation: each tensor's share of it, in order.
        [MethodImpl(ManagedKernel)]
        private void Range<T, TStep>(TStep step, long b, long e) where T : unmanaged where TStep : struct, IOptimizerStep<T>
        {
            int k = Array.BinarySearch(start, b);
            if (k < 0) k = ~k - 1;  // the last tensor starting before b
            for (; k < tensors.Length && start[k] < e; k++)
            {
                var t = tensors[k];
                long from = Math.Max(b, start[k]) - start[k], to = Math.Min(e, start[k + 1]) - start[k];
                if (from < to) OptimizerRange<T, TStep>(step, t.Param, t.Grad, t.Slot0, t.Slot1, t.Slot2, from, to);
            }
        }
    }
}
