namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The Pearson correlation of targets and predictions along <see cref="Axis"/>, averaged over
    /// everything else and over batches (<c>keras.metrics.PearsonCorrelation</c>, Keras 3, a mean
    /// metric wrapper as Keras'): mean(zTrue * zPred) with z the values less their mean over the
    /// population standard deviation.
    /// </summary>
    public sealed class PearsonCorrelation(string name = "pearson_correlation", int axis = -1) : MeanMetricWrapper(name)
    {
        /// <summary>The axis the correlation runs along.</summary>
        public int Axis { get; } = axis;

        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, Axis);

        /// <summary>The correlation along <paramref name="axis"/>, one value per row (Keras' function <c>keras.metrics.pearson_correlation</c>).</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, int axis = -1)
        {
            var (t, p) = Centered("PearsonCorrelation", yTrue, yPred, axis);
            var zTrue = t / NF.Sqrt(NF.ReduceMean(NF.Square(t), axis, keepDims: true));
            var zPred = p / NF.Sqrt(NF.ReduceMean(NF.Square(p), axis, keepDims: true));
            return NF.ReduceMean(zTrue * zPred, axis);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Losses.With(base.GetConfig(), ("axis", Axis));

        /// <summary>Targets and predictions aligned (Keras' squeeze_or_expand) and less their means along <paramref name="axis"/>.</summary>
        internal static (Tensor True, Tensor Pred) Centered(string who, Tensor yTrue, Tensor yPred, int axis)
        {
            (yTrue, yPred) = Losses.Aligned(who, yTrue, yPred);
            if (axis < -yPred.Rank || axis >= yPred.Rank)
                throw new ArgumentException($"{who}: axis {axis} is outside predictions of shape {yPred.Shape}.", nameof(yPred));
            return (yTrue - NF.ReduceMean(yTrue, axis, keepDims: true), yPred - NF.ReduceMean(yPred, axis, keepDims: true));
        }
    }

    /// <summary>
    /// Lin's concordance correlation along <see cref="Axis"/>, averaged over everything else and
    /// over batches (<c>keras.metrics.ConcordanceCorrelation</c>, Keras 3): 2 cov / (var(yTrue) +
    /// var(yPred) + (mean(yTrue) - mean(yPred))^2 + eps), population moments.
    /// </summary>
    public sealed class ConcordanceCorrelation(string name = "concordance_correlation", int axis = -1) : MeanMetricWrapper(name)
    {
        /// <summary>The axis the correlation runs along.</summary>
        public int Axis { get; } = axis;

        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred, Axis);

        /// <summary>The concordance along <paramref name="axis"/>, one value per row (Keras' function <c>keras.metrics.concordance_correlation</c>).</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, int axis = -1)
        {
            var (t, p) = PearsonCorrelation.Centered("ConcordanceCorrelation", yTrue, yPred, axis);
            var (aligned, pred) = Losses.Aligned("ConcordanceCorrelation", yTrue, yPred);
            var meanGap = NF.ReduceMean(aligned, axis, keepDims: true) - NF.ReduceMean(pred, axis, keepDims: true);
            var norm = NF.ReduceMean(NF.Square(t), axis, keepDims: true) + NF.ReduceMean(NF.Square(p), axis, keepDims: true) + NF.Square(meanGap);
            return NF.ReduceMean(2 * t * p / (norm + Losses.Epsilon), axis);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Losses.With(base.GetConfig(), ("axis", Axis));
    }
}
