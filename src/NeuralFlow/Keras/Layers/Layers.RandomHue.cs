namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Rotates each image's hue by a random amount while training (<c>keras.layers.RandomHue</c>): a
    /// magnitude drawn from [lower, upper] (a single factor f: [0, f], both in [0, 1]), halved, with a
    /// random sign, so factor 1 reaches half a turn either way. The images are read on
    /// <see cref="RandomColorLayer.ValueRange"/>, converted through HSV (<see cref="NF.Image.AdjustHue"/>'s
    /// rotation) and clipped to the range; the identity at inference. Keras draws the sign and the
    /// magnitude from the same seed (so they are correlated); here they are independent draws.
    /// </summary>
    public sealed class RandomHue : RandomColorLayer
    {
        /// <summary>Hue shifts of magnitude in [0, factor] / 2 turns.</summary>
        public RandomHue(double factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this((0, factor), valueRange, seed, name) { }

        /// <summary>Hue shifts of magnitude in [factor.Lower, factor.Upper] / 2 turns.</summary>
        public RandomHue((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(CheckedFactor(nameof(RandomHue), "factor", factor, 0, 1), valueRange, seed, name) { }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images) => Apply(images, HueDeltas(images, Factor), ValueRange);

        /// <summary>The hue rotation of deltas [N, 1, 1, 1] (turns) on images of the value range; RandomColorJitter's last step.</summary>
        internal static Tensor Apply(Tensor images, Tensor delta, (double Low, double High) valueRange)
        {
            var (low, high) = valueRange;
            var unit = (images - low) / (high - low);
            var rotated = NF.Clip(NF.Image.RotateHue(nameof(RandomHue), unit, delta), 0.0, 1.0);
            return rotated * (high - low) + low;
        }
    }
}
