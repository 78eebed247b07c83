using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Ftrl (keras2 session) on every backend in float64, against the update written out by hand
/// from keras/src/optimizers/ftrl.py (Keras' own expected values are in KerasOptimizerTests), with
/// the base options around it, plus the argument checks Keras makes.
/// </summary>
public abstract class FtrlTests(string backend) : BackendTest(backend)
{
    // One Keras 3 Ftrl step in double, the options first as the base optimizer applies them.
    private static void Step(double[] w, double[] g, double[] acc, double[] lin, double lr, double power, double l1, double l2,
        double shrink, double beta, double wd, double clip)
    {
        for (int i = 0; i < w.Length; i++)
        {
            double gi = Math.Clamp(g[i], -clip, clip);
            w[i] -= w[i] * wd * lr;
            double na = acc[i] + gi * gi;
            double pn = Math.Pow(na, -power), pa = Math.Pow(acc[i], -power);
            lin[i] += gi + 2 * shrink * w[i] - (pn - pa) / lr * w[i];
            double quadratic = pn / lr + 2 * (l2 + beta / (2 * lr));
            w[i] = (Math.Clamp(lin[i], -l1, l1) - lin[i]) / quadratic;
            acc[i] = na;
        }
    }

    [SkippableTheory]
    [InlineData(-0.5)]
    [InlineData(-0.2)]
    [InlineData(0.0)]
    public void Float64_steps_match_the_formula_by_hand(double power)
    {
        RequireBackend();
        const double lr = 0.1, l1 = 0.02, l2 = 0.05, shrink = 0.03, beta = 0.2, wd = 0.01, clip = 0.8, init = 0.3;
        double[] w = [0.5, -1.25, 2.0, 0.0, -0.03, 1.5, 0.7];
        var acc = Enumerable.Repeat(init, w.Length).ToArray();
        var lin = new double[w.Length];
        var v = new Variable(NF.Constant(w));
        var opt = new Optimizers.Ftrl(lr, power, init, l1, l2, shrink, beta, weightDecay: wd, clipValue: clip);
        for (int step = 0; step < 4; step++)
        {
            // Element 3 gets tiny gradients, so its linear term stays within l1 and it is pinned at 0.
            double[] g = w.Select((x, i) => i == 3 ? 0.001 * (step - 1.5) : Math.Sin(3 * i + step) * (1 + step) * 0.6 + 0.1 * x).ToArray();
            opt.ApplyGradients([NF.Constant(g)], [v]);
            Step(w, g, acc, lin, lr, power, l1, l2, shrink, beta, wd, clip);
            Reference.AssertClose(w, v.ToArray<double>(), 1e-13, 1e-14, $"Ftrl power {power} step {step}");
        }
        // Some weights were pinned to 0 by the L1 term and some were not.
        Assert.Contains(0.0, v.ToArray<double>());
        Assert.Contains(v.ToArray<double>(), x => x != 0);
    }

    [SkippableFact]
    public void Arguments_are_checked_as_Keras_does()
    {
        RequireBackend();
        Assert.Contains("learningRatePower", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Ftrl(learningRatePower: 0.5)).Message);
        Assert.Contains("initialAccumulatorValue", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Ftrl(initialAccumulatorValue: -1)).Message);
        Assert.Contains("l1RegularizationStrength", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Ftrl(l1RegularizationStrength: -0.1)).Message);
        Assert.Contains("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Ftrl(beta: double.NaN)).Message);
        var ftrl = Assert.IsType<Optimizers.Ftrl>(Optimizers.Get("ftrl"));
        Assert.Equal((0.001, -0.5, 0.1, 0.0, 0.0, 0.0, 0.0),
            (ftrl.CurrentLearningRate, ftrl.LearningRatePower, ftrl.InitialAccumulatorValue, ftrl.L1RegularizationStrength,
             ftrl.L2RegularizationStrength, ftrl.L2ShrinkageRegularizationStrength, ftrl.Beta));
    }
}

public sealed class ManagedFtrlTests() : FtrlTests("managed");
public sealed class NativeCpuFtrlTests() : FtrlTests("cpu");
public sealed class CudaFtrlTests() : FtrlTests("cuda");
