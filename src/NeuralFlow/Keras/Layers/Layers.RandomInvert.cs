namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Inverts each image's colours at random while training (<c>keras.layers.RandomInvert</c>): per image a
    /// probability p is drawn from <see cref="RandomColorLayer.Factor"/> and the image turns into low + high - x (its
    /// complement within <see cref="RandomColorLayer.ValueRange"/>) when a uniform draw falls below p. Keras writes
    /// value_range[1] - x, which is the same for its default range (0, 255); low + high - x keeps other ranges such
    /// as (-1, 1) inside themselves. The identity at inference.
    /// </summary>
    public sealed class RandomInvert : RandomColorLayer
    {
        /// <summary>A single factor f stands for probabilities drawn from (0, f), as in Keras (default 1: (0, 1)).</summary>
        public RandomInvert(double factor = 1, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this((0, factor), valueRange, seed, name) { }

        /// <summary>Probabilities drawn per image from [lower, upper], both in [0, 1].</summary>
        public RandomInvert((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(CheckedFactor(nameof(RandomInvert), nameof(factor), factor, 0, 1), valueRange, seed, name) { }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            // Keras' two draws: the probability, then the threshold it is compared with.
            var probability = PerImage(images, Factor.Lower, Factor.Upper);
            var apply = NF.Less(PerImage(images, 0, 1), probability);
            var inverted = (ValueRange.Low + ValueRange.High) - images;
            return NF.Where(apply, inverted, images);
        }
    }
}
