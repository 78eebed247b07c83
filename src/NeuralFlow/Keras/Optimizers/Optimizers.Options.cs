using System.Text.RegularExpressions;
using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    // Keras 3's base-optimizer options (keras/src/optimizers/base_optimizer.py): gradient
    // clipping and weight decay. The fused kernels apply them (nf_optimizer_update_ex); this file
    // only turns them into the kernel's parameters for one variable.
    public abstract partial class Optimizer
    {
        private readonly HashSet<Variable> _noDecay = new(ReferenceEqualityComparer.Instance);
        private readonly List<string> _noDecayNames = [];

        /// <summary>Keras' <c>weight_decay</c>: w -= w * WeightDecay * lr before each update; null is none.</summary>
        public double? WeightDecay { get; }
        /// <summary>Keras' <c>clipnorm</c>: each gradient is scaled so that its L2 norm is at most this.</summary>
        public double? ClipNorm { get; }
        /// <summary>Keras' <c>clipvalue</c>: each gradient element is clipped to [-ClipValue, ClipValue].</summary>
        public double? ClipValue { get; }
        /// <summary>Keras' <c>global_clipnorm</c>: all gradients are scaled so that their joint L2 norm is at most this.</summary>
        public double? GlobalClipNorm { get; }

        /// <summary>
        /// Keras' <c>exclude_from_weight_decay</c>: these variables, and those whose name matches
        /// one of <paramref name="varNames"/> (a regular expression searched in the name, as
        /// Keras' <c>re.search</c>), get no weight decay.
        /// </summary>
        public void ExcludeFromWeightDecay(IEnumerable<Variable>? varList = null, IEnumerable<string>? varNames = null)
        {
            foreach (var v in varList ?? []) _noDecay.Add(v ?? throw new ArgumentException("ExcludeFromWeightDecay: varList holds a null variable.", nameof(varList)));
            foreach (var n in varNames ?? [])
            {
                ArgumentException.ThrowIfNullOrEmpty(n, nameof(varNames));
                _noDecayNames.Add(n);
            }
        }

        /// <summary>
        /// The weight decay rate for <paramref name="variable"/> (null or 0: none):
        /// <see cref="WeightDecay"/> unless an optimizer decays its variables by their own rules
        /// (Muon: one rate for the variables it orthogonalises, another for those AdamW steps).
        /// Exclusions (<see cref="ExcludeFromWeightDecay"/>) apply on top.
        /// </summary>
        protected virtual double? WeightDecayFor(Variable variable) => WeightDecay;

        // Keras' _use_weight_decay.
        private bool Decays(Variable v) =>
            !_noDecay.Contains(v) && !(v.Name is { } name && _noDecayNames.Any(n => Regex.IsMatch(name, n)));

        // The kernel's parameters for variable v with gradient g: the kind's own, plus clipping
        // (at most one kind, checked by the constructor) and weight decay. normsClipped: the
        // gradients arrive clipped by norm already (the fused path clips on the device,
        // ClippedOnDevice), so only clipValue and weight decay are the kernel's.
        private OptimizerParams WithOptions(OptimizerParams p, Variable v, Tensor? g, double? globalScale, bool normsClipped)
        {
            if (WeightDecayFor(v) is { } wd && wd != 0 && Decays(v)) p = p with { WeightDecay = wd };
            if (ClipValue is { } cv) p = p with { ClipValue = cv };
            else if (normsClipped) return p;
            else if (globalScale is { } scale) p = p with { GradMul = scale, GradDiv = 1 };
            else if (ClipNorm is { } clip && g is not null)
            {
                // clip_by_norm: g * clip / max(norm, clip), the norm of a zero gradient being 0.
                double norm = Math.Sqrt(SquaredNorm(g));
                p = p with { GradMul = clip, GradDiv = Math.Max(norm, clip) };
            }
            return p;
        }

        // clip_by_global_norm: scale = clip * min(1/norm, 1/clip), plus (norm - norm) so that a
        // NaN or infinite norm makes every gradient NaN, as in Keras, rather than a silent step.
        private static double GlobalClipScale(IReadOnlyList<(Tensor? Gradient, Variable Variable)> pairs, double clip)
        {
            double sum = 0;
            foreach (var (g, _) in pairs)
                if (g is not null) sum += SquaredNorm(g);
            double norm = Math.Sqrt(sum);
            return clip * Math.Min(1.0 / norm, 1.0 / clip) + (norm - norm);
        }

        // Sum of squares in float64 (one reduction on the gradient's device, one scalar read).
        private static double SquaredNorm(Tensor g)
        {
            using var scope = TensorScope.Begin();
            var wide = g.DType == DType.Float64 ? g : NF.Cast(g, DType.Float64);
            return NF.ReduceSum(NF.Square(wide)).Item<double>();
        }

        // A custom optimizer's Update gets the clipped gradient by tensor ops (the fused kernels
        // clip in place of this).
        private static Tensor Clipped(Tensor g, in OptimizerParams p)
        {
            if (p.GradDiv != 0) g = g * p.GradMul / p.GradDiv;
            if (p.ClipValue > 0) g = NF.Minimum(NF.Maximum(g, -p.ClipValue), p.ClipValue);
            return g;
        }

        /// <summary>The base options by Keras' names, for get_config (null: not set).</summary>
        internal IEnumerable<(string Key, double? Value)> BaseConfig() =>
        [
            ("weight_decay", WeightDecay), ("clipnorm", ClipNorm), ("global_clipnorm", GlobalClipNorm), ("clipvalue", ClipValue),
        ];
    }
}
