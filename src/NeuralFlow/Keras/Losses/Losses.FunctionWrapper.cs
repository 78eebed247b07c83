namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// A loss from a C# function of <c>(yTrue, yPred)</c> (Keras' <c>LossFunctionWrapper</c>, what
    /// <c>compile(loss=my_function)</c> makes): the function gives one value per example (Keras'
    /// <c>ops.mean(ops.square(y_true - y_pred), axis=-1)</c>) or one for the batch, which are weighted
    /// and reduced as a built-in loss's are. A <c>Func&lt;Tensor, Tensor, Tensor&gt;</c> converts to a
    /// <see cref="Loss"/> implicitly, so it can be passed to <c>Compile</c> as is. A model compiled with one
    /// saves its weights (<c>SaveWeights</c>) but not a whole-model file, which cannot hold code.
    /// </summary>
    public sealed class LossFunctionWrapper : Loss
    {
        private readonly Func<Tensor, Tensor, Tensor> _fn;

        /// <param name="fn">(yTrue, yPred) to the per-example losses (or a scalar).</param>
        /// <param name="name">The name logs and errors use; by default the method's name (Keras: the function's <c>__name__</c>).</param>
        /// <param name="reduction">As a built-in loss's.</param>
        public LossFunctionWrapper(Func<Tensor, Tensor, Tensor> fn, string? name = null, string? reduction = SumOverBatchSize) : base(reduction)
        {
            _fn = fn ?? throw new ArgumentNullException(nameof(fn));
            Name = name ?? FunctionNames.Of(fn, "loss_function");
        }

        /// <inheritdoc/>
        public override string Name { get; }

        /// <inheritdoc/>
        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred)
        {
            // Keras' Loss.__call__ converts y_true to the loss's dtype before the function sees it: float64 labels from
            // NumPy or pandas meet float32 predictions in `y_true - y_pred` as one dtype.
            if (yTrue is not null && yPred is not null)
            {
                if (yTrue.DType != yPred.DType && yPred.DType.IsFloating()) yTrue = NF.Cast(yTrue, yPred.DType);
                (yTrue, yPred) = SameRank(yTrue, yPred);
            }
            var values = _fn(yTrue!, yPred!) ?? throw new InvalidOperationException($"the loss function {Name} returned null.");
            if (!values.DType.IsFloating())
                throw new InvalidOperationException($"the loss function {Name} returned a {values.DType.Name()} tensor; a loss must be a float tensor.");
            return values;
        }

        // Keras' squeeze_or_expand_to_same_rank (expand_rank_1), which its LossFunctionWrapper applies before the
        // function: labels (N,) beside predictions (N, 1) become (N, 1), so `y_true - y_pred` is N values, not N x N
        // pairs; otherwise the tensor with the extra last axis of 1 loses it. Labels of class ids (N,) beside
        // (N, classes) stay as they are.
        private static (Tensor YTrue, Tensor YPred) SameRank(Tensor yTrue, Tensor yPred)
        {
            if (yTrue.Rank == yPred.Rank + 1 && yTrue.Shape[-1] == 1)
                return yPred.Rank == 1 ? (yTrue, NF.ExpandDims(yPred, -1)) : (NF.Squeeze(yTrue, -1), yPred);
            if (yPred.Rank == yTrue.Rank + 1 && yPred.Shape[-1] == 1)
                return yTrue.Rank == 1 ? (NF.ExpandDims(yTrue, -1), yPred) : (yTrue, NF.Squeeze(yPred, -1));
            return (yTrue, yPred);
        }
    }
}
