using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.AutodiffApi;

/// <summary>
/// tf.GradientTape's recording controls on every engine: StopRecording (the tf docs' examples:
/// ops inside are invisible, a gradient taken inside is not recorded), Reset (the docs' example:
/// only what follows counts), WatchedVariables, the gradient of several targets (their sum),
/// and the errors for misuse.
/// </summary>
public abstract class GradientTapeControlTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    [SkippableFact]
    public void StopRecording_hides_ops_and_restarts_on_dispose()
    {
        RequireBackend();
        // tf docs: with tape.stop_recording(): y = x ** 2 -> tape.gradient(y, x) is None.
        var x = NF.Constant(4.0);
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            Tensor y;
            using (tape.StopRecording()) y = x * x;
            Assert.Null(tape.Gradient(y, x));
        }
        // After the stop ends, recording resumes: only the op after it counts.
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            Tensor hidden;
            using (tape.StopRecording()) hidden = x * x;
            var y = hidden + 3 * x;
            Assert.Equal(3.0, tape.Gradient(y, x).Item<double>());
        }
    }

    [SkippableFact]
    public void A_gradient_inside_StopRecording_is_not_recorded_for_a_second_order()
    {
        RequireBackend();
        var x = NF.Constant(3.0);
        // A persistent tape may compute gradients while stopped (the tf idiom for a gradient inside the tape's block).
        using (var tape = new GradientTape(persistent: true))
        {
            tape.Watch(x);
            var y = x * x * x;
            using (tape.StopRecording()) Assert.Equal(27.0, tape.Gradient(y, x).Item<double>());
            Assert.Equal(27.0, tape.Gradient(y, x).Item<double>());
        }
        // An outer tape stopped around the inner gradient does not see it: no second derivative.
        using (var outer = new GradientTape())
        {
            outer.Watch(x);
            Tensor dy;
            using (var inner = new GradientTape())
            {
                inner.Watch(x);
                var y = x * x * x;
                using (outer.StopRecording()) dy = inner.Gradient(y, x);
            }
            Assert.Equal(27.0, dy.Item<double>());
            Assert.Null(outer.Gradient(dy, x));
        }
        // Not stopped, the outer tape records it and gives 6x = 18.
        using (var outer = new GradientTape())
        {
            outer.Watch(x);
            Tensor dy;
            using (var inner = new GradientTape())
            {
                inner.Watch(x);
                dy = inner.Gradient(x * x * x, x);
            }
            Assert.Equal(18.0, outer.Gradient(dy, x).Item<double>());
        }
    }

    [SkippableFact]
    public void StopRecording_misuse_throws()
    {
        RequireBackend();
        var x = D(1, 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        using (tape.StopRecording())
            Assert.Contains("already stopped", Assert.Throws<InvalidOperationException>(() => tape.StopRecording()).Message);
        var y = NF.ReduceSum(x * x);
        tape.Gradient(y, x);
        Assert.Contains("not recording", Assert.Throws<InvalidOperationException>(() => tape.StopRecording()).Message);
        tape.Dispose();
        Assert.Throws<ObjectDisposedException>(() => tape.StopRecording());
        Assert.Throws<ObjectDisposedException>(() => tape.Reset());
    }

    [SkippableFact]
    public void Reset_forgets_what_came_before()
    {
        RequireBackend();
        // tf docs: loss = loss_fn(); t.reset(); loss += other_loss_fn() -> only other_loss_fn is differentiated.
        var w = new Variable(NF.Constant(new[] { 1.0, -2.0 }));
        using var tape = new GradientTape();
        var loss = NF.ReduceSum(w * w);            // d/dw = 2w, forgotten
        tape.Reset();
        Assert.Empty(tape.WatchedVariables());
        loss = loss + NF.ReduceSum(3.0 * w);       // d/dw = 3
        AssertClose([3, 3], tape.Gradient(loss, [w])[0].ToArray<double>(), 0, 0, "after reset");
        // A used non-persistent tape records and gives a gradient again after Reset.
        Assert.Throws<InvalidOperationException>(() => tape.Gradient(loss, [w]));
        tape.Reset();
        var again = NF.ReduceSum(w * w);
        AssertClose([2, -4], tape.Gradient(again, [w])[0].ToArray<double>(), 0, 0, "reused");
    }

    [SkippableFact]
    public void WatchedVariables_lists_watched_and_accessed_variables_in_order()
    {
        RequireBackend();
        var a = new Variable(2.0, name: "a");
        var b = new Variable(3.0, name: "b");
        var frozen = new Variable(5.0, trainable: false, name: "frozen");
        var plain = NF.Constant(1.0);
        using (var tape = new GradientTape())
        {
            tape.Watch(plain);
            tape.Watch(frozen);   // watched explicitly: listed although not trainable
            var y = b * a + frozen * plain + a;
            Assert.Equal(new Variable[] { frozen, b, a }, tape.WatchedVariables());
            var g = tape.Gradient(y, [a, b, frozen]);
            AssertClose([4, 2, 1], g.Select(t => t.Item<double>()).ToArray(), 0, 0, "gradients");
        }
        using (var tape = new GradientTape(watchAccessedVariables: false))
        {
            var y = a * b;
            Assert.Empty(tape.WatchedVariables());
            Assert.Null(tape.Gradient(y, [a])[0]);
        }
    }

    [SkippableFact]
    public void Gradient_of_several_targets_is_the_gradient_of_their_sum()
    {
        RequireBackend();
        var x = D(0.5, -1.5, 2);
        var w = D(1, 2, 3);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var t1 = NF.ReduceSum(NF.Sin(x) * w);
        var t2 = x * x;                            // not a scalar: summed, as TensorFlow does
        var t3 = NF.ReduceSum(NF.Exp(x));
        var several = tape.Gradient([t1, t2, t3], [x])[0].ToArray<double>();
        var sum = tape.Gradient(t1 + NF.ReduceSum(t2) + t3, x).ToArray<double>();
        AssertClose(sum, several, 1e-14, 0, "several targets");
        double[] xv = [0.5, -1.5, 2], wv = [1, 2, 3];
        AssertClose(xv.Select((v, i) => Math.Cos(v) * wv[i] + 2 * v + Math.Exp(v)).ToArray(), several, 1e-14, 1e-15, "hand");
        // A target listed twice counts twice; outputGradients weight each target (null: ones).
        AssertClose(xv.Select(v => 4 * v).ToArray(), tape.Gradient([t2, t2], [x])[0].ToArray<double>(), 0, 0, "twice");
        var weighted = tape.Gradient([t2, t3], [x], [D(1, 0, -1), null]);
        AssertClose(xv.Select((v, i) => 2 * v * (1 - i) + Math.Exp(v)).ToArray(), weighted[0].ToArray<double>(), 1e-14, 0, "weighted");
        // No targets: no gradient (null, or zeros when asked).
        Assert.Null(tape.Gradient(Array.Empty<Tensor>(), [x])[0]);
        AssertClose([0, 0, 0], tape.Gradient(Array.Empty<Tensor>(), [x], null, UnconnectedGradients.Zero)[0].ToArray<double>(), 0, 0, "zeros");
    }

    [SkippableFact]
    public void Gradient_of_several_targets_second_order()
    {
        RequireBackend();
        // d/dx of the gradient of [x^3, sin x] summed: 6x - sin x.
        var x = D(0.3, -0.7);
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor g;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            g = inner.Gradient([x * x * x, NF.Sin(x)], [x])[0];
        }
        AssertClose([6 * 0.3 - Math.Sin(0.3), 6 * -0.7 - Math.Sin(-0.7)], outer.Gradient(g, x).ToArray<double>(), 1e-14, 1e-15, "second order");
    }

    [SkippableFact]
    public void Misused_several_target_gradients_throw()
    {
        RequireBackend();
        var x = D(1, 2);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var y = x * 2;
        Assert.Contains("outputGradients has 1 entries but there are 2 targets",
            Assert.Throws<ArgumentException>(() => tape.Gradient([y, y], [x], [D(1, 1)])).Message);
        Assert.Contains("target 1 must be float32 or float64, got int32",
            Assert.Throws<ArgumentException>(() => tape.Gradient([y, NF.Constant(new[] { 1, 2 })], [x])).Message);
        Assert.Contains("target 1 is null", Assert.Throws<ArgumentNullException>(() => tape.Gradient([y, null!], [x])).Message);
        Assert.Contains("source 1 is null", Assert.Throws<ArgumentNullException>(() => tape.Gradient([y], [x, null!])).Message);
        Assert.Contains("must have the target's shape",
            Assert.Throws<ArgumentException>(() => tape.Gradient([y], [x], [D(1, 2, 3)])).Message);
        using var once = new GradientTape();
        once.Watch(x);
        var z = x * x;
        once.Gradient([z], [x]);
        Assert.Contains("one Gradient call", Assert.Throws<InvalidOperationException>(() => once.Gradient([z], [x])).Message);
    }
}

public sealed class ManagedGradientTapeControlTests() : GradientTapeControlTests("managed");

public sealed class NativeCpuGradientTapeControlTests() : GradientTapeControlTests("cpu");

public sealed class CudaGradientTapeControlTests() : GradientTapeControlTests("cuda");
