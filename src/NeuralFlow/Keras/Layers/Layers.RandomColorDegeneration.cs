namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Fades each image towards its grey version by a random amount while training
    /// (<c>keras.layers.RandomColorDegeneration</c>, PIL's ImageEnhance.Color): x + f (gray(x) - x) with f drawn
    /// per image from <see cref="RandomColorLayer.Factor"/> (a single factor f: [0, f], as Keras' docstring reads
    /// it), gray the luma of <see cref="NF.Image.RgbToGrayscale"/>, clipped to <see cref="RandomColorLayer.ValueRange"/>.
    /// f = 0 keeps the image, 1 turns it grey. Images must have 3 channels. The identity at inference.
    /// </summary>
    public sealed class RandomColorDegeneration : RandomColorLayer
    {
        /// <summary>Draws f in [0, factor], factor in [0, 1].</summary>
        public RandomColorDegeneration(double factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null, string dataFormat = "channels_last")
            : this((0, factor), valueRange, seed, name, dataFormat) { }

        /// <summary>Draws f in [factor.Lower, factor.Upper], both in [0, 1].</summary>
        public RandomColorDegeneration((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null,
                                       string dataFormat = "channels_last")
            : base(CheckedFactor(nameof(RandomColorDegeneration), "factor", factor, 0, 1), valueRange, seed, name) => SetDataFormat(dataFormat);

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            if (images.Shape[3] != 3)
                throw new ArgumentException($"RandomColorDegeneration: images must have 3 (RGB) channels, got shape {images.Shape}.", nameof(images));
            var f = PerImage(images, Factor.Lower, Factor.Upper);
            return NF.Clip(images + f * (NF.Image.RgbToGrayscale(images) - images), ValueRange.Low, ValueRange.High);
        }
    }
}
