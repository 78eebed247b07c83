using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Stretches each image's channels to the full <see cref="ValueRange"/> (<c>keras.layers.AutoContrast</c>):
    /// per image and channel, the darkest value maps to the range's low end and the brightest to its high end,
    /// linearly; a constant channel (nothing to stretch) is kept as it is. Not random: it applies in training
    /// and at inference alike, as Keras' layer. Integer images are computed as float32.
    /// </summary>
    public sealed class AutoContrast : Layer
    {
        /// <summary>Images whose values lie in <paramref name="valueRange"/> (default (0, 255)).</summary>
        public AutoContrast((double Low, double High)? valueRange = null, string? name = null) : base(name)
        {
            var (low, high) = valueRange ?? (0, 255);
            ValueRange = double.IsFinite(low) && double.IsFinite(high) && low < high ? (low, high)
                : throw new ArgumentException($"AutoContrast: valueRange must be two finite numbers, low < high, got ({low}, {high}).", nameof(valueRange));
        }

        /// <summary>The pixel range the channels are stretched to.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["value_range"] = new JsonArray(ValueRange.Low, ValueRange.High);
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            NF.Image.CheckImages($"{Name} (AutoContrast)", x);
            return Apply(NF.Image.AsFloat(x), ValueRange);
        }

        /// <summary>Float images (rank 3 or 4) stretched to <paramref name="valueRange"/> (what RandAugment and AugMix compose).</summary>
        internal static Tensor Apply(Tensor images, (double Low, double High) valueRange)
        {
            int[] pixels = [images.Rank - 3, images.Rank - 2];
            var low = NF.ReduceMin(images, pixels, keepDims: true);
            var spread = NF.ReduceMax(images, pixels, keepDims: true) - low;
            // Keras' 0 / 0 gives NaN there and it puts the input back; the guard keeps NaN out of the gradient too.
            var flat = NF.Less(spread, 0.0) | NF.Equal(spread, NF.ZerosLike(spread));
            var stretched = (images - low) / NF.Where(flat, NF.OnesLike(spread), spread) * (valueRange.High - valueRange.Low) + valueRange.Low;
            return NF.Where(flat, images, NF.Clip(stretched, valueRange.Low, valueRange.High));
        }
    }
}
