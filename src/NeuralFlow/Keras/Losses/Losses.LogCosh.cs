namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// log(cosh(yPred - yTrue)), averaged over the last axis (<c>tf.keras.losses.LogCosh</c>):
    /// about e^2 / 2 for small errors and |e| - log 2 for large ones. Computed as
    /// e + softplus(-2e) - log 2, which does not overflow where cosh would.
    /// </summary>
    public sealed class LogCosh(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "log_cosh";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            (var t, yPred) = Aligned("LogCosh", yTrue, yPred);
            var error = yPred - t;
            return MeanLastAxis(error + Softplus(-2 * error) - Math.Log(2));
        }
    }
}
