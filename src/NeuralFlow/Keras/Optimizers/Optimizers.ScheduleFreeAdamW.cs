namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Schedule-Free AdamW (<c>keras.optimizers.ScheduleFreeAdamW</c>, Defazio et al. 2024) with
    /// Keras 3's formula and defaults. Two slots: z (Keras' "momentum", starting as a copy of the
    /// weight), where Adam-scaled gradient steps land, z -= lr * g / (sqrt(v / (1 - beta2^t)) + eps),
    /// and v, the second moment. The weight itself holds y = (1 - beta1) z + beta1 x, where x, the
    /// running average x = (1 - 1/t) x + z / t, is recovered from y and the previous z each step.
    /// The learning rate warms up linearly over <see cref="WarmupSteps"/>. Weight decay is Keras'
    /// decoupled one, on y. Composed of tensor ops, so a traced train step replays it.
    /// <para>
    /// As Keras (unlike the reference PyTorch code's optimizer.eval()), nothing swaps the weights
    /// to x for evaluation or saving: evaluate, predict and save see y. Keras' source writes x_old
    /// from "momentum_old", the z before this step's update (its comment; the JAX backend reads
    /// it so, while a backend whose variable reads are live would see the updated z); this uses
    /// the z before the update, for which y = (1 - beta1) z + beta1 x holds exactly.
    /// </para>
    /// </summary>
    public sealed class ScheduleFreeAdamW : Optimizer
    {
        /// <summary>
        /// A Schedule-Free AdamW optimizer with Keras' defaults. beta1 must lie in (0, 1] (x is
        /// recovered by dividing by it), beta2 in [0, 1), epsilon be at least 0 and warmupSteps
        /// at least 0 (0: no warmup).
        /// </summary>
        public ScheduleFreeAdamW(LearningRate? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
            int warmupSteps = 0, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.0025, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
        {
            Beta1 = beta1 is > 0 and <= 1 ? beta1
                : throw new ArgumentOutOfRangeException(nameof(beta1), beta1, $"ScheduleFreeAdamW: beta1 must be in the (0, 1] range (the average is recovered by dividing by it); got {beta1}.");
            Beta2 = beta2 is >= 0 and < 1 ? beta2
                : throw new ArgumentOutOfRangeException(nameof(beta2), beta2, $"ScheduleFreeAdamW: beta2 must be in the [0, 1) range; got {beta2}.");
            Epsilon = epsilon is >= 0 and < double.PositiveInfinity ? epsilon
                : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"ScheduleFreeAdamW: epsilon must be a finite number of at least 0; got {epsilon}.");
            WarmupSteps = warmupSteps >= 0 ? warmupSteps
                : throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"ScheduleFreeAdamW: warmupSteps must be at least 0 (0: no warmup); got {warmupSteps}.");
        }

        /// <summary>The interpolation between z and the average x that the weight holds.</summary>
        public double Beta1 { get; }
        /// <summary>Decay of the second moment.</summary>
        public double Beta2 { get; }
        /// <summary>Added to Adam's denominator.</summary>
        public double Epsilon { get; }
        /// <summary>Steps over which the learning rate rises linearly to its value (0: none).</summary>
        public int WarmupSteps { get; }

        /// <inheritdoc/>
        protected override Variable[] CreateSlots(Variable variable) => [new Variable(variable, trainable: false), ZerosLike(variable)];

        /// <inheritdoc/>
        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, Tensor learningRate, Tensor step)
        {
            var (z, v) = (slots[0], slots[1]);
            gradient = gradient.DType == variable.DType ? gradient : NF.Cast(gradient, variable.DType);
            var lr = WarmupSteps > 0 ? learningRate * NF.Minimum(step / WarmupSteps, 1.0) : learningRate;
            // x from y and the z before this step's update (computed before z moves).
            var xOld = (variable - z * (1 - Beta1)) / Beta1;
            v.AssignAdd((NF.Square(gradient) - v) * (1 - Beta2));
            z.AssignSub(lr * gradient / (NF.Sqrt(v / (1 - NF.Pow(Beta2, step))) + Epsilon));
            var weight = 1.0 / step;
            var xNew = xOld * (1 - weight) + z * weight;
            variable.Assign(z * (1 - Beta1) + xNew * Beta1);
        }
    }
}
