namespace NeuralFlow.Tests.UserProbe4;

/// <summary>
/// The gradient of x ** n for a C# integer n (<c>NF.Pow(x, 3)</c>, PyTorch's <c>x ** 3</c>):
/// the forward op took the weak 3 as x's dtype, but the rule's exponent n - 1 (plus its mask for
/// n = 0) came out int32 and Pow(x, int32) refused the mixed dtypes, so every tape through an
/// integer power threw. References: torch.autograd.grad with create_graph=True.
/// </summary>
public abstract class PowIntegerExponentGradientTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void First_and_second_derivatives_of_a_float64_cube()
    {
        RequireBackend();
        var x = NF.Constant(new[] { -1.5, -0.3, 0.0, 0.7, 2.0 });
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor first;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            first = inner.Gradient(NF.Pow(x, 3), x);
        }
        var second = outer.Gradient(first, x);
        // torch: 3x^2 = [6.75, 0.27, 0, 1.47, 12], 6x = [-9, -1.8, 0, 4.2, 12]
        Reference.AssertClose([6.75, 0.27, 0, 1.47, 12], first.ToArray<double>(), 1e-12, 1e-12);
        Reference.AssertClose([-9, -1.8, 0, 4.2, 12], second.ToArray<double>(), 1e-12, 1e-12);
    }

    [SkippableFact]
    public void A_float32_square_and_a_zeroth_power()
    {
        RequireBackend();
        var x = NF.Constant(new[] { -2f, 0f, 3f });
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        Assert.Equal([-4f, 0f, 6f], tape.Gradient(NF.Pow(x, 2), x).ToArray<float>());
        // torch: d(x ** 0)/dx = 0 everywhere, x = 0 included.
        Assert.Equal([0f, 0f, 0f], tape.Gradient(NF.Pow(x, 0), x).ToArray<float>());
        Assert.Equal(DType.Float32, tape.Gradient(NF.Pow(x, 5L), x).DType);
    }

    [SkippableFact]
    public void A_hessian_vector_product_through_integer_powers()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1.0, 2.0, 3.0 });
        var v = NF.Constant(new[] { 0.5, -1.0, 2.0 });
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor g;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            g = inner.Gradient(NF.ReduceSum(NF.Pow(x, 3)) + NF.ReduceProd(x), x);
        }
        // torch.autograd.grad((g * v).sum(), x): H v with H = diag(6x) + [[0, 3, 2], [3, 0, 1], [2, 1, 0]] = [4, -8.5, 36]
        Reference.AssertClose([4.0, -8.5, 36.0], outer.Gradient(NF.ReduceSum(g * v), x).ToArray<double>(), 1e-12, 1e-12);
    }
}

public sealed class ManagedPowIntegerExponentGradientTests() : PowIntegerExponentGradientTests("managed");

public sealed class NativeCpuPowIntegerExponentGradientTests() : PowIntegerExponentGradientTests("cpu");

public sealed class CudaPowIntegerExponentGradientTests() : PowIntegerExponentGradientTests("cuda");
