namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// The negative cosine similarity of yTrue and yPred along <c>axis</c>
    /// (<c>tf.keras.losses.CosineSimilarity</c>): -1 for the same direction, 0 for orthogonal
    /// vectors, 1 for opposite ones, so minimising it aligns them. Both are L2-normalised with
    /// TensorFlow's <c>l2_normalize</c> floor (squared norm at least 1e-12), so a zero vector
    /// gives 0, not NaN.
    /// </summary>
    public sealed class CosineSimilarity(int axis = -1, string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <summary>The axis holding the vectors.</summary>
        public int Axis { get; } = axis;
        /// <inheritdoc/>
        public override string Name => "cosine_similarity";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, Axis);
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => With(base.GetConfig(), ("axis", Axis));

        /// <summary>One value per vector: the shape without <paramref name="axis"/>.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, int axis = -1)
        {
            (var t, yPred) = Aligned("CosineSimilarity", yTrue, yPred);
            if (yPred.Rank == 0 || axis < -yPred.Rank || axis >= yPred.Rank)
                throw new ArgumentException($"CosineSimilarity: axis {axis} is out of range for predictions of shape {yPred.Shape}.", nameof(axis));
            return -NF.ReduceSum(Normalize(t, axis) * Normalize(yPred, axis), axis);
        }

        private static Tensor Normalize(Tensor x, int axis) =>
            x / NF.Sqrt(NF.Maximum(NF.ReduceSum(NF.Square(x), axis, keepDims: true), 1e-12));
    }
}
