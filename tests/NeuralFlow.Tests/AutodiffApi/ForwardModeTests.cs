using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.AutodiffApi;

/// <summary>
/// NF.Jvp (jax.jvp by two reverse passes) and NF.Vjp (torch.autograd.functional.vjp) on every
/// engine: PyTorch's numbers (autodiff_api_references.py), central differences along the
/// tangent, the Jacobian from the tape, unconnected primals, and the argument errors.
/// </summary>
public abstract class ForwardModeTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    private static Tensor F(Tensor[] t) => NF.Tanh(t[0] * t[1]) + t[0] * t[0];

    [SkippableFact]
    public void Jvp_and_Vjp_match_pytorch()
    {
        RequireBackend();
        var x = D(0.5, -1.0, 2.0);
        var w = D(1.5, 0.3, -0.7);
        var (y, jvp) = NF.Jvp(F, [x, w], [D(1.0, 0.5, -2.0), D(0.1, 0.2, 0.3)]);
        AssertClose([0.8851489523872873, 0.7086873875484091, 3.1146483517977375], y.ToArray<double>(), 1e-14, 0, "outputs");
        AssertClose([1.9247080028360637, -1.0457568480913315, -7.5676950819489255], jvp.ToArray<double>(), 1e-13, 0, "jvp");
        var (y2, vjp) = NF.Vjp(F, [x, w], D(1, 2, 3));
        AssertClose(y.ToArray<double>(), y2.ToArray<double>(), 0, 0, "vjp outputs");
        AssertClose([1.8948787124219972, -3.4509178229040227, 11.546079836046372], vjp[0].ToArray<double>(), 1e-13, 0, "vjp x");
        AssertClose([0.2982929041406657, -1.8302739236532584, 1.296914754153223], vjp[1].ToArray<double>(), 1e-13, 0, "vjp w");
        // A matrix function: d(A @ A)[T] = A T + T A.
        var (_, jm) = NF.Jvp(a => NF.MatMul(a, a), NF.Constant(new[,] { { 1.0, 2 }, { 3, 4 } }), NF.Constant(new[,] { { 0.5, -1 }, { 2, 0.25 } }));
        AssertClose([2, -3.5, 12.25, 3], jm.ToArray<double>(), 1e-15, 0, "matmul");
        Assert.Equal(new Shape(2, 2), jm.Shape);
    }

    [SkippableFact]
    public void Jvp_matches_central_differences_and_the_jacobian()
    {
        RequireBackend();
        Func<Tensor, Tensor> g = v => NF.Softmax(NF.Sin(v) * NF.Reshape(NF.Range(1.0, 7.0, dtype: DType.Float64), [2, 3]), -1) * NF.Exp(v * 0.3);
        var x0 = RandomValues(6, 4);
        var t0 = RandomValues(6, 5);
        var (_, jvp) = NF.Jvp(g, NF.Constant(x0, [2, 3]), NF.Constant(t0, [2, 3]));
        const double h = 1e-6;
        var plus = g(NF.Constant(x0.Select((v, i) => v + h * t0[i]).ToArray(), [2, 3])).ToArray<double>();
        var minus = g(NF.Constant(x0.Select((v, i) => v - h * t0[i]).ToArray(), [2, 3])).ToArray<double>();
        AssertClose(plus.Select((p, i) => (p - minus[i]) / (2 * h)).ToArray(), jvp.ToArray<double>(), 1e-6, 1e-8, "central differences");
        // J t from the tape's Jacobian.
        var x = NF.Constant(x0, [2, 3]);
        using var tape = new GradientTape();
        tape.Watch(x);
        var jac = NF.Reshape(tape.Jacobian(g(x), x), [6, 6]);
        var jt = NF.MatMul(jac, NF.Constant(t0, [6, 1])).ToArray<double>();
        AssertClose(jt, jvp.ToArray<double>(), 1e-12, 1e-14, "jacobian");
    }

    [SkippableFact]
    public void Unconnected_primals_give_zeros_and_products_nest()
    {
        RequireBackend();
        var x = D(1, 2);
        var unused = D(3, 4);
        var (y, jvp) = NF.Jvp(t => t[0] * 3, [x, unused], [D(1, -1), D(5, 5)]);
        AssertClose([3, -3], jvp.ToArray<double>(), 0, 0, "unused primal adds nothing");
        var (_, none) = NF.Jvp(t => NF.Constant(new[] { 1.0, 1.0 }), [x], [D(1, 1)]);
        AssertClose([0, 0], none.ToArray<double>(), 0, 0, "constant output");
        var (_, stepJvp) = NF.Jvp(t => NF.Round(t[0]) * 1.0, [x], [D(1, 1)]);
        AssertClose([0, 0], stepJvp.ToArray<double>(), 0, 0, "zero-gradient op");
        var (_, vjp) = NF.Vjp(t => NF.ReduceSum(t[0] * t[0]), [x, unused]);
        AssertClose([2, 4], vjp[0].ToArray<double>(), 0, 0, "scalar output, no cotangent");
        AssertClose([0, 0], vjp[1].ToArray<double>(), 0, 0, "unused primal gets zeros");
        // A tape over Jvp differentiates the product: d/dx of J t for f = x^3 is 6 x t.
        using var tape = new GradientTape();
        tape.Watch(x);
        var (_, cubic) = NF.Jvp(v => v * v * v, x, D(1, 0.5));
        AssertClose([6, 6], tape.Gradient(NF.ReduceSum(cubic), x).ToArray<double>(), 1e-15, 0, "third order");
        Assert.Equal(DType.Float64, y.DType);
    }

    [SkippableFact]
    public void Bad_arguments_throw_naming_the_op()
    {
        RequireBackend();
        var x = D(1, 2);
        Assert.Contains("Jvp: 1 primals but 2 tangents", Assert.Throws<ArgumentException>(() => NF.Jvp(F, [x], [x, x])).Message);
        Assert.Contains("Jvp: tangent 0 is float64 (3,) but primal 0 is float64 (2,)", Assert.Throws<ArgumentException>(() => NF.Jvp(F, [x], [D(1, 2, 3)])).Message);
        Assert.Contains("Jvp: tangent 0 is float32 (2,)", Assert.Throws<ArgumentException>(() => NF.Jvp(F, [x], [NF.Constant(new[] { 1f, 2f })])).Message);
        Assert.Contains("Jvp: primal 0 is int32", Assert.Throws<ArgumentException>(() => NF.Jvp(t => t[0] * 1.0, [NF.Constant(new[] { 1, 2 })], [NF.Constant(new[] { 1, 2 })])).Message);
        Assert.Contains("Jvp: the function's output is bool", Assert.Throws<ArgumentException>(() => NF.Jvp(t => t[0] > 1, [x], [x])).Message);
        Assert.Contains("Vjp: the output has shape (2,); give a cotangent", Assert.Throws<ArgumentException>(() => NF.Vjp(t => t[0] * 2, [x])).Message);
        Assert.Contains("Vjp: the cotangent is float64 (3,) but the output is float64 (2,)", Assert.Throws<ArgumentException>(() => NF.Vjp(t => t[0] * 2, [x], D(1, 2, 3))).Message);
        Assert.Throws<ArgumentNullException>(() => NF.Jvp(F, [x], null!));
        Assert.Contains("Vjp: the function returned null", Assert.Throws<InvalidOperationException>(() => NF.Vjp(t => null!, [x])).Message);
    }
}

public sealed class ManagedForwardModeTests() : ForwardModeTests("managed");

public sealed class NativeCpuForwardModeTests() : ForwardModeTests("cpu");

public sealed class CudaForwardModeTests() : ForwardModeTests("cuda");
