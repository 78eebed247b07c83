using NeuralFlow.Backends.Managed;
using Xunit;

namespace NeuralFlow.Tests;

/// <summary>
/// The pow every engine uses for Ftrl's general power (native/src/common/portable_pow.h and its
/// managed twin): close to the C runtime's pow over the accumulators an optimizer meets, exact
/// at powers of two, IEEE's special cases. The engines' agreement bit for bit is checked by
/// OptimizerKernelTests' ftrl_all on managed, cpu and CUDA.
/// </summary>
public class PortablePowTests
{
    [Fact]
    public void Stays_within_a_few_ulps_of_the_runtime_pow()
    {
        var random = new Random(7);
        double worst = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double x = Math.Exp(random.NextDouble() * 60 - 30), y = random.NextDouble() * 1.5;
            double want = Math.Pow(x, y);
            worst = Math.Max(worst, Math.Abs((PortablePow.Pow(x, y) - want) / want));
        }
        Assert.True(worst < 64 * Math.Pow(2, -52), $"worst relative error {worst}");
    }

    [Fact]
    public void Special_cases_follow_ieee_pow()
    {
        Assert.Equal(1024.0, PortablePow.Pow(2, 10));
        Assert.Equal(0.5, PortablePow.Pow(0.25, 0.5));
        Assert.Equal(1.0, PortablePow.Pow(5, 0));
        Assert.Equal(0.0, PortablePow.Pow(0, 0.5));
        Assert.Equal(double.PositiveInfinity, PortablePow.Pow(0, -0.5));
        Assert.Equal(double.PositiveInfinity, PortablePow.Pow(1e300, 2));
        Assert.Equal(0.0, PortablePow.Pow(1e-300, 2));
        Assert.True(double.IsNaN(PortablePow.Pow(double.NaN, 0.5)));
        Assert.Equal(1e-155, PortablePow.Pow(1e-310, 0.5), 1e-168);
    }
}
