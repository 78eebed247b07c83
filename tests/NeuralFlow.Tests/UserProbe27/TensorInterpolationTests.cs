namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// A scalar tensor in an interpolated string without a format is its number (a float as its shortest float32 text, numpy's str), as TensorFlow's
/// <c>print(f"Approximation Size: {A_r_size}")</c> prints <c>Approximation Size: 213</c> (the matrix guide): it gave
/// the tensor's repr, "tensor(213, shape=(), dtype=int32)", before. ToString() and tensors of higher rank keep the repr.
/// </summary>
public abstract class TensorInterpolationTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_scalar_interpolates_as_its_number_and_a_vector_as_its_repr()
    {
        RequireBackend();
        var size = NF.Size(NF.Zeros(new Shape(3, 71)));
        Assert.Equal("Approximation Size: 213", $"Approximation Size: {size}");
        Assert.Equal("0.5 2.5 True", FormattableString.Invariant($"{NF.Constant(0.5f)} {NF.Constant(2.5)} {NF.Constant(true)}"));
        Assert.Equal("tensor(213, shape=(), dtype=int32)", size.ToString());
        var vector = NF.Constant([1, 2]);
        Assert.Equal(vector.ToString(), $"{vector}");
        // A format on a vector is still refused by name.
        Assert.Throws<FormatException>(() => $"{vector:F2}");
    }
}

/// <summary>Interpolated scalars on the managed backend.</summary>
public sealed class ManagedTensorInterpolationTests() : TensorInterpolationTests("managed");

/// <summary>Interpolated scalars on the native CPU backend.</summary>
public sealed class NativeCpuTensorInterpolationTests() : TensorInterpolationTests("cpu");

/// <summary>Interpolated scalars on CUDA.</summary>
public sealed class CudaTensorInterpolationTests() : TensorInterpolationTests("cuda");
