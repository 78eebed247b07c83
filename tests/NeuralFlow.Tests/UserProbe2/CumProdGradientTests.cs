namespace NeuralFlow.Tests.UserProbe2;

/// <summary>
/// NF.CumProd's gradient where x holds zeros: PyTorch 1.13's values (torch.cumprod backward in
/// float64; exclusive and reverse built from flip and cat), where TensorFlow's CumSum(y * g) / x
/// rule, which NeuralFlow used, gave NaN.
/// </summary>
public abstract class CumProdGradientTests(string backend) : BackendTest(backend)
{
    private static readonly double[,] X = { { 2, 0, 3, 0, 5 }, { 1, -2, 0, 4, 0.5 }, { 0, 0, 1, 2, 3 } };

    // Weights of the outputs in the loss: arange(15).reshape(3, 5) / 7 - 1.
    private static Tensor Weights() => NF.Reshape(NF.Range(0.0, 15.0, 1.0, dtype: DType.Float64), [3, 5]) / 7.0 - 1.0;

    public static TheoryData<int, bool, bool, double[]> Cases() => new()
    {
        { 1, false, false, [-1.0, -6.0, 0.0, 0.0, 0.0, 0.0, -0.1428571429, -2.2857142857, 0.0, 0.0, 0.4285714286, 0.0, 0.0, 0.0, 0.0] },
        { 1, false, true, [0.0, 0.0, 0.0, -13.5714285714, -0.4285714286, 0.0, 0.0, 1.7142857143, 0.0714285714, 0.8571428571, 0.0, 3.4285714286, 4.2857142857, 4.7142857143, 4.1428571429] },
        { 1, true, false, [-0.8571428571, -4.8571428571, 0.0, 0.0, 0.0, -0.1428571429, 0.0, -2.5714285714, 0.0, 0.0, 0.5714285714, 0.0, 0.0, 0.0, 0.0] },
        { 1, true, true, [0.0, 0.0, 0.0, -16.4285714286, -0.5714285714, 0.0, 0.0, 0.8571428571, 0.0, 0.1428571429, 0.0, 2.5714285714, 3.4285714286, 3.8571428571, 3.4285714286] },
        { 0, false, false, [-1.2857142857, -0.5714285714, -0.7142857143, 6.8571428571, 1.2142857143, -0.5714285714, 0.0, 2.1428571429, 0.0, 16.4285714286, 0.8571428571, 0.0, 0.0, 0.0, 2.5] },
        { 0, false, true, [0.0, 0.0, 0.0, -4.5714285714, -0.6428571429, 0.0, 0.0, -2.1428571429, 0.2857142857, -5.5714285714, -1.8571428571, 0.8571428571, 0.7142857143, 1.4285714286, 0.0714285714] },
        { 0, true, false, [0.1428571429, -1.2857142857, 0.0, 3.5714285714, 0.7857142857, 0.8571428571, 0.0, 2.1428571429, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0] },
        { 0, true, true, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.7142857143, -1.1428571429, -1.2857142857, -1.2857142857, 1.5714285714, 0.0, -2.1428571429, 0.0714285714] },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Gradient_with_zeros_matches_PyTorch(int axis, bool exclusive, bool reverse, double[] expected)
    {
        RequireBackend();
        var x = NF.Constant(X);
        using var tape = new GradientTape();
        tape.Watch(x);
        var loss = NF.ReduceSum(NF.CumProd(x, axis, exclusive, reverse) * Weights());
        var grad = tape.Gradient(loss, x).ToArray<double>();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(grad[i] - expected[i]) < 1e-9, $"axis {axis}, exclusive {exclusive}, reverse {reverse}: element {i} is {grad[i]}, PyTorch {expected[i]}");
    }

    [SkippableFact]
    public void Float32_gradient_at_a_zero_is_finite_and_exact()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 2f, 0f, 3f });
        using var tape = new GradientTape();
        tape.Watch(x);
        var grad = tape.Gradient(NF.ReduceSum(NF.CumProd(x)), x);
        Assert.Equal(new[] { 1f, 8f, 0f }, grad.ToArray<float>());   // torch: [1, 8, 0]
    }

    [SkippableFact]
    public void Second_derivative_through_a_zero_matches_PyTorch()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 2.0, 0.0, 3.0, -1.5 });
        var w = NF.Constant(new[] { 0.5, -1.0, 2.0, 1.0 });
        var v = NF.Constant(new[] { 1.0, 2.0, -1.0, 0.5 });
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor g;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            g = inner.Gradient(NF.ReduceSum(NF.CumProd(x) * w), x);
        }
        var h = outer.Gradient(NF.ReduceSum(g * v), x);
        Assert.Equal(new[] { 0.5, 1.0, 0.0, 0.0 }, g.ToArray<double>());
        var hv = h.ToArray<double>();
        double[] torch = [1.0, 2.5, 2.0, 12.0];
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(hv[i] - torch[i]) < 1e-12, $"element {i}: {hv[i]} vs PyTorch {torch[i]}");
    }
}

public sealed class ManagedCumProdGradientTests() : CumProdGradientTests("managed");

public sealed class NativeCpuCumProdGradientTests() : CumProdGradientTests("cpu");

public sealed class CudaCumProdGradientTests() : CumProdGradientTests("cuda");
