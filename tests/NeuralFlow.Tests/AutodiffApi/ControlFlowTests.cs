using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.AutodiffApi;

/// <summary>
/// keras.ops.cond / while_loop / fori_loop / switch on every engine: the Keras docstrings'
/// examples, gradients through the branch taken and the iterations run (finite differences),
/// NF.Function (a data-dependent predicate runs eagerly with a reason and stays right; ForiLoop
/// replays), and the errors for bad predicates, indices and loop bodies.
/// </summary>
public abstract class ControlFlowTests(string backend) : BackendTest(backend)
{
    private static Tensor D(params double[] v) => NF.Constant(v);

    [SkippableFact]
    public void Cond_runs_only_the_branch_taken_and_differentiates_it()
    {
        RequireBackend();
        var x = D(1, 2, 3);
        int trueCalls = 0, falseCalls = 0;
        Tensor Square() { trueCalls++; return x * x; }
        Tensor Negate() { falseCalls++; return -x; }
        AssertClose([1, 4, 9], NF.Cond(NF.Constant(true), Square, Negate).ToArray<double>(), 0, 0, "true");
        AssertClose([-1, -2, -3], NF.Cond(NF.ReduceSum(x) > 10, Square, Negate).ToArray<double>(), 0, 0, "false");
        Assert.Equal((1, 1), (trueCalls, falseCalls));
        // Numbers are predicates as Python's bool: nonzero (NaN included) holds.
        Assert.Equal(1, NF.Cond(NF.Constant(2.5), () => 1, () => 0));
        Assert.Equal(1, NF.Cond(NF.Constant(double.NaN), () => 1, () => 0));
        Assert.Equal(0, NF.Cond(NF.Constant(0), () => 1, () => 0));
        Assert.Equal(1, NF.Cond(NF.Constant(new[] { -1L }), () => 1, () => 0));
        GradientTests.Check(t => NF.Cond(NF.ReduceSum(t[0]) > 0, () => NF.Sin(t[0]) * t[1], () => t[0] * t[0] + NF.Exp(t[1])), GradientTests.In([4], 1, 0.1, 1), GradientTests.In([4], 2));
        GradientTests.Check(t => NF.Cond(NF.ReduceSum(t[0]) > 0, () => NF.Sin(t[0]) * t[1], () => t[0] * t[0] + NF.Exp(t[1])), GradientTests.In([4], 1, -1, -0.1), GradientTests.In([4], 2));
        var e = Assert.Throws<ArgumentException>(() => NF.Cond(D(1, 2), () => 1, () => 0));
        Assert.Contains("Cond: pred must be a scalar (one element), got shape (2,)", e.Message);
        Assert.Throws<ArgumentNullException>(() => NF.Cond<Tensor>(NF.Constant(true), null!, () => x));
    }

    [SkippableFact]
    public void Cond_in_NF_Function_is_traced_once_and_replays_either_branch()
    {
        RequireBackend();
        // tf.function turns a tensor-predicated cond into graph control flow: one trace, both branches in it.
        var f = NF.Function((Tensor x) => NF.Cond(NF.ReduceSum(x) > 0, () => x * 2, () => x * -3));
        var info = TracedFunction.Of(f);
        AssertClose([2, 4], f(D(1, 2)).ToArray<double>(), 0, 0, "first");
        AssertClose([3, 6], f(D(-1, -2)).ToArray<double>(), 0, 0, "other branch");
        AssertClose([6, -2], f(D(3, -1)).ToArray<double>(), 0, 0, "back");
        Assert.True(info.LastCallReplayed, info.EagerReason);
        Assert.Equal(1, info.TraceCount);
        // A data-dependent iteration count likewise: each replay runs as many iterations as its data needs.
        var loop = NF.Function((Tensor x) => NF.WhileLoop(v => NF.ReduceSum(v) < 10, v => v * 2, x));
        AssertClose([4, 8], loop(D(1, 2)).ToArray<double>(), 0, 0, "two doublings");
        AssertClose([6, 6], loop(D(3, 3)).ToArray<double>(), 0, 0, "one doubling");
        AssertClose([20, 0], loop(D(20, 0)).ToArray<double>(), 0, 0, "none");
        Assert.True(TracedFunction.Of(loop).LastCallReplayed, TracedFunction.Of(loop).EagerReason);
        Assert.Equal(1, TracedFunction.Of(loop).TraceCount);
        // Switch on a C# index reads nothing: traced and replayed.
        var pick = NF.Function((Tensor x) => NF.Switch(1, [o => o[0] + 1, o => o[0] * 3], x));
        AssertClose([3, 6], pick(D(1, 2)).ToArray<double>(), 0, 0, "switch traced");
        AssertClose([-3, 0], pick(D(-1, 0)).ToArray<double>(), 0, 0, "switch replayed");
        Assert.True(TracedFunction.Of(pick).LastCallReplayed, TracedFunction.Of(pick).EagerReason);
    }

    [SkippableFact]
    public void WhileLoop_keras_docstring_examples()
    {
        RequireBackend();
        // keras.ops.while_loop(lambda i: i < 10, lambda i: i + 1, 0) -> 10.
        var i = NF.WhileLoop(v => v < 10, v => v + 1, NF.Constant(0));
        Assert.Equal(DType.Int32, i.DType);
        Assert.Equal(10, i.Item<int>());
        // (x, y) = (0, 1), cond x < 10, body (x + 1, y + 1) -> (10, 11).
        var xy = NF.WhileLoop(v => v[0] < 10, v => [v[0] + 1, v[1] + 1], [NF.Constant(0), NF.Constant(1)]);
        Assert.Equal((10, 11), (xy[0].Item<int>(), xy[1].Item<int>()));
        // maximum_iterations stops it early; 0 iterations returns the loop variables unchanged.
        Assert.Equal(4, NF.WhileLoop(v => v < 10, v => v + 1, NF.Constant(0), maximumIterations: 4).Item<int>());
        var start = NF.Constant(20);
        Assert.Same(start, NF.WhileLoop(v => v < 10, v => v + 1, start));
    }

    [SkippableFact]
    public void WhileLoop_gradient_follows_the_iterations_run()
    {
        RequireBackend();
        // Doubles v until its sum passes 10: from sums in [2, 4] that is 2 or 3 doublings; the finite
        // differences stay on the same count, so they check the product of the iterations run.
        GradientTests.Check(t => NF.WhileLoop(v => NF.ReduceSum(v[0]) < 10, v => [v[0] * v[1], v[1] + 0.5], [t[0], t[1]])[0],
            GradientTests.In([3], 3, 0.9, 1.1), GradientTests.In([3], 4, 1.9, 2.1));
        var x = D(1, 1);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = NF.WhileLoop(v => NF.ReduceSum(v) < 10, v => v * 2, x);    // 3 doublings: 8x
        AssertClose([8, 8], y.ToArray<double>(), 0, 0, "value");
        AssertClose([8, 8], tape.Gradient(NF.ReduceSum(y), x).ToArray<double>(), 0, 0, "gradient");
    }

    [SkippableFact]
    public void ForiLoop_docstring_gradient_and_NF_Function_replay()
    {
        RequireBackend();
        // keras.ops.fori_loop(0, 10, body, 0) summing i: 45.
        var s = NF.ForiLoop(0, 10, (i, acc) => acc + i, NF.Constant(0));
        Assert.Equal(45, s.Item<int>());
        Assert.Equal(7, NF.ForiLoop(5, 5, (i, acc) => acc + i, NF.Constant(7)).Item<int>());
        Assert.Equal(7, NF.ForiLoop(5, -2, (i, acc) => acc + i, NF.Constant(7)).Item<int>());
        var pair = NF.ForiLoop(1, 4, (i, v) => [v[0] * NF.Cast(i, DType.Float64), v[1] + 1.0], [D(1, 2), D(0)]);
        AssertClose([6, 12], pair[0].ToArray<double>(), 0, 0, "product of 1..3");
        AssertClose([3], pair[1].ToArray<double>(), 0, 0, "count");
        // x -> x * (x + i) for i = 0..2.
        GradientTests.Check(t => NF.ForiLoop(0, 3, (i, v) => v * (t[0] + NF.Cast(i, DType.Float64)) * 0.5, t[0]), GradientTests.In([4], 5));
        // The bounds are C# integers: the loop is traced (unrolled) and replayed, the index included.
        var f = NF.Function((Tensor x) => NF.ForiLoop(0, 4, (i, v) => v * x + NF.Cast(i, DType.Float64), x));
        var info = TracedFunction.Of(f);
        static double Expected(double x) { double v = x; for (int i = 0; i < 4; i++) v = v * x + i; return v; }
        AssertClose([Expected(0.5), Expected(-2)], f(D(0.5, -2)).ToArray<double>(), 1e-15, 0, "traced");
        AssertClose([Expected(1.5), Expected(3)], f(D(1.5, 3)).ToArray<double>(), 1e-15, 0, "replayed");
        Assert.True(info.LastCallReplayed, info.EagerReason);
    }

    [SkippableFact]
    public void Switch_keras_docstring_clamping_and_gradient()
    {
        RequireBackend();
        // keras.ops.switch docstring: add 2.0 + 0.5 = 2.5, subtract 2.0 - 0.5 = 1.5.
        Func<Tensor[], Tensor>[] branches = [o => o[0] + o[1], o => o[0] - o[1]];
        var x = NF.Constant(2.0);
        var y = NF.Constant(0.5);
        Assert.Equal(2.5, NF.Switch(0, branches, x, y).Item<double>());
        Assert.Equal(1.5, NF.Switch(1, branches, x, y).Item<double>());
        // Out of range clamps to the first or last branch.
        Assert.Equal(2.5, NF.Switch(-3, branches, x, y).Item<double>());
        Assert.Equal(1.5, NF.Switch(7, branches, x, y).Item<double>());
        Assert.Equal(1.5, NF.Switch(NF.Constant(1), branches, x, y).Item<double>());
        Assert.Equal(1.5, NF.Switch(NF.Constant(new[] { 9L }), branches, x, y).Item<double>());
        GradientTests.Check(t => NF.Switch(NF.Constant(1), [o => o[0] * o[1], o => NF.Exp(o[0]) - o[1]], t[0], t[1]), GradientTests.In([3], 6), GradientTests.In([3], 7));
        Assert.Contains("Switch: index must be an integer scalar, got float64 of shape ()",
            Assert.Throws<ArgumentException>(() => NF.Switch(NF.Constant(1.0), branches, x, y)).Message);
        Assert.Contains("integer scalar", Assert.Throws<ArgumentException>(() => NF.Switch(NF.Constant(new[] { 0, 1 }), branches, x, y)).Message);
        Assert.Contains("Switch: branches is empty", Assert.Throws<ArgumentException>(() => NF.Switch(0, Array.Empty<Func<Tensor[], Tensor>>(), x)).Message);
    }

    [SkippableFact]
    public void Loops_refuse_bodies_that_change_their_variables()
    {
        RequireBackend();
        var e = Assert.Throws<InvalidOperationException>(() => NF.WhileLoop(_ => NF.Constant(true), v => NF.Concat([v, v], 0), D(1), maximumIterations: 3));
        Assert.Contains("WhileLoop: value 0 is float64 (1,) but body returned float64 (2,) for it", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => NF.WhileLoop(v => v < 3, v => NF.Cast(v + 1, DType.Float32), NF.Constant(0)));
        Assert.Contains("value 0 is int32 () but body returned float32 ()", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => NF.WhileLoop(v => v[0] < 3, v => [v[0] + 1], [NF.Constant(0), NF.Constant(1)]));
        Assert.Contains("WhileLoop: body returned 1 values for 2", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => NF.ForiLoop(0, 2, (i, v) => NF.Reshape(v, [1]), NF.Constant(1.0)));
        Assert.Contains("ForiLoop: value 0 is float64 () but body returned float64 (1,)", e.Message);
        Assert.Contains("WhileLoop: cond's result must be a scalar",
            Assert.Throws<ArgumentException>(() => NF.WhileLoop(v => v < 3, v => v + 1, D(0, 1))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.WhileLoop(v => v < 3, v => v + 1, NF.Constant(0), maximumIterations: -1));
        Assert.Contains("loopVars[1] is null", Assert.Throws<ArgumentNullException>(() => NF.WhileLoop(v => v[0] < 3, v => v, [NF.Constant(0), null!])).Message);
    }
}

public sealed class ManagedControlFlowTests() : ControlFlowTests("managed");

public sealed class NativeCpuControlFlowTests() : ControlFlowTests("cpu");

public sealed class CudaControlFlowTests() : ControlFlowTests("cuda");
