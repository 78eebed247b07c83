namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// The Tversky loss (<c>keras.losses.Tversky</c>, Keras 3; Salehi et al., 2017): with
    /// tp = sum(y p), fp = sum((1 - y) p), fn = sum(y (1 - p)) over <see cref="Axis"/> (all axes
    /// by default), 1 - tp / (tp + alpha fp + beta fn + eps). Alpha weighs false positives, beta
    /// false negatives; 0.5 and 0.5 is Dice.
    /// </summary>
    public sealed class Tversky(double alpha = 0.5, double beta = 0.5, string? reduction = SumOverBatchSize, int[]? axis = null) : Loss(reduction)
    {
        /// <summary>The weight of false positives.</summary>
        public double Alpha { get; } = alpha is >= 0 and < double.PositiveInfinity ? alpha
            : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Tversky: alpha must be a finite number of at least 0.");
        /// <summary>The weight of false negatives.</summary>
        public double Beta { get; } = beta is >= 0 and < double.PositiveInfinity ? beta
            : throw new ArgumentOutOfRangeException(nameof(beta), beta, "Tversky: beta must be a finite number of at least 0.");
        /// <summary>The axes summed over; null for all of them.</summary>
        public IReadOnlyList<int>? Axis { get; } = axis?.ToArray();
        /// <inheritdoc/>
        public override string Name => "tversky";

        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred)
        {
            (var y, yPred) = Aligned("Tversky", yTrue, yPred);
            var tp = Dice.OverAxes(y * yPred, Axis, "Tversky");
            var fp = Dice.OverAxes((1 - y) * yPred, Axis, "Tversky");
            var fn = Dice.OverAxes(y * (1 - yPred), Axis, "Tversky");
            return 1 - tp / (tp + fp * Alpha + fn * Beta + Epsilon);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => With(base.GetConfig(), ("alpha", Alpha), ("beta", Beta), ("axis", Axis?.ToArray()));
    }
}
