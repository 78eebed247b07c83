using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Adds zero-centred Gaussian noise of standard deviation <paramref name="stddev"/> during
    /// training; the identity at inference (<c>keras.layers.GaussianNoise</c>). Where the noise
    /// comes from: <see cref="NoiseLayer"/>.
    /// </summary>
    /// <param name="stddev">The noise's standard deviation, in [0, 1] as Keras 3 requires.</param>
    /// <param name="seed">A seed of the layer's own noise; null draws from NF.Random.</param>
    /// <param name="name">The layer's name.</param>
    public sealed class GaussianNoise(double stddev, int? seed = null, string? name = null) : NoiseLayer(seed, name)
    {
        /// <summary>The noise's standard deviation.</summary>
        public double Stddev { get; } = stddev is >= 0 and <= 1 ? stddev
            : throw new ArgumentOutOfRangeException(nameof(stddev), stddev, "GaussianNoise: stddev must be between 0 and 1 (Keras 3's range).");

        private protected override (double Mean, double Stddev) Noise => (0, Stddev);

        private protected override Tensor Apply(Tensor input, Tensor noise) => input + noise;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["stddev"] = Stddev;
            return c;
        }
    }
}
