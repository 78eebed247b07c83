using System.Diagnostics.CodeAnalysis;
using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

/// <summary>
/// The Keras optimizers (<c>tf.keras.optimizers</c>) with Keras' defaults. Strings convert:
/// "sgd", "adam", "adamw", "rmsprop", "adagrad", "nadam", "adamax", "adadelta", "ftrl", "lion", "adafactor", "lamb", "muon", "schedulefreeadamw".
/// </summary>
public static partial class Optimizers
{
    /// <summary>Looks up an optimizer by name, with Keras' default settings.</summary>
    public static Optimizer Get(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => new SGD(),
        "adam" => new Adam(),
        "rmsprop" => new RMSprop(),
        "adagrad" => new Adagrad(),
        "adamw" => new AdamW(),
        "nadam" => new Nadam(),
        "adamax" => new Adamax(),
        "adadelta" => new Adadelta(),
        "ftrl" => new Ftrl(),
        "lion" => new Lion(),
        "adafactor" => new Adafactor(),
        "lamb" => new Lamb(),
        "muon" => new Muon(),
        "schedulefreeadamw" or "schedule_free_adamw" => new ScheduleFreeAdamW(),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; use sgd, adam, adamw, rmsprop, adagrad, nadam, adamax, adadelta, ftrl, lion, adafactor, lamb, muon or schedulefreeadamw.", nameof(name)),
    };

    /// <summary>
    /// Updates variables from gradients. Each variable gets its own slots (momentum, moments)
    /// the first time it is seen. The Keras 3 base options apply to every optimizer, in Keras'
    /// order: gradients clipped (<see cref="ClipNorm"/>, <see cref="GlobalClipNorm"/> or
    /// <see cref="ClipValue"/>, at most one), then weight decay, then the update, all in the one
    /// fused kernel per variable.
    /// </summary>
    public abstract partial class Optimizer
    {
        private readonly Dictionary<Variable, Variable[]> _slots = new(ReferenceEqualityComparer.Instance);

        /// <summary>
        /// An optimizer with the given learning rate (a number of at least 0, or a schedule), named
        /// <paramref name="name"/> (see <see cref="Name"/>; null: Keras' default name).
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="name"/> is empty or blank.</exception>
        protected Optimizer(LearningRate learningRate, string? name = null)
        {
            _learningRate = Checked(learningRate, nameof(learningRate));
            Name = DefaultOrGiven(name);
        }

        private LearningRate _learningRate;

        // A negative or NaN constant would step uphill or poison every weight, silently.
        private LearningRate Checked(LearningRate learningRate, string parameter)
        {
            ArgumentNullException.ThrowIfNull(learningRate, parameter);
            if (learningRate.Constant is { } rate && !(rate >= 0 && rate < double.PositiveInfinity))
                throw new ArgumentOutOfRangeException(parameter, rate, $"{GetType().Name}: learningRate must be a finite number of at least 0.");
            return learningRate;
        }

        /// <summary>
        /// An optimizer with Keras 3's base options: <paramref name="weightDecay"/> (w -= w * wd * lr
        /// before each update), <paramref name="clipNorm"/> (each gradient's L2 norm at most this),
        /// <paramref name="clipValue"/> (each element within ±this), <paramref name="globalClipNorm"/>
        /// (the norm of all gradients together at most this), and the moving average of the weights
        /// (<paramref name="useEma"/>, <paramref name="emaMomentum"/>, <paramref name="emaOverwriteFrequency"/>;
        /// see <see cref="UseEma"/>), and <paramref name="gradientAccumulationSteps"/> (see <see cref="GradientAccumulationSteps"/>).
        /// Null leaves an option off. <paramref name="name"/>: see <see cref="Name"/>.
        /// </summary>
        protected Optimizer(LearningRate learningRate, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipNorm,
            bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
            : this(learningRate, name)
        {
            ConfigureEma(useEma, emaMomentum, emaOverwriteFrequency);
            ConfigureAccumulation(gradientAccumulationSteps);
            string type = GetType().Name;
            if (new[] { clipNorm, clipValue, globalClipNorm }.Count(o => o is not null) > 1)
                throw new ArgumentException($"{type}: only one of clipNorm ({clipNorm}), clipValue ({clipValue}) and globalClipNorm ({globalClipNorm}) can be set, as in Keras.");
            WeightDecay = weightDecay is null or (>= 0 and < double.PositiveInfinity) ? weightDecay
                : throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"{type}: weightDecay must be a finite number of at least 0.");
            ClipNorm = Positive(clipNorm, nameof(clipNorm), type);
            ClipValue = Positive(clipValue, nameof(clipValue), type);
            GlobalClipNorm = Positive(globalClipNorm, nameof(globalClipNorm), type);
        }

        private static double? Positive(double? value, string parameter, string optimizer) =>
            value is null or (> 0 and < double.PositiveInfinity) ? value
                : throw new ArgumentOutOfRangeException(parameter, value, $"{optimizer}: {parameter} must be a finite number greater than 0.");

        /// <summary>
        /// The learning rate: a constant or a schedule of <see cref="Iterations"/>. As in Keras, an
        /// optimizer that runs a schedule takes another schedule but not a number (setting one would
        /// silently drop the schedule: <see cref="InvalidOperationException"/>, Keras' TypeError).
        /// </summary>
        public virtual LearningRate LearningRate
        {
            get => _learningRate;
            set
            {
                var rate = Checked(value, nameof(value));
                if (rate.Schedule is null && _learningRate.Schedule is { } schedule)
                    throw new InvalidOperationException(
                        $"{GetType().Name}: the learning rate is the schedule {schedule}, so it cannot be set to the number {rate}; " +
                        "set another schedule, or build the optimizer with a number to change the rate by hand or with LearningRateScheduler/ReduceLROnPlateau (Keras raises TypeError here too).");
                _learningRate = rate;
            }
        }

        /// <summary>
        /// Number of steps taken so far (Keras' <c>iterations</c>): the <c>ApplyGradients</c> calls, or with
        /// <see cref="GradientAccumulationSteps"/> the updates made (calls / steps, floored, as Keras).
        /// </summary>
        public virtual long Iterations => GradientAccumulationSteps is { } n ? _iterations / n : _iterations;

        // Keras' _iterations: every ApplyGradients call, accumulating or not (what files save).
        private long _iterations;

        /// <summary>The <c>ApplyGradients</c> calls so far (Keras' <c>optimizer._iterations</c>), which files save; <see cref="Iterations"/> but with gradient accumulation.</summary>
        internal long RawIterations => _iterations;

        /// <summary>
        /// The learning rate for the current step: the schedule at <see cref="Iterations"/>, or with gradient
        /// accumulation at the count of calls, as Keras' schedules read its <c>_iterations</c>.
        /// </summary>
        public double CurrentLearningRate => LearningRate.At(GradientAccumulationSteps is null ? Iterations : _iterations);

        /// <summary>
        /// The loss a training step differentiates (Keras' <c>optimizer.scale_loss</c>): the loss itself here;
        /// a <see cref="LossScaleOptimizer"/> multiplies it by its loss scale, and its <see cref="ApplyGradients(IEnumerable{ValueTuple{Tensor, Variable}})"/>
        /// divides the gradients back. <c>Fit</c> calls it; a custom GradientTape loop calls it as Keras' guide does.
        /// </summary>
        public virtual Tensor ScaleLoss(Tensor loss) => loss ?? throw new ArgumentNullException(nameof(loss));

        /// <summary>The optimizer that keeps the per-weight state (slots, moving averages) that a saved model holds: this one; a wrapper's inner one.</summary>
        internal virtual Optimizer StateHolder => this;

        /// <summary>Looks up an optimizer by name; null stays null (Compile then names the missing optimizer).</summary>
        [return: NotNullIfNotNull(nameof(name))]
        public static implicit operator Optimizer?(string? name) => name is null ? null : Get(name);

        /// <summary>Applies one step: gradient i updates variable i. Null gradients are skipped.</summary>
        [MethodImpl(Hot)]
        public void ApplyGradients(IReadOnlyList<Tensor?> gradients, IReadOnlyList<Variable> variables)
        {
            ArgumentNullException.ThrowIfNull(gradients);
            ArgumentNullException.ThrowIfNull(variables);
            if (gradients.Count != variables.Count)
                throw new ArgumentException($"ApplyGradients: got {gradients.Count} gradients for {variables.Count} variables; gradient i updates variable i, so the counts must match.");
            ApplyGradients(gradients.Zip(variables));
        }

        /// <summary>Applies one step from (gradient, variable) pairs (Keras' zipped form).</summary>
        [MethodImpl(Hot)]
        public virtual void ApplyGradients(IEnumerable<(Tensor? Gradient, Variable Variable)> pairs)
        {
            ArgumentNullException.ThrowIfNull(pairs);
            var list = AggregatedAcrossRanks(ValidGradients(pairs));
            var trace = FunctionTrace.Current;
            if (GradientAccumulationSteps is { } steps) AccumulateOrUpdate(list, steps, trace);
            else Update(list, trace);
            if (UseEma) UpdateAverages(list);
            ApplyConstraints(list);
            // A branch an NF.Cond traces without taking it (a LossScaleOptimizer's skipped step) records the count
            // for its replays but does not count a step now.
            if (trace is not { DryRun: true }) _iterations++;
            trace?.RecordHostAction(() => _iterations++);
        }

        // One update of the variables from their gradients: clipping, weight decay and the optimizer's rule.
        private void Update(IReadOnlyList<(Tensor? Gradient, Variable Variable)> list, FunctionTrace? trace)
        {
            double lr = CurrentLearningRate;
            long step = Iterations + 1;
            if (Kind is { } kind) ApplyFused(kind, list, lr, step, trace);
            else if (ComposesTensors) ApplyComposed(list, lr, step, trace);
            else ApplyWithNumbers(list, lr, step, trace);
        }

        /// <summary>
        /// Set by Fit around an overridden TrainStep under a DataParallel strategy: this rank's share
        /// of the global batch, by which ApplyGradients weighs the step's gradients before summing
        /// them across the ranks, as Keras' optimizers aggregate the replicas' gradients under a
        /// strategy. Fit's own step reduces its gradients itself (during the backward pass), so it
        /// leaves this null. A function, read as each bucket starts: a replayed step (whose C# code,
        /// this setting included, does not run) weighs by its own batch's share.
        /// </summary>
        [ThreadStatic] internal static Func<double>? FitGradientShare;

        /// <summary>The gradients summed across the ranks, each weighed by its rank's share (<see cref="FitGradientShare"/>); as given outside such a step.</summary>
        private protected static IReadOnlyList<(Tensor? Gradient, Variable Variable)> AggregatedAcrossRanks(IReadOnlyList<(Tensor? Gradient, Variable Variable)> list)
        {
            if (FitGradientShare is not { } share || Distributed.DataParallel.Current is not { WorldSize: > 1 } strategy) return list;
            var reduced = strategy.AllReduceGradients(list.Select(p => p.Gradient).ToList(), share);
            return list.Select((p, i) => (reduced[i], p.Variable)).ToList();
        }

        // Keras 3's order: each updated variable's constraint after the step and the moving
        // averages (BaseOptimizer.apply). Tensor work, so a traced Fit step replays it.
        private static void ApplyConstraints(IReadOnlyList<(Tensor? Gradient, Variable Variable)> list)
        {
            foreach (var (g, v) in list)
            {
                if (g is null || v.Constraint is not { } constraint) continue;
                using var scope = TensorScope.Begin();
                v.Assign(constraint.Call(v));
            }
        }

        // Every pair is checked before any variable changes, so a bad one leaves no partial step;
        // as Keras, a step where no variable has a gradient is an error, not a silent no-op.
        [MethodImpl(Hot)]
        private static IReadOnlyList<(Tensor? Gradient, Variable Variable)> ValidGradients(IEnumerable<(Tensor? Gradient, Variable Variable)> pairs)
        {
            // Loops, not ToList/All: LINQ over the (gradient, variable) tuple is JIT-compiled in a cold process (not in the ReadyToRun image).
            var list = new List<(Tensor? Gradient, Variable Variable)>();
            bool anyGradient = false;
            foreach (var pair in pairs)
            {
                list.Add(pair);
                anyGradient |= pair.Gradient is not null;
            }
            for (int i = 0; i < list.Count; i++)
            {
                var (g, v) = list[i];
                if (v is null) throw new ArgumentException($"ApplyGradients: variable {i} is null.", nameof(pairs));
                string name = v.Name is { } n ? $"'{n}'" : $"{i}";
                if (g is not null && !v.DType.IsFloating()) // a variable without a gradient is skipped anyway
                    throw new ArgumentException($"ApplyGradients: variable {name} has dtype {v.DType.Name()}; optimizers update float variables only (float32, float64).", nameof(pairs));
                if (g is not null && g.Shape != v.Shape)
                    throw new ArgumentException($"ApplyGradients: the gradient for variable {name} has shape {g.Shape} but the variable has shape {v.Shape}.", nameof(pairs));
            }
            if (list.Count > 0 && !anyGradient) // none at all is a no-op step, as in Keras
                throw new ArgumentException(
                    $"ApplyGradients: No gradients provided for any variable: [{string.Join(", ", list.Select((p, i) => p.Variable.Name ?? $"variable {i}"))}]. " +
                    "Check that the loss depends on the variables (computed inside the GradientTape, from them).", nameof(pairs));
            return list;
        }

        /// <summary>The fused kernel that implements this optimizer, or null to use <c>Update</c>.</summary>
        protected virtual OptimizerKind? Kind => null;

        /// <summary>The fused kernel's settings for one step.</summary>
        protected virtual OptimizerParams Parameters(double learningRate, long step) => new(learningRate, Step: step);

        /// <summary>
        /// State kept per variable: for a fused optimizer, the slots its kernel uses (the one rule,
        /// <see cref="OptimizerSlots"/>), each filled with <see cref="InitialSlotValue"/>; else none.
        /// </summary>
        protected virtual Variable[] CreateSlots(Variable variable)
        {
            if (Kind is not { } kind) return [];
            int count = OptimizerSlots.Count(kind, Parameters(0, 1));
            var slots = new Variable[count];
            for (int i = 0; i < count; i++) slots[i] = ZerosLike(variable, InitialSlotValue(i));
            return slots;
        }

        /// <summary>Where slot <paramref name="index"/> starts (0; Adagrad's accumulator starts higher).</summary>
        protected virtual double InitialSlotValue(int index) => 0;

        /// <summary>The slots of <paramref name="variable"/>, or null before its first update (for saving).</summary>
        internal Variable[]? SlotsOf(Variable variable) => _slots.TryGetValue(variable, out var slots) ? slots : null;

        /// <summary>
        /// Restores a saved state: the iteration count and, per variable, its slot values (for
        /// loading). Slots are created as a first update would, then overwritten.
        /// </summary>
        internal void Restore(long iterations, IReadOnlyList<(Variable Variable, IReadOnlyList<Tensor> Slots)> saved)
        {
            RestoreSlots(saved);
            _iterations = iterations;
        }

        /// <summary>
        /// Restores the slots of some variables alone, leaving the step count: a checkpoint's delayed restoration of the
        /// slots of variables created after it restored this optimizer's step count. All are checked before any is set.
        /// </summary>
        internal void RestoreSlots(IReadOnlyList<(Variable Variable, IReadOnlyList<Tensor> Slots)> saved)
        {
            var made = new List<(Variable, Variable[])>();
            foreach (var (v, values) in saved)
            {
                var slots = NewSlots(v);
                if (slots.Length != values.Count)
                    throw new InvalidDataException($"{GetType().Name} keeps {slots.Length} slots per weight, but the saved state has {values.Count} for {v.Name}.");
                for (int i = 0; i < slots.Length; i++) Layer.CheckFits("Load", slots[i], values[i], $"saved slot {i} of {v.Name}");
                made.Add((v, slots));
            }
            for (int k = 0; k < made.Count; k++)
            {
                var (v, slots) = made[k];
                for (int i = 0; i < slots.Length; i++) Layer.AssignConverted(slots[i], saved[k].Slots[i]);
                _slots[v] = slots;
            }
        }

        /// <summary>
        /// Makes this optimizer's state for <paramref name="variable"/> take the form another
        /// rank's has (DataParallel.Broadcast of an optimizer): slots and moving average created
        /// (to be overwritten) or dropped, so that both ranks hold the same variables in the same
        /// order. The values are the caller's to copy.
        /// </summary>
        internal void ShapeStateLike(Variable variable, bool slots, bool average, bool accumulator = false)
        {
            if (slots && !_slots.ContainsKey(variable)) _slots[variable] = NewSlots(variable);
            else if (!slots) _slots.Remove(variable);
            SetAverage(variable, average);
            SetAccumulator(variable, accumulator);
        }

        /// <summary>Sets <see cref="Iterations"/> (rank 0's count, broadcast by DataParallel).</summary>
        internal void SetIterations(long iterations) => _iterations = iterations;

        /// <summary>A zero-filled slot shaped like <paramref name="variable"/>.</summary>
        protected static Variable ZerosLike(Variable variable, double value = 0)
        {
            using var zeros = NF.Fill(variable.Shape, value, variable.DType, variable.Backend);
            return new Variable(zeros, trainable: false);
        }

        /// <summary>
        /// Updates one variable in place with tensor ops, given the learning rate and step
        /// (counting from 1) as C# numbers. Kept for custom optimizers written against it: such a
        /// step runs eagerly inside <c>Fit</c> and <c>NF.Function</c>, since a replay would freeze
        /// the numbers. Override the overload taking tensors instead, which replays.
        /// </summary>
        protected virtual void Update(Variable variable, Tensor gradient, Variable[] slots, double learningRate, long step) =>
            throw new NotSupportedException($"{GetType().Name} must override Update or name a fused kernel with Kind.");

        // A custom optimizer that overrides only the Update taking C# numbers: clipping and weight
        // decay with host-side values, and no replay.
        private void ApplyWithNumbers(IReadOnlyList<(Tensor? Gradient, Variable Variable)> list, double lr, long step, FunctionTrace? trace)
        {
            trace?.Fail($"{GetType().Name} overrides Update(..., double learningRate, long step): its learning rate and step enter as C# numbers " +
                        "that a replay would freeze (override Update(..., Tensor learningRate, Tensor step) to replay)");
            double? globalScale = GlobalClipNorm is { } clip ? GlobalClipScale(list, clip) : null;
            foreach (var (g, v) in list)
            {
                if (g is null) continue;  // shapes and dtypes were checked by ValidGradients
                if (!_slots.TryGetValue(v, out var slots))
                    _slots[v] = slots = NewSlots(v);
                using var scope = TensorScope.Begin();
                var p = WithOptions(new OptimizerParams(lr, Step: step), v, g, globalScale, normsClipped: false);
                var clipped = Clipped(g, p);
                if (p.WeightDecay != 0) v.AssignSub(v * p.WeightDecay * lr);
                Update(v, clipped, slots, lr, step);
            }
        }
    }
}

/// <summary>A learning rate: a constant (numbers convert implicitly) or a schedule.</summary>
public sealed class LearningRate
{
    private readonly Func<long, double> _at;

    private LearningRate(Func<long, double> at, string description, double? constant = null, LearningRateSchedule? schedule = null)
    {
        _at = at;
        Description = description;
        Constant = constant;
        Schedule = schedule;
    }

    /// <summary>The rate when it is a constant, else null (for saving).</summary>
    internal double? Constant { get; }

    /// <summary>The schedule when it is one, else null (for saving).</summary>
    internal LearningRateSchedule? Schedule { get; }

    /// <summary>What it is, for printing.</summary>
    public string Description { get; }

    /// <summary>The rate at optimizer step <paramref name="step"/> (counting from 0).</summary>
    [MethodImpl(Hot)]
    public double At(long step) => _at(step);

    /// <summary>A constant rate.</summary>
    public static implicit operator LearningRate(double rate) => new(_ => rate, rate.ToString(System.Globalization.CultureInfo.InvariantCulture), constant: rate);
    /// <summary>A constant rate.</summary>
    public static implicit operator LearningRate(float rate) => (double)rate;
    /// <summary>A schedule.</summary>
    public static implicit operator LearningRate(LearningRateSchedule schedule) => new(schedule.At, schedule.ToString() ?? "schedule", schedule: schedule);

    /// <inheritdoc/>
    public override string ToString() => Description;
}

/// <summary>A learning rate that depends on the step (<c>tf.keras.optimizers.schedules</c>).</summary>
public abstract class LearningRateSchedule
{
    /// <summary>The rate at step <paramref name="step"/> (counting from 0).</summary>
    public abstract double At(long step);

    /// <summary>
    /// The rate at a step that may lie between two (Keras computes schedules in floats, and the overfit tutorial plots
    /// <c>lr_schedule(np.linspace(0, 100000))</c>): the built-in schedules' formulas at any step. A schedule that
    /// defines <see cref="At(long)"/> only takes whole steps here; a fractional one is refused by name.
    /// </summary>
    /// <exception cref="ArgumentException">A fractional step for a schedule that does not override this method, or a NaN step.</exception>
    public virtual double At(double step) => double.IsFinite(step) && step == Math.Floor(step) && Math.Abs(step) < 9e18
        ? At((long)step)
        : throw new ArgumentException($"{GetType().Name} defines At(long) only, so it takes whole steps, not {step.ToString(System.Globalization.CultureInfo.InvariantCulture)}; override At(double) for the steps between.", nameof(step));

    /// <summary>
    /// Keras' <c>lr_schedule(step)</c> on a tensor of steps: the rate at each (<see cref="At(double)"/>), float32, in the steps' shape.
    /// </summary>
    public Tensor Call(Tensor step)
    {
        ArgumentNullException.ThrowIfNull(step);
        using var steps = NF.Cast(step, DType.Float64);
        return NF.Constant(Array.ConvertAll(steps.ToArray<double>(), s => (float)At(s)), step.Shape);
    }
}

/// <summary>
/// rate = initial * decayRate^(step / decaySteps), the division floored when
/// <paramref name="staircase"/> (<c>tf.keras.optimizers.schedules.ExponentialDecay</c>).
/// </summary>
public sealed class ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false) : LearningRateSchedule
{
    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; } = initialLearningRate;
    /// <summary>Steps per decay.</summary>
    public long DecaySteps { get; } = decaySteps;
    /// <summary>The factor per <see cref="DecaySteps"/>.</summary>
    public double DecayRate { get; } = decayRate;
    /// <summary>Whether the exponent is floored.</summary>
    public bool Staircase { get; } = staircase;

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public override double At(long step) => At((double)step);

    /// <inheritdoc/>
    public override double At(double step)
    {
        double p = step / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return InitialLearningRate * Math.Pow(DecayRate, p);
    }

    /// <inheritdoc/>
    public override string ToString() => $"ExponentialDecay({InitialLearningRate}, {DecaySteps}, {DecayRate}{(Staircase ? ", staircase" : "")})";
}
