using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Turns each image grey with probability <see cref="Factor"/> while training
    /// (<c>keras.layers.RandomGrayscale</c>): its luma (<see cref="NF.Image.RgbToGrayscale"/>) in every
    /// channel, so the shape stays [N, H, W, 3]; one-channel images pass unchanged. The identity at inference.
    /// </summary>
    public sealed class RandomGrayscale : RandomImageLayer
    {
        /// <summary>Images turn grey with probability <paramref name="factor"/> in [0, 1] (Keras' default 0.5).</summary>
        public RandomGrayscale(double factor = 0.5, int? seed = null, string? name = null) : base(seed, name)
        {
            Factor = factor is >= 0 and <= 1 ? factor
                : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"RandomGrayscale: factor (a probability) must lie in [0, 1], got {factor}.");
        }

        /// <summary>The probability that an image turns grey.</summary>
        public double Factor { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = Factor;
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            var gray = NF.Image.RgbToGrayscale(images);
            var apply = NF.Less(PerImage(images, 0, 1), Factor);
            return NF.Where(apply, NF.BroadcastTo(gray, images.Shape), images);
        }
    }
}
