namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Sharpens or softens each image by a random amount while training (<c>keras.layers.RandomSharpness</c>,
    /// PIL's ImageEnhance.Sharpness): s = 2u with u drawn from [lower, upper] (a single factor f: [0, f],
    /// both in [0, 1]); the result is x + (1 - s) (smooth(x) - x), smooth the 3 x 3 filter
    /// [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 with zeros outside the image, clipped to
    /// <see cref="RandomColorLayer.ValueRange"/>. s = 1 keeps the image, 0 smooths, 2 sharpens. The identity at inference.
    /// </summary>
    public sealed class RandomSharpness : RandomColorLayer
    {
        private static readonly double[,] Smooth = { { 1 / 13.0, 1 / 13.0, 1 / 13.0 }, { 1 / 13.0, 5 / 13.0, 1 / 13.0 }, { 1 / 13.0, 1 / 13.0, 1 / 13.0 } };

        /// <summary>Draws u in [0, factor].</summary>
        public RandomSharpness(double factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this((0, factor), valueRange, seed, name) { }

        /// <summary>Draws u in [factor.Lower, factor.Upper].</summary>
        public RandomSharpness((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(CheckedFactor(nameof(RandomSharpness), "factor", factor, 0, 1), valueRange, seed, name) { }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            var sharpness = PerImage(images, Factor.Lower, Factor.Upper) * 2.0;
            return NF.Clip(images + (1.0 - sharpness) * (NF.Image.Filter(images, Smooth) - images), ValueRange.Low, ValueRange.High);
        }
    }
}
