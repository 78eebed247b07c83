namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// One optimizer step on one batch (Keras' <c>train_on_batch</c>), the same step <c>Fit</c>
    /// replays, for loops that feed batches themselves (GANs, reinforcement learning). Returns the
    /// loss and metrics of this batch; with <paramref name="resetMetrics"/> false they accumulate
    /// over the calls since the last reset instead, as in Keras.
    /// </summary>
    public EvaluationResult TrainOnBatch(ModelData x, ModelData y, Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null, bool resetMetrics = true)
    {
        var optimizer = Compiled(nameof(TrainOnBatch));
        var (xs, ys) = CheckData(nameof(TrainOnBatch), x, y);
        xs = HostInputs(nameof(TrainOnBatch), xs);
        ys = WithSampleWeight(nameof(TrainOnBatch), ys, sampleWeight, classWeight);
        using var placement = OnModelDevice(out var backend);
        (xs, ys, bool standIn) = PartOfOneBatch(xs, ys, backend);
        var (cached, trainStep, _) = MakeTrainStep(optimizer, classWeight);
        return OneBatch(nameof(TrainOnBatch), cached, trainStep, xs, ys, backend, resetMetrics, ofAllRanks: true, standIn: standIn);
    }

    /// <summary>
    /// The loss and metrics of one batch (Keras' <c>test_on_batch</c>); with
    /// <paramref name="resetMetrics"/> false they accumulate over the calls since the last reset.
    /// </summary>
    public EvaluationResult TestOnBatch(ModelData x, ModelData y, Tensor? sampleWeight = null, bool resetMetrics = true)
    {
        Compiled(nameof(TestOnBatch));
        var (xs, ys) = CheckData(nameof(TestOnBatch), x, y);
        xs = HostInputs(nameof(TestOnBatch), xs);
        ys = WithSampleWeight(nameof(TestOnBatch), ys, sampleWeight, null);
        using var placement = OnModelDevice(out var backend);
        var (cached, testStep) = MakeTestStep();
        return OneBatch(nameof(TestOnBatch), cached, testStep, xs, ys, backend, resetMetrics);
    }

    /// <summary>The model's output for one batch (Keras' <c>predict_on_batch</c>), in inference mode.</summary>
    public Tensor PredictOnBatch(ModelData x)
    {
        var xs = HostInputs(nameof(PredictOnBatch), x.Resolve(nameof(PredictOnBatch), nameof(x), InputNames));
        CheckRows(nameof(PredictOnBatch), xs, "x");
        return Single(PredictBatches([xs], nameof(PredictOnBatch), CallbackRun.ForOneRun(nameof(PredictOnBatch), null, this, 1, 0)));
    }

    // ofAllRanks: each rank ran its part of the batch (TrainOnBatch under DataParallel), so the logs
    // sum the ranks' metric states; standIn: this rank's part was empty and xs is a stand-in
    // example (PartOrStandIn), which counts in neither the metrics nor the logged values.
    private EvaluationResult OneBatch(string method, CachedStep cached, Func<Tensor[], Tensor[]> step, Tensor[] xs, Tensor[] ys, Backends.IBackend backend, bool resetMetrics,
                                      bool ofAllRanks = false, bool standIn = false)
    {
        if (xs[0].Shape[0] == 0)
            throw new ArgumentException($"{method}: the batch has 0 examples.", "x");
        if (resetMetrics) ResetStepMetrics(cached);
        cached.GatherRows = false;  // a batch as given (Fit may have left the train step gathering)
        var restoreMetrics = standIn ? StandInStep(cached) : null;
        using (TensorScope.Begin())
            KeepStepLogs(cached, step([.. OnBackend(xs, backend), .. OnBackend(ys, backend)]), standIn ? 0 : xs[0].Shape[0]);
        restoreMetrics?.Invoke();
        KeepStep(cached);
        var result = EvaluationResult.From(ofAllRanks ? LogsOfAllRanks(cached) : ReadStepLogs(cached));
        KeepStepLogs(cached, []);
        return result;
    }
}
