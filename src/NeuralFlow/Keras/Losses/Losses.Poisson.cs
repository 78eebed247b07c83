namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// The Poisson negative log-likelihood without its constant term, mean(yPred - yTrue *
    /// log(yPred + 1e-7)) over the last axis (<c>tf.keras.losses.Poisson</c>), for count targets
    /// and positive predicted rates.
    /// </summary>
    public sealed class Poisson(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "poisson";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            (var t, yPred) = Aligned("Poisson", yTrue, yPred);
            return MeanLastAxis(yPred - t * NF.Log(yPred + Epsilon));
        }
    }
}
