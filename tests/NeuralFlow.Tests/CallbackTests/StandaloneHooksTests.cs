using System.Text.RegularExpressions;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.CallbackTests;

/// <summary>
/// The hooks Keras runs outside an epoch: <c>model.evaluate(verbose=1)</c> and <c>predict(verbose=1)</c>
/// draw ProgbarLogger's bar over their batches (keras/src/callbacks/progbar_logger.py: on_test_* only
/// when not called in fit, on_predict_* always); <c>on_train_end(logs)</c> gets the last epoch's logs
/// (keras/src/backend/tensorflow/trainer.py: <c>callbacks.on_train_end(logs=training_logs)</c>);
/// LambdaCallback takes the test and predict hooks (its <c>**kwargs</c>). Before: Evaluate printed
/// "loss: ... - mae: ..." without a bar or the batch count, Predict a line without a bar, a
/// ProgbarLogger passed to either printed nothing, OnTrainEnd had no logs and LambdaCallback no
/// test or predict hooks.
/// </summary>
public abstract class StandaloneHooksTests(string backend) : BackendTest(backend)
{
    private static (Sequential Model, Tensor X, Tensor Y) Setup()
    {
        NF.Random.SetSeed(83);
        var model = new Sequential(Layers.Input([2]), new Layers.Dense(1));
        model.Compile("sgd", "mse", ["mae"]);
        return (model, NF.Random.Uniform([32, 2]), NF.Random.Uniform([32, 1]));
    }

    private static string[] Lines(StringWriter output) =>
        output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [SkippableTheory]
    [InlineData(1)]  // a writer that is not the console: the closing line only
    [InlineData(2)]
    public void Evaluate_draws_its_bar_with_the_values_it_returns(int verbose)
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var output = new StringWriter();
        var result = model.Evaluate(x, y, batchSize: 8, verbose: verbose, callbacks: [new Callbacks.ProgbarLogger(output)]);
        var line = Assert.Single(Lines(output));
        string logs = $" - loss: {ProgressBar.Format(result["loss"])} - mae: {ProgressBar.Format(result["mae"])}";
        if (verbose == 1)
        {
            Assert.Matches(@"^4/4 \[=+\] - \d+s \d+(us|ms|s)/step - loss: \S+ - mae: \S+$", line);
            Assert.EndsWith(logs, line);
        }
        else
        {
            // tf.keras 2's evaluate(verbose=2): "313/313 - 1s - loss: 0.3359 - accuracy: 0.8821 - 583ms/epoch - 2ms/step".
            Assert.Matches(@"^4/4 - \d+s - loss: \S+ - mae: \S+ - \d+(us|ms|s)/epoch - \d+(us|ms|s)/step$", line);
            Assert.Contains(logs + " - ", line);
        }
    }

    [SkippableFact]
    public void Evaluate_and_predict_with_verbose_0_print_nothing_even_with_a_logger()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var output = new StringWriter();
        model.Evaluate(x, y, batchSize: 8, verbose: 0, callbacks: [new Callbacks.ProgbarLogger(output)]);
        model.Predict(x, batchSize: 8, verbose: 0, callbacks: [new Callbacks.ProgbarLogger(output)]);
        Assert.Equal("", output.ToString());
    }

    [SkippableFact]
    public void Predict_draws_its_bar_without_logs()
    {
        RequireBackend();
        var (model, x, _) = Setup();
        var output = new StringWriter();
        model.Predict(NeuralFlow.Data.Dataset.FromTensorSlices(x).Batch(5), verbose: 2, callbacks: [new Callbacks.ProgbarLogger(output)]);
        Assert.Matches(@"^7/7 - \d+s - \d+(us|ms|s)/epoch - \d+(us|ms|s)/step$", Assert.Single(Lines(output)));   // tf.keras 2's verbose=2 line
    }

    [SkippableFact]
    public void Fits_validation_draws_no_bar_of_its_own_and_the_logger_draws_again_after_fit()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var output = new StringWriter();
        var logger = new Callbacks.ProgbarLogger(output);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 2, validationData: (x, y), validationBatchSize: 16, callbacks: [logger]);
        var fit = Lines(output);
        Assert.Equal(2, fit.Length);
        Assert.Matches(@"^4/4 - \d+s - .* - val_loss: \S+ - val_mae: \S+ - \S+/epoch - \S+/step$", fit[1]);
        // The same logger in a later Evaluate: Fit is over, so it draws (Keras resets _called_in_fit).
        model.Evaluate(x, y, batchSize: 16, verbose: 2, callbacks: [logger]);
        var all = Lines(output);
        Assert.Equal(3, all.Length);
        Assert.Matches(@"^2/2 - \d+s - loss: \S+ - mae: \S+ - \S+/epoch - \S+/step$", all[2]);
    }

    [SkippableFact]
    public void Verbose_out_of_range_is_refused_by_evaluate_and_predict()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(x, y, verbose: 3));
        Assert.Contains("Evaluate: verbose must be 0", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(x, verbose: -1));
        Assert.Contains("Predict: verbose must be 0", e.Message);
    }

    private sealed class TrainEndLogs : Callbacks.Callback
    {
        public IReadOnlyDictionary<string, float>? Logs;
        public override void OnTrainEnd(IReadOnlyDictionary<string, float> logs) => Logs = logs.ToDictionary();
    }

    private sealed class TrainEndOnly : Callbacks.Callback
    {
        public int Calls;
        public override void OnTrainEnd() => Calls++;
    }

    [SkippableFact]
    public void On_train_end_gets_the_last_epochs_logs_and_the_old_hook_still_runs()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var withLogs = new TrainEndLogs();
        var without = new TrainEndOnly();
        var history = model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, validationData: (x, y), callbacks: [withLogs, without]);
        Assert.Equal(1, without.Calls);
        Assert.NotNull(withLogs.Logs);
        Assert.Equal(["loss", "mae", "val_loss", "val_mae"], withLogs.Logs!.Keys.Order());
        foreach (var (k, v) in withLogs.Logs) Assert.Equal(history[k][^1], v);
    }

    [SkippableFact]
    public void On_train_end_logs_are_empty_when_no_epoch_ran()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var withLogs = new TrainEndLogs();
        model.Fit(x, y, epochs: 2, initialEpoch: 2, verbose: 0, callbacks: [withLogs]);
        Assert.Empty(withLogs.Logs!);
    }

    [SkippableFact]
    public void Lambda_callback_runs_the_test_and_predict_hooks_it_is_given()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var events = new List<string>();
        IReadOnlyDictionary<string, float>? testEnd = null;
        var lastBatchLoss = float.NaN;
        var rows = new List<int>();
        var hooks = new Callbacks.LambdaCallback(
            onTestBegin: () => events.Add("test_begin"),
            onTestBatchBegin: b => events.Add($"test_batch_begin {b}"),
            onTestBatchEnd: (b, logs) => { events.Add($"test_batch_end {b}"); lastBatchLoss = logs["loss"]; },
            onTestEnd: logs => { events.Add("test_end"); testEnd = logs.ToDictionary(); },
            onPredictBegin: () => events.Add("predict_begin"),
            onPredictBatchBegin: b => events.Add($"predict_batch_begin {b}"),
            onPredictBatchEnd: (b, logs) => { events.Add($"predict_batch_end {b}"); rows.Add(logs["outputs"][0].Shape[0]); },
            onPredictEnd: () => events.Add("predict_end"));
        var result = model.Evaluate(x, y, batchSize: 16, callbacks: [hooks]);
        model.Predict(x, batchSize: 20, callbacks: [hooks]);
        Assert.Equal(["test_begin", "test_batch_begin 0", "test_batch_end 0", "test_batch_begin 1", "test_batch_end 1", "test_end",
                      "predict_begin", "predict_batch_begin 0", "predict_batch_end 0", "predict_batch_begin 1", "predict_batch_end 1", "predict_end"], events);
        Assert.Equal(result["loss"], testEnd!["loss"]);
        Assert.Equal(result["loss"], lastBatchLoss);  // the running loss after the last batch is the whole evaluation's
        Assert.Equal([20, 12], rows);
    }
}

public sealed class ManagedStandaloneHooksTests() : StandaloneHooksTests("managed");
public sealed class NativeCpuStandaloneHooksTests() : StandaloneHooksTests("cpu");
public sealed class CudaStandaloneHooksTests() : StandaloneHooksTests("cuda");
