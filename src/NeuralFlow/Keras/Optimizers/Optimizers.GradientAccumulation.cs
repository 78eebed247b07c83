using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    // Keras 3's gradient accumulation (keras/src/optimizers/base_optimizer.py: gradient_accumulation_steps,
    // _backend_apply_gradients): each call adds its gradients to a per-variable accumulator; every n-th call
    // updates the variables with (g + accumulated) / n, clipped and with weight decay as any update, and empties
    // the accumulators. Which calls update is decided on the host from the call count, into a bool variable an
    // NF.Function replay writes again (as EMA's overwrite flag), and the two branches are an NF.Cond, as Keras'
    // ops.cond, so that Fit's compiled step replays both kinds of call.
    public abstract partial class Optimizer
    {
        private readonly Dictionary<Variable, Variable> _accumulators = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<IBackend, Variable> _updateFlags = [];

        /// <summary>
        /// Keras' <c>gradient_accumulation_steps</c>: null (every call updates the weights) or n of at least 2, when
        /// the gradients of n calls are averaged into one update, as one batch n times larger would give (with the
        /// loss a mean over each batch). <see cref="Iterations"/> then counts updates, the bias corrections and
        /// moving averages follow it, and a learning-rate schedule reads the count of calls, as in Keras.
        /// </summary>
        public int? GradientAccumulationSteps { get; private set; }

        // Keras' check: an integer of at least 2 (1 would accumulate nothing).
        internal void ConfigureAccumulation(int? steps)
        {
            if (steps is < 2)
                throw new ArgumentOutOfRangeException("gradientAccumulationSteps", steps,
                    $"{GetType().Name}: gradientAccumulationSteps must be an integer >= 2 (or null for an update every step); got {steps}.");
            GradientAccumulationSteps = steps;
        }

        /// <summary>The gradients accumulated for <paramref name="variable"/> since the last update, or null without gradient accumulation or before its first gradient.</summary>
        public Variable? AccumulatorOf(Variable variable) => _accumulators.GetValueOrDefault(variable);

        private void AccumulateOrUpdate(IReadOnlyList<(Tensor? Gradient, Variable Variable)> list, int steps, FunctionTrace? trace)
        {
            // Keras builds every slot and accumulator before the first call; here before the branch, so that a
            // branch traced without running (NF.Cond's untaken one) does not make state it leaves unfilled.
            var members = new List<(Tensor Gradient, Variable Variable, Variable Accumulator)>();
            foreach (var (g, v) in list)
            {
                if (g is null) continue;
                if (Kind is not null || ComposesTensors)
                {
                    if (!_slots.ContainsKey(v)) _slots[v] = NewSlots(v);
                    if (ComposesTensors) StepScalarsOf(v);
                }
                if (!_accumulators.TryGetValue(v, out var accumulator)) _accumulators[v] = accumulator = NewAccumulator(v);
                members.Add((g, v, accumulator));
            }
            if (trace is null)
            {
                if (IsUpdateCall(steps)) UpdateFromAccumulated(list, members, steps, null);
                else Accumulate(members);
                return;
            }
            var flags = UpdateFlags(members);
            void WriteFlags(FunctionTrace? during)
            {
                bool update = IsUpdateCall(steps);
                foreach (var flag in flags) Write(flag, update ? 1 : 0, during);
            }
            WriteFlags(trace);
            trace.RecordHostWrite(() => WriteFlags(null), flags);
            NF.Cond(flags[0],
                () => { UpdateFromAccumulated(list, members, steps, FunctionTrace.Current); return Array.Empty<Tensor>(); },
                () => { Accumulate(members); return Array.Empty<Tensor>(); });
        }

        // Keras' is_update_step: (_iterations + 1) % steps == 0, before this call is counted.
        private bool IsUpdateCall(int steps) => (_iterations + 1) % steps == 0;

        // The n-th call: the mean of the n calls' gradients updates the variables (clipped, with weight decay), then
        // the accumulators start again from zero.
        private void UpdateFromAccumulated(IReadOnlyList<(Tensor? Gradient, Variable Variable)> list,
                                           List<(Tensor Gradient, Variable Variable, Variable Accumulator)> members, int steps, FunctionTrace? trace)
        {
            using var scope = TensorScope.Begin();
            var byVariable = new Dictionary<Variable, Tensor>(ReferenceEqualityComparer.Instance);
            foreach (var (g, v, accumulator) in members)
                byVariable[v] = (g + (accumulator.DType == g.DType ? accumulator : NF.Cast(accumulator, g.DType))) / steps;
            var averaged = list.Select(p => (p.Gradient is null ? null : byVariable[p.Variable], p.Variable)).ToList();
            Update(averaged, trace);
            foreach (var (_, _, accumulator) in members) accumulator.Assign(NF.ZerosLike(accumulator));
        }

        private static void Accumulate(List<(Tensor Gradient, Variable Variable, Variable Accumulator)> members)
        {
            using var scope = TensorScope.Begin();
            foreach (var (g, _, accumulator) in members) accumulator.Assign(accumulator + (g.DType == accumulator.DType ? g : NF.Cast(g, accumulator.DType)));
        }

        // One bool flag per device the members live on (the predicate of each device's NF.Cond is its own).
        private List<Variable> UpdateFlags(List<(Tensor Gradient, Variable Variable, Variable Accumulator)> members)
        {
            var flags = new List<Variable>();
            foreach (var (_, v, _) in members)
            {
                var backend = FunctionTrace.Unwrap(v.Backend);
                if (!_updateFlags.TryGetValue(backend, out var flag))
                {
                    using var no = NF.Fill(new Shape([]), 0, DType.Bool, backend);
                    _updateFlags[backend] = flag = new Variable(no, trainable: false, name: OwnVariableName("accumulation_update"));
                }
                if (!flags.Contains(flag)) flags.Add(flag);
            }
            return flags;
        }

        // Keras' add_variable_from_reference(variable, "gradient_accumulator"): zeros of the variable's shape and dtype.
        private Variable NewAccumulator(Variable variable)
        {
            var accumulator = ZerosLike(variable);
            accumulator.Rename($"{Name}/{Reference(variable.Name ?? "variable")}_gradient_accumulator");
            return accumulator;
        }

        // Creates (zeros, to be overwritten) or drops the accumulator of variable (a broadcast's or a file's state).
        private void SetAccumulator(Variable variable, bool present)
        {
            if (!present) _accumulators.Remove(variable);
            else if (!_accumulators.ContainsKey(variable)) _accumulators[variable] = NewAccumulator(variable);
        }

        /// <summary>Restores saved accumulators (for loading); all are checked before any is set.</summary>
        internal void RestoreAccumulators(IReadOnlyList<(Variable Variable, Tensor Accumulated)> saved)
        {
            if (saved.Count > 0 && GradientAccumulationSteps is null)
                throw new ArgumentException($"{GetType().Name}: the saved state holds accumulated gradients, but this optimizer has no gradientAccumulationSteps.");
            var made = new List<(Variable, Variable, Tensor)>();
            foreach (var (v, value) in saved)
            {
                var accumulator = NewAccumulator(v);
                Layer.CheckFits("Load", accumulator, value, $"saved gradient accumulator of {v.Name}");
                made.Add((v, accumulator, value));
            }
            foreach (var (v, accumulator, value) in made)
            {
                Layer.AssignConverted(accumulator, value);
                _accumulators[v] = accumulator;
            }
        }
    }
}
