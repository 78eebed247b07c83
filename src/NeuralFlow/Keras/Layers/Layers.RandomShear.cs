using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Shears each image at random while training (<c>keras.layers.RandomShear</c>); the identity at inference.
    /// Per image, shears sx and sy are drawn from <see cref="XFactor"/> and <see cref="YFactor"/> and both flipped
    /// in sign together with probability one half; output pixel (x, y) then reads the input at
    /// (x + sx y, sy x + y), Keras' transform [1, sx, 0, sy, 1, 0, 0, 0] about the top-left corner (pixel units).
    /// A single factor f draws from (-f, f) as Keras' code reads it (its docstring says (0, f); with the random
    /// sign both give shears of either sign up to f). Keras' default fill_mode is "reflect".
    /// </summary>
    public sealed class RandomShear : RandomAffineLayer
    {
        /// <summary>Shears drawn from (-xFactor, xFactor) and (-yFactor, yFactor), each factor in [0, 1].</summary>
        public RandomShear(double xFactor = 0, double yFactor = 0, string interpolation = "bilinear", string fillMode = "reflect", double fillValue = 0, int? seed = null, string? name = null)
            : this(Single(nameof(xFactor), xFactor), Single(nameof(yFactor), yFactor), interpolation, fillMode, fillValue, seed, name) { }

        /// <summary>Shears drawn from the given (lower, upper) ranges, each bound in [-1, 1].</summary>
        public RandomShear((double Lower, double Upper) xFactor, (double Lower, double Upper) yFactor, string interpolation = "bilinear", string fillMode = "reflect",
                           double fillValue = 0, int? seed = null, string? name = null)
            : base(fillMode, interpolation, fillValue, seed, name)
        {
            XFactor = CheckedFactor(nameof(RandomShear), nameof(xFactor), xFactor, -1, 1);
            YFactor = CheckedFactor(nameof(RandomShear), nameof(yFactor), yFactor, -1, 1);
        }

        /// <summary>(lower, upper) horizontal shear: the fraction of a row's index added to its x.</summary>
        public (double Lower, double Upper) XFactor { get; }

        /// <summary>(lower, upper) vertical shear: the fraction of a column's index added to its y.</summary>
        public (double Lower, double Upper) YFactor { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["x_factor"] = Json(XFactor);
            c["y_factor"] = Json(YFactor);
            return c;
        }

        // Keras checks a single factor against [0, 1] before reading it as (-f, f).
        private static (double, double) Single(string argument, double factor) =>
            factor is >= 0 and <= 1 ? (-factor, factor)
                : throw new ArgumentOutOfRangeException(argument, factor, $"RandomShear: {argument} must lie in [0, 1], got {factor}.");

        /// <inheritdoc/>
        private protected override Tensor Transforms(int n, int height, int width)
        {
            // Keras' draws in its order: the common sign (negative when a uniform draw exceeds 0.5), then y, then x.
            var perImage = new Shape(n, 1);
            var sign = 1f - 2f * NF.Cast(NF.Greater(Uniform(perImage, 0, 1), 0.5), DType.Float32);
            var sy = Uniform(perImage, YFactor.Lower, YFactor.Upper) * sign;
            var sx = Uniform(perImage, XFactor.Lower, XFactor.Upper) * sign;
            var zero = NF.ZerosLike(sx);
            var one = zero + 1f;
            return Transform(one, sx, zero, sy, one, zero);
        }
    }
}
