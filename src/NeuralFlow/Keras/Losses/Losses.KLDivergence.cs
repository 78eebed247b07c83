namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// Kullback-Leibler divergence sum(yTrue * log(yTrue / yPred)) over the last axis
    /// (<c>tf.keras.losses.KLDivergence</c>); both are clipped to [1e-7, 1] first, as Keras does,
    /// so zero targets add (almost) nothing and zero predictions stay finite.
    /// </summary>
    public sealed class KLDivergence(string? reduction = SumOverBatchSize) : Loss(reduction)
    {
        /// <inheritdoc/>
        public override string Name => "kl_divergence";
        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) => PerExample(yTrue, yPred);

        /// <summary>One value per example.</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred)
        {
            (var t, yPred) = Aligned("KLDivergence", yTrue, yPred);
            t = NF.Minimum(NF.Maximum(t, Epsilon), 1);
            var p = NF.Minimum(NF.Maximum(yPred, Epsilon), 1);
            var elementwise = t * NF.Log(t / p);
            return elementwise.Rank == 0 ? elementwise : NF.ReduceSum(elementwise, -1);
        }
    }
}
