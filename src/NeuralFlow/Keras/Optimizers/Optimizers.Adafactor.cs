namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Adafactor (<c>keras.optimizers.Adafactor</c>, Shazeer and Stern 2018) with Keras 3's
    /// formula and defaults. At step t (from 1): rho = min(lr, 1/sqrt(t)); alpha = max(epsilon2,
    /// rms(w)) * rho; beta2 = 1 - t^beta2Decay; G = g^2 + epsilon1. A variable of rank 2 or more
    /// keeps factored second moments over its last two axes: r = beta2 r + (1-beta2) mean(G, -1),
    /// c = beta2 c + (1-beta2) mean(G, -2), v = (r / mean(r, -1))[..., None] * c[..., None, :];
    /// a smaller one keeps v = beta2 v + (1-beta2) G. Then u = g / sqrt(v),
    /// w -= alpha * u / max(1, rms(u) / clipThreshold).
    /// Slots r, c, v as Keras builds them (r and c scalar placeholders below rank 2). No fused
    /// kernel: the step is composed of tensor ops, t and the learning rate tensors of the
    /// variable's dtype as in Keras, so a traced train step replays it.
    /// </summary>
    public sealed class Adafactor : Optimizer
    {
        /// <summary>An Adafactor optimizer; arguments outside their ranges throw, naming the argument.</summary>
        public Adafactor(LearningRate? learningRate = null, double beta2Decay = -0.8, double epsilon1 = 1e-30, double epsilon2 = 1e-3,
            double clipThreshold = 1.0, bool relativeStep = true,
            double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
            bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
        {
            // t^decay must fall with t for beta2 to stay in [0, 1).
            Beta2Decay = beta2Decay is <= 0 and > double.NegativeInfinity ? beta2Decay
                : throw new ArgumentOutOfRangeException(nameof(beta2Decay), beta2Decay, "Adafactor: beta2Decay must be a finite number of at most 0.");
            Epsilon1 = NonNegative(epsilon1, nameof(epsilon1));
            Epsilon2 = NonNegative(epsilon2, nameof(epsilon2));
            ClipThreshold = clipThreshold is > 0 and < double.PositiveInfinity ? clipThreshold
                : throw new ArgumentOutOfRangeException(nameof(clipThreshold), clipThreshold, "Adafactor: clipThreshold must be a finite number greater than 0.");
            RelativeStep = relativeStep;
        }

        private static double NonNegative(double value, string name) =>
            value is >= 0 and < double.PositiveInfinity ? value
                : throw new ArgumentOutOfRangeException(name, value, $"Adafactor: {name} must be a finite number of at least 0.");

        /// <summary>The exponent of the second-moment decay: beta2 = 1 - t^this.</summary>
        public double Beta2Decay { get; }
        /// <summary>Added to the squared gradient, keeping the denominator away from 0.</summary>
        public double Epsilon1 { get; }
        /// <summary>The least scale of a step (relative to rms(w)).</summary>
        public double Epsilon2 { get; }
        /// <summary>The update's rms is clipped to this (independent of clipNorm and clipValue).</summary>
        public double ClipThreshold { get; }
        /// <summary>
        /// Keras' <c>relative_step</c>: with a constant rate, the rate is min(lr, 1/sqrt(t)). Keras'
        /// update takes that minimum for the step size in either case, so this only round-trips.
        /// </summary>
        public bool RelativeStep { get; }

        /// <inheritdoc/>
        protected override Variable[] CreateSlots(Variable variable)
        {
            var shape = variable.Shape;
            if (variable.Rank < 2)  // Keras' scalar placeholders for r and c, so slot lists line up
                return [Placeholder(variable), Placeholder(variable), ZerosLike(variable)];
            var dims = shape.ToArray();
            Shape rows = new(dims[..^1]), cols = new([.. dims[..^2], dims[^1]]);
            return [Zeros(variable, rows), Zeros(variable, cols), ZerosLike(variable)];
        }

        private static Variable Placeholder(Variable like) => Zeros(like, new Shape([]));

        private static Variable Zeros(Variable like, Shape shape)
        {
            using var zeros = NF.Fill(shape, 0, like.DType, like.Backend);
            return new Variable(zeros, trainable: false);
        }

        private static Tensor Rms(Tensor x) => NF.Sqrt(NF.ReduceMean(NF.Square(x)));

        /// <inheritdoc/>
        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, Tensor learningRate, Tensor step)
        {
            var (r, c, v) = (slots[0], slots[1], slots[2]);
            gradient = gradient.DType == variable.DType ? gradient : NF.Cast(gradient, variable.DType);
            var rho = NF.Minimum(learningRate, 1 / NF.Sqrt(step));
            var alpha = NF.Maximum(Rms(variable), Epsilon2) * rho;
            var squared = NF.Square(gradient) + Epsilon1;
            var beta2 = 1 - NF.Pow(step, Beta2Decay);
            if (variable.Rank >= 2)
            {
                r.Assign(r * beta2 + NF.ReduceMean(squared, -1) * (1 - beta2));
                c.Assign(c * beta2 + NF.ReduceMean(squared, -2) * (1 - beta2));
                v.Assign(NF.ExpandDims(r / NF.ReduceMean(r, -1, keepDims: true), -1) * NF.ExpandDims(c, -2));
            }
            else v.Assign(v * beta2 + squared * (1 - beta2));
            var u = gradient / NF.Sqrt(v);
            variable.AssignSub(alpha * (u / NF.Maximum(Rms(u) / ClipThreshold, 1.0)));
        }
    }
}
