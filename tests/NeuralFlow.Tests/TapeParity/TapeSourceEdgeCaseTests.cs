using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.TapeParity;

/// <summary>
/// tf.GradientTape's documented answers for unusual sources and targets: an integer source gets
/// None (int zeros with UnconnectedGradients.ZERO), a target that is its own source gets ones,
/// a watched integer tensor gets no gradient, a source listed twice gets its gradient twice (as
/// separate tensors), watch_accessed_variables=False leaves a variable read unwatched, a
/// non-scalar target is summed, and a jacobian of an unconnected target is None or zeros of
/// shape target.shape + source.shape.
/// </summary>
public abstract class TapeSourceEdgeCaseTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    [SkippableFact]
    public void An_integer_source_gets_none_or_integer_zeros()
    {
        RequireBackend();
        var x = D(0.5, -1.0);
        var i = NF.Constant(new[] { 3, 4 });
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        tape.Watch(i);                       // TF warns and still watches; an int never gets a gradient
        var y = NF.ReduceSum(x * NF.Cast(i, DType.Float64));
        var g = tape.Gradient(y, [x, i]);
        AssertClose([3, 4], g[0].ToArray<double>(), 0, 0, "float source");
        Assert.Null(g[1]);
        var z = tape.Gradient(y, [x, i], null, UnconnectedGradients.Zero);
        Assert.Equal(DType.Int32, z[1].DType);
        Assert.Equal(new Shape(2), z[1].Shape);
        Assert.Equal(new[] { 0, 0 }, z[1].ToArray<int>());
        // An integer variable, watched by name, is listed but gets no gradient either.
        var counter = new Variable(NF.Constant(new[] { 1L, 2L }));
        using var watching = new GradientTape();
        watching.Watch(counter);
        Assert.Same(counter, Assert.Single(watching.WatchedVariables()));
        var loss = NF.ReduceSum(NF.Cast(counter, DType.Float64) * x);
        var lg = watching.Gradient(loss, [counter], null, UnconnectedGradients.Zero)[0];
        Assert.Equal(DType.Int64, lg.DType);
        Assert.Equal(new[] { 0L, 0L }, lg.ToArray<long>());
    }

    [SkippableFact]
    public void A_target_that_is_its_own_source_gets_ones()
    {
        RequireBackend();
        var x = D(1.5, -2, 0);
        var other = NF.Constant(7.0);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var g = tape.Gradient(x, [x, other]);
        AssertClose([1, 1, 1], g[0].ToArray<double>(), 0, 0, "x w.r.t. x");
        Assert.Null(g[1]);
        var y = NF.Square(x);                // an intermediate as both target and source
        AssertClose([1, 1, 1], tape.Gradient(y, y).ToArray<double>(), 0, 0, "y w.r.t. y");
        // TF seeds a target that is a source with ones even when nothing watched it.
        var c = NF.Constant(new[] { 2f, 3f });
        var gc = tape.Gradient(c, c);
        Assert.Equal(DType.Float32, gc.DType);
        Assert.Equal(new[] { 1f, 1f }, gc.ToArray<float>());
    }

    [SkippableFact]
    public void A_source_listed_twice_gets_its_gradient_twice_as_separate_tensors()
    {
        RequireBackend();
        var x = D(0.5, 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        var g = tape.Gradient(NF.ReduceSum(x * x * x), [x, x]);
        AssertClose([0.75, 12], g[0].ToArray<double>(), 1e-15, 0, "first");
        AssertClose([0.75, 12], g[1].ToArray<double>(), 1e-15, 0, "second");
        Assert.NotSame(g[0], g[1]);
        g[0].Dispose();                      // each result is the caller's own
        AssertClose([0.75, 12], g[1].ToArray<double>(), 1e-15, 0, "after disposing the first");
    }

    [SkippableFact]
    public void Without_watching_accessed_variables_a_variable_read_has_no_gradient_unless_watched()
    {
        RequireBackend();
        var w = new Variable(D(2, -3));
        var b = new Variable(D(0.5, 0.5));
        using var tape = new GradientTape(persistent: true, watchAccessedVariables: false);
        tape.Watch(b);
        var loss = NF.ReduceSum(w * w + b * w);
        var g = tape.Gradient(loss, [w, b]);
        Assert.Null(g[0]);
        AssertClose([2, -3], g[1].ToArray<double>(), 0, 0, "watched b");
        AssertClose([0, 0], tape.Gradient(loss, [w], null, UnconnectedGradients.Zero)[0].ToArray<double>(), 0, 0, "zeros");
        Assert.Same(b, Assert.Single(tape.WatchedVariables()));
        // The default watches every trainable variable it reads.
        using var auto = new GradientTape();
        var l2 = NF.ReduceSum(w * w + b * w);
        var g2 = auto.Gradient(l2, [w, b]);
        AssertClose([4.5, -5.5], g2[0].ToArray<double>(), 0, 0, "2w + b");
        AssertClose([2, -3], g2[1].ToArray<double>(), 0, 0, "w");
    }

    [SkippableFact]
    public void A_non_scalar_target_is_summed()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1.0, 2, 3, -1, 0.5, 4 }, [2, 3]);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var y = x * x;                       // d(sum x^2)/dx = 2x
        var g = tape.Gradient(y, x);
        Assert.Equal(new Shape(2, 3), g.Shape);
        AssertClose([2, 4, 6, -2, 1, 8], g.ToArray<double>(), 0, 0, "2x");
        // A row sum broadcast back: every column gets the sum of its row's weights.
        var m = NF.MatMul(x, NF.Ones(new Shape(3, 2), DType.Float64));
        AssertClose([2, 2, 2, 2, 2, 2], tape.Gradient(m, x).ToArray<double>(), 0, 0, "x @ ones");
        // An empty target sums to zero: a zero gradient of the source's shape.
        var e = NF.Zeros(new Shape(0), DType.Float64);
        tape.Watch(e);
        var ge = tape.Gradient(NF.Exp(e), e);
        Assert.Equal(new Shape(0), ge.Shape);
    }

    [SkippableFact]
    public void Jacobians_of_an_unconnected_target_are_null_or_zeros_of_the_right_shape()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }, [2, 4]);
        var z = NF.Constant(new[] { 1.0, 2, 3, 4, 5, 6 }, [2, 3]);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var y = NF.Square(z);                // does not read x
        Assert.Null(tape.Jacobian(y, x));
        Assert.Null(tape.BatchJacobian(y, x));
        var j = tape.Jacobian(y, x, UnconnectedGradients.Zero);
        Assert.Equal(new Shape(2, 3, 2, 4), j.Shape);
        Assert.Equal(DType.Float64, j.DType);
        Assert.All(j.ToArray<double>(), v => Assert.Equal(0.0, v));
        var bj = tape.BatchJacobian(y, x, UnconnectedGradients.Zero);
        Assert.Equal(new Shape(2, 3, 4), bj.Shape);
        Assert.All(bj.ToArray<double>(), v => Assert.Equal(0.0, v));
        // A non-persistent tape's Jacobian answers the same and still counts as its one call.
        using var once = new GradientTape();
        once.Watch(x);
        var y1 = NF.Exp(z);
        Assert.Equal(new Shape(2, 3, 2, 4), once.Jacobian(y1, x, UnconnectedGradients.Zero).Shape);
        Assert.Contains("already computed a gradient", Assert.Throws<InvalidOperationException>(() => once.Jacobian(y1, x)).Message);
    }
}

public sealed class ManagedTapeSourceEdgeCaseTests() : TapeSourceEdgeCaseTests("managed");

public sealed class NativeCpuTapeSourceEdgeCaseTests() : TapeSourceEdgeCaseTests("cpu");

public sealed class CudaTapeSourceEdgeCaseTests() : TapeSourceEdgeCaseTests("cuda");
