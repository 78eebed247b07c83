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
    /// Deciding to skip reads whether the gradients are finite on the host, so an <c>NF.Function</c> step
    /// (Fit's compiled step) that applies it runs eagerly, with that reason in its warning.
    /// </summary>
    public sealed class LossScaleOptimizer : Optimizer
    {
        /// <summary>
        /// Wraps <paramref name="innerOptimizer"/>, starting at loss scale <paramref name="initialScale"/>
        /// (Keras' 2^15) and doubling it after <paramref name="dynamicGrowthSteps"/> finite steps (Keras' 2000).
        /// </summary>
        public LossScaleOptimizer(Optimizer innerOptimizer, double initialScale = 32768, int dynamicGrowthSteps = 2000) : base(0.0)
        {
            ArgumentNullException.ThrowIfNull(innerOptimizer);
            InnerOptimizer = innerOptimizer is not LossScaleOptimizer ? innerOptimizer
                : throw new ArgumentException("LossScaleOptimizer: the inner optimizer is already a LossScaleOptimizer; wrap the plain optimizer once.", nameof(innerOptimizer));
            LossScale = InitialScale = initialScale > 0 && double.IsFinite(initialScale) ? initialScale
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

        /// <summary>The current loss scale (Keras' <c>dynamic_scale</c>): a power-of-two multiple of <see cref="InitialScale"/>.</summary>
        public double LossScale { get; private set; }

        /// <summary>Finite steps since the scale last changed (Keras' <c>step_counter</c>).</summary>
        public long StepCounter { get; private set; }

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
            return loss * NF.Fill([], LossScale, loss.DType, loss.Backend);
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
            // The skip is a branch on the gradients' values, read on the host: a replayed step would repeat
            // the branch of the traced call whatever the gradients, so the traced function runs eagerly.
            FunctionTrace.Current?.Fail("LossScaleOptimizer skips a step whose gradients are not finite, a decision read on the host that a replay cannot repeat");
            if (!AllFinite(list))
            {
                StepCounter = 0;
                LossScale *= 0.5;
                return;
            }
            var unscaled = new List<(Tensor? Gradient, Variable Variable)>(list.Count);
            using (var scope = TensorScope.Begin())
            {
                foreach (var (g, v) in list)
                    unscaled.Add((g is null ? null : g / NF.Fill([], LossScale, g.DType, g.Backend), v));
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
            }
            if (StepCounter == DynamicGrowthSteps - 1)
            {
                StepCounter = 0;
                LossScale *= 2;
            }
            else StepCounter++;
        }

        // Keras' check_finite: every element of every gradient finite (a missing gradient counts as finite).
        private static bool AllFinite(IReadOnlyList<(Tensor? Gradient, Variable Variable)> list)
        {
            using var scope = TensorScope.Begin();
            Tensor? all = null;
            foreach (var (g, _) in list)
            {
                if (g is null) continue;
                if (!g.DType.IsFloating()) continue;
                var finite = NF.ReduceAll(NF.IsFinite(g));
                all = all is null ? finite : NF.LogicalAnd(all, finite);
            }
            return all is null || all.Item<bool>();
        }

        /// <summary>Restores the loss-scale state a saved model or checkpoint holds.</summary>
        internal void RestoreScale(double lossScale, long stepCounter)
        {
            LossScale = lossScale > 0 && double.IsFinite(lossScale) ? lossScale
                : throw new InvalidDataException($"LossScaleOptimizer: a saved loss scale must be a finite number greater than 0, got {lossScale}.");
            StepCounter = stepCounter;
        }
    }
}
