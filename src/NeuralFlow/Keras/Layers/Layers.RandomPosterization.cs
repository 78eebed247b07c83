using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Keeps only the top bits of each 8-bit channel value while training (<c>keras.layers.RandomPosterization</c>,
    /// AutoAugment's posterize): images are read on the 0..255 scale of their <see cref="ValueRange"/>, truncated to
    /// integers, and each value v becomes floor(v / 2^(8 - b)) x 2^(8 - b) for the per-image number of bits b, then
    /// mapped back to the value range. b is drawn as Keras' randint from [lower, upper) when the two differ (upper
    /// itself is never drawn), and is lower otherwise. Values outside the range are clipped to 0..255 first, where
    /// Keras' uint8 cast would leave them backend-defined. The identity at inference; no gradient flows through the
    /// truncation (as none does in Keras).
    /// </summary>
    public sealed class RandomPosterization : RandomImageLayer
    {
        /// <summary>A single number of bits f stands for (1, f), as Keras reads it (its factor bounds are 1..8).</summary>
        public RandomPosterization(int factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : this(Single(factor), valueRange, seed, name) { }

        /// <summary>Bits drawn per image from [lower, upper) (or lower when equal), both in 1..8.</summary>
        public RandomPosterization((int Lower, int Upper) factor, (double Low, double High)? valueRange = null, int? seed = null, string? name = null)
            : base(seed, name)
        {
            var (lower, upper) = CheckedFactor(nameof(RandomPosterization), nameof(factor), factor, 1, 8);
            Factor = ((int)lower, (int)upper);
            ValueRange = CheckedValueRange(nameof(RandomPosterization), valueRange, sorted: true);
        }

        // Keras checks a single number of bits against [1, 8] before reading it as (1, f).
        private static (int, int) Single(int factor) => factor is >= 1 and <= 8 ? (1, factor)
            : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"RandomPosterization: factor must lie in [1, 8], got {factor}.");

        /// <summary>The range of the number of bits kept per channel.</summary>
        public (int Lower, int Upper) Factor { get; }

        /// <summary>The pixel range of the images (Keras' value_range, default (0, 255)).</summary>
        public (double Low, double High) ValueRange { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = new JsonArray(Factor.Lower, Factor.Upper);
            c["value_range"] = Json(ValueRange);
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            var (lower, upper) = Factor;
            // randint(lower, upper): the floor of a uniform draw in [lower, upper), kept below upper against float rounding.
            var bits = lower == upper ? PerImage(images, lower, lower)
                : NF.Minimum(NF.Floor(PerImage(images, lower, upper)), upper - 1.0);
            var step = NF.Pow(2.0, 8.0 - bits);
            var (low, high) = ValueRange;
            var scaled = NF.Floor(NF.Clip((images - low) * (255 / (high - low)), 0, 255));
            var posterized = NF.Floor(scaled / step) * step;
            return posterized * ((high - low) / 255) + low;
        }
    }
}
