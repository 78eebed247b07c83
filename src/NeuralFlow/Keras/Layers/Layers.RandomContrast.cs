namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Scales each image's contrast by a random factor while training (<c>keras.layers.RandomContrast</c>):
    /// (x - mean) * c + mean, the mean per image and channel over its pixels, c drawn from
    /// [1 - lower, 1 + upper] (a single factor f: lower = upper = f, in [0, 1]), then clipped to
    /// <see cref="RandomColorLayer.ValueRange"/> as Keras 3 does; the identity at inference.
    /// </summary>
    public sealed class RandomContrast : RandomColorLayer
    {
        /// <summary>Contrast factors in [1 - factor, 1 + factor].</summary>
        public RandomContrast(double factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this((factor, factor), valueRange, seed, name) { }

        /// <summary>Contrast factors in [1 - factor.Lower, 1 + factor.Upper].</summary>
        public RandomContrast((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(Checked(factor), valueRange, seed, name) { }

        private static (double, double) Checked((double Lower, double Upper) factor) =>
            factor.Lower is >= 0 and <= 1 && factor.Upper >= 0 && double.IsFinite(factor.Upper) ? factor
                : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"RandomContrast: factor must not be negative and its lower bound must be at most 1, got ({factor.Lower}, {factor.Upper}).");

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images) => Apply(images, PerImage(images, 1 - Factor.Lower, 1 + Factor.Upper), ValueRange);

        /// <summary>The contrast change of factors [N, 1, 1, 1]; RandomColorJitter's second step.</summary>
        internal static Tensor Apply(Tensor images, Tensor contrast, (double Low, double High) valueRange)
        {
            var mean = NF.ReduceMean(images, [1, 2], keepDims: true);
            return NF.Clip((images - mean) * contrast + mean, valueRange.Low, valueRange.High);
        }
    }
}
