using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// Predict(callbacks:), missing before: Keras 3's predict calls on_predict_begin, per batch
/// on_predict_batch_begin(step) and on_predict_batch_end(step, {"outputs": batch_outputs}), then
/// on_predict_end (keras/src/backend/tensorflow/trainer.py, predict; <see cref="HookRecorder.KerasPredict"/>).
/// A batch's outputs are the rows of Predict's result for that batch, one tensor per model output.
/// Traced and run eagerly.
/// </summary>
public abstract class PredictCallbackTests(string backend) : BackendTest(backend)
{
    private static void AssertSlices(Tensor whole, int[] ends, IEnumerable<float[]> batches)
    {
        int start = 0;
        foreach (var (end, got) in ends.Zip(batches))
        {
            Assert.Equal(whole[start..end].ToArray<float>(), got);
            start = end;
        }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Predict_calls_the_predict_hooks_with_each_batch_of_outputs(bool eager)
    {
        RequireBackend();
        var m = EvaluateCallbackTests.MakeModel(eager);
        var (x, _) = EvaluateCallbackTests.MakeData();
        var rec = new HookRecorder();
        var y = m.Predict(x, batchSize: 4, callbacks: [rec]);
        Assert.Equal(HookRecorder.KerasPredict(3), rec.Calls);
        Assert.All(rec.ParamsSeen, p => Assert.Equal(new Callbacks.CallbackParams(1, 3, 0), p));
        Assert.Same(m, rec.Model);
        AssertSlices(y, [4, 8, 10], rec.PredictBatchOutputs.Select(o => Assert.Single(o)));

        // A dataset: its batches; steps cut it.
        var fromData = new HookRecorder();
        var yd = m.Predict(Dataset.FromTensorSlices(x).Batch(4).Repeat(), steps: 2, callbacks: [fromData]);
        Assert.Equal(HookRecorder.KerasPredict(2), fromData.Calls);
        Assert.Equal(new Callbacks.CallbackParams(1, 2, 0), fromData.Params);
        AssertSlices(yd, [4, 8], fromData.PredictBatchOutputs.Select(o => o[0]));

        // 0 rows: the one call on the empty batch is a batch (Predict's result has 0 rows).
        var empty = new HookRecorder();
        Assert.Equal(0, m.Predict(x[..0], callbacks: [empty]).Shape[0]);
        Assert.Equal(HookRecorder.KerasPredict(1), empty.Calls);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_model_of_two_outputs_gives_both_per_batch_in_output_order(bool eager)
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var a = Layers.Input([3], name: "a");
        var b = Layers.Input([2], name: "b");
        var h = new Layers.Concatenate().Call([a, b]);
        var m = new Model([a, b], [new Layers.Dense(1, name: "score").Call(h), new Layers.Dense(3, activation: "softmax", name: "label").Call(h)]);
        m.Compile(new Optimizers.SGD(0.01), ["mse", "sparse_categorical_crossentropy"], runEagerly: eager);
        var xa = NF.Random.Normal([7, 3]);
        var xb = NF.Random.Normal([7, 2]);
        var rec = new HookRecorder();
        var outs = m.PredictOutputs(new Dictionary<string, Tensor> { ["a"] = xa, ["b"] = xb }, batchSize: 3, callbacks: [rec]);
        Assert.Equal(HookRecorder.KerasPredict(3), rec.Calls);
        Assert.All(rec.PredictBatchOutputs, o => Assert.Equal(2, o.Length));
        for (int i = 0; i < 2; i++) AssertSlices(outs[i], [3, 6, 7], rec.PredictBatchOutputs.Select(o => o[i]));
        // The same through a dataset of named features.
        var named = new HookRecorder();
        m.PredictOutputs(Dataset.FromTensorSlices(new Dictionary<string, Tensor> { ["b"] = xb, ["a"] = xa }).Batch(3), callbacks: [named]);
        Assert.Equal(HookRecorder.KerasPredict(3), named.Calls);
        for (int i = 0; i < 2; i++) AssertSlices(outs[i], [3, 6, 7], named.PredictBatchOutputs.Select(o => o[i]));
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedPredictCallbackTests() : PredictCallbackTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuPredictCallbackTests() : PredictCallbackTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaPredictCallbackTests() : PredictCallbackTests("cuda");
