using System.Globalization;

namespace NeuralFlow.Tests.SweepLossMetric;

/// <summary>
/// A Keras docstring's printed number against NeuralFlow's: equal to the printed precision. The
/// docstrings both round and truncate (0.0017 for 0.00176), so one unit of the last printed digit
/// is allowed, and never less than float32's resolution of the value.
/// </summary>
internal static class Published
{
    /// <summary>Asserts <paramref name="actual"/> is <paramref name="printed"/> (as the docstring prints it) to its printed digits.</summary>
    /// <param name="printed">The number as the docstring prints it.</param>
    /// <param name="actual">NeuralFlow's value.</param>
    /// <param name="what">The example, for the failure message.</param>
    /// <param name="atol">A looser tolerance, where the docstring prints more digits than Keras' own code gives (said where used).</param>
    public static void Is(string printed, double actual, string what, double? atol = null)
    {
        double expected = double.Parse(printed, CultureInfo.InvariantCulture);
        int dot = printed.IndexOf('.');
        // NumPy prints an exact float32 without trailing digits ("-0.", "16."): float32's resolution then.
        int decimals = dot < 0 ? 0 : dot == printed.Length - 1 ? 9 : printed.Length - dot - 1;
        double tolerance = atol ?? Math.Max(Math.Pow(10, -decimals), 2e-7 * Math.Max(1, Math.Abs(expected)));
        Assert.True(Math.Abs(expected - actual) <= tolerance * (1 + 1e-9),
            $"{what}: Keras' docstring prints {printed}, NeuralFlow gives {actual.ToString("R", CultureInfo.InvariantCulture)}");
    }

    /// <summary>Each printed number of an array output (<c>array([0.235, 1.496])</c>), and as many.</summary>
    public static void Are(string[] printed, double[] actual, string what, double? atol = null)
    {
        Assert.True(printed.Length == actual.Length, $"{what}: Keras prints {printed.Length} values, NeuralFlow gives {actual.Length}");
        for (int i = 0; i < printed.Length; i++) Is(printed[i], actual[i], $"{what} [{i}]", atol);
    }

    /// <summary>A tensor's values as float64 (a scalar gives one).</summary>
    public static double[] Values(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    /// <summary>A scalar tensor's value.</summary>
    public static double Value(Tensor t)
    {
        Assert.Equal(0, t.Rank);
        return Values(t)[0];
    }
}
