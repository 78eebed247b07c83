using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Zeroes a fraction <paramref name="rate"/> of the inputs during training and scales the rest
    /// by 1/(1-rate); the identity at inference (<c>tf.keras.layers.Dropout</c>).
    /// </summary>
    public sealed class Dropout(double rate, string? name = null) : Layer(name)
    {
        /// <summary>Fraction of inputs dropped while training.</summary>
        public double Rate { get; } = rate is >= 0 and < 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout: rate must be in [0, 1).");

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["rate"] = Rate;
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (!IsTraining || Rate == 0) return x;
            var keep = NF.Cast(NF.GreaterEqual(NF.Random.Uniform(x.Shape, dtype: x.DType), Rate), x.DType);
            return x * keep / (1 - Rate);
        }
    }
}
