namespace NeuralFlow.Keras;

/// <summary>
/// The callbacks of one Fit, Evaluate or Predict call (Keras' <c>CallbackList</c> as fit uses it; a loop of
/// your own drives callbacks with the public <see cref="Callbacks.CallbackList"/>): made with the
/// model and the call's params, which it gives every callback before the first hook, and with the
/// callbacks that override each per-batch hook picked out once, so that a step calls only those
/// and reads its logs from the device only when one of them takes them. Fit hands its list to
/// each validation, whose test hooks then reach Fit's callbacks (Keras' fit calls
/// <c>evaluate(callbacks=callbacks)</c>, params unchanged).
/// </summary>
internal sealed class CallbackRun
{
    private readonly Callbacks.Callback[] _trainBatchBegin, _trainBatchEnd, _testBatchBegin, _testBatchEnd, _predictBatchBegin, _predictBatchEnd;

    /// <summary>Every callback, in the order given.</summary>
    public IReadOnlyList<Callbacks.Callback> All { get; }

    public CallbackRun(IReadOnlyList<Callbacks.Callback> callbacks, Model model, Callbacks.CallbackParams parameters)
    {
        All = callbacks;
        foreach (var c in callbacks)
        {
            ArgumentNullException.ThrowIfNull(c, "callbacks");
            c.Model = model;
            c.Params = parameters;
        }
        _trainBatchBegin = Pick(c => c.HandlesBatchBegin);
        _trainBatchEnd = Pick(c => c.HandlesBatchEnd);
        _testBatchBegin = Pick(c => c.HandlesTestBatchBegin);
        _testBatchEnd = Pick(c => c.HandlesTestBatchEnd);
        _predictBatchBegin = Pick(c => c.HandlesPredictBatchBegin);
        _predictBatchEnd = Pick(c => c.HandlesPredictBatchEnd);
    }

    /// <summary>
    /// The callbacks of an Evaluate or Predict call (Keras: epochs 1, steps the batches when known),
    /// with a <see cref="Callbacks.ProgbarLogger"/> on the console added when verbose and none was given.
    /// </summary>
    public static CallbackRun ForOneRun(string method, IEnumerable<Callbacks.Callback>? callbacks, Model model, int? steps, int verbose)
    {
        CheckVerbose(method, verbose);
        verbose = VerboseOfThisRank(verbose);
        return new(WithProgbar((callbacks ?? []).ToList(), verbose), model, new Callbacks.CallbackParams(1, steps, verbose));
    }

    /// <summary>
    /// The verbose this process prints with: under a DataParallel strategy only the chief (rank 0)
    /// draws progress, as Keras logs on the chief worker alone (the others would print the same
    /// global numbers once more per rank); its callbacks see verbose 0 in their Params.
    /// </summary>
    public static int VerboseOfThisRank(int verbose) => Distributed.DataParallel.Current is { IsChief: false } ? 0 : verbose;

    /// <summary>Keras' verbose: 0, 1 or 2.</summary>
    public static void CheckVerbose(string method, int verbose)
    {
        if (verbose is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(verbose), verbose, $"{method}: verbose must be 0 (silent), 1 (progress bar) or 2 (one line at the end{(method == "Fit" ? " of each epoch" : "")}).");
    }

    /// <summary>Keras: a ProgbarLogger the caller passed prints the progress; else one is appended when verbose.</summary>
    public static List<Callbacks.Callback> WithProgbar(List<Callbacks.Callback> callbacks, int verbose)
    {
        if (verbose > 0 && !callbacks.OfType<Callbacks.ProgbarLogger>().Any()) callbacks.Add(new Callbacks.ProgbarLogger());
        return callbacks;
    }

    private Callbacks.Callback[] Pick(Func<Callbacks.Callback, bool> handles) => All.Where(handles).ToArray();

    // Called inside the step's TensorScope, once the batch is read: suspended from it, so that
    // what a callback makes (a tensor it keeps) outlives the step.
    private static void BeforeBatch(Callbacks.Callback[] hooks, int batch, Action<Callbacks.Callback, int> hook)
    {
        if (hooks.Length == 0) return;
        using (TensorScope.Suspend())
            foreach (var c in hooks) hook(c, batch);
    }

    public void TrainBatchBegin(int batch) => BeforeBatch(_trainBatchBegin, batch, static (c, b) => c.OnBatchBegin(b));

    public void TestBatchBegin(int batch) => BeforeBatch(_testBatchBegin, batch, static (c, b) => c.OnTestBatchBegin(b));

    public void PredictBatchBegin(int batch) => BeforeBatch(_predictBatchBegin, batch, static (c, b) => c.OnPredictBatchBegin(b));

    /// <summary>
    /// After training batch <paramref name="batch"/> (0-based): the running logs are read (once)
    /// only for a callback that wants them after this step (the progress bar only when it redraws).
    /// </summary>
    /// <remarks>
    /// <paramref name="wanted"/>: which callbacks take the logs, as <see cref="TrainLogsWanted"/>
    /// answered before the step (Fit under DataParallel, where every rank must know before the
    /// step whether the logs are read, since reading them is then a reduction across the ranks);
    /// null asks each callback now.
    /// </remarks>
    public void TrainBatchEnd(int batch, Func<Dictionary<string, float>> readLogs, bool[]? wanted = null)
    {
        Dictionary<string, float>? logs = null;
        for (int i = 0; i < _trainBatchEnd.Length; i++)
        {
            var c = _trainBatchEnd[i];
            if (wanted?[i] ?? c.WantsLogsAfter(batch + 1)) c.OnBatchEnd(batch, logs ??= readLogs());
            else c.OnBatchEndWithoutLogs(batch);
        }
    }

    /// <summary>Which callbacks would take the running logs after training batch <paramref name="batch"/>, asked now (for <see cref="TrainBatchEnd"/>).</summary>
    public bool[] TrainLogsWanted(int batch) => _trainBatchEnd.Select(c => c.WantsLogsAfter(batch + 1)).ToArray();

    /// <summary>
    /// After evaluation batch <paramref name="batch"/>: the running logs, read (once) only when a
    /// callback takes them after this step; <paramref name="wanted"/> as in <see cref="TrainBatchEnd"/>.
    /// </summary>
    public void TestBatchEnd(int batch, Func<Dictionary<string, float>> readLogs, bool[]? wanted = null)
    {
        Dictionary<string, float>? logs = null;
        for (int i = 0; i < _testBatchEnd.Length; i++)
        {
            var c = _testBatchEnd[i];
            if (wanted?[i] ?? c.WantsTestLogsAfter(batch + 1)) c.OnTestBatchEnd(batch, logs ??= readLogs());
            else c.OnTestBatchEndWithoutLogs(batch);
        }
    }

    /// <summary>Which callbacks would take the running logs after evaluation batch <paramref name="batch"/>, asked now (for <see cref="TestBatchEnd"/>).</summary>
    public bool[] TestLogsWanted(int batch) => _testBatchEnd.Select(c => c.WantsTestLogsAfter(batch + 1)).ToArray();

    /// <summary>Whether an evaluation batch hook may read the logs or stop the evaluation (<see cref="Callbacks.Callback.ActsOnTestBatches"/>).</summary>
    public bool TestBatchHooksAct => _testBatchBegin.Concat(_testBatchEnd).Any(c => c.ActsOnTestBatches);

    /// <summary>Whether a callback takes the prediction batches' outputs (else they need not be gathered for it).</summary>
    public bool HandlesPredictBatchEnd => _predictBatchEnd.Length > 0;

    /// <summary>Whether a prediction batch-end hook reads the outputs (<see cref="Callbacks.Callback.ReadsPredictOutputs"/>).</summary>
    public bool PredictOutputsRead => _predictBatchEnd.Any(c => c.ReadsPredictOutputs);

    /// <summary>Whether a prediction batch hook may stop the prediction (<see cref="Callbacks.Callback.ActsOnPredictBatches"/>).</summary>
    public bool PredictBatchHooksAct => _predictBatchBegin.Concat(_predictBatchEnd).Any(c => c.ActsOnPredictBatches);

    /// <summary>After prediction batch <paramref name="batch"/>: Keras' <c>{"outputs": batch_outputs}</c>.</summary>
    public void PredictBatchEnd(int batch, IReadOnlyList<Tensor> outputs)
    {
        if (_predictBatchEnd.Length == 0) return;
        var logs = new Dictionary<string, IReadOnlyList<Tensor>>(1) { ["outputs"] = outputs };
        foreach (var c in _predictBatchEnd) c.OnPredictBatchEnd(batch, logs);
    }

    public void TestBegin()
    {
        foreach (var c in All) c.OnTestBegin();
    }

    public void TestEnd(IReadOnlyDictionary<string, float> logs)
    {
        foreach (var c in All) c.OnTestEnd(logs);
    }

    public void PredictBegin()
    {
        foreach (var c in All) c.OnPredictBegin();
    }

    public void PredictEnd()
    {
        foreach (var c in All) c.OnPredictEnd();
    }
}
