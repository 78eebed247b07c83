namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>The running mean of the squared error (<c>tf.keras.metrics.MeanSquaredError</c>).</summary>
    public sealed class MeanSquaredError(string name = "mean_squared_error") : MeanMetricWrapper(name)
    {
        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred) => Losses.MeanSquaredError.PerExample(yTrue, yPred);
    }

    /// <summary>The running mean of the absolute error (<c>tf.keras.metrics.MeanAbsoluteError</c>).</summary>
    public sealed class MeanAbsoluteError(string name = "mean_absolute_error") : MeanMetricWrapper(name)
    {
        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred) => Losses.MeanAbsoluteError.PerExample(yTrue, yPred);
    }

    /// <summary>
    /// The square root of the running mean squared error (<c>tf.keras.metrics.RootMeanSquaredError</c>):
    /// the root of the mean over everything seen, not a mean of per-batch roots.
    /// </summary>
    public sealed class RootMeanSquaredError(string name = "root_mean_squared_error") : MeanMetricWrapper(name)
    {
        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            (yTrue, yPred) = Losses.Aligned("RootMeanSquaredError", yTrue, yPred);
            return NF.Square(yPred - yTrue);
        }

        /// <inheritdoc/>
        public override float Result() => (float)Math.Sqrt(RunningMean());
    }
}
