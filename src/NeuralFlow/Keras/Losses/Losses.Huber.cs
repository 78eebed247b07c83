namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// The Huber loss, averaged over the last axis (<c>tf.keras.losses.Huber</c>): for each error
    /// e = yPred - yTrue, 0.5 e^2 where |e| &lt;= delta, else delta (|e| - delta) + 0.5 delta^2:
    /// quadratic near zero, linear (robust to outliers) beyond delta.
    /// </summary>
    public sealed class Huber(double delta = 1.0, string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <summary>Where the loss turns from quadratic to linear (positive).</summary>
        public double Delta { get; } = delta > 0 ? delta : throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber: delta must be positive.");
        /// <inheritdoc/>
        public override string Name => "huber_loss";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, Delta);
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => With(base.GetConfig(), ("delta", Delta));

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, double delta = 1.0)
        {
            (var t, yPred) = Aligned("Huber", yTrue, yPred);
            var error = yPred - t;
            var absError = NF.Abs(error);
            var inside = Where(NF.LessEqual(absError, delta), yPred.DType);
            var quadratic = 0.5 * NF.Square(error);
            var linear = 0.5 * delta * delta + delta * (absError - delta);
            return MeanLastAxis(inside * quadratic + (1 - inside) * linear);
        }
    }
}
