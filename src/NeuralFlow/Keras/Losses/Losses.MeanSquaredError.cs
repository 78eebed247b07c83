namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>mean((yTrue - yPred)^2) over the last axis (<c>tf.keras.losses.MeanSquaredError</c>).</summary>
    public sealed class MeanSquaredError(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "mean_squared_error";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            if (yPred.Rank == 0) return NF.Square(LikePrediction(yTrue, yPred) - yPred);
            (var t, yPred) = Aligned("MeanSquaredError", yTrue, yPred);
            return NF.ReduceMean(NF.Square(t - yPred), -1);
        }
    }
}
