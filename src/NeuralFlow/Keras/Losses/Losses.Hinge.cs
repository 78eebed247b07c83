namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// The hinge loss mean(max(1 - yTrue * yPred, 0)) over the last axis
    /// (<c>tf.keras.losses.Hinge</c>). Targets are -1 or 1; 0/1 targets (all of them, as Keras
    /// checks) are mapped to -1/1 first.
    /// </summary>
    public sealed class Hinge(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "hinge";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred) => MeanLastAxis(Margins("Hinge", yTrue, yPred));
    }

    /// <summary>
    /// The squared hinge loss mean(max(1 - yTrue * yPred, 0)^2) over the last axis
    /// (<c>tf.keras.losses.SquaredHinge</c>); 0/1 targets are mapped to -1/1 as for <see cref="Hinge"/>.
    /// </summary>
    public sealed class SquaredHinge(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "squared_hinge";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred) => MeanLastAxis(NF.Square(Margins("SquaredHinge", yTrue, yPred)));
    }

    /// <summary>
    /// The categorical hinge loss max(max((1 - yTrue) * yPred) - sum(yTrue * yPred) + 1, 0) over
    /// the last axis (<c>tf.keras.losses.CategoricalHinge</c>), for one-hot targets: the best
    /// wrong class's score must trail the right one's by a margin of 1.
    /// </summary>
    public sealed class CategoricalHinge(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "categorical_hinge";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            (var t, yPred) = Aligned("CategoricalHinge", yTrue, yPred);
            if (yPred.Rank == 0) throw new ArgumentException("CategoricalHinge: predictions need a class axis, got a scalar.", nameof(yPred));
            var positive = NF.ReduceSum(t * yPred, -1);
            var negative = NF.ReduceMax((1 - t) * yPred, -1);
            return NF.Maximum(negative - positive + 1, 0);
        }
    }

    /// <summary>max(1 - y * yPred, 0) with 0/1 targets mapped to -1/1 (Keras' <c>convert_binary_labels_to_hinge</c>).</summary>
    private static Tensor Margins(string who, Tensor yTrue, Tensor yPred)
    {
        (var t, yPred) = Aligned(who, yTrue, yPred);
        // Decided on the device, without reading the targets back: 1 when every target is 0 or 1.
        var isBinary = NF.ReduceMin(Where(NF.Equal(t, 0), t.DType) + Where(NF.Equal(t, 1), t.DType));
        t = t + isBinary * (t - 1); // 2t - 1 when binary, else t
        return NF.Maximum(1 - t * yPred, 0);
    }
}
