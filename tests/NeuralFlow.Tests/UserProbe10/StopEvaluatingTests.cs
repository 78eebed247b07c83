using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// Model.StopEvaluating and StopPredicting (Keras 3's stop_evaluating, stop_predicting), set by a
/// callback: evaluate and predict reset the flag before on_*_begin and break after the batch whose
/// on_*_batch_end set it (keras/src/backend/tensorflow/trainer.py), then still call on_*_end; the
/// result covers the batches run.
/// </summary>
public abstract class StopEvaluatingTests(string backend) : BackendTest(backend)
{
    private sealed class StopAfter(int batch) : Callbacks.Callback
    {
        public override void OnTestBatchEnd(int b, IReadOnlyDictionary<string, float> logs)
        {
            if (b == batch) Model!.StopEvaluating = true;
        }

        public override void OnPredictBatchEnd(int b, IReadOnlyDictionary<string, IReadOnlyList<Tensor>> logs)
        {
            if (b == batch) Model!.StopPredicting = true;
        }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_callback_stops_evaluate_and_predict_after_a_batch(bool eager)
    {
        RequireBackend();
        var m = EvaluateCallbackTests.MakeModel(eager);
        var (x, y) = EvaluateCallbackTests.MakeData();
        var rec = new HookRecorder();
        var result = m.Evaluate(x, y, batchSize: 4, callbacks: [new StopAfter(1), rec]);
        Assert.True(m.StopEvaluating);
        Assert.Equal(HookRecorder.KerasEvaluate(2), rec.Calls);
        // Batches 0 and 1: the first 8 rows.
        EvaluateCallbackTests.AssertSameLogs(m.Evaluate(x[..8], y[..8], batchSize: 4).Values, rec.TestEndLogs.Single());
        Assert.Equal(rec.TestEndLogs.Single()["loss"], result.Loss);
        // The flag is reset by each evaluation (that one ran every batch), as by the next.
        var all = new HookRecorder();
        m.Evaluate(x, y, batchSize: 4, callbacks: [all]);
        Assert.Equal(HookRecorder.KerasEvaluate(3), all.Calls);

        var predicted = new HookRecorder();
        var part = m.Predict(x, batchSize: 4, callbacks: [new StopAfter(0), predicted]);
        Assert.Equal(HookRecorder.KerasPredict(1), predicted.Calls);
        Assert.Equal(m.Predict(x, batchSize: 4)[..4].ToArray<float>(), part.ToArray<float>());
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedStopEvaluatingTests() : StopEvaluatingTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuStopEvaluatingTests() : StopEvaluatingTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaStopEvaluatingTests() : StopEvaluatingTests("cuda");
