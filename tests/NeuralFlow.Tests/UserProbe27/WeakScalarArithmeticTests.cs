namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// Arithmetic of two C# numbers held as tensors stays a C# number (a weak scalar), as Python's float * float and JAX's
/// weak types: the optimizers guide's Momentum keeps <c>self.change = 0.</c> and adds <c>momentum * change</c> to a
/// float32 gradient, which threw "Add: dtypes must match, got float32 and float64" before.
/// </summary>
public abstract class WeakScalarArithmeticTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_product_of_two_csharp_numbers_takes_the_dtype_of_the_tensor_it_meets()
    {
        RequireBackend();
        Tensor change = 0.0;
        var grad = NF.Constant([1f, 2f]);
        var currChange = 0.01 * grad + 0.7 * change;
        Assert.Equal(DType.Float32, currChange.DType);
        Assert.Equal([0.01f, 0.02f], currChange.ToArray<float>());

        // Each arithmetic op of two numbers, then met by a float32 tensor.
        Tensor two = 2.0, three = 3;
        Assert.Equal([5f, -1f, 6f, 2f / 3f, 8f, 3f, 2f],
            new[] { two + three, two - three, two * three, two / three, NF.Pow(two, three), NF.Maximum(two, three), NF.Minimum(two, three) }
                .Select(t => (t + NF.Constant(0f)).Item<float>()));
        // Integers stay integers and wrap as C# does; alone, a weak float64 scalar still reads as a double.
        Tensor big = int.MaxValue, one = 1;
        Assert.Equal(int.MinValue, (big + one).Item<int>());
        Assert.Equal(DType.Int32, (big + one + NF.Constant(new[] { 1 })).DType);
        Assert.Equal(6.0, (two * three).Item<double>());
        // A NaN propagates through maximum, as the kernels do.
        Assert.True(double.IsNaN(NF.Maximum((Tensor)double.NaN, two).Item<double>()));
        // Dividing two integers is true division, as for tensors.
        Assert.Equal(DType.Float32, (NF.Constant(7) / 2).DType);
        Assert.Equal(3.5f, ((Tensor)7 / (Tensor)2).Item<float>());
    }
}

/// <summary>Weak scalar arithmetic on the managed backend.</summary>
public sealed class ManagedWeakScalarArithmeticTests() : WeakScalarArithmeticTests("managed");

/// <summary>Weak scalar arithmetic on the native CPU backend.</summary>
public sealed class NativeCpuWeakScalarArithmeticTests() : WeakScalarArithmeticTests("cpu");

/// <summary>Weak scalar arithmetic on CUDA.</summary>
public sealed class CudaWeakScalarArithmeticTests() : WeakScalarArithmeticTests("cuda");
