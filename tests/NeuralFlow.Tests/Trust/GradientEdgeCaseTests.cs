using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Gradients at the points where a naive rule divides by zero or multiplies 0 by infinity,
/// against TensorFlow's / PyTorch's values (hard-coded; they are exact, worked out beside each),
/// plus float64 finite-difference checks of the rewritten rules.
/// </summary>
public abstract class GradientEdgeCaseTests(string backend) : BackendTest(backend)
{
    private static double[] GradientOf(Func<Tensor, Tensor> f, double[] values, int[] shape)
    {
        var x = NF.Constant(values, shape);
        using var tape = new GradientTape();
        tape.Watch(x);
        return tape.Gradient(NF.ReduceSum(f(x)), x).ToArray<double>();
    }

    [SkippableFact]
    public void ReduceProd_with_zeros_gives_the_product_of_the_other_factors()
    {
        RequireBackend();
        // tf.reduce_prod / torch.prod: d/dx_i = prod_{j != i} x_j (was NaN at the zero, 0/0).
        Assert.Equal(new[] { 12.0, 8.0, 6.0 }, GradientOf(x => NF.ReduceProd(x), [2, 3, 4], [3]));
        Assert.Equal(new[] { 0.0, 6.0, 0.0 }, GradientOf(x => NF.ReduceProd(x), [2, 0, 3], [3]));
        Assert.Equal(new[] { 0.0, 0.0, 0.0 }, GradientOf(x => NF.ReduceProd(x), [0, 2, 0], [3]));
        // Per row, with the rows' own zero counts: [[1, 0, 2], [3, 4, 5]] over axis 1.
        Assert.Equal(new[] { 0.0, 2.0, 0.0, 20.0, 15.0, 12.0 }, GradientOf(x => NF.ReduceProd(x, 1), [1, 0, 2, 3, 4, 5], [2, 3]));
        Assert.Equal(new[] { 0.0, 2.0, 0.0, 20.0, 15.0, 12.0 }, GradientOf(x => NF.ReduceProd(x, 1, keepDims: true), [1, 0, 2, 3, 4, 5], [2, 3]));
        // Over axis 0 of the same: columns [1, 3], [0, 4], [2, 5].
        Assert.Equal(new[] { 3.0, 4.0, 5.0, 1.0, 0.0, 2.0 }, GradientOf(x => NF.ReduceProd(x, 0), [1, 0, 2, 3, 4, 5], [2, 3]));
    }

    [SkippableFact]
    public void ReduceProd_gradient_matches_finite_differences_with_and_without_zeros()
    {
        RequireBackend();
        GradientTests.Check(t => NF.ReduceProd(t[0], 1), GradientTests.In([3, 4], 40, 0.5, 1.5));
        GradientTests.Check(t => NF.ReduceProd(t[0], [0, 2]), GradientTests.In([2, 3, 2], 41, 0.5, 1.5));
        // The product is linear in each factor, so central differences are exact at a zero too.
        GradientTests.Check(t => NF.ReduceProd(t[0], 1), ([1.5, 0, 2, 0, 0, 3, 0.5, 1, 2], [3, 3]));
    }

    [SkippableFact]
    public void ReduceProd_second_derivative_at_a_zero()
    {
        RequireBackend();
        // f = x0 x1 x2 at (2, 0, 3): the Hessian's rows 0 and 1 are (0, x2, x1) = (0, 3, 0) and (x2, 0, x0) = (3, 0, 2).
        var x = NF.Constant(new[] { 2.0, 0.0, 3.0 }, [3]);
        using var outer = new GradientTape(persistent: true);
        outer.Watch(x);
        Tensor d1;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            d1 = inner.Gradient(NF.ReduceProd(x), x);
        }
        using var d1x0 = d1[0];
        using var d1x1 = d1[1];
        Assert.Equal(new[] { 0.0, 3.0, 0.0 }, outer.Gradient(d1x0, x).ToArray<double>());
        Assert.Equal(new[] { 3.0, 0.0, 2.0 }, outer.Gradient(d1x1, x).ToArray<double>());
    }

    [SkippableFact]
    public void Pow_gradients_at_zero_are_finite_as_in_TensorFlow_and_PyTorch()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 0.0, 0.0, 2.0, 0.0 }, [4]);
        var p = NF.Constant(new[] { 2.0, 0.0, 3.0, 0.5 }, [4]);
        using var tape = new GradientTape();
        tape.Watch(x);
        tape.Watch(p);
        var grads = tape.Gradient(NF.ReduceSum(NF.Pow(x, p)), [x, p]);
        // d/dx = p x^(p-1): 0, 0 at 0^0 (PyTorch's value; was 0 * inf = NaN), 3 * 4 = 12, inf at 0^-0.5 (both).
        AssertClose([0, 0, 12, double.PositiveInfinity], grads[0].ToArray<double>());
        // d/dp = x^p log x, with log x taken as 0 where x <= 0 (tf.pow's rule; was 0 * -inf = NaN): 0, 0, 8 ln 2, 0.
        AssertClose([0, 0, 8 * Math.Log(2), 0], grads[1].ToArray<double>());
    }

    [SkippableFact]
    public void Pow_gradient_with_respect_to_a_negative_base_exponent_is_zero_as_in_TensorFlow()
    {
        RequireBackend();
        var x = NF.Constant(new[] { -2.0 }, [1]);
        var p = NF.Constant(new[] { 2.0 }, [1]);
        using var tape = new GradientTape();
        tape.Watch(x);
        tape.Watch(p);
        var grads = tape.Gradient(NF.ReduceSum(NF.Pow(x, p)), [x, p]);
        Assert.Equal(new[] { -4.0 }, grads[0].ToArray<double>());
        Assert.Equal(new[] { 0.0 }, grads[1].ToArray<double>());    // tf: where(x > 0, log(x), 0)
    }

    [SkippableFact]
    public void Pow_gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Pow(t[0], t[1]), GradientTests.In([3, 4], 42, 0.5, 2), GradientTests.In([4], 43));
        GradientTests.Check(t => NF.Pow(t[0], t[1]), GradientTests.In([3], 44, 0.5, 2), ([0.0, 1, 2.5], [3]));
    }

    [SkippableFact]
    public void Binary_crossentropy_from_logits_has_the_sigmoid_gradient_at_zero()
    {
        RequireBackend();
        var logits = NF.Constant(new[] { 0.0, 0.0, 1.5 }, [3]);
        var labels = NF.Constant(new[] { 1.0, 0.0, 1.0 }, [3]);
        using var tape = new GradientTape();
        tape.Watch(logits);
        var loss = new Keras.Losses.BinaryCrossentropy(fromLogits: true).Call(labels, logits);
        // tf.nn.sigmoid_cross_entropy_with_logits / torch's BCEWithLogits: (sigmoid(x) - y) / 3;
        // sigmoid(0) = 0.5 (was -y / 3: relu and abs both have gradient 0 at 0).
        double s15 = 1 / (1 + Math.Exp(-1.5));
        AssertClose([(0.5 - 1) / 3, 0.5 / 3, (s15 - 1) / 3], tape.Gradient(loss, logits).ToArray<double>(), 1e-12, 1e-12);
        // The value is unchanged: log 2 at 0, log(1 + e^-1.5) at 1.5.
        Assert.Equal((2 * Math.Log(2) + Math.Log(1 + Math.Exp(-1.5))) / 3, loss.Item<double>(), 1e-12);
    }

    [SkippableFact]
    public void Binary_crossentropy_from_logits_matches_finite_differences()
    {
        RequireBackend();
        var labels = RandomValues(8, 45, 0, 1);
        GradientTests.Check(t => Keras.Losses.BinaryCrossentropy.PerExample(NF.Constant(labels, [2, 4]), t[0], fromLogits: true),
            GradientTests.In([2, 4], 46, -3, 3));
    }
}

public sealed class ManagedGradientEdgeCaseTests() : GradientEdgeCaseTests("managed");

public sealed class NativeCpuGradientEdgeCaseTests() : GradientEdgeCaseTests("cpu");

public sealed class CudaGradientEdgeCaseTests() : GradientEdgeCaseTests("cuda");
