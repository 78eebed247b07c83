namespace NeuralFlow.Tests.UserProbe15;

/// <summary>The comparisons the guide ports share.</summary>
internal static class GuideAssert
{
    /// <summary><paramref name="actual"/> has <paramref name="expected"/>'s shape and values within <paramref name="tolerance"/> (absolute and relative).</summary>
    public static void Close(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Reference.AssertClose([.. NF.Cast(expected, DType.Float64).ToArray<double>()], [.. NF.Cast(actual, DType.Float64).ToArray<double>()], rtol: tolerance, atol: tolerance);
    }
}
