namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Scales each image's HSV saturation by a random factor while training (<c>keras.layers.RandomSaturation</c>):
    /// u drawn from [lower, upper] (a single factor f: [0, f], both in [0, 1]) gives the factor u / (1 - u + 1e-7),
    /// so 0 is grey, 0.5 the image itself and 1 full saturation. Saturation is a ratio, so the images are
    /// converted as they are, whatever their <see cref="RandomColorLayer.ValueRange"/>; the scaled saturation
    /// is clipped to [0, 1] as <see cref="NF.Image.AdjustSaturation"/> (Keras clips it to the value range,
    /// which for (0, 255) lets it pass 1 and colours turn negative). The identity at inference.
    /// </summary>
    public sealed class RandomSaturation : RandomColorLayer
    {
        /// <summary>Draws u in [0, factor].</summary>
        public RandomSaturation(double factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this((0, factor), valueRange, seed, name) { }

        /// <summary>Draws u in [factor.Lower, factor.Upper].</summary>
        public RandomSaturation((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(CheckedFactor(nameof(RandomSaturation), "factor", factor, 0, 1), valueRange, seed, name) { }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images) => Apply(images, PerImage(images, Factor.Lower, Factor.Upper));

        /// <summary>The saturation change of draws u [N, 1, 1, 1]; RandomColorJitter's third step.</summary>
        internal static Tensor Apply(Tensor images, Tensor u) =>
            NF.Image.ScaleSaturation(nameof(RandomSaturation), images, u / (1.0 - u + 1e-7));
    }
}
