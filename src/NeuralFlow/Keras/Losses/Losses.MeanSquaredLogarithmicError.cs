namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// mean((log(yPred + 1) - log(yTrue + 1))^2) over the last axis, both floored at 1e-7 first
    /// (<c>tf.keras.losses.MeanSquaredLogarithmicError</c>): relative errors of positive targets.
    /// </summary>
    public sealed class MeanSquaredLogarithmicError(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "mean_squared_logarithmic_error";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            (var t, yPred) = Aligned("MeanSquaredLogarithmicError", yTrue, yPred);
            var first = NF.Log(NF.Maximum(yPred, Epsilon) + 1);
            var second = NF.Log(NF.Maximum(t, Epsilon) + 1);
            return MeanLastAxis(NF.Square(first - second));
        }
    }
}
