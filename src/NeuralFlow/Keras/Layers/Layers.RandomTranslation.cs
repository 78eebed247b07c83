using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Shifts each image by a random fraction of its height and width while training
    /// (<c>keras.layers.RandomTranslation</c>); the identity at inference. Factors lie in [-1, 1]:
    /// f draws from (-f, f), or a given (lower, upper); positive values move the content down and
    /// right. The uncovered band comes from <see cref="RandomAffineLayer.FillMode"/>.
    /// </summary>
    public sealed class RandomTranslation : RandomAffineLayer
    {
        /// <summary>Shifts in (-|heightFactor|, |heightFactor|) heights and (-|widthFactor|, |widthFactor|) widths (Keras 3 takes a negative factor by its size).</summary>
        public RandomTranslation(double heightFactor, double widthFactor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null)
            : this(Symmetric(heightFactor), Symmetric(widthFactor), fillMode, interpolation, seed, fillValue, name) { }

        /// <summary>Shifts in the given (lower, upper) ranges (a reversed pair is sorted, as Keras 3 does).</summary>
        public RandomTranslation((double Lower, double Upper) heightFactor, (double Lower, double Upper) widthFactor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null)
            : base(fillMode, interpolation, fillValue, seed, name)
        {
            HeightFactor = CheckedFactor(nameof(RandomTranslation), "heightFactor", Sorted(heightFactor), -1, 1);
            WidthFactor = CheckedFactor(nameof(RandomTranslation), "widthFactor", Sorted(widthFactor), -1, 1);
        }

        /// <summary>(lower, upper) vertical shift, as fractions of the height.</summary>
        public (double Lower, double Upper) HeightFactor { get; }

        /// <summary>(lower, upper) horizontal shift, as fractions of the width.</summary>
        public (double Lower, double Upper) WidthFactor { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["height_factor"] = Json(HeightFactor);
            c["width_factor"] = Json(WidthFactor);
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Transforms(int n, int height, int width)
        {
            // Keras 3 draws the height shift first; output (x, y) reads (x - dx, y - dy), not rounded.
            var perImage = new Shape(n, 1);
            var dy = Uniform(perImage, HeightFactor.Lower, HeightFactor.Upper) * (float)height;
            var dx = Uniform(perImage, WidthFactor.Lower, WidthFactor.Upper) * (float)width;
            var zero = NF.ZerosLike(dx);
            var one = zero + 1f;
            return Transform(one, zero, -dx, zero, one, -dy);
        }
    }
}
