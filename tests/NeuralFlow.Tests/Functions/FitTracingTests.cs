using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Fit, Evaluate and Predict replay a traced step by default and give what
/// <c>Compile(runEagerly: true)</c> gives, bit for bit: history, weights, evaluation and predictions.
/// </summary>
public abstract class FitTracingTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([100, 6, 6, 1]);
        var y = NF.Cast(NF.Random.Uniform([100], minval: 0, maxval: 3, dtype: DType.Int32), DType.Int32);
        return (x, y);
    }

    private static Model Make(bool eager)
    {
        NF.Random.SetSeed(21);
        var model = new Sequential(
            new Layers.Conv2D(3, 3, activation: "relu"), new Layers.BatchNormalization(), new Layers.Flatten(),
            new Layers.Dropout(0.2), new Layers.Dense(3, activation: "softmax"));
        model.Compile(new Optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"], runEagerly: eager);
        return model;
    }

    [SkippableFact]
    public void Fit_evaluate_and_predict_match_run_eagerly_bit_for_bit()
    {
        RequireBackend();
        var (x, y) = Data();
        var results = new[] { true, false }.Select(eager =>
        {
            var model = Make(eager);
            Assert.Equal(eager, model.RunEagerly);
            NF.Random.SetSeed(5); // the same shuffles and dropout masks
            // 100 examples in batches of 32: a last batch of 4 is a second signature.
            var history = model.Fit(x, y, batchSize: 32, epochs: 3, verbose: 0, validationData: (x, y));
            var fit = model.LastStepFunction;
            var evaluation = model.Evaluate(x, y, batchSize: 25);
            var evaluate = model.LastStepFunction;
            var predictions = model.Predict(x, batchSize: 40).ToArray<float>();
            var predict = model.LastStepFunction;
            if (!eager)
            {
                foreach (var f in new[] { fit!, evaluate!, predict! })
                {
                    Assert.True(f.ReplayCount > 0, $"{f.Name}: no replay ({f.EagerReason})");
                    Assert.Null(f.EagerReason);
                }
            }
            else Assert.Null(fit);
            return (History: history.Keys.Order().Select(k => history[k].ToArray()).ToArray(), Weights: model.Variables.Select(v => v.ToArray<float>()).ToArray(),
                    Evaluation: evaluation.Values.ToArray(), Predictions: predictions);
        }).ToArray();
        Assert.Equal(results[0].History, results[1].History);
        Assert.Equal(results[0].Evaluation, results[1].Evaluation);
        Assert.True(results[0].Predictions.AsSpan().SequenceEqual(results[1].Predictions));
        for (int i = 0; i < results[0].Weights.Length; i++)
            Assert.True(results[0].Weights[i].AsSpan().SequenceEqual(results[1].Weights[i]), $"variable {i} differs");
    }

    [SkippableFact]
    public void A_replayed_step_still_refuses_out_of_range_labels()
    {
        RequireBackend();
        var (x, y) = Data();
        var model = Make(eager: false);
        model.Fit(x, y, batchSize: 25, epochs: 1, verbose: 0);
        // The bad label sits in the fourth batch of 25: a replay, not the trace.
        var bad = NF.Concat([y[..90], NF.Constant(new[] { 7 }), y[91..]], axis: 0);
        var e = Assert.Throws<ArgumentException>(() => model.Evaluate(x, bad, batchSize: 25));
        Assert.Matches("label (value of )?7", e.Message); // the loss kernel refuses it first, else the metric's replayed check
        Assert.True(model.LastStepFunction!.LastCallReplayed);
    }

    public static TheoryData<string> StatefulOptimizers => new() { "ftrl", "ema", "ema_overwrite", "adam_clipvalue" };

    // Optimizers whose step depends on C# state beyond the kernel's arguments (the moving average's
    // first step, an overwrite every N steps): a replayed Fit must still match the eager one.
    [SkippableTheory]
    [MemberData(nameof(StatefulOptimizers))]
    public void Stateful_optimizer_steps_replay_as_eager(string kind)
    {
        RequireBackend();
        var (x, y) = Data();
        var weights = new[] { true, false }.Select(eager =>
        {
            NF.Random.SetSeed(21);
            var model = new Sequential(new Layers.Flatten(), new Layers.Dense(8, activation: "relu"), new Layers.Dense(3));
            Optimizers.Optimizer optimizer = kind switch
            {
                "ftrl" => new Optimizers.Ftrl(0.05, l1RegularizationStrength: 0.01, l2RegularizationStrength: 0.01),
                "ema" => new Optimizers.Adam(0.01, useEma: true, emaMomentum: 0.9),
                "ema_overwrite" => new Optimizers.SGD(0.05, momentum: 0.9, useEma: true, emaMomentum: 0.8, emaOverwriteFrequency: 3),
                _ => new Optimizers.Adam(0.01, clipValue: 0.05),
            };
            model.Compile(optimizer, new Losses.SparseCategoricalCrossentropy(fromLogits: true), runEagerly: eager);
            NF.Random.SetSeed(5);
            model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
            return model.Variables.Select(v => v.ToArray<float>()).ToArray();
        }).ToArray();
        for (int i = 0; i < weights[0].Length; i++)
            Assert.True(weights[0][i].AsSpan().SequenceEqual(weights[1][i]), $"{kind}: variable {i} differs between eager and replayed Fit");
    }

    [SkippableFact]
    public void RunEagerly_can_be_switched_after_compile()
    {
        RequireBackend();
        var (x, y) = Data();
        var model = Make(eager: false);
        model.RunEagerly = true;
        model.Fit(x, y, batchSize: 50, epochs: 1, verbose: 0);
        Assert.Null(model.LastStepFunction);
        model.RunEagerly = false;
        model.Fit(x, y, batchSize: 50, epochs: 2, verbose: 0);
        Assert.True(model.LastStepFunction!.ReplayCount > 0);
    }
}

public sealed class ManagedFitTracingTests() : FitTracingTests("managed");

public sealed class NativeCpuFitTracingTests() : FitTracingTests("cpu");

public sealed class CudaFitTracingTests() : FitTracingTests("cuda");
