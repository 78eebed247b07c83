using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    // Keras 3's exponential moving average of the weights (keras/src/optimizers/base_optimizer.py:
    // use_ema, ema_momentum, ema_overwrite_frequency, finalize_variable_values). The averages are
    // optimizer state: saved with the model as the slots are.
    public abstract partial class Optimizer
    {
        private readonly Dictionary<Variable, Variable> _averages = new(ReferenceEqualityComparer.Instance);

        /// <summary>
        /// Keras' <c>use_ema</c>: after every step, each variable's moving average becomes
        /// m * average + (1 - m) * variable with m = <see cref="EmaMomentum"/> (m = 0 on the
        /// optimizer's first step, so the average starts at the trained value). The variables
        /// themselves are replaced by their averages every <see cref="EmaOverwriteFrequency"/>
        /// steps when that is set, and by <see cref="FinalizeVariableValues"/> (which <c>Fit</c>
        /// calls at the end of training, as Keras does).
        /// </summary>
        public bool UseEma { get; private set; }

        /// <summary>Keras' <c>ema_momentum</c>: the weight of the old average (0.99).</summary>
        public double EmaMomentum { get; private set; } = 0.99;

        /// <summary>Keras' <c>ema_overwrite_frequency</c>: every this many steps the variables take their averages; null: only at the end.</summary>
        public int? EmaOverwriteFrequency { get; private set; }

        // Keras' checks: a momentum within [0, 1] and a frequency of at least 1.
        internal void ConfigureEma(bool useEma, double emaMomentum, int? emaOverwriteFrequency)
        {
            string name = GetType().Name;
            if (!(emaMomentum >= 0 && emaMomentum <= 1))
                throw new ArgumentOutOfRangeException(nameof(emaMomentum), emaMomentum, $"{name}: emaMomentum must be within [0, 1].");
            if (emaOverwriteFrequency is < 1)
                throw new ArgumentOutOfRangeException(nameof(emaOverwriteFrequency), emaOverwriteFrequency, $"{name}: emaOverwriteFrequency must be at least 1 (or null).");
            UseEma = useEma;
            EmaMomentum = emaMomentum;
            EmaOverwriteFrequency = emaOverwriteFrequency;
        }

        /// <summary>The moving average of <paramref name="variable"/>, or null when <see cref="UseEma"/> is off or it was never updated.</summary>
        public Variable? AverageOf(Variable variable) => _averages.GetValueOrDefault(variable);

        /// <summary>
        /// Keras' <c>finalize_variable_values</c>: with <see cref="UseEma"/>, each of
        /// <paramref name="variables"/> takes its moving average; without, nothing changes.
        /// Variables this optimizer never updated have no average and stay as they are.
        /// </summary>
        public void FinalizeVariableValues(IEnumerable<Variable> variables)
        {
            ArgumentNullException.ThrowIfNull(variables);
            // A wrapper (LossScaleOptimizer) finalizes with its inner optimizer's averages, as Keras' forwards the call.
            if (!ReferenceEquals(StateHolder, this))
            {
                StateHolder.FinalizeVariableValues(variables);
                return;
            }
            if (!UseEma) return;
            foreach (var v in variables)
                if (v is not null && _averages.TryGetValue(v, out var average)) v.Assign(average);
        }

        // After the step, before Iterations counts it (Keras' _backend_apply_gradients): every
        // variable of the step, with or without a gradient, as Keras averages all it was built with.
        private void UpdateAverages(IReadOnlyList<(Tensor? Gradient, Variable Variable)> pairs)
        {
            // The first step's momentum 0 is a C# decision a replay would freeze: that trace is
            // dropped and the function traces again on a later call, when it is EmaMomentum for good.
            if (FunctionTrace.Current is { } trace && Iterations == 0)
                trace.Fail($"{GetType().Name}: the moving average's first step uses momentum 0", retryLater: true);
            double m = Iterations == 0 ? 0 : EmaMomentum;
            using (var scope = TensorScope.Begin())
            {
                foreach (var (_, v) in pairs)
                {
                    if (!v.DType.IsFloating()) continue;
                    if (!_averages.TryGetValue(v, out var average))
                    {
                        // Keras creates it at build time (zeros) and the first step's m = 0 fills
                        // it; a variable first seen later starts from its value instead of 0.
                        _averages[v] = average = NewAverage(v);
                        if (Iterations == 0) continue;
                    }
                    average.Assign(m * average + (1 - m) * v);
                }
                if (EmaOverwriteFrequency is { } every) OverwriteWithAverages(pairs, every);
            }
        }

        private readonly Dictionary<IBackend, Variable> _overwriteFlags = [];

        // Every `every` steps the variables take their averages (Keras: an ops.cond on
        // (iterations + 1) % every == 0). Which steps is decided on the host, per step, into a bool
        // variable that an NF.Function replay writes again (as the step scalars of a composed
        // optimizer); each variable becomes where(flag, average, itself), a select, so the bits
        // are the average's or its own, eagerly and replayed alike.
        private void OverwriteWithAverages(IReadOnlyList<(Tensor? Gradient, Variable Variable)> pairs, int every)
        {
            var trace = FunctionTrace.Current;
            var flags = new List<Variable>();
            foreach (var (_, v) in pairs)
            {
                if (!_averages.ContainsKey(v)) continue;
                var backend = FunctionTrace.Unwrap(v.Backend);
                if (!_overwriteFlags.TryGetValue(backend, out var flag))
                {
                    using var no = NF.Fill(new Shape([]), 0, DType.Bool, backend);
                    _overwriteFlags[backend] = flag = new Variable(no, trainable: false, name: "ema_overwrite");
                }
                if (!flags.Contains(flag)) flags.Add(flag);
            }
            void WriteFlags(FunctionTrace? during)
            {
                bool now = (Iterations + 1) % every == 0;
                foreach (var flag in flags) Write(flag, now ? 1 : 0, during);
            }
            WriteFlags(trace);
            trace?.RecordHostWrite(() => WriteFlags(null), flags);
            foreach (var (_, v) in pairs)
                if (_averages.TryGetValue(v, out var average))
                    v.Assign(NF.Where(_overwriteFlags[FunctionTrace.Unwrap(v.Backend)], average, v));
        }

        // Creates (as a copy of the variable, to be overwritten) or drops the moving average of variable.
        private void SetAverage(Variable variable, bool present)
        {
            if (!present) _averages.Remove(variable);
            else if (!_averages.ContainsKey(variable)) _averages[variable] = NewAverage(variable);
        }

        /// <summary>Restores saved moving averages (for loading).</summary>
        internal void RestoreAverages(IReadOnlyList<(Variable Variable, Tensor Average)> saved)
        {
            foreach (var (v, value) in saved)
            {
                var average = NewAverage(v);
                Layer.CheckFits("Load", average, value, $"saved moving average of {v.Name}");
                Layer.AssignConverted(average, value);
                _averages[v] = average;
            }
        }
    }
}
