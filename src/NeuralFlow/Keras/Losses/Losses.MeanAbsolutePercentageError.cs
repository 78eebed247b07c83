namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// 100 * mean(|yTrue - yPred| / max(|yTrue|, 1e-7)) over the last axis
    /// (<c>tf.keras.losses.MeanAbsolutePercentageError</c>); a zero target makes the value huge, as in Keras.
    /// </summary>
    public sealed class MeanAbsolutePercentageError(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "mean_absolute_percentage_error";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            (var t, yPred) = Aligned("MeanAbsolutePercentageError", yTrue, yPred);
            return 100 * MeanLastAxis(NF.Abs((t - yPred) / NF.Maximum(NF.Abs(t), Epsilon)));
        }
    }
}
