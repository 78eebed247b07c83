namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// The CTC loss (<c>keras.losses.CTC</c>) for sequence models such as OCR and speech
    /// recognition: <c>yTrue</c> holds integer labels [batch, maxLength] where 0 is the blank
    /// (mask) class and pads the end of shorter label sequences, <c>yPred</c> the model's logits
    /// [batch, time, classes] (not softmax probabilities). As Keras, each example's label length is
    /// its number of non-zero labels and every time step counts; the per-example values are
    /// <see cref="NF.CtcLoss"/>'s (+infinity for labels that cannot fit in the time steps).
    /// </summary>
    public sealed class CTC(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "ctc";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example (<c>keras.losses.ctc</c>).</summary>
        /// <exception cref="ArgumentException"><paramref name="yTrue"/> not of rank 2, <paramref name="yPred"/> not of rank 3, or bad labels (see <see cref="NF.CtcLoss"/>).</exception>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            ArgumentNullException.ThrowIfNull(yTrue);
            ArgumentNullException.ThrowIfNull(yPred);
            if (yTrue.Rank != 2)
                throw new ArgumentException($"CTC: yTrue must hold integer labels [batch, maxLength], got shape {yTrue.Shape}.", nameof(yTrue));
            if (yPred.Rank != 3)
                throw new ArgumentException($"CTC: yPred must hold logits [batch, time, classes], got shape {yPred.Shape}.", nameof(yPred));
            using var labelLength = NF.CountNonzero(yTrue, 1);
            using var inputLength = NF.Fill(new Shape(yPred.Shape[0]), yPred.Shape[1], DType.Int32, yPred.Backend);
            return NF.CtcLoss(yTrue, yPred, labelLength, inputLength, maskIndex: 0);
        }
    }
}
