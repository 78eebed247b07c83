namespace NeuralFlow.Tests.KerasFix;

/// <summary>
/// NF.Pow of integers with a negative integer exponent: PyTorch 1.13 raises "Integers to
/// negative integer powers are not allowed." for a scalar exponent (torch.tensor([2, 3]) ** -1)
/// and NumPy for any negative element of an exponent array; the kernels' integer loop gave 0.
/// Float powers, and integer powers with non-negative exponents, are unchanged (values from
/// PyTorch: torch.tensor([-3, 2, 5]) ** 2 = [9, 4, 25], torch.tensor([2, 4]) ** -1.0 = [0.5, 0.25]).
/// </summary>
public abstract class IntegerPowTests(string backend) : BackendTest(backend)
{
    private static void Refused(Func<Tensor> pow)
    {
        var e = Assert.Throws<ArgumentException>(() => pow());
        Assert.Contains("integers to negative integer powers are not allowed", e.Message);
        Assert.Contains("NF.Cast", e.Message);
    }

    [SkippableFact]
    public void A_negative_integer_exponent_is_refused()
    {
        RequireBackend();
        var ints = NF.Constant(new[] { 2, 3 });
        Refused(() => NF.Pow(ints, -1));                                                  // a C# number
        Refused(() => NF.Pow(NF.Constant(new long[] { 2, 1 }), -2L));
        Refused(() => NF.Pow(NF.Constant(new byte[] { 2 }), -1));                         // uint8, as PyTorch
        Refused(() => NF.Pow(ints, NF.Constant(-1)));                                     // a 0-d tensor
        Refused(() => NF.Pow(ints, NF.Constant(new[] { 1, -1 })));                        // one negative element
        Refused(() => NF.Pow(2, NF.Constant(new[] { 3, -1 })));                           // a C# base
        Refused(() => NF.Pow(NF.Constant(new[,] { { 2 }, { 3 } }), NF.Constant(new[] { 0, -3 })));  // broadcast
    }

    [SkippableFact]
    public void Other_powers_are_unchanged()
    {
        RequireBackend();
        var ints = NF.Constant(new[] { -3, 2, 5 });
        Assert.Equal([9, 4, 25], NF.Pow(ints, 2).ToArray<int>());
        Assert.Equal([1, 2, 125], NF.Pow(ints, NF.Constant(new[] { 0, 1, 3 })).ToArray<int>());
        Assert.Equal(new int[0], NF.Pow(NF.Zeros([0], DType.Int32), NF.Zeros([0], DType.Int32)).ToArray<int>());
        var half = NF.Pow(NF.Constant(new[] { 2, 4 }), -1.0);                              // a float exponent: float32
        Assert.Equal(DType.Float32, half.DType);
        Assert.Equal([0.5f, 0.25f], half.ToArray<float>());
        Assert.Equal([0.5f, 0.25f], NF.Pow(NF.Constant(new[] { 2f, 4f }), -1).ToArray<float>());
        Assert.Equal([0.5, 0.0625], NF.Pow(NF.Constant(new[] { 2.0, 4.0 }), NF.Constant(new[] { -1.0, -2.0 })).ToArray<double>());
    }
}

public sealed class ManagedIntegerPowTests() : IntegerPowTests("managed");
public sealed class NativeCpuIntegerPowTests() : IntegerPowTests("cpu");
public sealed class CudaIntegerPowTests() : IntegerPowTests("cuda");
