using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    // Issue 17's "optimizer over all variables in one call" (PyTorch's foreach/fused optimizers,
    // TensorFlow's grouped updates): the variables of one step that share dtype, device and the
    // kernel's settings (a variable excluded from weight decay, or clipNorm's per-variable scale,
    // makes its own group) are updated by one nf_optimizer_update_multi call, eagerly and in an
    // NF.Function replay alike, where each call is one recorded op.
    public abstract partial class Optimizer
    {
        private sealed class Group(DType dtype, IBackend backend, OptimizerParams parameters)
        {
            public readonly DType DType = dtype;
            public readonly IBackend Backend = backend;
            public readonly OptimizerParams Parameters = parameters;
            public readonly List<(Variable Variable, Tensor Gradient, Variable[] Slots)> Members = [];

            // A variable (or a buffer of it) already in the group: its second update must see the
            // first, and one call updates its tensors at once, so it goes to a later call.
            public bool Holds(Variable v, Variable[] slots) =>
                Members.Any(m => Shares(m.Variable, v, slots) || m.Slots.Any(s => Shares(s, v, slots)));

            // A gradient over a buffer the group writes: the per-variable calls read it after that
            // variable's update, so it goes to a later call (a gradient over a buffer of its own
            // variable, or of a later one, is copied before the call instead: Packed).
            public bool Writes(Tensor g) =>
                Members.Any(m => Aliasing.MayShareMemory(g, g.Layout, m.Variable, m.Variable.Layout) ||
                                 m.Slots.Any(s => Aliasing.MayShareMemory(g, g.Layout, s, s.Layout)));

            private static bool Shares(Variable held, Variable v, Variable[] slots) =>
                ReferenceEquals(held.Storage, v.Storage) || slots.Any(s => ReferenceEquals(held.Storage, s.Storage));
        }

        // Pairs in order; a variable without a gradient is skipped. Groups run in the order of
        // their first variable, so a variable listed twice is updated twice, in order.
        [MethodImpl(Hot)]
        private void ApplyFused(OptimizerKind kind, IReadOnlyList<(Tensor? Gradient, Variable Variable)> pairs, double lr, long step,
                                FunctionTrace? trace)
        {
            foreach (var (g, v) in pairs)
                if (g is not null) Engine.BackendOf($"ApplyGradients (variable {v.Name ?? "?"})", v, g);
            // clipNorm and globalClipNorm: Keras' clipping by tensor ops on the device before the kernel (the
            // composed path's one definition), so that a replay computes each step's norms; a host-side
            // norm would stop the trace and run every such Fit step eagerly.
            bool clipsNorms = ClipNorm is not null || GlobalClipNorm is not null;
            using var clipScope = clipsNorms ? TensorScope.Begin() : null;   // the clipped gradients' scope; no scope on the plain hot path
            if (clipsNorms)
            {
                var globalScale = GlobalClipNorm is { } clip ? GlobalClipScaleOnDevice(pairs, clip) : null;
                pairs = pairs.Select(p => (p.Gradient is null ? null : ClippedOnDevice(p.Gradient, globalScale), p.Variable)).ToList();
            }
            var groups = new List<Group>();
            foreach (var (g, v) in pairs)
            {
                if (g is null) continue;  // shapes and dtypes were checked by ValidGradients
                if (!_slots.TryGetValue(v, out var slots))
                    _slots[v] = slots = NewSlots(v);
                var p = WithOptions(Parameters(lr, step), v, g, null, normsClipped: true);
                var backend = FunctionTrace.Unwrap(v.Backend);
                // The last group with these settings, unless it or a group after it (which runs
                // later) already updates this variable or a buffer its gradient reads.
                int i = groups.FindLastIndex(x => x.DType == v.DType && ReferenceEquals(x.Backend, backend) && x.Parameters == p);
                if (i < 0 || groups.Skip(i).Any(x => x.Holds(v, slots) || x.Writes(g)))
                {
                    i = groups.Count;
                    groups.Add(new Group(v.DType, backend, p));
                }
                groups[i].Members.Add((v, g, slots));
            }
            foreach (var group in groups) ApplyGroup(kind, group, trace);
        }

        // One kernel call updates the group's variables and their slots in place.
        [MethodImpl(Hot)]
        private void ApplyGroup(OptimizerKind kind, Group group, FunctionTrace? trace)
        {
            // An NF.Function replay recomputes the settings each step, as this eager call does (the
            // gradients arrive clipped by norm, so the settings do not depend on them).
            var first = group.Members[0].Variable;
            trace?.SetNextOptimizerParams(() => WithOptions(Parameters(CurrentLearningRate, Iterations + 1), first, null, null, normsClipped: true));
            // The kernel reads and writes the variables and their slots in place (a copy first for
            // one a tape still holds).
            foreach (var (v, _, slots) in group.Members)
            {
                v.BeginWrite(keepContents: true);
                foreach (var slot in slots) slot.BeginWrite(keepContents: true);
            }
            var packed = new List<Tensor>();
            try
            {
                var members = new List<(Variable, Tensor, Variable[])>(group.Members.Count);
                foreach (var (v, g, slots) in group.Members)
                    members.Add((v, Packed(g, v, group, packed), slots));
                Engine.OptimizerUpdateMulti(kind, members, group.Parameters);
            }
            finally
            {
                foreach (var t in packed) t.Dispose();
            }
        }

        // The gradient as the kernel takes it: contiguous, of the variable's dtype, and (the
        // kernel takes its buffers as restrict pointers) over no buffer the call writes.
        private static Tensor Packed(Tensor g, Variable v, Group group, List<Tensor> packed)
        {
            bool aliased = group.Writes(g);
            if (g.DType == v.DType && g.IsContiguous && !aliased) return g;
            var copy = aliased ? Aliasing.FreshCopy(g, v.DType) : NF.Cast(g, v.DType).Contiguous();
            packed.Add(copy);
            return copy;
        }
    }
}
