namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// Keras' <c>run_eagerly</c>: false (the default) makes Fit, Evaluate and Predict trace their
    /// step once per batch shape and replay it (<see cref="NF.Function(Func{Tensor, Tensor}, int)"/>);
    /// true runs every step as C# code, op by op, for debugging (a breakpoint or a print inside a
    /// layer's Call is then hit at every step, not only when the step is traced).
    /// </summary>
    public bool RunEagerly { get; set; }

    /// <summary>The traced function of the last Fit, Evaluate or Predict step (null when run eagerly), for its statistics.</summary>
    internal TracedFunction? LastStepFunction { get; private set; }

    // A step as a function of the batch's tensors: traced and replayed, or the body itself when
    // the model runs eagerly. One per Fit/Evaluate/Predict call, since the body closes over that
    // call's loss trackers.
    private Func<Tensor[], Tensor[]> Step(string name, Func<Tensor[], Tensor[]> body, bool eager = false)
    {
        if (RunEagerly || eager)
        {
            LastStepFunction = null;
            return body;
        }
        var function = new TracedFunction(body, $"{Name}.{name}", maxTraces: 8);
        LastStepFunction = function;
        return function.Call;
    }

    // Fit's step on one batch: inputs, then targets (and the sample-weight column, when carried).
    // The model's weights and penalized layers are looked up after the first call built them.
    private Func<Tensor[], Tensor[]> TrainStep(Optimizers.Optimizer optimizer, Metrics.Mean lossMean, Metrics.Mean[] outputLosses,
                                               IReadOnlyDictionary<int, double>? classWeight, Func<double> share)
    {
        // Under data parallelism the step runs eagerly: its gradient allreduce is an MPI call, not
        // a kernel on the backend, so a replay would leave it out and the ranks would drift apart;
        // and each rank's share of the batch (the gradient weight) changes with the last batch.
        bool distributed = Distributed.DataParallel.Current is { WorldSize: > 1 };
        int inputs = Math.Max(1, Inputs.Count);
        IReadOnlyList<Variable> trainable = TrainableVariables;
        List<Layer>? penalized = null;
        return Step(nameof(Fit), batch =>
        {
            var (xb, yb) = (batch[..inputs], batch[inputs..]);
            var (targets, weights) = SplitWeights(yb, classWeight);
            Tensor[] grads;
            IReadOnlyList<Tensor> yPred;
            Tensor lossValue;
            using (Layer.TrainingMode())
            using (var tape = new GradientTape())
            {
                yPred = CallOutputs(xb);
                penalized ??= LayersWithPenalties();   // built by the first call
                lossValue = WithPenalties(CombinedLoss(targets, yPred, outputLosses, weights), LossesOf(penalized));
                if (trainable.Count == 0) trainable = TrainableVariables; // built on the first call
                var reduction = BeginGradientReduction(tape, trainable, share());
                grads = tape.Gradient(lossValue, trainable);
                grads = AveragedGradients(grads, reduction);
            }
            optimizer.ApplyGradients(grads, trainable);
            lossMean.UpdateState(lossValue, BatchSizeOf(xb));
            UpdateMetrics(targets, yPred, weights);
            return [];
        }, eager: distributed);
    }

    // Evaluate's step: the loss and metrics of one batch added to the running ones.
    private Func<Tensor[], Tensor[]> TestStep(Metrics.Mean lossMean, Metrics.Mean[] outputLosses)
    {
        int inputs = Math.Max(1, Inputs.Count);
        List<Layer>? penalized = null;
        return Step(nameof(Evaluate), batch =>
        {
            var (xb, yb) = (batch[..inputs], batch[inputs..]);
            var (targets, weights) = SplitWeights(yb, null);
            var yPred = CallOutputs(xb);
            // Each batch's loss counts as many times as it has examples (Keras' loss tracker), so
            // the result is the mean over examples, not over batches.
            penalized ??= LayersWithPenalties();
            lossMean.UpdateState(WithPenalties(CombinedLoss(targets, yPred, outputLosses, weights), LossesOf(penalized)), BatchSizeOf(xb));
            UpdateMetrics(targets, yPred, weights);
            return [];
        });
    }
}
