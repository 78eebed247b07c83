// Namespace NeuralFlow.Tests: the emulated-CUDA run (build.cake) selects the Cuda* classes of every namespace.
namespace NeuralFlow.Tests;

/// <summary>
/// A C# number that does not fit the dtype it takes is an error naming the value and the dtype
/// (int32 + 5_000_000_000L wrapped to 705032705; PyTorch and JAX raise). Floats keep
/// PyTorch's behaviour: a huge double becomes inf in float32.
/// </summary>
public abstract class ScalarRangeTests(string backend) : BackendTest(backend)
{
    private static void AssertNames(Exception e, string value, string dtype)
    {
        Assert.Contains(value, e.Message);
        Assert.Contains(dtype, e.Message);
    }

    [SkippableFact]
    public void A_long_past_int32_with_an_int32_tensor_throws()
    {
        RequireBackend();
        using var x = NF.Constant(new[] { 1, 2 });
        AssertNames(Assert.Throws<OverflowException>(() => x + 5_000_000_000L), "5000000000", "int32");
        AssertNames(Assert.Throws<OverflowException>(() => x * -5_000_000_000L), "-5000000000", "int32");
        AssertNames(Assert.Throws<OverflowException>(() => NF.Less(x, 5_000_000_000L)), "5000000000", "int32");
        using var ok = x + (long)int.MaxValue;
        Assert.Equal(DType.Int32, ok.DType);
    }

    [SkippableFact]
    public void Numbers_outside_uint8_with_a_uint8_tensor_throw()
    {
        RequireBackend();
        using var x = NF.Constant(new byte[] { 1, 2 });
        AssertNames(Assert.Throws<OverflowException>(() => x + 300), "300", "uint8");
        AssertNames(Assert.Throws<OverflowException>(() => x - (-1)), "-1", "uint8");
        using var ok = x + 255;
        Assert.Equal(DType.UInt8, ok.DType);
    }

    [SkippableFact]
    public void Int64_takes_any_long_and_floats_overflow_to_infinity()
    {
        RequireBackend();
        using var l = NF.Constant(new[] { 1L });
        using var big = l + (long.MaxValue - 1);
        Assert.Equal(long.MaxValue, big.ToArray<long>()[0]);
        using var f = NF.Constant(new[] { 1f });
        using var inf = f + 1e300;
        Assert.True(float.IsPositiveInfinity(inf.ToArray<float>()[0]));
    }

    [SkippableFact]
    public void A_long_past_2_pow_53_made_on_another_backend_keeps_every_bit()
    {
        RequireBackend();
        // The number is made under another backend and moved to the tensor's: it was filled
        // there as a double, 9007199254740993 becoming 9007199254740992.
        string other = BackendName == "managed" ? "cpu" : "managed";
        Skip.If(other == "cpu" && Backends.BackendRegistry.NativeCpu is null, "native CPU backend not built");
        using var x = NF.Constant(new[] { 0L });
        using (NF.UseBackend(other))
        {
            using var sum = x + 9007199254740993L;
            Assert.Equal(9007199254740993L, sum.ToArray<long>()[0]);
        }
    }

    [SkippableFact]
    public void Assign_of_a_number_outside_the_variables_dtype_throws()
    {
        RequireBackend();
        using var i = new Variable(NF.Constant(new[] { 1, 2 }));
        AssertNames(Assert.Throws<OverflowException>(() => i.Assign(5_000_000_000L)), "5000000000", "int32");
        AssertNames(Assert.Throws<OverflowException>(() => i.Assign(1e20)), "1E+20", "int32");
        AssertNames(Assert.Throws<OverflowException>(() => i.Assign(double.NaN)), "NaN", "int32");
        AssertNames(Assert.Throws<OverflowException>(() => i.AssignAdd(5_000_000_000L)), "5000000000", "int32");
        Assert.Equal([1, 2], i.ToArray<int>()); // unchanged by the failed writes
        // A fraction is refused as TensorFlow refuses it ("Cannot convert 2.5 to EagerTensor of dtype
        // int32"); it was truncated toward zero before, silently.
        AssertNames(Assert.Throws<ArgumentException>(() => i.Assign(2.5)), "2.5", "int32");
        // A whole number is read as int32 (a scalar variable: a number does not fill a vector, as TensorFlow's assign).
        using var single = new Variable(NF.Constant(1));
        single.Assign(2.0);
        Assert.Equal(2, single.Item<int>());
        using var b = new Variable(NF.Constant(new byte[] { 1 }));
        AssertNames(Assert.Throws<OverflowException>(() => b.Assign(256)), "256", "uint8");
    }

    [SkippableFact]
    public void Fill_and_OneHot_values_outside_the_dtype_throw()
    {
        RequireBackend();
        AssertNames(Assert.Throws<OverflowException>(() => NF.Fill([2], 1e10, DType.Int32)), "10000000000", "int32");
        AssertNames(Assert.Throws<OverflowException>(() => NF.Fill([2], -1, DType.UInt8)), "-1", "uint8");
        AssertNames(Assert.Throws<OverflowException>(() => NF.Fill([2], double.PositiveInfinity, DType.Int64)), "Infinity", "int64");
        Assert.Throws<OverflowException>(() => NF.Fill([2], 9223372036854775808.0, DType.Int64));
        using var ok = NF.Fill([2], -9223372036854775808.0, DType.Int64);
        Assert.Equal(long.MinValue, ok.ToArray<long>()[0]);
        AssertNames(Assert.Throws<OverflowException>(() => NF.Random.Uniform([2], 0, 1e10, DType.Int32)), "int32", "maxval");
        using (var full = NF.Random.Uniform([2], int.MinValue, 2147483648.0, DType.Int32)) Assert.Equal(DType.Int32, full.DType);
        Assert.Throws<ArgumentException>(() => NF.Random.Uniform([2], 0, double.PositiveInfinity));
        using var idx = NF.Constant(new[] { 0, 1 });
        AssertNames(Assert.Throws<OverflowException>(() => NF.OneHot(idx, 3, onValue: 300, dtype: DType.UInt8)), "300", "uint8");
    }
}

public sealed class ManagedScalarRangeTests() : ScalarRangeTests("managed");
public sealed class NativeCpuScalarRangeTests() : ScalarRangeTests("cpu");
public sealed class CudaScalarRangeTests() : ScalarRangeTests("cuda");
