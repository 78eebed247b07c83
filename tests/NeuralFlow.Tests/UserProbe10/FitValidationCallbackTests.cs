using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// Fit's validation runs Evaluate with Fit's callbacks, so their test hooks fire after each
/// validated epoch's training batches and before on_epoch_end (Keras 3's fit: self.evaluate(...,
/// callbacks=callbacks), keras/src/backend/tensorflow/trainer.py; <see cref="HookRecorder.KerasFit"/>),
/// with Fit's params (epochs, steps per epoch, verbose) unchanged and the logs unprefixed: on_test_end's
/// are the epoch's "val_" values. validationFreq takes Keras' list of 1-based epochs too (_should_eval:
/// epoch + 1 in validation_freq). Traced and run eagerly.
/// </summary>
public abstract class FitValidationCallbackTests(string backend) : BackendTest(backend)
{
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Validation_calls_fits_test_hooks_between_the_batches_and_the_epoch_end(bool eager)
    {
        RequireBackend();
        var m = EvaluateCallbackTests.MakeModel(eager);
        var (x, y) = EvaluateCallbackTests.MakeData();
        var (xv, yv) = EvaluateCallbackTests.MakeData(6);
        var rec = new HookRecorder();
        // 10 rows in batches of 4 (3 steps), 6 validation rows (2 steps); validated after epochs 1 and 3.
        var h = m.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, shuffle: false, validationData: (xv, yv),
                      validationFreq: [1, 3], callbacks: [rec]);
        Assert.Equal(HookRecorder.KerasFit(3, 3, 2, e => e is 0 or 2), rec.Calls);
        Assert.All(rec.ParamsSeen, p => Assert.Equal(new Callbacks.CallbackParams(3, 3, 0), p));
        Assert.Equal(2, h["val_loss"].Count);
        Assert.Equal(2, rec.TestEndLogs.Count);
        // on_test_end: the values the epoch then logs with "val_" (names without it, as Keras).
        var validated = new[] { rec.EpochLogs[0], rec.EpochLogs[2] };
        foreach (var (test, epoch) in rec.TestEndLogs.Zip(validated))
        {
            Assert.Equal(m.MetricsNames, test.Keys);
            foreach (var (k, v) in test) Assert.Equal(epoch["val_" + k], v);
        }
        // The last validation is the trained model: Evaluate gives the same values.
        EvaluateCallbackTests.AssertSameLogs(m.Evaluate(xv, yv, batchSize: 4).Values, rec.TestEndLogs[1]);
        // Each validation's batch logs run from its own start: its last equals its end.
        Assert.Equal(rec.TestEndLogs[0], rec.TestBatchLogs[1]);
        Assert.Equal(rec.TestEndLogs[1], rec.TestBatchLogs[3]);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_dataset_fit_validates_with_its_callbacks_too(bool eager)
    {
        RequireBackend();
        var m = EvaluateCallbackTests.MakeModel(eager);
        var (x, y) = EvaluateCallbackTests.MakeData();
        var (xv, yv) = EvaluateCallbackTests.MakeData(6);
        var rec = new HookRecorder();
        m.Fit(Dataset.FromTensorSlices(x, y).Batch(4), epochs: 2, verbose: 0, validationData: Dataset.FromTensorSlices(xv, yv).Batch(4),
              callbacks: [rec]);
        Assert.Equal(HookRecorder.KerasFit(2, 3, 2, _ => true), rec.Calls);
        Assert.All(rec.ParamsSeen, p => Assert.Equal(new Callbacks.CallbackParams(2, 3, 0), p));
        foreach (var (test, epoch) in rec.TestEndLogs.Zip(rec.EpochLogs))
            foreach (var (k, v) in test) Assert.Equal(epoch["val_" + k], v);
    }

    [SkippableFact]
    public void Validation_freq_takes_a_list_of_epochs_and_refuses_epoch_0()
    {
        RequireBackend();
        var m = EvaluateCallbackTests.MakeModel(false);
        var (x, y) = EvaluateCallbackTests.MakeData();
        var validated = new List<int>();
        var cb = new Callbacks.LambdaCallback(onEpochEnd: (e, logs) => { if (logs.ContainsKey("val_loss")) validated.Add(e + 1); });
        // A list (Keras' validation_freq=[2, 5]), an array and an int all read as Keras reads them.
        m.Fit(x, y, epochs: 5, verbose: 0, validationSplit: 0.3, validationFreq: new List<int> { 2, 5 }, callbacks: [cb]);
        Assert.Equal([2, 5], validated);
        validated.Clear();
        m.Fit(x, y, epochs: 4, verbose: 0, validationSplit: 0.3, validationFreq: new[] { 4, 1, 9 }, callbacks: [cb]);
        Assert.Equal([1, 4], validated);
        validated.Clear();
        m.Fit(x, y, epochs: 4, verbose: 0, validationSplit: 0.3, validationFreq: [], callbacks: [cb]);
        Assert.Empty(validated);
        m.Fit(x, y, epochs: 4, verbose: 0, validationSplit: 0.3, validationFreq: 3, callbacks: [cb]);
        Assert.Equal([3], validated);
        // Epochs count from 1: epoch 0 (a 0-based habit) would never validate.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, epochs: 2, verbose: 0, validationSplit: 0.3, validationFreq: [0, 1]));
        Assert.Equal("validationFreq", e.ParamName);
        Assert.Contains("count from 1", e.Message);
        Assert.Throws<ArgumentNullException>(() => m.Fit(x, y, validationFreq: (int[])null!));
        var train = Dataset.FromTensorSlices(x, y).Batch(4);
        Assert.Equal("validationFreq", Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(train, validationData: train, validationFreq: [-2])).ParamName);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedFitValidationCallbackTests() : FitValidationCallbackTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuFitValidationCallbackTests() : FitValidationCallbackTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaFitValidationCallbackTests() : FitValidationCallbackTests("cuda");
