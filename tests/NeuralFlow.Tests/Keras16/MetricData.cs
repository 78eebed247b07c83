namespace NeuralFlow.Tests.Keras16;

/// <summary>What the metric tests share: float32 tensors from numbers, and closeness to a reference.</summary>
internal static class MetricData
{
    /// <summary>A float32 tensor of <paramref name="values"/>, a vector unless a shape is given (Keras' tests feed float32).</summary>
    public static Tensor T(double[] values, params int[] shape) =>
        NF.Cast(NF.Constant(values, shape.Length == 0 ? new Shape(values.Length) : new Shape(shape)), DType.Float32);

    /// <summary>Within <paramref name="atol"/> (Keras' metric tests' default 1e-3).</summary>
    public static void Near(double expected, double actual, double atol = 1e-3) =>
        Assert.True(Math.Abs(expected - actual) <= atol, $"expected {expected}, got {actual}");

    /// <summary>Each within <paramref name="atol"/>, and as many.</summary>
    public static void Near(double[] expected, double[] actual, double atol = 1e-3)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Near(expected[i], actual[i], atol);
    }
}
