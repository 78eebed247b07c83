using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Fit, Evaluate (and Fit's validation) and Predict keep their traced step on the model, as
/// Keras keeps train_function, test_function and predict_function: later epochs and calls replay
/// the plans traced once (no new trace), still give what <c>runEagerly</c> gives bit for bit,
/// trace again for a new batch shape, and make a new step when the model or its compilation changes.
/// </summary>
public abstract class StepReuseTests(string backend) : BackendTest(backend)
{
    // 100 examples: batches of 32 leave a last batch of 4 (a second signature).
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(12);
        var x = NF.Random.Normal([100, 5, 5, 1]);
        var y = NF.Random.Uniform([100], minval: 0, maxval: 3, dtype: DType.Int32);
        return (x, y);
    }

    private static Sequential Make(bool eager)
    {
        NF.Random.SetSeed(22);
        var model = new Sequential(
            new Layers.Conv2D(2, 3, activation: "relu"), new Layers.BatchNormalization(), new Layers.Flatten(),
            new Layers.Dropout(0.2), new Layers.Dense(3, activation: "softmax"));
        model.Compile(new Optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"], runEagerly: eager);
        return model;
    }

    private static float[][] Weights(Model model) => model.Variables.Select(v => v.ToArray<float>()).ToArray();

    [SkippableFact]
    public void Validation_and_training_plans_are_reused_across_epochs_and_calls_and_match_run_eagerly()
    {
        RequireBackend();
        var (x, y) = Data();
        var (xVal, yVal) = (x[..70], y[..70]); // 70 in batches of 32: a last batch of 6
        var runs = new[] { true, false }.Select(eager =>
        {
            var model = Make(eager);
            NF.Random.SetSeed(5);
            var first = model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0, validationData: (xVal, yVal));
            var (train, test) = (model.TrainFunction, model.TestFunction);
            int trainTraces = train?.TraceCount ?? 0, testTraces = test?.TraceCount ?? 0;
            long testReplays = test?.ReplayCount ?? 0;
            var second = model.Fit(x, y, batchSize: 32, epochs: 5, initialEpoch: 2, verbose: 0, validationData: (xVal, yVal));
            var evaluation = model.Evaluate(xVal, yVal, batchSize: 32);
            if (!eager)
            {
                // The second Fit and the Evaluate replay what the first Fit traced: same functions, no new trace.
                Assert.Same(train, model.TrainFunction);
                Assert.Same(test, model.TestFunction);
                Assert.Equal(trainTraces, train!.TraceCount);
                Assert.Equal(testTraces, test!.TraceCount);
                // Three more validations and one Evaluate, of three batches each, all replayed.
                Assert.Equal(testReplays + 4 * 3, test.ReplayCount);
                Assert.Null(test.EagerReason);
            }
            return (History: new[] { first, second }.SelectMany(h => h.Keys.Order().Select(k => h[k].ToArray())).ToArray(),
                    Evaluation: evaluation.Values.ToArray(), Weights: Weights(model));
        }).ToArray();
        Assert.Equal(runs[0].History, runs[1].History);
        Assert.Equal(runs[0].Evaluation, runs[1].Evaluation);
        for (int i = 0; i < runs[0].Weights.Length; i++)
            Assert.True(runs[0].Weights[i].AsSpan().SequenceEqual(runs[1].Weights[i]), $"variable {i} differs");
    }

    [SkippableFact]
    public void A_new_evaluation_batch_size_traces_again_and_matches_run_eagerly()
    {
        RequireBackend();
        var (x, y) = Data();
        // Each model builds (draws its weights) right after it is made, so both draw the same.
        var eager = Make(eager: true);
        eager.Call(x[..1]).Dispose();
        var replayed = Make(eager: false);
        replayed.Call(x[..1]).Dispose();
        foreach (int batch in new[] { 32, 25, 40, 32 })
        {
            int before = replayed.TestFunction?.TraceCount ?? 0;
            var expected = eager.Evaluate(x, y, batchSize: batch);
            var actual = replayed.Evaluate(x, y, batchSize: batch);
            Assert.Equal(expected.Values, actual.Values);
            // 25 divides 100 (one signature); 40 leaves 20 (two); 32 again: the plans of the first call.
            int traced = replayed.TestFunction!.TraceCount - before;
            Assert.True(batch == 32 && before > 0 ? traced == 0 : traced > 0, $"batch {batch}: {traced} new traces");
        }
    }

    [SkippableFact]
    public void Predict_reuses_its_plan_across_calls_and_matches_run_eagerly()
    {
        RequireBackend();
        var (x, _) = Data();
        var eager = Make(eager: true).Predict(x, batchSize: 32).ToArray<float>();
        var model = Make(eager: false);
        var first = model.Predict(x, batchSize: 32).ToArray<float>();
        var function = model.PredictFunction!;
        int traces = function.TraceCount;
        long replays = function.ReplayCount;
        var second = model.Predict(x, batchSize: 32).ToArray<float>();
        Assert.Same(function, model.PredictFunction);
        Assert.Equal(traces, function.TraceCount);
        Assert.Equal(replays + 4, function.ReplayCount);
        Assert.True(eager.AsSpan().SequenceEqual(first));
        Assert.True(eager.AsSpan().SequenceEqual(second));
    }

    [SkippableFact]
    public void A_layer_added_after_predict_is_not_left_out_of_the_next_replay()
    {
        RequireBackend();
        var (x, _) = Data();
        var model = Make(eager: false);
        model.Predict(x, batchSize: 50);
        model.Predict(x, batchSize: 50);
        var old = model.PredictFunction;
        model.Add(new Layers.Dense(2));
        var replayed = model.Predict(x, batchSize: 50);
        Assert.Equal(new Shape(100, 2), replayed.Shape);
        Assert.NotSame(old, model.PredictFunction);
        model.RunEagerly = true;
        var eager = model.Predict(x, batchSize: 50);
        Assert.True(eager.ToArray<float>().AsSpan().SequenceEqual(replayed.ToArray<float>()));
    }

    [SkippableFact]
    public void Compile_again_makes_new_steps_with_the_new_loss_and_metrics()
    {
        RequireBackend();
        var (x, y) = Data();
        var model = Make(eager: false);
        model.Evaluate(x, y, batchSize: 50);
        var old = model.TestFunction;
        // The old plan would replay the old loss (on probabilities); this one reads them as logits.
        model.Compile(new Optimizers.SGD(0.1), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var replayed = model.Evaluate(x, y, batchSize: 50);
        Assert.NotSame(old, model.TestFunction);
        model.RunEagerly = true;
        var eager = model.Evaluate(x, y, batchSize: 50);
        Assert.Equal(2, replayed.Values.Count);
        Assert.Equal(eager.Values, replayed.Values);
    }
}

public sealed class ManagedStepReuseTests() : StepReuseTests("managed");

public sealed class NativeCpuStepReuseTests() : StepReuseTests("cpu");

public sealed class CudaStepReuseTests() : StepReuseTests("cuda");
