namespace NeuralFlow.Tests.UserProbe4;

/// <summary>
/// TensorFlow's <c>tape.gradient(..., unconnected_gradients=tf.UnconnectedGradients.ZERO)</c>:
/// zeros of the source's shape instead of null where the target does not depend on it. Without
/// it the second derivative of relu or abs (whose first derivative does not depend on x in the
/// recorded graph) was null, where TensorFlow's ReluGrad / Sign gradients give zeros, so a
/// Hessian loop over a relu network dereferenced null.
/// </summary>
public abstract class UnconnectedGradientsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Zero_gives_zeros_of_each_unconnected_source()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f, 2f, 3f });
        var unused = NF.Constant(new[,] { { 1.0, 2.0 } });
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        tape.Watch(unused);
        var y = NF.ReduceSum(x * 2f);
        var grads = tape.Gradient(y, [x, unused], unconnectedGradients: UnconnectedGradients.Zero);
        Assert.Equal([2f, 2f, 2f], grads[0].ToArray<float>());
        Assert.Equal(unused.Shape, grads[1].Shape);
        Assert.Equal(DType.Float64, grads[1].DType);
        Assert.Equal([0.0, 0.0], grads[1].ToArray<double>());
        Assert.Null(tape.Gradient(y, [unused])[0]);   // the default stays TensorFlow's None
    }

    [SkippableFact]
    public void Second_derivatives_of_piecewise_linear_functions_are_zeros()
    {
        RequireBackend();
        var x = NF.Constant(new[] { -1.5, 0.5, 2.0 });
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor first;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            first = inner.Gradient(NF.ReduceSum(NF.Relu(x) + NF.Abs(x)), x);
        }
        // d/dx (relu + abs) = [0 - 1, 1 + 1, 1 + 1]; TensorFlow's second derivative: zeros.
        Assert.Equal([-1.0, 2.0, 2.0], first.ToArray<double>());
        Assert.Equal([0.0, 0.0, 0.0], outer.Gradient(first, [x], unconnectedGradients: UnconnectedGradients.Zero)[0].ToArray<double>());
    }

    [SkippableFact]
    public void An_undefined_choice_is_refused()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f });
        using var tape = new GradientTape();
        tape.Watch(x);
        Assert.Throws<ArgumentOutOfRangeException>(() => tape.Gradient(x * 2f, [x], unconnectedGradients: (UnconnectedGradients)7));
    }
}

public sealed class ManagedUnconnectedGradientsTests() : UnconnectedGradientsTests("managed");

public sealed class NativeCpuUnconnectedGradientsTests() : UnconnectedGradientsTests("cpu");

public sealed class CudaUnconnectedGradientsTests() : UnconnectedGradientsTests("cuda");
