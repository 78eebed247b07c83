using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Multiplies the inputs by 1-centred Gaussian noise of standard deviation
    /// sqrt(<paramref name="rate"/> / (1 - rate)) during training; the identity at inference
    /// (<c>keras.layers.GaussianDropout</c>). Its mean is 1, so nothing is rescaled. Where the noise
    /// comes from: <see cref="NoiseLayer"/>.
    /// </summary>
    /// <param name="rate">The drop probability it stands for, in [0, 1) (1 would make the noise infinite).</param>
    /// <param name="seed">A seed of the layer's own noise; null draws from NF.Random.</param>
    /// <param name="name">The layer's name.</param>
    public sealed class GaussianDropout(double rate, int? seed = null, string? name = null) : NoiseLayer(seed, name)
    {
        /// <summary>The drop probability.</summary>
        public double Rate { get; } = rate is >= 0 and < 1 ? rate
            : throw new ArgumentOutOfRangeException(nameof(rate), rate, "GaussianDropout: rate must be in [0, 1); the noise's standard deviation is sqrt(rate / (1 - rate)).");

        private protected override (double Mean, double Stddev) Noise => (1, Math.Sqrt(Rate / (1 - Rate)));

        private protected override Tensor Apply(Tensor input, Tensor noise) => input * noise;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["rate"] = Rate;
            return c;
        }
    }
}
