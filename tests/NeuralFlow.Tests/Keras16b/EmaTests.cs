using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras 3's moving average of the weights (use_ema, ema_momentum, ema_overwrite_frequency,
/// finalize_variable_values) on every backend: Keras' own test (keras/src/optimizers/
/// optimizer_test.py, test_ema) and values computed by hand.
/// </summary>
public abstract class EmaTests(string backend) : BackendTest(backend)
{
    private static double[] Values(Tensor t) => t.ToArray<double>();

    [SkippableFact]  // optimizer_test.py: test_ema
    public void Matches_Keras_test_ema()
    {
        RequireBackend();
        var v = new Variable(NF.Constant(new[,] { { 3.0, 4.0 }, { 5.0, 6.0 } }));
        var grads = NF.Ones([2, 2], DType.Float64);
        var opt = new Optimizers.SGD(1.0, useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 3);
        opt.ApplyGradients([grads], [v]);
        Reference.AssertClose([2, 3, 4, 5], Values(v), 1e-12, 1e-12, "step 1");
        Reference.AssertClose([2, 3, 4, 5], Values(opt.AverageOf(v)!), 1e-12, 1e-12, "average after step 1 (initialized)");
        opt.ApplyGradients([grads], [v]);
        Reference.AssertClose([1, 2, 3, 4], Values(v), 1e-12, 1e-12, "step 2");
        Reference.AssertClose([1.9, 2.9, 3.9, 4.9], Values(opt.AverageOf(v)!), 1e-12, 1e-12, "average after step 2");
        opt.ApplyGradients([grads], [v]);
        // Overwritten with the average on the third step.
        Reference.AssertClose([1.71, 2.71, 3.71, 4.71], Values(v), 1e-12, 1e-12, "step 3");
    }

    [SkippableFact]
    public void Averages_by_hand_and_FinalizeVariableValues()
    {
        RequireBackend();
        // SGD lr 0.1 on a constant gradient 1, m = 0.5: w = 0.9, 0.8, 0.7;
        // average = 0.9, 0.85, 0.775 (m is 0 on the first step).
        var v = new Variable(NF.Constant(new[] { 1.0, 2.0 }));
        var g = NF.Ones([2], DType.Float64);
        var opt = new Optimizers.SGD(0.1, useEma: true, emaMomentum: 0.5);
        for (int i = 0; i < 3; i++) opt.ApplyGradients([g], [v]);
        Reference.AssertClose([0.7, 1.7], Values(v), 1e-12, 1e-12, "no overwrite without a frequency");
        Reference.AssertClose([0.775, 1.775], Values(opt.AverageOf(v)!), 1e-12, 1e-12, "average");
        opt.FinalizeVariableValues([v]);
        Reference.AssertClose([0.775, 1.775], Values(v), 1e-12, 1e-12, "finalized");

        // Without useEma there is no average and finalizing changes nothing.
        var plain = new Optimizers.SGD(0.1);
        plain.ApplyGradients([g], [v]);
        Assert.Null(plain.AverageOf(v));
        plain.FinalizeVariableValues([v]);
        Reference.AssertClose([0.675, 1.675], Values(v), 1e-12, 1e-12, "plain step");
    }

    [SkippableFact]
    public void Overwrite_every_second_step_by_hand()
    {
        RequireBackend();
        // m = 0.5: w 0.9 (avg 0.9); 0.8 (avg 0.85, overwritten: 0.85); 0.75 (avg 0.8);
        // 0.65 (avg 0.725, overwritten).
        var v = new Variable(1.0);
        var opt = new Optimizers.SGD(0.1, useEma: true, emaMomentum: 0.5, emaOverwriteFrequency: 2);
        double[] expected = [0.9, 0.85, 0.75, 0.725];
        for (int i = 0; i < 4; i++)
        {
            opt.ApplyGradients([NF.Constant(1.0)], [v]);
            Assert.Equal(expected[i], v.Item<double>(), 12);
        }
    }

    [SkippableFact]
    public void Fit_ends_with_the_averaged_weights()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Random.Uniform([32, 3]);
        var y = NF.Random.Uniform([32, 1]);
        var model = new Sequential(new Layers.Dense(1));
        var opt = new Optimizers.Adam(0.05, useEma: true, emaMomentum: 0.8);
        model.Compile(opt, "mse");
        model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        foreach (var w in model.TrainableVariables)
        {
            var average = opt.AverageOf(w);
            Assert.NotNull(average);
            Assert.Equal(average!.ToArray<float>(), w.ToArray<float>());
        }
        // A second Fit (whose steps move the weights off the averages) ends on the averages again.
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        Assert.Equal(opt.AverageOf(model.TrainableVariables[0])!.ToArray<float>(), model.TrainableVariables[0].ToArray<float>());
    }

    [SkippableFact]
    public void Arguments_are_checked_as_Keras_does()
    {
        RequireBackend();
        Assert.Contains("emaMomentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Adam(useEma: true, emaMomentum: 1.5)).Message);
        Assert.Contains("emaOverwriteFrequency", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Ftrl(emaOverwriteFrequency: 0)).Message);
        var adamw = new Optimizers.AdamW(useEma: true);
        Assert.True(adamw.UseEma);
        Assert.Equal(0.99, adamw.EmaMomentum);
        Assert.Null(adamw.EmaOverwriteFrequency);
    }
}

public sealed class ManagedEmaTests() : EmaTests("managed");
public sealed class NativeCpuEmaTests() : EmaTests("cpu");
public sealed class CudaEmaTests() : EmaTests("cuda");
