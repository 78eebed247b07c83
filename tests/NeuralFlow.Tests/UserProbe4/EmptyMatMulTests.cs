namespace NeuralFlow.Tests.UserProbe4;

/// <summary>
/// MatMul whose output has no elements because a row or column count is 0 (torch.matmul of
/// (2, 0, 4) and (4, 5) is (2, 0, 5)). The managed engine took the fresh output's row-major
/// strides, (5, 5, 1), for a non-contiguous layout and refused it, while the native engines,
/// whose is_contiguous calls an empty layout contiguous, returned the empty product.
/// </summary>
public abstract class EmptyMatMulTests(string backend) : BackendTest(backend)
{
    [SkippableTheory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_product_without_rows_or_columns_is_empty(DType dtype)
    {
        RequireBackend();
        Assert.Equal(new Shape(0, 3, 5), NF.MatMul(NF.Zeros([0, 3, 4], dtype), NF.Zeros([4, 5], dtype)).Shape);
        Assert.Equal(new Shape(2, 0, 5), NF.MatMul(NF.Zeros([2, 0, 4], dtype), NF.Zeros([4, 5], dtype)).Shape);
        Assert.Equal(new Shape(2, 3, 0), NF.MatMul(NF.Zeros([2, 3, 4], dtype), NF.Zeros([4, 0], dtype)).Shape);
        Assert.Equal(new Shape(0, 2, 3, 5), NF.MatMul(NF.Zeros([0, 1, 3, 4], dtype), NF.Zeros([2, 4, 5], dtype)).Shape);
    }

    [SkippableFact]
    public void Gradients_of_an_empty_product_are_zeros_of_the_operands_shapes()
    {
        RequireBackend();
        var a = NF.Zeros([2, 0, 4]);
        var b = NF.Ones([4, 5]);
        using var tape = new GradientTape();
        tape.Watch(a);
        tape.Watch(b);
        var grads = tape.Gradient(NF.ReduceSum(NF.MatMul(a, b)), [a, b]);
        Assert.Equal(a.Shape, grads[0].Shape);
        Assert.Equal(new float[20], grads[1].ToArray<float>());
    }

    [SkippableFact]
    public void An_empty_layout_is_contiguous_whatever_its_strides()
    {
        RequireBackend();
        Assert.True(Layout.Contiguous(new Shape(2, 0, 5)).IsContiguous);
        Assert.True(NF.Ones([2, 3])[.., 1..1].Layout.IsContiguous);
    }
}

public sealed class ManagedEmptyMatMulTests() : EmptyMatMulTests("managed");

public sealed class NativeCpuEmptyMatMulTests() : EmptyMatMulTests("cpu");

public sealed class CudaEmptyMatMulTests() : EmptyMatMulTests("cuda");
