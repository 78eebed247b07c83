namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Dynamic loss scaling for mixed precision (Keras 3's <c>keras.optimizers.LossScaleOptimizer</c>, also
    /// <c>keras.mixed_precision.LossScaleOptimizer</c>): float16 gradients that would underflow to zero are kept
    /// by differentiating the loss times a large <see cref="LossScale"/> (<see cref="ScaleLoss"/>) and dividing
    /// the gradients by it before the wrapped optimizer's step (<see cref="ApplyGradients(IEnumerable{ValueTuple{Tensor, Variable}})"/>).
    /// As Keras' rule: a step whose gradients hold any inf or NaN is skipped (no weight, slot or iteration
    /// changes) and the scale halves; after <see cref="DynamicGrowthSteps"/> finite steps in a row it doubles.
    /// <c>Compile</c> wraps the optimizer in one when the model's policy is "mixed_float16", as Keras'
    /// <c>compile(auto_scale_loss=True)</c>. The guide's custom loop:
    /// <code>
    /// using (var tape = new GradientTape()) { loss = ...; scaled = opt.ScaleLoss(loss); }
    /// opt.ApplyGradients(tape.Gradient(scaled, vars), vars);   // unscales, skips on inf/NaN
    /// </code>
    /// The scale and the count of finite steps are device variables, and the skip is <see cref="NF.Cond{T}"/> on
    /// whether every gradient is finite (Keras' <c>ops.cond</c>), so an <c>NF.Function</c> step (Fit's compiled
    /// step) that applies it replays, reading that one flag on the host per step, and equals the eager step.
    /// </summary>
    public sealed class LossScaleOptimizer : Optimizer
    {
        /// <summary>
        /// Wraps <paramref name="innerOptimizer"/>, starting at loss scale <paramref name="initialScale"/>
        /// (Keras' 2^15) and doubling it after <paramref name="dynamicGrowthSteps"/> finite steps (Keras' 2000).
        /// Its own <see cref="Optimizer.Name"/> ("loss_scale_optimizer" by default) is not its inner optimizer's, which names the slots.
        /// </summary>
        public LossScaleOptimizer(Optimizer innerOptimizer, double initialScale = 32768, int dynamicGrowthSteps = 2000, string? name = null) : base(0.0, name)
        {
            ArgumentNullException.ThrowIfNull(innerOptimizer);
            InnerOptimizer = innerOptimizer is not LossScaleOptimizer ? innerOptimizer
                : throw new ArgumentException("LossScaleOptimizer: the inner optimizer is already a LossScaleOptimizer; wrap the plain optimizer once.", nameof(innerOptimizer));
            _startScale = InitialScale = initialScale > 0 && double.IsFinite(initialScale) ? initialScale
                : throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, "LossScaleOptimizer: initialScale must be a finite number greater than 0.");
            DynamicGrowthSteps = dynamicGrowthSteps >= 1 ? dynamicGrowthSteps
                : throw new ArgumentOutOfRangeException(nameof(dynamicGrowthSteps), dynamicGrowthSteps, "LossScaleOptimizer: dynamicGrowthSteps must be at least 1.");
        }

        /// <summary>The wrapped optimizer, which makes every step (Keras' <c>inner_optimizer</c>).</summary>
        public Optimizer InnerOptimizer { get; }

        /// <summary>The loss scale the optimizer started with (Keras' <c>initial_scale</c>).</summary>
        public double InitialScale { get; }

        /// <summary>How many finite steps in a row double the scale (Keras' <c>dynamic_growth_steps</c>).</summary>
        public int DynamicGrowthSteps { get; }

        // The values the state variables start from: the initial scale, or a restored state loaded before the first step.
        private double _startScale;
        private long _startCounter;
        // Keras' dynamic_scale (float32) and step_counter (int64), made on the device of the first loss scaled.
        private Variable? _scale, _counter;

        /// <summary>The current loss scale (Keras' <c>dynamic_scale</c>): a power-of-two multiple of <see cref="InitialScale"/> (a read of the device).</summary>
        public double LossScale => _scale is null ? _startScale : _scale.Item<float>();

        /// <summary>Finite steps since the scale last changed (Keras' <c>step_counter</c>; a read of the device).</summary>
        public long StepCounter => _counter is null ? _startCounter : _counter.Item<long>();

        // The state variables on the backend of tensor, made (from the initial or restored values) on first use.
        private (Variable Scale, Variable Counter) State(Tensor like)
        {
            if (_scale is null || _counter is null)
            {
                var backend = FunctionTrace.Unwrap(like.Backend);
                using var scale = NF.Fill(new Shape([]), _startScale, DType.Float32, backend);
                using var counter = NF.Fill(new Shape([]), _startCounter, DType.Int64, backend);
                _scale = new Variable(scale, trainable: false, name: "dynamic_scale");
                _counter = new Variable(counter, trainable: false, name: "step_counter");
            }
            return (_scale, _counter);
        }

        /// <summary>The inner optimizer's rate: reading and setting it (a schedule callback) reach the inner optimizer, as Keras'.</summary>
        public override LearningRate LearningRate
        {
            get => InnerOptimizer.LearningRate;
            set => InnerOptimizer.LearningRate = value;
        }

        /// <summary>The inner optimizer's count of steps made (skipped steps do not count, as Keras').</summary>
        public override long Iterations => InnerOptimizer.Iterations;

        internal override Optimizer StateHolder => InnerOptimizer;

        /// <summary><paramref name="loss"/> times <see cref="LossScale"/>, in the loss's type (Keras' <c>scale_loss</c>).</summary>
        public override Tensor ScaleLoss(Tensor loss)
        {
            ArgumentNullException.ThrowIfNull(loss);
            if (!loss.DType.IsFloating())
                throw new ArgumentException($"LossScaleOptimizer.ScaleLoss: the loss must be a float tensor, got {loss.DType.Name()}.", nameof(loss));
            return loss * NF.Cast(State(loss).Scale, loss.DType);
        }

        /// <summary>
        /// One step from gradients of the scaled loss: when every gradient is finite, divides them by
        /// <see cref="LossScale"/> and lets <see cref="InnerOptimizer"/> apply them (doubling the scale after
        /// <see cref="DynamicGrowthSteps"/> such steps); otherwise skips the step and halves the scale.
        /// </summary>
        public override void ApplyGradients(IEnumerable<(Tensor? Gradient, Variable Variable)> pairs)
        {
            ArgumentNullException.ThrowIfNull(pairs);
            // Summed across the ranks first (in an overridden TrainStep under DataParallel), so that
            // every rank sees the same gradients and takes the same skip-or-step decision.
            var list = AggregatedAcrossRanks(pairs.ToList());
            var (scale, counter) = State(list.FirstOrDefault(p => p.Gradient is not null).Gradient ?? list[0].Variable);
            // A skipped step is a branch on the gradients' values: NF.Cond traces both branches, the one not taken without
            // running it. That must not build the inner optimizer's state (its slots would hold nothing), so until its
            // first step the decision is read on the host and a compiled step traces again later.
            var trace = FunctionTrace.Current;
            if (InnerOptimizer.RawIterations == 0)
                trace?.Fail("LossScaleOptimizer: the inner optimizer makes its state at its first step, which runs eagerly", retryLater: true);
            NF.Cond(AllFinite(list), () =>
            {
                var unscaled = new List<(Tensor? Gradient, Variable Variable)>(list.Count);
                using (var scope = TensorScope.Begin())
                {
                    foreach (var (g, v) in list)
                        unscaled.Add((g is null ? null : g / NF.Cast(scale, g.DType), v));
                    var share = FitGradientShare;
                    FitGradientShare = null;  // reduced above already
                    try
                    {
                        InnerOptimizer.ApplyGradients(unscaled);
                    }
                    finally
                    {
                        FitGradientShare = share;
                    }
                    // After DynamicGrowthSteps finite steps in a row the scale doubles and the count starts again.
                    var grow = NF.Equal(counter, NF.Fill(new Shape([]), DynamicGrowthSteps - 1, DType.Int64, counter.Backend));
                    scale.Assign(NF.Where(grow, scale * 2f, scale));
                    counter.Assign(NF.Where(grow, NF.ZerosLike(counter), counter + 1L));
                }
                return Array.Empty<Tensor>();
            }, () =>
            {
                using (var scope = TensorScope.Begin())
                {
                    counter.Assign(NF.ZerosLike(counter));
                    scale.Assign(scale * 0.5f);
                }
                return Array.Empty<Tensor>();
            });
        }

        // Keras' check_finite: every element of every gradient finite (a missing gradient counts as finite).
        private static Tensor AllFinite(IReadOnlyList<(Tensor? Gradient, Variable Variable)> list)
        {
            Tensor? all = null;
            foreach (var (g, _) in list)
            {
                if (g is null) continue;
                if (!g.DType.IsFloating()) continue;
                var finite = NF.ReduceAll(NF.IsFinite(g));
                all = all is null ? finite : NF.LogicalAnd(all, finite);
            }
            return all ?? NF.Constant(true);
        }

        /// <summary>Restores the loss-scale state a saved model or checkpoint holds.</summary>
        internal void RestoreScale(double lossScale, long stepCounter)
        {
            if (!(lossScale > 0 && double.IsFinite(lossScale)))
                throw new InvalidDataException($"LossScaleOptimizer: a saved loss scale must be a finite number greater than 0, got {lossScale}.");
            if (_scale is null || _counter is null) (_startScale, _startCounter) = (lossScale, stepCounter);
            else
            {
                using var scale = NF.Fill(new Shape([]), lossScale, DType.Float32, _scale.Backend);
                using var counter = NF.Fill(new Shape([]), stepCounter, DType.Int64, _counter.Backend);
                _scale.Assign(scale);
                _counter.Assign(counter);
            }
        }
    }
}
