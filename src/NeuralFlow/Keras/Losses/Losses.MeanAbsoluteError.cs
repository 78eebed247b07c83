namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>mean(|yTrue - yPred|) over the last axis (<c>tf.keras.losses.MeanAbsoluteError</c>).</summary>
    public sealed class MeanAbsoluteError(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "mean_absolute_error";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            if (yPred.Rank == 0) return NF.Abs(LikePrediction(yTrue, yPred) - yPred);
            (var t, yPred) = Aligned("MeanAbsoluteError", yTrue, yPred);
            return NF.ReduceMean(NF.Abs(t - yPred), -1);
        }
    }
}
