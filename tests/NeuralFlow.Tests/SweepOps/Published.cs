namespace NeuralFlow.Tests.SweepOps;

/// <summary>
/// Checks a result against a docstring's printed array (Keras', and TensorFlow's through SweepTf's TfDoc): the dtype Keras prints, the shape,
/// and the values to the digits printed (a relative and an absolute tolerance).
/// </summary>
internal static class Published
{
    public static void Is(Tensor actual, DType dtype, int[] shape, double[] expected, double rtol = 1e-6, double atol = 1e-6, string? what = null)
    {
        Assert.True(dtype == actual.DType, $"{what}: dtype {actual.DType.Name()}, Keras prints {dtype.Name()}");
        Assert.True(shape.SequenceEqual(actual.Shape.ToArray()), $"{what}: shape {actual.Shape}, Keras prints ({string.Join(", ", shape)})");
        using var wide = NF.Cast(actual, DType.Float64);
        Reference.AssertClose(expected, wide.ToArray<double>(), rtol, atol, what);
    }

    /// <summary>A 1-D result.</summary>
    public static void Is(Tensor actual, DType dtype, double[] expected, double rtol = 1e-6, double atol = 1e-6, string? what = null) =>
        Is(actual, dtype, [expected.Length], expected, rtol, atol, what);

    /// <summary>A scalar result.</summary>
    public static void Is(Tensor actual, DType dtype, double expected, double rtol = 1e-6, double atol = 1e-6, string? what = null) =>
        Is(actual, dtype, [], [expected], rtol, atol, what);
}
