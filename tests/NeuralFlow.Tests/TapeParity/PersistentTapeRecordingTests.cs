using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.TapeParity;

/// <summary>
/// TensorFlow records the gradient a persistent tape computes inside its <c>with</c> block on that
/// same tape, so <c>t.gradient(t.gradient(y, x), x)</c> is the second derivative. Values from
/// tape_parity_references.py (torch 1.13, create_graph=True), and the Hessian-vector product of
/// one persistent tape against two nested tapes and finite differences (SecondOrderCheck).
/// </summary>
public abstract class PersistentTapeRecordingTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    [SkippableFact]
    public void Gradient_of_a_gradient_on_one_persistent_tape_gives_higher_derivatives()
    {
        RequireBackend();
        var x = D(0.5, -1.2, 2.0);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var y = NF.ReduceSum(NF.Sin(x) * x * x);
        var d1 = tape.Gradient(y, x);
        var d2 = tape.Gradient(d1, x);      // d1 is a vector: summed, as TensorFlow does
        var d3 = tape.Gradient(d2, x);
        // tape_parity_references.py "sin(x)*x^2".
        AssertClose([0.6988211790767962, 2.758688972767753, 1.9726023611141572], d1.ToArray<double>(), 1e-13, 1e-14, "d1");
        AssertClose([2.5941598163381006, -2.26125910962968, -5.147769546028503], d2.ToArray<double>(), 1e-13, 1e-14, "d2");
        AssertClose([3.6078231150570343, -5.058330058550396, -11.743862795002466], d3.ToArray<double>(), 1e-13, 1e-14, "d3");
        // The first gradient is still available after the recorded ones were appended.
        AssertClose(d1.ToArray<double>(), tape.Gradient(y, x).ToArray<double>(), 0, 0, "again");
    }

    [SkippableFact]
    public void The_tensorflow_example_x_cubed_gives_6x_and_a_variable_is_differentiated_twice()
    {
        RequireBackend();
        var x = NF.Constant(3.0);
        using (var tape = new GradientTape(persistent: true))
        {
            tape.Watch(x);
            var y = x * x * x;
            var dy = tape.Gradient(y, x);
            Assert.Equal(27.0, dy.Item<double>(), 12);
            Assert.Equal(18.0, tape.Gradient(dy, x).Item<double>(), 12);
        }
        // Trainable variables are watched on their own: "w^3" gives 3w^2 = 6.75, then 6w = 9.
        var w = new Variable(1.5);
        using (var tape = new GradientTape(persistent: true))
        {
            var loss = w * w * w;
            var g = tape.Gradient(loss, w);
            Assert.Equal(6.75, g.Item<double>(), 12);
            Assert.Equal(9.0, tape.Gradient(g, w).Item<double>(), 12);
        }
    }

    [SkippableFact]
    public void A_jacobian_inside_the_block_is_recorded_too()
    {
        RequireBackend();
        var x = D(0.5, -1.2, 2.0);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var j = tape.Jacobian(x * x, x);
        // tape_parity_references.py "jacobian x^2": diag(2x), and the gradient of its sum is 2.
        Assert.Equal(new Shape(3, 3), j.Shape);
        AssertClose([1, 0, 0, 0, -2.4, 0, 0, 0, 4], j.ToArray<double>(), 1e-15, 0, "jacobian");
        AssertClose([2, 2, 2], tape.Gradient(j, x).ToArray<double>(), 1e-15, 0, "gradient of the jacobian");
    }

    [SkippableFact]
    public void Gradients_that_are_not_recorded_behave_as_before()
    {
        RequireBackend();
        var x = NF.Constant(3.0);
        // Inside StopRecording the persistent tape does not see its gradient: nothing to differentiate.
        using (var tape = new GradientTape(persistent: true))
        {
            tape.Watch(x);
            var y = x * x * x;
            Tensor dy;
            using (tape.StopRecording()) dy = tape.Gradient(y, x);
            Assert.Equal(27.0, dy.Item<double>(), 12);
            Assert.Null(tape.Gradient(dy, x));
            Assert.Equal(0.0, tape.Gradient(dy, [x], null, UnconnectedGradients.Zero)[0].Item<double>());
        }
        // A non-persistent tape stops recording at its one Gradient call, as TensorFlow pops it.
        var before = Tape.Active.Count;
        using (var once = new GradientTape())
        {
            once.Watch(x);
            var dy = once.Gradient(x * x * x, x);
            Assert.Equal(27.0, dy.Item<double>(), 12);
            Assert.Equal(before, Tape.Active.Count);
            Assert.Contains("already computed a gradient", Assert.Throws<InvalidOperationException>(() => once.Gradient(dy, x)).Message);
        }
        // A disposed tape (C#'s end of the `with` block) neither records nor gives gradients.
        var closed = new GradientTape(persistent: true);
        closed.Watch(x);
        var z = x * x;
        closed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => closed.Gradient(z, x));
    }

    [SkippableFact]
    public void An_outer_tape_and_the_persistent_tape_both_record_the_gradient()
    {
        RequireBackend();
        var x = NF.Constant(2.0);
        using var outer = new GradientTape();
        outer.Watch(x);
        using var inner = new GradientTape(persistent: true);
        inner.Watch(x);
        var y = x * x * x * x;                   // 4x^3 = 32, 12x^2 = 48
        var dy = inner.Gradient(y, x);
        Assert.Equal(32.0, dy.Item<double>(), 12);
        Assert.Equal(48.0, inner.Gradient(dy, x).Item<double>(), 12);
        Assert.Equal(48.0, outer.Gradient(dy, x).Item<double>(), 12);
    }

    public static TheoryData<string> Functions => new() { "tanh(x)*x", "exp(x)*sin(x)", "softmax", "x*x/(1+x*x)" };

    private static Tensor F(string name, Tensor x) => name switch
    {
        "tanh(x)*x" => NF.Tanh(x) * x,
        "exp(x)*sin(x)" => NF.Exp(x) * NF.Sin(x),
        "softmax" => NF.Softmax(x),
        _ => x * x / (1.0 + x * x),
    };

    // The Hessian-vector product v . d/dx [sum(w * d/dx sum(u * f(x)))] from ONE persistent tape.
    private static double[] PersistentHessianVector(Func<Tensor, Tensor> f, double[] x0, int[] shape, double[] u, double[] w)
    {
        var x = NF.Constant(x0, shape);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var g = tape.Gradient(NF.ReduceSum(f(x) * NF.Constant(u, shape)), x);
        return tape.Gradient(NF.ReduceSum(g * NF.Constant(w, shape)), x).ToArray<double>();
    }

    [SkippableTheory]
    [MemberData(nameof(Functions))]
    public void One_persistent_tape_gives_the_hessian_vector_product_of_two_nested_tapes(string name)
    {
        RequireBackend();
        int[] shape = [2, 3];
        double[] x0 = SecondOrderCheck.Values(6, 1), u = SecondOrderCheck.Values(6, 2), w = SecondOrderCheck.Values(6, 3);
        AssertClose(SecondOrderCheck.HessianVector(v => F(name, v), x0, shape, u, w),
            PersistentHessianVector(v => F(name, v), x0, shape, u, w), 1e-12, 1e-13, name);
        // And against central differences of the first gradient.
        SecondOrderCheck.AssertMatchesFiniteDifferences(v => F(name, v), shape, PersistentHessianVector);
    }
}

public sealed class ManagedPersistentTapeRecordingTests() : PersistentTapeRecordingTests("managed");

public sealed class NativeCpuPersistentTapeRecordingTests() : PersistentTapeRecordingTests("cpu");

public sealed class CudaPersistentTapeRecordingTests() : PersistentTapeRecordingTests("cuda");
