using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Rotates each image about its centre by a random angle while training
    /// (<c>keras.layers.RandomRotation</c>); the identity at inference. The factor is a fraction
    /// of a full turn: f draws angles in [-f * 2pi, f * 2pi), (lower, upper) in [lower * 2pi,
    /// upper * 2pi); positive angles turn counter-clockwise (0.25 is np.rot90). Corners come from
    /// <see cref="RandomAffineLayer.FillMode"/> ("reflect" by default, as Keras).
    /// </summary>
    public sealed class RandomRotation : RandomAffineLayer
    {
        /// <summary>Angles in [-|factor|, |factor|] turns (Keras 3 takes a negative factor by its size); factor must lie in [-1, 1].</summary>
        /// <exception cref="ArgumentOutOfRangeException">factor is outside [-1, 1] (more than a full turn), as Keras 3's RandomRotation refuses it, or NaN.</exception>
        public RandomRotation(double factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null)
            : this(SingleFactor(factor), fillMode, interpolation, seed, fillValue, name) { }

        /// <summary>
        /// Angles in [factor.Lower, factor.Upper] turns (a reversed pair is sorted, as Keras 3 does). Keras 3's check
        /// of a pair: refused only when it lies wholly outside [-1, 1] (its first number above 1 or its second below -1,
        /// as given); a pair reaching past a full turn, such as (-2, 2), is kept, as Keras keeps it.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">factor lies outside [-1, 1] as Keras 3 checks a pair, or is not finite.</exception>
        public RandomRotation((double Lower, double Upper) factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null)
            : base(fillMode, interpolation, fillValue, seed, name) =>
            Factor = CheckedFactor(nameof(RandomRotation), "factor", Sorted(PairFactor(factor)), double.MinValue, double.MaxValue);

        // Keras 3's _set_factor with RandomRotation's bounds (-1, 1): a single number outside them is an error
        // (NF took 1.5 as 1.5 turns before, where Keras says "factor ... in the range [-1, 1]").
        private static (double Lower, double Upper) SingleFactor(double factor) =>
            double.IsNaN(factor) || Math.Abs(factor) <= 1 ? Symmetric(factor)   // NaN: CheckedFactor names it as not finite
                : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"RandomRotation: factor must lie in [-1, 1] (a fraction of a full turn, as Keras 3 requires), got {factor}.");

        // Keras 3's check of a pair, made on the pair as given, before it is sorted.
        private static (double Lower, double Upper) PairFactor((double Lower, double Upper) factor) =>
            factor.Lower > 1 || factor.Upper < -1
                ? throw new ArgumentOutOfRangeException(nameof(factor), factor, $"RandomRotation: factor must reach into [-1, 1] (fractions of a full turn, as Keras 3 requires), got ({factor.Lower}, {factor.Upper}).")
                : factor;

        /// <summary>(lower, upper) fractions of a full turn.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = Json(Factor);
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Transforms(int n, int height, int width)
        {
            // Keras 3's rotation matrix: output (x, y) reads the input at the point turned back by
            // the angle about the centre ((width - 1) / 2, (height - 1) / 2).
            var angle = Uniform(new Shape(n, 1), Factor.Lower * 2 * Math.PI, Factor.Upper * 2 * Math.PI);
            var cos = NF.Cos(angle);
            var sin = NF.Sin(angle);
            float w1 = width - 1, h1 = height - 1;
            var xOffset = (w1 - (cos * w1 - sin * h1)) / 2f;
            var yOffset = (h1 - (sin * w1 + cos * h1)) / 2f;
            return Transform(cos, -sin, xOffset, sin, cos, yOffset);
        }
    }
}
