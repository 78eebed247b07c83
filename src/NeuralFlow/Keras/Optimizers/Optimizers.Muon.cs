using System.Text.RegularExpressions;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Muon (<c>keras.optimizers.Muon</c>; Keller Jordan's Muon, Liu et al. 2025) with Keras 3's
    /// formula and defaults. A rank-2 variable takes the Muon step: m = momentum * m + g; the
    /// update (g + momentum * m with <see cref="Nesterov"/>, else m) is orthogonalised by
    /// <see cref="NsSteps"/> Newton-Schulz iterations, scaled by sqrt(max(rows, cols)) *
    /// <see cref="RmsRate"/> (Moonlight's rule; null: unscaled) and subtracted times lr. Every
    /// other variable (rank other than 2, an embedding, a name matching
    /// <see cref="ExcludeLayers"/>; see <see cref="UsesAdamW"/>) takes Adam's step with lr *
    /// <see cref="AdamLrRatio"/>. Weight decay is decoupled, w -= w * rate * lr, the rate being
    /// <see cref="Optimizer.WeightDecay"/> for Muon variables and <see cref="AdamWeightDecay"/> for
    /// AdamW ones. Slots: m, plus v for the AdamW variables. Composed of tensor ops, so a traced
    /// train step replays it.
    /// </summary>
    public sealed class Muon : Optimizer
    {
        private readonly Regex[] _excluded;

        /// <summary>
        /// A Muon optimizer with Keras' defaults. <paramref name="excludeLayers"/> are regular
        /// expressions searched in each variable's name ("layer/weight", Keras' variable path).
        /// The betas must lie in [0, 1), momentum in [0, 1], epsilon, adamLrRatio and the decay
        /// rates be at least 0, nsSteps at least 0 and rmsRate (when set) greater than 0.
        /// </summary>
        public Muon(LearningRate? learningRate = null, double adamBeta1 = 0.9, double adamBeta2 = 0.999, double? adamWeightDecay = 0.004,
            double epsilon = 1e-7, double? weightDecay = 0.004, IEnumerable<string>? excludeLayers = null, bool excludeEmbeddings = true,
            double muonA = 3.4445, double muonB = -4.7750, double muonC = 2.0315, double adamLrRatio = 1, double momentum = 0.95,
            int nsSteps = 5, bool nesterov = true, double? rmsRate = 0.2, double? clipNorm = null, double? clipValue = null,
            double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
        {
            AdamBeta1 = adamBeta1 is >= 0 and < 1 ? adamBeta1
                : throw new ArgumentOutOfRangeException(nameof(adamBeta1), adamBeta1, $"Muon: adamBeta1 must be in the [0, 1) range; got {adamBeta1}.");
            AdamBeta2 = adamBeta2 is >= 0 and < 1 ? adamBeta2
                : throw new ArgumentOutOfRangeException(nameof(adamBeta2), adamBeta2, $"Muon: adamBeta2 must be in the [0, 1) range; got {adamBeta2}.");
            AdamWeightDecay = adamWeightDecay is null or (>= 0 and < double.PositiveInfinity) ? adamWeightDecay
                : throw new ArgumentOutOfRangeException(nameof(adamWeightDecay), adamWeightDecay, $"Muon: adamWeightDecay must be a finite number of at least 0; got {adamWeightDecay}.");
            Epsilon = epsilon is >= 0 and < double.PositiveInfinity ? epsilon
                : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"Muon: epsilon must be a finite number of at least 0; got {epsilon}.");
            foreach (var (value, parameter) in new[] { (muonA, nameof(muonA)), (muonB, nameof(muonB)), (muonC, nameof(muonC)) })
                if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(parameter, value, $"Muon: {parameter} must be a finite number; got {value}.");
            (MuonA, MuonB, MuonC) = (muonA, muonB, muonC);
            AdamLrRatio = adamLrRatio is >= 0 and < double.PositiveInfinity ? adamLrRatio
                : throw new ArgumentOutOfRangeException(nameof(adamLrRatio), adamLrRatio, $"Muon: adamLrRatio must be a finite number of at least 0; got {adamLrRatio}.");
            Momentum = momentum is >= 0 and <= 1 ? momentum
                : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"Muon: momentum must be in the [0, 1] range; got {momentum}.");
            NsSteps = nsSteps >= 0 ? nsSteps
                : throw new ArgumentOutOfRangeException(nameof(nsSteps), nsSteps, $"Muon: nsSteps (Newton-Schulz iterations) must be at least 0; got {nsSteps}.");
            RmsRate = rmsRate is null or (> 0 and < double.PositiveInfinity) ? rmsRate
                : throw new ArgumentOutOfRangeException(nameof(rmsRate), rmsRate, $"Muon: rmsRate must be a finite number greater than 0, or null to leave the update unscaled; got {rmsRate}.");
            Nesterov = nesterov;
            ExcludeEmbeddings = excludeEmbeddings;
            ExcludeLayers = [.. excludeLayers ?? []];
            _excluded = [.. ExcludeLayers.Select(Pattern)];
        }

        // A bad pattern is named now, not at the first step.
        private static Regex Pattern(string pattern)
        {
            if (string.IsNullOrEmpty(pattern))
                throw new ArgumentException("Muon: excludeLayers holds a null or empty pattern (an empty one would match every variable).", "excludeLayers");
            try { return new Regex(pattern, RegexOptions.CultureInvariant); }
            catch (ArgumentException e) { throw new ArgumentException($"Muon: excludeLayers pattern '{pattern}' is not a valid regular expression: {e.Message}", "excludeLayers", e); }
        }

        /// <summary>Adam's first-moment decay (AdamW variables).</summary>
        public double AdamBeta1 { get; }
        /// <summary>Adam's second-moment decay (AdamW variables).</summary>
        public double AdamBeta2 { get; }
        /// <summary>The weight decay rate of the AdamW variables (null: none).</summary>
        public double? AdamWeightDecay { get; }
        /// <summary>Added to Adam's denominator.</summary>
        public double Epsilon { get; }
        /// <summary>Regular expressions: a variable whose name matches one takes the AdamW step.</summary>
        public IReadOnlyList<string> ExcludeLayers { get; }
        /// <summary>Whether a variable whose name contains "embedding" takes the AdamW step.</summary>
        public bool ExcludeEmbeddings { get; }
        /// <summary>Newton-Schulz coefficient a (x' = a x + (b A + c A²) x, A = x xᵀ).</summary>
        public double MuonA { get; }
        /// <summary>Newton-Schulz coefficient b.</summary>
        public double MuonB { get; }
        /// <summary>Newton-Schulz coefficient c.</summary>
        public double MuonC { get; }
        /// <summary>The AdamW variables' learning rate over the Muon ones'.</summary>
        public double AdamLrRatio { get; }
        /// <summary>Decay of the Muon momentum (m = momentum * m + g).</summary>
        public double Momentum { get; }
        /// <summary>Newton-Schulz iterations per step.</summary>
        public int NsSteps { get; }
        /// <summary>Whether the Muon step orthogonalises g + momentum * m (Nesterov) rather than m.</summary>
        public bool Nesterov { get; }
        /// <summary>The Muon update's scale over sqrt(max(rows, cols)); null: unscaled.</summary>
        public double? RmsRate { get; }

        /// <summary>
        /// Keras' <c>_should_use_adamw</c>: whether <paramref name="variable"/> takes the AdamW
        /// step. True for a rank other than 2, for a name containing "embedding" (any case) when
        /// <see cref="ExcludeEmbeddings"/>, and for a name one of <see cref="ExcludeLayers"/> matches.
        /// An unnamed variable is judged by its rank alone.
        /// </summary>
        public bool UsesAdamW(Variable variable)
        {
            ArgumentNullException.ThrowIfNull(variable);
            if (variable.Shape.Rank != 2) return true;
            if (variable.Name is not { } path) return false;
            if (ExcludeEmbeddings && path.Contains("embedding", StringComparison.OrdinalIgnoreCase)) return true;
            return _excluded.Any(r => r.IsMatch(path));
        }

        /// <inheritdoc/>
        protected override double? WeightDecayFor(Variable variable) => UsesAdamW(variable) ? AdamWeightDecay : WeightDecay;


        /// <inheritdoc/>
        protected override Variable[] CreateSlots(Variable variable) =>
            UsesAdamW(variable) ? [ZerosLike(variable), ZerosLike(variable)] : [ZerosLike(variable)];

        /// <inheritdoc/>
        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, Tensor learningRate, Tensor step)
        {
            gradient = gradient.DType == variable.DType ? gradient : NF.Cast(gradient, variable.DType);
            var m = slots[0];
            if (slots.Length == 2)
            {
                // Keras' _adamw_update_step, with lr * adamLrRatio.
                var v = slots[1];
                var alpha = learningRate * AdamLrRatio * NF.Sqrt(1 - NF.Pow(AdamBeta2, step)) / (1 - NF.Pow(AdamBeta1, step));
                m.AssignAdd((gradient - m) * (1 - AdamBeta1));
                v.AssignAdd((NF.Square(gradient) - v) * (1 - AdamBeta2));
                variable.AssignSub(m * alpha / (NF.Sqrt(v) + Epsilon));
                return;
            }
            m.AssignAdd(gradient + m * (Momentum - 1));
            var direction = Nesterov ? gradient + m * Momentum : (Tensor)m;
            variable.AssignSub(LrAdjust(learningRate * ZeroPowerViaNewtonSchulz5(direction, NsSteps)));
        }

        // Keras' lr_adjust: the update times sqrt(max(rows, cols)) * rmsRate, so that its RMS
        // matches AdamW's and Muon can share AdamW's learning rate and weight decay.
        internal Tensor LrAdjust(Tensor update) =>
            RmsRate is { } rate ? update * (Math.Sqrt(Math.Max(update.Shape[0], update.Shape[1])) * rate) : update;

        // Keras' zeropower_via_newtonschulz5: the quintic Newton-Schulz iteration that pushes x's
        // singular values towards 1 (about U Vᵀ of its SVD), on the wide orientation so that
        // x xᵀ is the smaller product, after scaling x by its Frobenius norm (+ 1e-7) so that
        // its spectral norm is at most 1. Keras also accepts a batch of matrices; Muon only
        // ever passes rank 2, so only rank 2 is taken here.
        internal Tensor ZeroPowerViaNewtonSchulz5(Tensor x, int steps)
        {
            if (x.Shape.Rank != 2)
                throw new ArgumentException($"Muon: the Newton-Schulz iteration takes a matrix (rank 2); got shape {x.Shape}.", nameof(x));
            bool tall = x.Shape[0] > x.Shape[1];
            if (tall) x = NF.Transpose(x);
            x = x / (NF.Sqrt(NF.ReduceSum(NF.Square(x))) + 1e-7);
            for (int i = 0; i < steps; i++)
            {
                var a = NF.MatMul(x, x, transposeB: true);
                var b = a * MuonB + NF.MatMul(a, a) * MuonC;
                x = x * MuonA + NF.MatMul(b, x);
            }
            return tall ? NF.Transpose(x) : x;
        }
    }
}
