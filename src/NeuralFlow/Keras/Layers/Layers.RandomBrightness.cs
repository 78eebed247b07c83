namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Adds a random brightness shift to each image while training (<c>keras.layers.RandomBrightness</c>):
    /// a draw from [lower, upper] (a single factor f: [-f, f]; both in [-1, 1]) times the width of
    /// <see cref="RandomColorLayer.ValueRange"/>, the same for every pixel and channel of an image, the
    /// result clipped to the range; the identity at inference.
    /// </summary>
    public sealed class RandomBrightness : RandomColorLayer
    {
        /// <summary>Shifts in [-|factor|, |factor|] of the value range (Keras 3 takes a negative factor by its size).</summary>
        public RandomBrightness(double factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this(Symmetric(factor), valueRange, seed, name) { }

        /// <summary>Shifts in [factor.Lower, factor.Upper] of the value range (a reversed pair is sorted, as Keras 3 does).</summary>
        public RandomBrightness((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(CheckedFactor(nameof(RandomBrightness), "factor", Sorted(factor), -1, 1), valueRange, seed, name) { }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images) => Apply(images, PerImage(images, Factor.Lower, Factor.Upper), ValueRange);

        /// <summary>The brightness shift of draws [N, 1, 1, 1] (fractions of the range); RandomColorJitter's first step.</summary>
        internal static Tensor Apply(Tensor images, Tensor draws, (double Low, double High) valueRange) =>
            NF.Clip(images + draws * (valueRange.High - valueRange.Low), valueRange.Low, valueRange.High);
    }
}
