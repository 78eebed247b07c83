namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// The Dice loss (<c>keras.losses.Dice</c>, Keras 3): 1 - 2 sum(y p) / (sum(y) + sum(p) + eps),
    /// the sums over <see cref="Axis"/>: every axis by default (one value for the whole batch, as
    /// Keras), or e.g. all but the batch axis for one value per example.
    /// </summary>
    public sealed class Dice(string? reduction = SumOverBatchSize, int[]? axis = null) : Loss(reduction)
    {
        /// <summary>The axes summed over; null for all of them.</summary>
        public IReadOnlyList<int>? Axis { get; } = axis?.ToArray();
        /// <inheritdoc/>
        public override string Name => "dice";

        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred)
        {
            (var y, yPred) = Aligned("Dice", yTrue, yPred);
            var intersection = OverAxes(y * yPred, Axis, "Dice");
            return 1 - 2 * intersection / (OverAxes(y, Axis, "Dice") + OverAxes(yPred, Axis, "Dice") + Epsilon);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => With(base.GetConfig(), ("axis", Axis?.ToArray()));

        /// <summary>The sum over <paramref name="axes"/> (all when null), each checked against the rank.</summary>
        internal static Tensor OverAxes(Tensor x, IReadOnlyList<int>? axes, string who)
        {
            if (axes is null) return NF.ReduceSum(x);
            foreach (var a in axes)
                if (a < -x.Rank || a >= x.Rank)
                    throw new ArgumentException($"{who}: axis {a} is outside targets of shape {x.Shape}.", "yPred");
            return NF.ReduceSum(x, axes.ToArray());
        }
    }
}
