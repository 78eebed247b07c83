namespace NeuralFlow.Tests.KerasFix;

/// <summary>
/// Float pow's exact cases, as PyTorch computes them (x ** 2 = x*x, x ** 3 = x*x*x, x ** -1 = 1/x,
/// x ** -2 = 1/(x*x)), the same bits on every engine. Found on an H200: the CUDA engine's powf
/// gave other last bits than the C runtime for one of [2, 4] ** -1 (torch: [0.5, 0.25]), so a
/// model's x ** -1 differed between a GPU and the CPU. IEEE's special values come out as pow's.
/// </summary>
public abstract class PowExactCasesTests(string backend) : BackendTest(backend)
{
    private static uint[] Bits(Tensor t) => t.ToArray<float>().Select(BitConverter.SingleToUInt32Bits).ToArray();

    [SkippableFact]
    public void Squares_cubes_and_reciprocals_are_the_products_bit_for_bit()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Random.Normal([1000]) * 7f;
        Assert.Equal(Bits(x * x), Bits(NF.Pow(x, 2f)));
        Assert.Equal(Bits(x * x * x), Bits(NF.Pow(x, 3f)));
        Assert.Equal(Bits(1f / x), Bits(NF.Pow(x, -1f)));
        Assert.Equal(Bits(1f / (x * x)), Bits(NF.Pow(x, -2f)));
        Assert.Equal(Bits(x * x), Bits(NF.Pow(x, NF.Fill([1000], 2f))));  // a tensor exponent too
        Assert.Equal([0.5f, 0.25f, 1f / 3f], NF.Pow(NF.Constant(new[] { 2f, 4f, 3f }), -1).ToArray<float>());
        Assert.Equal([0.0625, 1.0 / 9.0], NF.Pow(NF.Constant(new[] { 4.0, 3.0 }), -2.0).ToArray<double>());
    }

    [SkippableFact]
    public void Special_values_are_the_ones_pow_gives()
    {
        RequireBackend();
        float inf = float.PositiveInfinity;
        var x = NF.Constant(new[] { -0f, 0f, -inf, inf, float.NaN });
        float[] Pow(float p) => NF.Pow(x, p).ToArray<float>();
        Assert.Equal([0f, 0f, inf, inf, float.NaN], Pow(2));
        Assert.Equal([-0f, 0f, -inf, inf, float.NaN], Pow(3));
        Assert.Equal([-inf, inf, -0f, 0f, float.NaN], Pow(-1));
        Assert.Equal([inf, inf, 0f, 0f, float.NaN], Pow(-2));
        Assert.True(float.IsNegative(Pow(3)[0]) && float.IsNegative(Pow(-1)[2]), "signed zeros keep their sign");
    }
}

public sealed class ManagedPowExactCasesTests() : PowExactCasesTests("managed");
public sealed class NativeCpuPowExactCasesTests() : PowExactCasesTests("cpu");
public sealed class CudaPowExactCasesTests() : PowExactCasesTests("cuda");
