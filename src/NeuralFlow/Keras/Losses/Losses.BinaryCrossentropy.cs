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
                // max(x, 0) - x*y + log(1 + e^-|x|): stable for any logit.
                ? NF.Relu(yPred) - yPred * y + NF.Log(1 + NF.Exp(-NF.Abs(yPred)))
                : -(y * NF.Log(Clip(yPred)) + (1 - y) * NF.Log(1 - Clip(yPred)));
            return yPred.Rank == 0 ? elementwise : NF.ReduceMean(elementwise, -1);
        }
    }
}
