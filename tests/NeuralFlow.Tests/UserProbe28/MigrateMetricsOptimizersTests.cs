using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The TF2 half of TensorFlow's "Migrate metrics and optimizers" guide (guide/migrate/metrics_optimizers.ipynb) in
/// C#: a functional model whose output is the argmax of a Dense layer, compiled with Adagrad, mse and
/// metrics.Accuracy, evaluated with Evaluate's dictionary (return_dict=True); the Accuracy metric driven by hand
/// (update_state, result, reset_state) with the guide's printed 0.75 and 0.41666666; and an optimizer whose learning
/// rate is a schedule (ExponentialDecay), stepped by its own iterations in a custom loop, whose rates and weights
/// migrate_references.py computes with torch.
/// </summary>
public abstract class MigrateMetricsOptimizersTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Evaluate_returns_the_compiled_metrics_by_name()
    {
        RequireBackend();
        var evalDataset = Dataset.FromTensorSlices((
            NF.Constant(new float[,] { { 4f, 4.5f }, { 5f, 5.5f }, { 6f, 6.5f } }),
            NF.Constant(new long[] { 0, 1, 1 }))).Batch(1);

        var inputs = Layers.Input([2]);
        var dense = new Layers.Dense(2);
        var logits = dense.Call(inputs);
        var predictions = NF.ArgMax(logits, axis: 1);
        var model = new Model(inputs, predictions);
        var optimizer = new Optimizers.Adagrad(learningRate: 0.05);
        model.Compile(optimizer, loss: "mse", metrics: [new Metrics.Accuracy()]);
        // Fixed weights for the guide's random ones: the second logit is the larger for every example, so each
        // prediction is 1: two of the three labels are 1, and the squared errors are 1, 0, 0.
        dense.SetWeights([NF.Constant(new float[,] { { 1f, 0f }, { 0f, 1f } }), NF.Zeros([2])]);

        var result = model.Evaluate(evalDataset);
        Assert.Equal(["loss", "accuracy"], result.Keys);
        Assert.Equal(2f / 3f, result["accuracy"], 1e-6f);
        Assert.Equal(1f / 3f, result["loss"], 1e-6f);
    }

    [SkippableFact]
    public void Accuracy_accumulates_across_update_state_calls_until_reset()
    {
        RequireBackend();
        var accuracy = new Metrics.Accuracy();
        accuracy.UpdateState(yTrue: NF.Constant(new[] { 0, 0, 1, 1 }), yPred: NF.Constant(new[] { 0, 0, 0, 1 }));
        Assert.Equal(0.75f, accuracy.Result());

        accuracy.UpdateState(yTrue: NF.Constant(new[] { 0, 0, 1, 1 }), yPred: NF.Constant(new[] { 0, 0, 0, 0 }));
        accuracy.UpdateState(yTrue: NF.Constant(new[] { 0, 0, 1, 1 }), yPred: NF.Constant(new[] { 1, 1, 0, 0 }));
        // The guide prints 0.41666666: 5 right of 12.
        Assert.Equal(0.41666666f, accuracy.Result());

        accuracy.ResetState();
        Assert.Equal(0f, accuracy.Result());
        accuracy.UpdateState(NF.Constant(new[] { 1 }), NF.Constant(new[] { 1 }));
        Assert.Equal(1f, accuracy.Result());
    }

    [SkippableFact]
    public void A_scheduled_learning_rate_follows_the_optimizers_steps_in_a_custom_loop()
    {
        RequireBackend();
        var x = NF.Constant(new float[,] { { 1 }, { 2 }, { 3 }, { 4 } });
        var y = 2 * x;
        var dense = new Layers.Dense(1);
        dense.Call(x);
        dense.SetWeights([NF.Constant(new float[,] { { 0.5f } }), NF.Zeros([1])]);
        var schedule = new ExponentialDecay(initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5);
        var optimizer = new Optimizers.SGD(schedule);
        var lossFn = new Losses.MeanSquaredError();

        var rates = new List<double>();
        for (int step = 0; step < 4; step++)
        {
            rates.Add(optimizer.CurrentLearningRate);
            using var tape = new GradientTape();
            var loss = lossFn.Call(y, dense.Call(x));
            optimizer.ApplyGradients(tape.Gradient(loss, dense.TrainableVariables), dense.TrainableVariables);
        }
        // migrate_references.py, "schedule lrs" and "schedule weights".
        double[] expectedRates = [0.1, 0.0707106781, 0.05, 0.0353553391];
        for (int i = 0; i < 4; i++) Assert.Equal(expectedRates[i], rates[i], 1e-8);
        Assert.Equal(4, optimizer.Iterations);
        Assert.Equal(1.84505785f, dense.GetWeights()[0].ToArray<float>()[0], 1e-5f);
        Assert.Equal(0.419429362f, dense.GetWeights()[1].ToArray<float>()[0], 1e-5f);
    }
}

/// <summary>The metrics and optimizers migration guide on the managed backend.</summary>
public sealed class ManagedMigrateMetricsOptimizersTests() : MigrateMetricsOptimizersTests("managed");

/// <summary>The metrics and optimizers migration guide on the native CPU backend.</summary>
public sealed class NativeCpuMigrateMetricsOptimizersTests() : MigrateMetricsOptimizersTests("cpu");

/// <summary>The metrics and optimizers migration guide on CUDA.</summary>
public sealed class CudaMigrateMetricsOptimizersTests() : MigrateMetricsOptimizersTests("cuda");
