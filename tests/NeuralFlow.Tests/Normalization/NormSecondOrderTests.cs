namespace NeuralFlow.Tests;

/// <summary>
/// A gradient of a gradient through batch and layer normalization (a gradient penalty, a
/// Hessian-vector product) equals the finite difference of the first gradient: the fused
/// backward kernels are replaced by recorded ops while an outer tape records. Pooling, whose
/// backward has no recorded form yet, refuses instead of answering wrongly.
/// </summary>
public abstract class NormSecondOrderTests(string backend) : BackendTest(backend)
{
    private static double[] Values(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => r.NextDouble() * 2 - 1).ToArray();
    }

    // v . d/dx [ sum(w * d/dx sum(u * f(x))) ]: an outer tape over an inner gradient.
    private static double[] HessianVector(Func<Tensor, Tensor> f, double[] x0, int[] shape, double[] u, double[] w)
    {
        var x = NF.Constant(x0, shape);
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor g;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            g = inner.Gradient(NF.ReduceSum(f(x) * NF.Constant(u, shape)), x);
        }
        return outer.Gradient(NF.ReduceSum(g * NF.Constant(w, shape)), x).ToArray<double>();
    }

    private static double[] FirstGradient(Func<Tensor, Tensor> f, double[] x0, int[] shape, double[] u)
    {
        var x = NF.Constant(x0, shape);
        using var tape = new GradientTape();
        tape.Watch(x);
        return tape.Gradient(NF.ReduceSum(f(x) * NF.Constant(u, shape)), x).ToArray<double>();
    }

    private static void AssertMatchesFiniteDifferences(Func<Tensor, Tensor> f, int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        double[] x0 = Values(n, 1), u = Values(n, 2), w = Values(n, 3);
        var analytic = HessianVector(f, x0, shape, u, w);
        const double h = 1e-5;
        for (int i = 0; i < n; i++)
        {
            var plus = (double[])x0.Clone(); plus[i] += h;
            var minus = (double[])x0.Clone(); minus[i] -= h;
            var gp = FirstGradient(f, plus, shape, u);
            var gm = FirstGradient(f, minus, shape, u);
            double numeric = 0;
            for (int j = 0; j < n; j++) numeric += w[j] * (gp[j] - gm[j]) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"element {i}: finite differences {numeric}, second-order gradient {analytic[i]}");
        }
    }

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
