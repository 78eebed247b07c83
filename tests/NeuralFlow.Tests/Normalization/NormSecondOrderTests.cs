namespace NeuralFlow.Tests;

/// <summary>
/// A gradient of a gradient through batch and layer normalization (a gradient penalty, a
/// Hessian-vector product) equals the finite difference of the first gradient: the fused
/// backward kernels are replaced by recorded ops while an outer tape records, pooling's too.
/// </summary>
public abstract class NormSecondOrderTests(string backend) : BackendTest(backend)
{
    private static void AssertMatchesFiniteDifferences(Func<Tensor, Tensor> f, int[] shape) =>
        SecondOrderCheck.AssertMatchesFiniteDifferences(f, shape);

    [SkippableFact]
    public void Batch_normalization_training_has_the_right_second_derivative()
    {
        RequireBackend();
        var gamma = NF.Constant(new[] { 1.5, -0.5, 2.0 });
        var beta = NF.Constant(new[] { 0.1, 0.2, 0.3 });
        AssertMatchesFiniteDifferences(x => NF.BatchNormalizationTraining(x, gamma, beta, axis: -1, epsilon: 1e-3).Output, [4, 3]);
    }

    [SkippableFact]
    public void Batch_normalization_inference_has_the_right_second_derivative()
    {
        RequireBackend();
        var mean = NF.Constant(new[] { 0.1, -0.2 });
        var variance = NF.Constant(new[] { 0.5, 2.0 });
        // Linear in x: the second derivative is zero, and must come out as zero (not missing).
        AssertMatchesFiniteDifferences(x => NF.Square(NF.BatchNormalization(x, mean, variance, axis: 1)), [3, 2, 2]);
    }

    [SkippableFact]
    public void Layer_normalization_has_the_right_second_derivative()
    {
        RequireBackend();
        var gamma = NF.Constant(new[] { 1.5, -0.5, 2.0, 0.7 });
        AssertMatchesFiniteDifferences(x => NF.LayerNormalization(x, gamma, null), [3, 4]);
    }

    // Before, pooling refused (its fused backward has no recorded form); now the backward is
    // recorded im2col/col2im under an outer tape. x * sum(pool(x)^2) keeps x's shape.
    [SkippableTheory]
    [InlineData("max", "valid")]
    [InlineData("max", "same")]
    [InlineData("average", "valid")]
    [InlineData("average", "same")]
    public void Pooling_has_the_right_second_derivative(string kind, string padding)
    {
        RequireBackend();
        Func<Tensor, Tensor> pool = kind == "max"
            ? x => NF.MaxPool2D(NF.Reshape(x, [1, 4, 5, 1]), [2, 3], [2, 2], padding)
            : x => NF.AvgPool2D(NF.Reshape(x, [1, 4, 5, 1]), [2, 3], [2, 2], padding);
        AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(NF.Square(pool(x))), [4, 5]);
    }
}

public sealed class ManagedNormSecondOrderTests() : NormSecondOrderTests("managed");
public sealed class NativeCpuNormSecondOrderTests() : NormSecondOrderTests("cpu");
public sealed class CudaNormSecondOrderTests() : NormSecondOrderTests("cuda");
