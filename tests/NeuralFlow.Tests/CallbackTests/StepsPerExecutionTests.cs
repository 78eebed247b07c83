using NeuralFlow.Keras;

namespace NeuralFlow.Tests.CallbackTests;

/// <summary>
/// Keras' <c>compile(steps_per_execution=N)</c>: Fit, Evaluate and Predict run their batch hooks
/// once per block of N steps, the begin hook with the block's first batch and the end hook with its
/// last (keras/src/trainers/epoch_iterator.py yields (step, step + N - 1) per block; the backend
/// trainers call on_*_batch_begin(begin_step) and on_*_batch_end(end_step, logs)), Predict's end
/// hook with the block's outputs; the training itself is that of N = 1. Before, Compile had no
/// such argument (a compile error for code ported from Keras) and every hook ran every step.
/// </summary>
public abstract class StepsPerExecutionTests(string backend) : BackendFileTest(backend)
{
    // 64 rows, batches of 8: 8 batches, blocks of 3 are batches 0-2, 3-5 and 6-7.
    private static (Sequential Model, Tensor X, Tensor Y) Setup(int stepsPerExecution)
    {
        NF.Random.SetSeed(5);
        var x = NF.Random.Normal([64, 3]);
        var y = NF.ReduceSum(x, [1], keepDims: true);
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(4, activation: "relu"), new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(0.01), "mse", ["mae"], stepsPerExecution: stepsPerExecution);
        return (model, x, y);
    }

    [SkippableFact]
    public void Fit_runs_the_batch_hooks_once_per_block_and_trains_as_one_step_per_execution()
    {
        RequireBackend();
        var (single, x, y) = Setup(1);
        var expected = single.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        var (blocked, _, _) = Setup(3);
        var begins = new List<int>();
        var ends = new List<(int Batch, float Loss)>();
        var hooks = new Callbacks.LambdaCallback(onBatchBegin: begins.Add, onBatchEnd: (b, logs) => ends.Add((b, logs["loss"])));
        var actual = blocked.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false, callbacks: [hooks]);
        Assert.Equal([0, 3, 6, 0, 3, 6], begins);
        Assert.Equal([2, 5, 7, 2, 5, 7], ends.Select(e => e.Batch));
        // The end hook's logs are the running ones after the block's last batch: epoch 1's last is its epoch value.
        Assert.Equal(actual["loss"][1], ends[^1].Loss);
        Assert.Equal(expected["loss"], actual["loss"]);
        Assert.Equal(expected["mae"], actual["mae"]);
        for (int i = 0; i < single.Variables.Count; i++)
            Assert.Equal(single.Variables[i].ToArray<float>(), blocked.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void Evaluate_and_predict_run_their_hooks_per_block_with_the_blocks_outputs()
    {
        RequireBackend();
        var (single, x, y) = Setup(1);
        var (blocked, _, _) = Setup(3);
        var testBegins = new List<int>();
        var testEnds = new List<int>();
        var predictBegins = new List<int>();
        var predictEnds = new List<(int Batch, int Rows)>();
        var hooks = new Callbacks.LambdaCallback(
            onTestBatchBegin: testBegins.Add, onTestBatchEnd: (b, _) => testEnds.Add(b),
            onPredictBatchBegin: predictBegins.Add, onPredictBatchEnd: (b, logs) => predictEnds.Add((b, logs["outputs"][0].Shape[0])));
        Assert.Equal(single.Evaluate(x, y, batchSize: 8, verbose: 0)["loss"], blocked.Evaluate(x, y, batchSize: 8, verbose: 0, callbacks: [hooks])["loss"]);
        Assert.Equal([0, 3, 6], testBegins);
        Assert.Equal([2, 5, 7], testEnds);
        Assert.Equal(single.Predict(x, batchSize: 8, verbose: 0).ToArray<float>(), blocked.Predict(x, batchSize: 8, verbose: 0, callbacks: [hooks]).ToArray<float>());
        Assert.Equal([0, 3, 6], predictBegins);
        Assert.Equal([(2, 24), (5, 24), (7, 16)], predictEnds);
    }

    [SkippableFact]
    public void The_setting_is_checked_and_kept_by_a_keras_file()
    {
        RequireBackend();
        var (model, x, y) = Setup(4);
        Assert.Equal(4, model.StepsPerExecution);
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        string path = Temp.File("m.keras");
        model.Save(path);
        Assert.Equal(4, Model.Load(path).StepsPerExecution);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Compile("sgd", "mse", stepsPerExecution: 0));
        Assert.Contains("stepsPerExecution must be at least 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.StepsPerExecution = -2);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedStepsPerExecutionTests() : StepsPerExecutionTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuStepsPerExecutionTests() : StepsPerExecutionTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaStepsPerExecutionTests() : StepsPerExecutionTests("cuda");
