using System.Reflection;

namespace NeuralFlow.Keras;

// Keras' "customizing what happens in fit()": a Model subclass overrides TrainStep (and TestStep)
// and keeps Fit's loop: callbacks, the progress bar, History, validation, checkpoints, and the
// step traced once and replayed. What the default step does is written once (the standard step
// in Model.Steps.cs); an override composes the same pieces, which are public here: ComputeLoss,
// ComputeMetrics, GetMetricsResult, TrackedMetrics.
public partial class Model
{
    // The step running now (Fit's, Evaluate's): whose loss trackers ComputeLoss and the default
    // TrackedMetrics use. Train and test steps keep separate trackers, as the standard steps do.
    private CachedStep? _runningStep;

    /// <summary>
    /// One training step on one batch (Keras' <c>train_step</c>): override it to train in your own
    /// way (a GAN's two optimizers, a VAE's extra loss terms, a custom gradient treatment) while
    /// keeping Fit. Fit traces the override once per batch signature and replays it, like its own
    /// step (<see cref="RunEagerly"/> runs it as C# each time), so everything that should happen at
    /// every step must be tensor work: the forward pass, a GradientTape, Optimizer.ApplyGradients,
    /// metric updates. Return what the progress bar, callbacks and History get:
    /// <see cref="ComputeMetrics(StepData, IReadOnlyList{Tensor})"/> (the model's metrics, as
    /// Keras' default step), or your own <see cref="StepLogs"/>.
    /// <code>
    /// protected override StepLogs TrainStep(StepData data)
    /// {
    ///     var (x, y) = data;
    ///     using var tape = new GradientTape();
    ///     var yPred = Call(x, training: true);
    ///     var loss = ComputeLoss(x, y, yPred);
    ///     Optimizer!.ApplyGradients(tape.Gradient(loss, TrainableVariables), TrainableVariables);
    ///     return ComputeMetrics(x, y, yPred);
    /// }
    /// </code>
    /// Compile(optimizer) without a loss suffices when the override computes its own. The base
    /// implementation is Keras' default step (loss tracker included), for overrides that extend it.
    /// </summary>
    protected virtual StepLogs TrainStep(StepData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var optimizer = Compiled(nameof(TrainStep));
        IReadOnlyList<Tensor> yPred;
        Tensor loss;
        Tensor?[] grads;
        var trainable = TrainableVariables;
        using (Layer.TrainingMode())
        using (var tape = new GradientTape())
        {
            yPred = CallOutputs(data.Inputs);
            loss = ComputeLoss(data.Inputs, data.Targets, yPred, data.SampleWeight);
            if (trainable.Count == 0) trainable = TrainableVariables; // built by the first call
            grads = tape.Gradient(loss, trainable);
        }
        optimizer.ApplyGradients(grads, trainable);
        RunningStep(nameof(TrainStep)).LossMean.UpdateState(loss, BatchSizeOf([.. data.Inputs]));
        return ComputeMetrics(data, yPred);
    }

    /// <summary>
    /// One evaluation step on one batch (Keras' <c>test_step</c>), used by Evaluate and Fit's
    /// validation; override it as <see cref="TrainStep(StepData)"/>. The base implementation is
    /// Keras' default: the loss (tracked as "loss") and the compiled metrics, in inference mode.
    /// </summary>
    protected virtual StepLogs TestStep(StepData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Compiled(nameof(TestStep));
        var yPred = CallOutputs(data.Inputs);
        var loss = ComputeLoss(data.Inputs, data.Targets, yPred, data.SampleWeight, training: false);
        RunningStep(nameof(TestStep)).LossMean.UpdateState(loss, BatchSizeOf([.. data.Inputs]));
        return ComputeMetrics(data, yPred);
    }

    /// <summary>
    /// One prediction step on one batch of inputs (Keras' <c>predict_step</c>), used by Predict and
    /// PredictOutputs: by default the model's outputs in inference mode. Override it to return
    /// something else per batch (class ids, several tensors); Predict concatenates each returned
    /// tensor over the batches. Traced and replayed like the other steps.
    /// </summary>
    protected virtual IReadOnlyList<Tensor> PredictStep(StepData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return CallOutputs(data.Inputs);
    }

    /// <summary>
    /// The loss training minimizes (Keras' <c>compute_loss</c>): Compile's loss of every output
    /// (weighted by its loss weight, with <paramref name="sampleWeight"/>) plus the layers'
    /// penalties (<see cref="Layer.Losses"/>: regularizers, activity penalties, AddLoss). Each
    /// output's own loss is tracked as "&lt;output&gt;_loss" for a model of several outputs.
    /// Override it to change the loss while keeping the default steps.
    /// </summary>
    public virtual Tensor ComputeLoss(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor> yPred, Tensor? sampleWeight = null, bool training = true)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(yPred);
        // Compiled without a loss, the layers' penalties are the loss (TotalLoss refuses when there are none) and y is unused.
        if (_loss is not null && y.Count != _losses.Length)
            throw new ArgumentException($"ComputeLoss: {Name} was compiled with {_losses.Length} loss(es), but {y.Count} target(s) were given.", nameof(y));
        var outputLosses = _runningStep?.OutputLosses ?? new Metrics.Mean?[_losses.Length];
        var loss = CombinedLoss([.. y], yPred, outputLosses, sampleWeight);
        return TotalLoss(nameof(ComputeLoss), loss, LossesOf(LayersWithPenalties()));
    }

    /// <summary>The loss of a model of one input and one output; see the list overload.</summary>
    public Tensor ComputeLoss(Tensor x, Tensor y, Tensor yPred, Tensor? sampleWeight = null, bool training = true) =>
        ComputeLoss([x], [y], [yPred], sampleWeight, training);

    /// <summary>
    /// Updates Compile's metrics with this batch (Keras' <c>compute_metrics</c>) and returns the
    /// model's metrics as logs (<see cref="GetMetricsResult"/>).
    /// </summary>
    public virtual StepLogs ComputeMetrics(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor> yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(yPred);
        if (_outputMetrics.Length > 0 && (y.Count != _outputMetrics.Length || yPred.Count != _outputMetrics.Length))
            throw new ArgumentException($"ComputeMetrics: {Name} was compiled for {_outputMetrics.Length} output(s), but got {y.Count} target(s) and {yPred.Count} prediction(s).", nameof(y));
        UpdateMetrics([.. y], yPred, sampleWeight);
        return GetMetricsResult();
    }

    /// <summary>The metrics' logs of a model of one input and one output; see the list overload.</summary>
    public StepLogs ComputeMetrics(Tensor x, Tensor y, Tensor yPred, Tensor? sampleWeight = null) =>
        ComputeMetrics([x], [y], [yPred], sampleWeight);

    private StepLogs ComputeMetrics(StepData data, IReadOnlyList<Tensor> yPred) =>
        ComputeMetrics(data.Inputs, data.Targets, yPred, data.SampleWeight);

    /// <summary>
    /// The model's metrics as logs (Keras' <c>get_metrics_result</c>): each of
    /// <see cref="TrackedMetrics"/> under its name; by default the loss tracker ("loss"), each
    /// output's loss and Compile's metrics under the names History uses.
    /// </summary>
    public StepLogs GetMetricsResult()
    {
        var logs = new StepLogs();
        if (Overrides(nameof(TrackedMetrics)))
        {
            foreach (var m in TrackedMetrics) logs.Add(m.Name, m);
            return logs;
        }
        var step = RunningStep(nameof(GetMetricsResult));
        int k = 0;
        foreach (var m in StandardTrackers(step)) logs.Add(k < _logNames.Length ? _logNames[k++] : m.Name, m);
        return logs;
    }

    /// <summary>
    /// The metrics the model keeps, as a list to read (Keras' <c>model.metrics</c>): what
    /// <see cref="TrackedMetrics"/> lists. Its type is the <see cref="Keras.Metrics"/> class, so inside a
    /// Model subclass <c>Metrics</c> still names the metric classes too (<see cref="ListView{T}"/>).
    /// </summary>
    public Metrics Metrics => new(TrackedMetrics);

    /// <summary>
    /// The metrics the model keeps (Keras' <c>model.metrics</c>, overridable; <see cref="Metrics"/>
    /// reads it): the loss tracker "loss", each output's loss
    /// tracker, Compile's metrics, then the metrics held in the model's own fields (a custom step's
    /// trackers, as Keras 3 tracks a metric assigned as an attribute) and its layers'. Fit and
    /// Evaluate reset them at the start of each epoch or evaluation. Override it to list exactly
    /// the metrics a custom step reports (a GAN's d_loss and g_loss), as in Keras.
    /// </summary>
    public virtual IReadOnlyList<Metrics.Metric> TrackedMetrics =>
        _trainStep is null && _runningStep is null ? [.. _outputMetrics.SelectMany(ms => ms), .. LayerHeldMetrics()] : StandardTrackers(RunningStep(nameof(TrackedMetrics)));

    // The standard step's trackers in the order of _logNames, then the layers' own metrics (by their names).
    private List<Metrics.Metric> StandardTrackers(CachedStep step) =>
        [step.LossMean, .. step.OutputLosses.OfType<Metrics.Mean>(), .. _outputMetrics.SelectMany(ms => ms), .. step.LayerMetrics];

    // The step whose trackers apply: the one running, else Fit's (for a caller outside any step).
    private CachedStep RunningStep(string method) =>
        _runningStep ?? _trainStep ?? throw new InvalidOperationException($"{method}: call it inside TrainStep or TestStep (from Fit, Evaluate, TrainOnBatch or TestOnBatch).");

    // Whether this model's class overrides the member (TrainStep, TestStep, TrackedMetrics, ComputeLoss).
    private bool Overrides(string member)
    {
        var type = GetType();
        if (type == typeof(Model) || type == typeof(Sequential)) return false;
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var declaring = member switch
        {
            nameof(TrackedMetrics) => type.GetProperty(member, flags)?.GetMethod?.DeclaringType,
            nameof(ComputeLoss) => type.GetMethod(member, flags, [typeof(IReadOnlyList<Tensor>), typeof(IReadOnlyList<Tensor>), typeof(IReadOnlyList<Tensor>), typeof(Tensor), typeof(bool)])?.DeclaringType,
            _ => type.GetMethod(member, flags, [typeof(StepData)])?.DeclaringType,
        };
        return declaring is not null && declaring != typeof(Model);
    }

    // Whether Fit's (Evaluate's) step is a custom one: TrainStep (TestStep) overridden, or
    // ComputeLoss, which Keras' default steps call, so that its base TrainStep (TestStep) runs it.
    private bool StepIsCustom(string step) => Overrides(step) || Overrides(nameof(ComputeLoss));

    // Fit's or Evaluate's step when the model overrides TrainStep or TestStep: the batch as
    // StepData, the override's logs kept with the step (their structure from the traced call),
    // their tensors returned so that a replay computes them too.
    private (CachedStep Step, Func<Tensor[], Tensor[]> Run) MakeCustomStep(ref CachedStep? slot, string method, IReadOnlyDictionary<int, double>? classWeight,
        Func<StepData, StepLogs> user, object[] extras)
    {
        bool distributed = Distributed.DataParallel.Current is { WorldSize: > 1 };
        var step = Cached(ref slot, [.. extras, classWeight, Distributed.DataParallel.Current], s =>
        {
            int inputs = BatchInputs;
            var names = _dataInputNames;
            Func<double> share = () => _batchShare;
            return batch =>
            {
                var (targets, weights) = SplitWeights(batch[inputs..], classWeight);
                var outer = _runningStep;
                var outerShare = Optimizers.Optimizer.FitGradientShare;
                _runningStep = s;
                // Under data parallelism the override's ApplyGradients sums the ranks' gradients,
                // weighed by this rank's share of the global batch (Keras aggregates them in the optimizer).
                if (distributed) Optimizers.Optimizer.FitGradientShare = share;
                try
                {
                    var logs = user(new StepData(batch[..inputs], targets, weights, names))
                        ?? throw new InvalidOperationException($"{method}: {GetType().Name}.{user.Method.Name} returned null; return ComputeMetrics(...), GetMetricsResult() or a StepLogs.");
                    s.CustomLogs = logs;
                    return logs.Tensors;
                }
                finally
                {
                    _runningStep = outer;
                    Optimizers.Optimizer.FitGradientShare = outerShare;
                }
            };
        });
        step.Custom = true;
        // Under data parallelism it replays too, as the standard one does (its allreduce is recorded in the plan).
        var run = Step(step, method);
        return (step, EagerFirst(step, run, builds: true));
    }

    // Resets what the step's logs read: the standard trackers and, when overridden, TrackedMetrics.
    private void ResetStepMetrics(CachedStep step)
    {
        foreach (var m in StepMetrics(step)) m.ResetState();
    }

    // Every metric the step's logs read: the standard trackers, then the overridden TrackedMetrics
    // (asked as inside the step, where they name that step's trackers). A metric in both is listed
    // twice, which resetting, saving and restoring all take in their stride.
    private List<Metrics.Metric> StepMetrics(CachedStep step)
    {
        var all = StandardTrackers(step);
        if (Overrides(nameof(TrackedMetrics)))
        {
            var outer = _runningStep;
            _runningStep = step;
            try
            {
                all.AddRange(TrackedMetrics);
            }
            finally
            {
                _runningStep = outer;
            }
        }
        return all;
    }

    // The logs of the step's last call: the standard ones, or what an override returned.
    private Dictionary<string, float> ReadStepLogs(CachedStep step) =>
        step.CustomLogs is { } logs ? logs.Read(step.LastLogTensors) : Logs(step);

    // Keeps the tensors a step call on `rows` examples returned (an override's logs) past the
    // step's scope until the next call; [] frees them (those the step made: a variable or input
    // it returned stays).
    private static void KeepStepLogs(CachedStep step, Tensor[] outputs, int rows = 0)
    {
        foreach (var t in step.KeptLogTensors) t.Dispose();
        step.KeptLogTensors = Array.FindAll(outputs, TensorScope.KeepFromCurrent);
        step.LastLogTensors = outputs;
        step.LastRows = rows;
    }
}
