namespace NeuralFlow.Tests.UserProbe10;

/// <summary>The comparison UserProbe10's training references share.</summary>
internal static class Near
{
    /// <summary>
    /// <paramref name="got"/> equals <paramref name="want"/> within 1e-5 absolute and relative: float32
    /// training steps against float64 (PyTorch) references on values of order one.
    /// </summary>
    public static void Values(float[] want, Tensor got) =>
        Reference.AssertClose([.. want.Select(v => (double)v)], [.. got.ToArray<float>().Select(v => (double)v)], rtol: 1e-5, atol: 1e-5);
}
