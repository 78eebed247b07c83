namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Dropout for self-normalizing networks (<c>keras.layers.AlphaDropout</c>, Klambauer et al. 2017):
    /// in training, dropped values are set to SELU's negative saturation -alpha * scale instead of 0, and
    /// the result is moved by an affine map a * x + b so that inputs of mean 0 and variance 1 keep them.
    /// The identity in inference. Use it with "selu" activations and lecun_normal initialization.
    /// </summary>
    public sealed class AlphaDropout : Dropout
    {
        // SELU's constants: alpha * scale is the value SELU tends to at minus infinity.
        private const double SeluAlpha = 1.6732632423543772848170429916717, SeluScale = 1.0507009873554804934193349852946;

        /// <summary>Drops each element with probability <paramref name="rate"/> (Keras' arguments).</summary>
        public AlphaDropout(double rate, int?[]? noiseShape = null, int? seed = null, string? name = null) : base(rate, name, noiseShape, seed) { }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            var maskShape = MaskShape(x.Shape);
            if (!IsTraining || Rate == 0) return x;
            if (Rate == 1) throw DropoutRate.InfiniteNoise(Name, nameof(AlphaDropout), "the affine correction's scale ((1 - rate)(1 + rate alpha'^2))^(-1/2)");
            var keep = KeepMask(x, maskShape);
            const double alphaP = -SeluAlpha * SeluScale;
            // Keras' affine correction: keeps mean 0 and variance 1 of standardized inputs.
            double a = Math.Pow((1 - Rate) * (1 + Rate * alphaP * alphaP), -0.5), b = -a * alphaP * Rate;
            return (x * keep + alphaP * (1 - keep)) * a + b;
        }
    }

    /// <summary>
    /// Returns its input unchanged (<c>keras.layers.Identity</c>): a placeholder in a model, e.g. where a
    /// configurable block may be switched off. Passes masks on.
    /// </summary>
    public sealed class Identity(string? name = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => x;
    }
}
