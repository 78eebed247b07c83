namespace NeuralFlow.Tests.UserProbe7;

/// <summary>
/// GradientTape as the workshop teaches it (watch, persistent, nested, non-scalar targets,
/// unconnected and integer sources, variables) with float64 values and TensorFlow's documented
/// results: a non-scalar target is summed, an integer source has no gradient (None), a variable
/// read twice accumulates both paths, a non-trainable variable is not watched automatically.
/// </summary>
public abstract class TapeEdgeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Non_scalar_targets_sum_and_variables_read_twice_accumulate()
    {
        RequireBackend();
        var w = new Variable(NF.Constant(new[,] { { 1.0, -2.0 }, { 0.5, 3.0 } }));
        var x = NF.Constant(new[,] { { 2.0, 1.0 }, { -1.0, 4.0 } });
        using var tape = new GradientTape(persistent: true);
        var y = w * x + w * w;           // (2, 2) target
        var gw = tape.Gradient(y, w);     // d sum(y)/dw = x + 2w
        Assert.Equal(DType.Float64, gw.DType);
        Assert.Equal([4.0, -3.0, 0.0, 10.0], gw.ToArray<double>());
        // output_gradients weighs the elements: a vector-Jacobian product.
        var vjp = tape.Gradient(y, [w], NF.Constant(new[,] { { 1.0, 0.0 }, { 2.0, -1.0 } }))[0];
        Assert.Equal([4.0, 0.0, 0.0, -10.0], vjp.ToArray<double>());
    }

    [SkippableFact]
    public void Integer_and_unconnected_sources_have_no_gradient_and_non_trainable_variables_are_not_watched()
    {
        RequireBackend();
        var w = new Variable(NF.Constant(new[] { 1.0, 2.0 }));
        var unused = new Variable(NF.Constant(new[] { 3.0 }));
        var frozen = new Variable(NF.Constant(new[] { 4.0, 5.0 }), trainable: false);
        var ints = NF.Constant(new[] { 1, 2 });
        using var tape = new GradientTape();
        tape.Watch(ints);
        var loss = NF.ReduceSum(w * frozen + NF.Cast(ints, DType.Float64) * w);
        var grads = tape.Gradient(loss, [w, unused, frozen, ints]);
        Assert.Equal([5.0, 7.0], grads[0].ToArray<double>());
        Assert.Null(grads[1]);
        Assert.Null(grads[2]);
        Assert.Null(grads[3]);
    }

    [SkippableFact]
    public void Nested_tapes_give_second_derivatives_in_float64()
    {
        RequireBackend();
        var x = new Variable(NF.Constant(new[] { -1.5, 0.25, 2.0 }));
        using var outer = new GradientTape();
        Tensor first;
        using (var inner = new GradientTape())
        {
            var y = x * x * x + NF.Exp(x);
            first = inner.Gradient(y, x);   // 3x^2 + e^x
        }
        var second = outer.Gradient(first, x);  // 6x + e^x
        double[] xs = [-1.5, 0.25, 2.0];
        Assert.Equal(xs.Select(v => 3 * v * v + Math.Exp(v)).ToArray(), first.ToArray<double>(), new Tolerance(1e-13));
        Assert.Equal(xs.Select(v => 6 * v + Math.Exp(v)).ToArray(), second.ToArray<double>(), new Tolerance(1e-13));
    }

    private sealed class Tolerance(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol * Math.Max(1, Math.Abs(a));
        public int GetHashCode(double v) => 0;
    }
}

public sealed class ManagedTapeEdgeTests() : TapeEdgeTests("managed");

public sealed class NativeCpuTapeEdgeTests() : TapeEdgeTests("cpu");

public sealed class CudaTapeEdgeTests() : TapeEdgeTests("cuda");
