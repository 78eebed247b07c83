using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// A callback that overrides every hook and writes each call down as Keras' method name and its
/// batch or epoch ("on_test_batch_end 1"), with a copy of the logs it was given and the params
/// it saw, so a test compares the whole sequence with the one Keras' trainer produces.
/// </summary>
internal sealed class HookRecorder : Callbacks.Callback
{
    public readonly List<string> Calls = [];
    public readonly List<Dictionary<string, float>> TestBatchLogs = [], TestEndLogs = [], EpochLogs = [];
    public readonly List<float[][]> PredictBatchOutputs = [];
    public readonly List<Callbacks.CallbackParams?> ParamsSeen = [];

    private void Add(string call)
    {
        Calls.Add(call);
        ParamsSeen.Add(Params);
        Assert.NotNull(Model);
    }

    public override void OnTrainBegin() => Add("on_train_begin");
    public override void OnTrainEnd() => Add("on_train_end");
    public override void OnEpochBegin(int epoch) => Add($"on_epoch_begin {epoch}");

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        Add($"on_epoch_end {epoch}");
        EpochLogs.Add(new(logs));
    }

    public override void OnBatchBegin(int batch) => Add($"on_train_batch_begin {batch}");
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => Add($"on_train_batch_end {batch}");
    public override void OnTestBegin() => Add("on_test_begin");

    public override void OnTestEnd(IReadOnlyDictionary<string, float> logs)
    {
        Add("on_test_end");
        TestEndLogs.Add(new(logs));
    }

    public override void OnTestBatchBegin(int batch) => Add($"on_test_batch_begin {batch}");

    public override void OnTestBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
    {
        Add($"on_test_batch_end {batch}");
        TestBatchLogs.Add(new(logs));
    }

    public override void OnPredictBegin() => Add("on_predict_begin");
    public override void OnPredictEnd() => Add("on_predict_end");
    public override void OnPredictBatchBegin(int batch) => Add($"on_predict_batch_begin {batch}");

    public override void OnPredictBatchEnd(int batch, IReadOnlyDictionary<string, IReadOnlyList<Tensor>> logs)
    {
        Add($"on_predict_batch_end {batch}");
        Assert.Equal(["outputs"], logs.Keys);
        PredictBatchOutputs.Add(logs["outputs"].Select(t => t.ToArray<float>()).ToArray());
    }

    /// <summary>
    /// Keras 3's evaluate loop (keras/src/backend/tensorflow/trainer.py, evaluate):
    /// on_test_begin; per step on_test_batch_begin(step), test_function, on_test_batch_end(step, logs); on_test_end(logs).
    /// </summary>
    public static string[] KerasEvaluate(int batches) =>
        ["on_test_begin", .. Enumerable.Range(0, batches).SelectMany(b => new[] { $"on_test_batch_begin {b}", $"on_test_batch_end {b}" }), "on_test_end"];

    /// <summary>Keras 3's predict loop (same file, predict): on_predict_begin; per step begin, predict_function, end({"outputs": ...}); on_predict_end.</summary>
    public static string[] KerasPredict(int batches) =>
        ["on_predict_begin", .. Enumerable.Range(0, batches).SelectMany(b => new[] { $"on_predict_batch_begin {b}", $"on_predict_batch_end {b}" }), "on_predict_end"];

    /// <summary>
    /// Keras 3's fit loop (same file, fit): on_train_begin; per epoch on_epoch_begin, the train
    /// batches, then, when _should_eval, self.evaluate(..., callbacks=callbacks) (the evaluate
    /// sequence above), then on_epoch_end; on_train_end.
    /// </summary>
    public static string[] KerasFit(int epochs, int trainBatches, int validationBatches, Func<int, bool> validates) =>
    [
        "on_train_begin",
        .. Enumerable.Range(0, epochs).SelectMany(e => (string[])
        [
            $"on_epoch_begin {e}",
            .. Enumerable.Range(0, trainBatches).SelectMany(b => new[] { $"on_train_batch_begin {b}", $"on_train_batch_end {b}" }),
            .. validates(e) ? KerasEvaluate(validationBatches) : [],
            $"on_epoch_end {e}",
        ]),
        "on_train_end",
    ];
}
