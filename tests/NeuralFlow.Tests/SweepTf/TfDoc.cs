namespace NeuralFlow.Tests.SweepTf;

/// <summary>
/// Checks a tensor against one of TensorFlow's printed docstring results
/// (<c>&lt;tf.Tensor: shape=(...), dtype=..., numpy=...&gt;</c>): the dtype, the shape and the
/// values all have to match, since a ported program depends on each of them.
/// </summary>
internal static class TfDoc
{
    /// <summary>Values are compared as doubles (exact for every integer and bool dtype); NaN and infinities must match too.</summary>
    public static void Expect(Tensor actual, DType dtype, int[] shape, double[] values, double rtol = 1e-6, double atol = 1e-6) =>
        SweepOps.Published.Is(actual, dtype, shape, values, rtol, atol, $"{dtype}{string.Join("x", shape)}");

    /// <summary>A bool result, written as TensorFlow prints it.</summary>
    public static void Expect(Tensor actual, int[] shape, params bool[] values)
    {
        Assert.Equal(DType.Bool, actual.DType);
        Assert.Equal(shape, actual.Shape.ToArray());
        Assert.Equal(values, actual.ToArray<bool>());
    }

    public static readonly int[] Scalar = [];

    /// <summary>A float32 vector, as TensorFlow makes one from a list of Python floats.</summary>
    public static Tensor F(params float[] v) => NF.Constant(v);

    /// <summary>An int32 vector, as TensorFlow makes one from a list of Python ints.</summary>
    public static Tensor I(params int[] v) => NF.Constant(v);
}
