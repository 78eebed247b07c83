namespace NeuralFlow.Keras;

public static partial class Losses
{
    /// <summary>
    /// Cross-entropy of 0/1 targets and probabilities (or logits with <c>fromLogits</c>), averaged
    /// over the last axis (<c>tf.keras.losses.BinaryCrossentropy</c>).
    /// </summary>
    public sealed class BinaryCrossentropy(bool fromLogits = false) : Loss
    {
        /// <summary>Whether predictions are logits rather than probabilities.</summary>
        public bool FromLogits { get; } = fromLogits;
        /// <inheritdoc/>
        public override string Name => "binary_crossentropy";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, FromLogits);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, bool fromLogits = false)
        {
            (var y, yPred) = Aligned("BinaryCrossentropy", yTrue, yPred);
            Tensor elementwise = fromLogits
                ? WithLogits(y, yPred)
                : -(y * NF.Log(Clip(yPred)) + (1 - y) * NF.Log(1 - Clip(yPred)));
            return yPred.Rank == 0 ? elementwise : NF.ReduceMean(elementwise, -1);
        }

        // max(x, 0) - x*y + log(1 + e^-|x|): stable for any logit. Written as TensorFlow's
        // sigmoid_cross_entropy_with_logits, with both branches chosen by x >= 0, so that at x = 0
        // the gradient is sigmoid(0) - y = 0.5 - y: Relu and Abs both have gradient 0 there, which
        // would give -y (zero-initialised logits start exactly there).
        private static Tensor WithLogits(Tensor y, Tensor x)
        {
            var nonNegative = GradientHelpers.Mask(NF.GreaterEqual(x, 0), x.DType);
            var positivePart = x * nonNegative;               // max(x, 0)
            var negativeAbs = x * (1 - 2 * nonNegative);      // -|x|
            return positivePart - x * y + NF.Log(1 + NF.Exp(negativeAbs));
        }
    }
}
