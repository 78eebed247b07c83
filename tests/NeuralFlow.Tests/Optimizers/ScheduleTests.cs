using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The learning-rate schedules against Keras 3's
/// keras/src/optimizers/schedules/learning_rate_schedule_test.py (test names cited), and their
/// arguments checked. Schedules are plain double arithmetic, the same on every backend.
/// </summary>
public sealed class ScheduleTests
{
    private static void Close(double expected, double actual, double rtol = 1e-6) =>
        Assert.True(Math.Abs(expected - actual) <= rtol * Math.Abs(expected) + 1e-6, $"expected {expected}, got {actual}");

    [Fact]  // PiecewiseConstantDecayTest.test_piecewise_values, test_boundary_values
    public void PiecewiseConstantDecay_matches_Keras()
    {
        var d = new PiecewiseConstantDecay([100, 110, 120], [1.0, 0.1, 0.01, 0.001]);
        foreach (var (step, lr) in new[] { (-999L, 1.0), (100, 1.0), (105, 0.1), (110, 0.1), (120, 0.01), (999, 0.001) })
            Close(lr, d.At(step));
        var b = new PiecewiseConstantDecay([1, 2, 3], [0.4, 0.5, 0.6, 0.7]);
        foreach (var (step, lr) in new[] { (0L, 0.4), (1, 0.4), (2, 0.5), (3, 0.6), (4, 0.7) })
            Close(lr, b.At(step));
        Assert.Contains("one more", Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([1, 2], [1.0, 2.0])).Message);
        Assert.Contains("increasing", Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([2, 1], [1.0, 2.0, 3.0])).Message);
    }

    [Fact]  // LinearDecayTest and SqrtDecayTest (PolynomialDecay)
    public void PolynomialDecay_matches_Keras()
    {
        Close(0.05 * 0.5, new PolynomialDecay(0.05, 10, 0.0).At(5));                     // test_halfway
        Close(0.001, new PolynomialDecay(0.05, 10, 0.001).At(10));                      // test_end
        Close((0.05 + 0.001) * 0.5, new PolynomialDecay(0.05, 10, 0.001).At(5));       // test_halfway_with_end
        Close(0.001, new PolynomialDecay(0.05, 10, 0.001).At(15));                      // test_beyond_end
        Close((0.05 - 0.001) * 0.25 + 0.001, new PolynomialDecay(0.05, 10, 0.001, cycle: true).At(15)); // test_beyond_end_with_cycle
        Close(0.05 * Math.Pow(0.5, 0.5), new PolynomialDecay(0.05, 10, 0.0, power: 0.5).At(5));
        Close((0.05 - 0.001) * Math.Pow(0.5, 0.5) + 0.001, new PolynomialDecay(0.05, 10, 0.001, power: 0.5).At(5));
        Close((0.05 - 0.001) * Math.Pow(0.25, 0.5) + 0.001, new PolynomialDecay(0.05, 10, 0.001, power: 0.5, cycle: true).At(15));
        Close(0.001, new PolynomialDecay(0.001, 10, cycle: true).At(0));               // test_begin_with_cycle
        Assert.Equal(0.0001, new PolynomialDecay(0.1, 10).EndLearningRate);
    }

    [Fact]  // InverseTimeDecayTest.test_decay, test_staircase
    public void InverseTimeDecay_matches_Keras()
    {
        var d = new InverseTimeDecay(0.1, 10, 0.96);
        var s = new InverseTimeDecay(0.1, 10, 0.96, staircase: true);
        for (int i = 0; i <= 10; i++)
        {
            Close(0.1 / (1 + i / 10.0 * 0.96), d.At(i));
            Close(0.1 / (1 + 0.96 * (i / 10)), s.At(i));
        }
    }

    private static double NpCosine(double step, double decaySteps, double alpha = 0)
    {
        step = Math.Min(step, decaySteps);
        double decay = 0.5 * (1 + Math.Cos(Math.PI * step / decaySteps));
        return (1 - alpha) * decay + alpha;
    }

    [Fact]  // CosineDecayTest.test_decay, test_alpha, test_warmup, test_warmup_decay
    public void CosineDecay_matches_Keras_with_warmup()
    {
        for (int step = 0; step < 1500; step += 250)
        {
            Close(NpCosine(step, 1000), new CosineDecay(1.0, 1000).At(step));
            Close(NpCosine(step, 1000, 0.1), new CosineDecay(1.0, 1000, 0.1).At(step));
            Close(step / 1500.0 * 10.0, new CosineDecay(0.0, 10, warmupTarget: 10.0, warmupSteps: 1500).At(step));
        }
        for (int step = 0; step < 3000; step += 250)
        {
            double expected = step < 2001 ? step / 2000.0 * 10.0 : 10.0 * NpCosine(step - 2000, 1000);
            Close(expected, new CosineDecay(0.0, 1000, warmupTarget: 10.0, warmupSteps: 2000).At(step), 1e-6);
        }
    }

    [Fact]  // ExponentialDecayTest.test_continuous, test_staircase (the existing schedule, for completeness)
    public void ExponentialDecay_matches_Keras()
    {
        Close(0.05 * Math.Pow(0.96, 0.5), new ExponentialDecay(0.05, 10, 0.96).At(5));
        Close(0.1 * Math.Pow(0.96, 100 / 3), new ExponentialDecay(0.1, 3, 0.96, staircase: true).At(100));
    }

    [Fact]
    public void Bad_decay_steps_are_refused()
    {
        Assert.Contains("decaySteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1, 0)).Message);
        Assert.Contains("decaySteps", Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialDecay(0.1, -1)).Message);
        Assert.Contains("decaySteps", Assert.Throws<ArgumentOutOfRangeException>(() => new InverseTimeDecay(0.1, 0, 0.5)).Message);
    }
}
