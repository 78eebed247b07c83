using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Keras16;

/// <summary>
/// Fit's and Evaluate's sampleWeight and classWeight (issue 16), against the hand-computed Keras
/// rule: each example's loss times its weight, summed over the batch size (sum_over_batch_size),
/// and a batch's loss counted once per example when averaging over batches.
/// </summary>
public abstract class FitWeightsTests(string backend) : BackendTest(backend)
{
    private static Sequential Model(float w)
    {
        var model = new Sequential(new Keras.Layers.Dense(1, useBias: false, kernelInitializer: "ones", name: "fw_dense"));
        model.Compile(new Optimizers.SGD(w), new Losses.MeanSquaredError());
        return model;
    }

    [SkippableFact]
    public void Evaluate_weights_each_examples_loss()
    {
        RequireBackend();
        var model = Model(0.1f);
        var x = NF.Constant(new[] { 1f, 2f, 3f, 4f, 5f }, [5, 1]);
        var y = NF.Constant(new[] { 0f, 0f, 0f, 0f, 0f }, [5, 1]);   // prediction = x, loss_i = x_i^2
        var w = NF.Constant(new[] { 1f, 0f, 2f, 0.5f, 1f });
        // Batches of 2: (1*1 + 0*4)/2, (2*9 + 0.5*16)/2, (1*25)/1; averaged with weights 2, 2, 1.
        double expected = ((1 + 0) / 2.0 * 2 + (18 + 8) / 2.0 * 2 + 25.0 * 1) / 5;
        var result = model.Evaluate(x, y, batchSize: 2, sampleWeight: w);
        Assert.Equal(expected, result.Loss, 4);
        Assert.Equal((1 + 4 + 9 + 16 + 25) / 5.0, model.Evaluate(x, y, batchSize: 2).Loss, 4);
    }

    [SkippableFact]
    public void A_zero_sample_weight_removes_an_example_from_training()
    {
        RequireBackend();
        // One step of SGD on the weighted mean: with example 2's weight 0, the step equals the
        // step on example 1 alone scaled by 1/2 (sum over the batch size, 2).
        var x = NF.Constant(new[] { 1f, 3f }, [2, 1]);
        var y = NF.Constant(new[] { 2f, 100f }, [2, 1]);
        var weighted = Model(0.1f);
        weighted.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false, sampleWeight: NF.Constant(new[] { 1f, 0f }));
        // d/dk mean_w((k*x - y)^2) = 2 * (1*1*(1 - 2)) / 2 = -1: k = 1 - 0.1 * -1 = 1.1
        Assert.Equal(1.1f, weighted.Variables[0].ToArray<float>()[0], 5);
    }

    [SkippableFact]
    public void Class_weights_scale_each_examples_loss_and_multiply_sample_weights()
    {
        RequireBackend();
        var model = new Sequential(new Keras.Layers.Dense(2, kernelInitializer: "zeros", name: "cw_dense"));
        model.Compile(new Optimizers.SGD(0.5f), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var x = NF.Constant(new[] { 1f, 1f, 1f }, [3, 1]);
        var y = NF.Constant(new[] { 0, 1, 1 });
        var history = model.Fit(x, y, batchSize: 3, epochs: 1, verbose: 0, shuffle: false,
                                classWeight: new Dictionary<int, double> { [0] = 2.0 }, sampleWeight: NF.Constant(new[] { 1f, 1f, 0.5f }));
        // Zero weights: every example's loss is ln 2; weights 2*1, 1*1, 1*0.5 summed over 3 examples.
        Assert.Equal(Math.Log(2) * (2 + 1 + 0.5) / 3, history["loss"][0], 4);
    }

    [SkippableFact]
    public void Bad_weights_are_named()
    {
        RequireBackend();
        var model = Model(0.1f);
        var x = NF.Ones([4, 1]);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, x, verbose: 0, sampleWeight: NF.Ones([3])));
        Assert.Contains("sampleWeight must hold one weight per example", e.Message);
        Assert.Contains("(4,)", e.Message);
    }
}

public sealed class ManagedFitWeightsTests() : FitWeightsTests("managed");
public sealed class NativeCpuFitWeightsTests() : FitWeightsTests("cpu");
public sealed class CudaFitWeightsTests() : FitWeightsTests("cuda");
