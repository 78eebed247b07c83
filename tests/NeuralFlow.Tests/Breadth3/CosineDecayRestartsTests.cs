using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth3;

/// <summary>
/// Keras 3's <c>CosineDecayRestarts</c> (keras/src/optimizers/schedules/learning_rate_schedule.py).
/// Its docstring has no numbers, so the expected rates are Keras' __call__ formula evaluated in
/// numpy float64 (/usr/bin/python3), at steps on and around each restart.
/// </summary>
public abstract class CosineDecayRestartsTests(string backend) : BackendFileTest(backend)
{
    private static readonly long[] Steps = [0, 1, 5, 9, 10, 11, 15, 29, 30, 31, 50, 70, 75];

    private static void Check(CosineDecayRestarts s, double[] expected) =>
        Reference.AssertClose(expected, Steps.Select(s.At).ToArray(), 1e-12, 1e-15, s.ToString());

    [SkippableFact]
    public void Rates_match_Keras_formula()
    {
        RequireBackend();
        // Keras' defaults (t_mul 2, m_mul 1, alpha 0): periods of 10, 20, 40 steps.
        Check(new CosineDecayRestarts(0.1, 10),
            [0.1, 0.09755282581475769, 0.05, 0.002447174185242318, 0.1, 0.09938441702975688, 0.08535533905932739,
             0.0006155829702431171, 0.1, 0.0998458666866564, 0.05, 0.1, 0.09903926402016153]);
        // t_mul 1: equal periods, each restart at half the last, floored at alpha.
        Check(new CosineDecayRestarts(0.1, 10, tMul: 1.0, mMul: 0.5, alpha: 0.1),
            [0.1, 0.09779754323328192, 0.05500000000000001, 0.012202456766718087, 0.05500000000000001, 0.053898771616640966, 0.0325,
             0.010550614191679525, 0.021250000000000005, 0.020974692904160243, 0.012812500000000003, 0.010703125, 0.010351562500000001]);
        Check(new CosineDecayRestarts(0.2, 4, tMul: 1.5, mMul: 0.8, alpha: 0.05),
            [0.2, 0.17217514421272206, 0.15181793068761737, 0.02018206931238267, 0.13160000000000002, 0.12793331134378327,
             0.06024219079785065, 0.025261206734064814, 0.018001872852874783, 0.01293335092497342, 0.013487957241125309,
             0.03453934313904735, 0.020359717884695396]);
    }

    [SkippableFact]
    public void Bad_arguments_are_refused()
    {
        RequireBackend();
        Assert.Contains("firstDecaySteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecayRestarts(0.1, 0)).Message);
        Assert.Contains("tMul", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecayRestarts(0.1, 10, tMul: 0.5)).Message);
        Assert.Contains("mMul", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecayRestarts(0.1, 10, mMul: -1)).Message);
        Assert.Contains("initialLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecayRestarts(double.NaN, 10)).Message);
    }

    [SkippableFact]
    public void An_optimizer_with_it_saves_and_loads()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Dense(1));
        model.Compile(new Optimizers.SGD(new CosineDecayRestarts(0.05, 3, tMul: 1.5, mMul: 0.9, alpha: 0.01)), "mse");
        NF.Random.SetSeed(3);
        var x = NF.Random.Uniform([16, 2]);
        model.Fit(x, NF.ReduceSum(x, -1, keepDims: true), batchSize: 4, epochs: 2, verbose: 0);
        string path = Temp.File("sgdr.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        var s = Assert.IsType<CosineDecayRestarts>(loaded.Optimizer!.LearningRate.Schedule);
        Assert.Equal((0.05, 3L, 1.5, 0.9, 0.01), (s.InitialLearningRate, s.FirstDecaySteps, s.TMul, s.MMul, s.Alpha));
        Assert.Equal(model.Optimizer!.CurrentLearningRate, loaded.Optimizer.CurrentLearningRate);
    }
}

public sealed class ManagedCosineDecayRestartsTests() : CosineDecayRestartsTests("managed");
public sealed class NativeCpuCosineDecayRestartsTests() : CosineDecayRestartsTests("cpu");
public sealed class CudaCosineDecayRestartsTests() : CosineDecayRestartsTests("cuda");
