namespace NeuralFlow.Tests;

/// <summary>
/// A gradient of a gradient through batch and layer normalization (a gradient penalty, a
/// Hessian-vector product) equals the finite difference of the first gradient: the fused
/// backward kernels are replaced by recorded ops while an outer tape records. Pooling, whose
/// backward has no recorded form yet, refuses instead of answering wrongly.
/// </summary>
public abstract class NormSecondOrderTests(string backend) : BackendTest(backend)
{
    private static double[] Values(int n, int seed) => SecondOrderCheck.Values(n, seed);

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

    [SkippableFact]
    public void Pooling_refuses_a_second_derivative_instead_of_a_wrong_one()
    {
        RequireBackend();
        var x = NF.Constant(Values(16, 4), [1, 4, 4, 1]);
        using var outer = new GradientTape();
        outer.Watch(x);
        using var inner = new GradientTape();
        inner.Watch(x);
        var y = NF.ReduceSum(NF.Square(NF.MaxPool2D(x, [2, 2])));
        var e = Assert.Throws<NotSupportedException>(() => inner.Gradient(y, x));
        Assert.Contains("MaxPool2D", e.Message);
    }
}

public sealed class ManagedNormSecondOrderTests() : NormSecondOrderTests("managed");
public sealed class NativeCpuNormSecondOrderTests() : NormSecondOrderTests("cpu");
public sealed class CudaNormSecondOrderTests() : NormSecondOrderTests("cuda");
