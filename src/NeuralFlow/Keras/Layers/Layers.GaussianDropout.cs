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
    /// <param name="rate">The drop probability it stands for, in [0, 1] as Keras takes it; 1 makes the noise infinite, so such a layer refuses to train (the identity at inference).</param>
    /// <param name="seed">A seed of the layer's own noise; null draws from NF.Random.</param>
    /// <param name="name">The layer's name.</param>
    public sealed class GaussianDropout(double rate, int? seed = null, string? name = null) : NoiseLayer(seed, name)
    {
        /// <summary>The drop probability.</summary>
        public double Rate { get; } = DropoutRate.Checked(nameof(GaussianDropout), rate);

        // Read in training only (NoiseLayer.Forward).
        private protected override (double Mean, double Stddev) Noise => Rate < 1 ? (1, Math.Sqrt(Rate / (1 - Rate)))
            : throw DropoutRate.InfiniteNoise(Name, nameof(GaussianDropout), "the noise's standard deviation sqrt(rate / (1 - rate))");

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
