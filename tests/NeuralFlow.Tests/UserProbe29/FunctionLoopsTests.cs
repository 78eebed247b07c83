namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// Tensor-bounded control flow inside NF.Function, as tf.function turns it into graph control flow: NF.WhileLoop,
/// NF.ForiLoop with tensor bounds, NF.Cond with a tensor predicate and NF.Switch with a tensor index trace once and
/// replay, each replay taking its own branch or number of iterations, equal to the eager call bit for bit (before,
/// each read its predicate on the host and the function ran eagerly with that reason).
/// </summary>
/// <remarks>
/// The expected values are the same lambdas run eagerly, outside any function: what the replay must equal. The
/// hand-checked ones say so where they stand.
/// </remarks>
public abstract class FunctionLoopsTests(string backend) : BackendTest(backend)
{
    private static Tensor F(params float[] values) => NF.Constant(values);

    // x <- 1.5 x + 0.25 while sum(x) < bound.
    private static Tensor Grow(Tensor x, Tensor bound) =>
        NF.WhileLoop(v => NF.Less(NF.ReduceSum(v), bound), v => v * 1.5f + 0.25f, x);

    [SkippableFact]
    public void While_loop_with_a_tensor_bound_traces_once_and_replays_each_bound_equal_to_eager()
    {
        RequireBackend();
        var f = NF.Function((Tensor x, Tensor bound) => Grow(x, bound));
        var info = TracedFunction.Of(f);
        float[] bounds = [10, 100, 0, 3, 1000, 10];
        for (int call = 0; call < bounds.Length; call++)
        {
            var got = f(F(1, 2), F(bounds[call])).ToArray<float>();
            Assert.True(call == 0 ? !info.LastCallReplayed : info.LastCallReplayed, info.EagerReason);
            Assert.Null(info.EagerReason);
            Assert.Equal(Grow(F(1, 2), F(bounds[call])).ToArray<float>(), got);
        }
        Assert.Equal(1, info.TraceCount);
        Assert.Equal(bounds.Length - 1, info.ReplayCount);
        // By hand: sum 3 < 10 once (1.75, 3.25), sum 5 < 10 again (2.875, 5.125), sum 8 < 10 again, then 12.5 stops.
        Assert.Equal(new[] { 4.5625f, 7.9375f }, f(F(1, 2), F(10)).ToArray<float>());
        // Bound 0: no iteration, the input back (a copy of it).
        Assert.Equal(new[] { 1f, 2f }, f(F(1, 2), F(0)).ToArray<float>());

        // A loop whose body the trace does not enter is traced without running it, and replays it later.
        var g = NF.Function((Tensor x, Tensor bound) => Grow(x, bound));
        Assert.Equal(new[] { 1f, 2f }, g(F(1, 2), F(0)).ToArray<float>());
        Assert.Null(TracedFunction.Of(g).EagerReason);
        foreach (var bound in new[] { 100f, 3f, 0f })
        {
            Assert.Equal(Grow(F(1, 2), F(bound)).ToArray<float>(), g(F(1, 2), F(bound)).ToArray<float>());
            Assert.True(TracedFunction.Of(g).LastCallReplayed, TracedFunction.Of(g).EagerReason);
        }
        Assert.Equal(1, TracedFunction.Of(g).TraceCount);
    }

    [SkippableFact]
    public void While_loop_over_several_variables_swapping_them_replays_as_eager()
    {
        RequireBackend();
        // Fibonacci: (a, b) -> (b, a + b) while b < n; the body returns a loop variable in another's place.
        Tensor[] Fib(Tensor n) => NF.WhileLoop(v => NF.Less(v[1], n), v => [v[1], v[0] + v[1]], [NF.Constant(0), NF.Constant(1)]);
        var f = NF.Function((Tensor n) => Fib(n));
        foreach (var n in new[] { 10, 100, 1, 2 })
        {
            var got = f(NF.Constant(n));
            var want = Fib(NF.Constant(n));
            Assert.Equal(want[0].Item<int>(), got[0].Item<int>());
            Assert.Equal(want[1].Item<int>(), got[1].Item<int>());
        }
        // By hand: 0 1 1 2 3 5 8 13 21 34 55 89 144.
        var hundred = f(NF.Constant(100));
        Assert.Equal((89, 144), (hundred[0].Item<int>(), hundred[1].Item<int>()));
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
        Assert.Equal(1, TracedFunction.Of(f).TraceCount);
    }

    [SkippableFact]
    public void Fori_loop_with_tensor_lower_and_upper_replays_each_range()
    {
        RequireBackend();
        static Tensor Body(Tensor i, Tensor v) => v * 0.5f + NF.Cast(i, DType.Float32);
        var f = NF.Function((Tensor x, Tensor lo, Tensor hi) => NF.ForiLoop(lo, hi, Body, x));
        var info = TracedFunction.Of(f);
        foreach (var (lo, hi) in new[] { (0, 3), (2, 6), (5, 5), (7, 2), (-2, 4) })
        {
            var got = f(F(1, -3), NF.Constant(lo), NF.Constant(hi)).ToArray<float>();
            Assert.Equal(NF.ForiLoop(NF.Constant(lo), NF.Constant(hi), Body, F(1, -3)).ToArray<float>(), got);
        }
        Assert.True(info.LastCallReplayed, info.EagerReason);
        Assert.Equal(1, info.TraceCount);
        // By hand, 0..3 from 1: 0.5, 1.25, 2.625.
        Assert.Equal(2.625f, f(F(1, -3), NF.Constant(0), NF.Constant(3)).ToArray<float>()[0]);

        // int64 bounds: the index is int64 in the trace as eagerly.
        var seen = new List<DType>();
        var wide = NF.Function((Tensor x, Tensor hi) => NF.ForiLoop(NF.Constant(1L), hi, (i, v) => { seen.Add(i.DType); return Body(i, v); }, x));
        foreach (var hi in new[] { 4L, 9L, 0L })
            Assert.Equal(NF.ForiLoop(NF.Constant(1L), NF.Constant(hi), Body, F(2)).ToArray<float>(), wide(F(2), NF.Constant(hi)).ToArray<float>());
        Assert.True(TracedFunction.Of(wide).LastCallReplayed, TracedFunction.Of(wide).EagerReason);
        Assert.All(seen, d => Assert.Equal(DType.Int64, d));
        // A bound that is no integer scalar is refused by name, traced or not.
        var e = Assert.Throws<ArgumentException>(() => f(F(1, -3), NF.Constant(0), NF.Constant(new[] { 1, 2 })));
        Assert.Contains("ForiLoop: upper must be an integer scalar tensor", e.Message);
    }

    [SkippableFact]
    public void Cond_with_a_tensor_predicate_takes_both_branches_across_calls_of_one_trace()
    {
        RequireBackend();
        Tensor[] Pick(Tensor x, Tensor p) => NF.Cond(p, () => new[] { x + 1f, NF.ReduceSum(x) }, () => new[] { x * 10f, NF.ReduceMax(x) });
        foreach (bool firstTaken in new[] { true, false })
        {
            // Traced with either branch taken first: the other is traced without running.
            var f = NF.Function((Tensor x, Tensor p) => Pick(x, p));
            var info = TracedFunction.Of(f);
            foreach (bool p in new[] { firstTaken, !firstTaken, firstTaken, !firstTaken })
            {
                var got = f(F(1, 2), NF.Constant(p));
                var want = Pick(F(1, 2), NF.Constant(p));
                Assert.Equal(want[0].ToArray<float>(), got[0].ToArray<float>());
                Assert.Equal(want[1].Item<float>(), got[1].Item<float>());
            }
            Assert.True(info.LastCallReplayed, info.EagerReason);
            Assert.Equal(1, info.TraceCount);
            Assert.Equal(new[] { 10f, 20f }, f(F(1, 2), NF.Constant(false))[0].ToArray<float>());
        }
        // A number predicate holds when nonzero (NaN too, as Python's bool), a single tensor result.
        var g = NF.Function((Tensor x, Tensor p) => NF.Cond(p, () => x * 2f, () => x * -3f));
        Assert.Equal(new[] { -3f }, g(F(1), F(0)).ToArray<float>());
        Assert.Equal(new[] { 2f }, g(F(1), F(-0.5f)).ToArray<float>());
        Assert.Equal(new[] { 2f }, g(F(1), F(float.NaN)).ToArray<float>());
        Assert.Equal(new[] { -3f }, g(F(1), F(0)).ToArray<float>());
        Assert.True(TracedFunction.Of(g).LastCallReplayed, TracedFunction.Of(g).EagerReason);
    }

    [SkippableFact]
    public void Switch_with_a_tensor_index_replays_each_branch_clamped_as_keras()
    {
        RequireBackend();
        Func<Tensor[], Tensor>[] branches = [o => o[0] + o[1], o => o[0] * o[1], o => NF.Negative(o[0])];
        var f = NF.Function((Tensor x, Tensor y, Tensor k) => NF.Switch(k, branches, x, y));
        var info = TracedFunction.Of(f);
        // keras.ops.switch clamps: below 0 is branch 0, past the end the last.
        var want = new Dictionary<int, float[]> { [1] = [3, 8], [0] = [4, 6], [2] = [-1, -2], [9] = [-1, -2], [-4] = [4, 6] };
        foreach (var (k, expected) in want)
        {
            Assert.Equal(expected, f(F(1, 2), F(3, 4), NF.Constant(k)).ToArray<float>());
            Assert.Equal(NF.Switch(NF.Constant(k), branches, F(1, 2), F(3, 4)).ToArray<float>(), expected);
        }
        Assert.Equal(new[] { 3f, 8f }, f(F(1, 2), F(3, 4), NF.Constant(1)).ToArray<float>());
        Assert.True(info.LastCallReplayed, info.EagerReason);
        Assert.Equal(1, info.TraceCount);
        // Traced, every branch is: a null among them is refused by its position.
        var holed = NF.Function((Tensor x, Tensor k) => NF.Switch(k, new Func<Tensor[], Tensor>[] { o => o[0], null! }, x));
        var e = Assert.Throws<ArgumentException>(() => holed(F(1), NF.Constant(0)));
        Assert.Contains("Switch: branch 1 is null", e.Message);
    }

    [SkippableFact]
    public void Maximum_iterations_bounds_every_replay()
    {
        RequireBackend();
        Tensor Capped(Tensor x, Tensor bound, int? max) =>
            NF.WhileLoop(v => NF.Less(NF.ReduceSum(v), bound), v => v * 2f, x, maximumIterations: max);
        var f = NF.Function((Tensor x, Tensor bound) => Capped(x, bound, 3));
        // Bound 10 stops after 2 doublings (1, 2 -> 4, 8); bound 1000 is cut at 3 (8, 16); bound 0 runs none.
        Assert.Equal(new[] { 4f, 8f }, f(F(1, 2), F(10)).ToArray<float>());
        Assert.Equal(new[] { 8f, 16f }, f(F(1, 2), F(1000)).ToArray<float>());
        Assert.Equal(new[] { 1f, 2f }, f(F(1, 2), F(0)).ToArray<float>());
        Assert.Equal(Capped(F(1, 2), F(1000), 3).ToArray<float>(), f(F(1, 2), F(1000)).ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
        Assert.Equal(1, TracedFunction.Of(f).TraceCount);
        // maximumIterations 0: the loop variables as given, nothing read.
        var none = NF.Function((Tensor x, Tensor bound) => Capped(x, bound, 0));
        Assert.Equal(new[] { 1f, 2f }, none(F(1, 2), F(1000)).ToArray<float>());
        Assert.Equal(new[] { 1f, 2f }, none(F(1, 2), F(1000)).ToArray<float>());
        Assert.True(TracedFunction.Of(none).LastCallReplayed, TracedFunction.Of(none).EagerReason);
    }

    [SkippableFact]
    public void A_body_changing_a_shape_or_dtype_and_branches_of_other_dtypes_are_refused_by_name()
    {
        RequireBackend();
        // tf.while_loop without shape_invariants: a loop variable whose shape changes is an error, at the trace.
        var grows = NF.Function((Tensor x, Tensor n) => NF.WhileLoop(v => NF.Less(NF.ReduceSum(v), n), v => NF.Concat(new[] { v, v }, 0), x));
        var e = Assert.Throws<InvalidOperationException>(() => grows(F(1), F(10)));
        Assert.Contains("WhileLoop: value 0 is float32 (1,) but body returned float32 (2,) for it", e.Message);
        // Also when the trace does not enter the body: it is traced all the same.
        e = Assert.Throws<InvalidOperationException>(() => grows(F(1), F(0)));
        Assert.Contains("WhileLoop: value 0 is float32 (1,) but body returned float32 (2,)", e.Message);
        var casts = NF.Function((Tensor n) => NF.WhileLoop(v => NF.Less(v[0], n), v => [v[0] + 1, NF.Cast(v[1], DType.Float32)], [NF.Constant(0), NF.Constant(0)]));
        e = Assert.Throws<InvalidOperationException>(() => casts(NF.Constant(3)));
        Assert.Contains("value 1 is int32 () but body returned float32 ()", e.Message);

        // tf.cond: both branches must give the same structure and dtypes.
        var dtypes = NF.Function((Tensor x, Tensor p) => NF.Cond(p, () => x, () => NF.Cast(x, DType.Int32)));
        e = Assert.Throws<InvalidOperationException>(() => dtypes(F(1), NF.Constant(true)));
        Assert.Contains("Cond: output 0 is float32 in branch 0 but int32 in branch 1", e.Message);
        var counts = NF.Function((Tensor x, Tensor p) => NF.Cond(p, () => new[] { x, x }, () => new[] { x }));
        e = Assert.Throws<InvalidOperationException>(() => counts(F(1), NF.Constant(false)));
        Assert.Contains("Cond: branch 0 returns 2 tensors but branch 1 returns 1", e.Message);
        // Branches of other shapes cannot share a replay's fixed outputs: the function runs eagerly, right, with the reason.
        var shapes = NF.Function((Tensor x, Tensor p) => NF.Cond(p, () => x, () => NF.Concat(new[] { x, x }, 0)));
        Assert.Equal(new[] { 1f, 1f }, shapes(F(1), NF.Constant(false)).ToArray<float>());
        Assert.Equal(new[] { 1f }, shapes(F(1), NF.Constant(true)).ToArray<float>());
        Assert.Contains("Cond: output 0 is (2,) in branch 1 but (1,) in branch 0", TracedFunction.Of(shapes).EagerReason);
    }

    [SkippableFact]
    public void A_body_assigning_a_variable_updates_it_once_per_iteration_and_an_untaken_branch_never()
    {
        RequireBackend();
        var count = new Variable(NF.Constant(0f), name: "count");
        var total = new Variable(F(0, 0), name: "total");
        var f = NF.Function((Tensor x, Tensor n) => NF.ForiLoop(NF.Constant(0), n, (i, v) =>
        {
            count.AssignAdd(NF.Constant(1f));
            total.AssignAdd(v);
            return v + 1f;
        }, x));
        Assert.Equal(new[] { 4f, 5f }, f(F(1, 2), NF.Constant(3)).ToArray<float>());
        Assert.Equal(3f, count.Item<float>());
        Assert.Equal(new[] { 6f, 9f }, total.ToArray<float>());   // 1+2+3, 2+3+4
        Assert.Equal(new[] { 3f, 4f }, f(F(1, 2), NF.Constant(2)).ToArray<float>());
        Assert.Equal(5f, count.Item<float>());
        Assert.Equal(new[] { 9f, 14f }, total.ToArray<float>());
        Assert.Equal(new[] { 1f, 2f }, f(F(1, 2), NF.Constant(0)).ToArray<float>());
        Assert.Equal(5f, count.Item<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);

        // The branch not taken at the trace is recorded, not run: its assignment happens at the replays that take it.
        var flag = new Variable(NF.Constant(0f), name: "flag");
        var g = NF.Function((Tensor x, Tensor p) => NF.Cond(p, () => x + flag, () => { flag.AssignAdd(NF.Constant(10f)); return x - 1f; }));
        Assert.Equal(new[] { 5f }, g(F(5), NF.Constant(true)).ToArray<float>());
        Assert.Equal(0f, flag.Item<float>());
        Assert.Equal(new[] { 4f }, g(F(5), NF.Constant(false)).ToArray<float>());
        Assert.Equal(10f, flag.Item<float>());
        Assert.Equal(new[] { 15f }, g(F(5), NF.Constant(true)).ToArray<float>());
        Assert.True(TracedFunction.Of(g).LastCallReplayed, TracedFunction.Of(g).EagerReason);
        // A loop the trace does not enter likewise: nothing counted until a replay iterates.
        var h = NF.Function((Tensor n) => NF.WhileLoop(v => NF.Less(v, n), v => { count.AssignAdd(NF.Constant(1f)); return v + 1; }, NF.Constant(0)));
        Assert.Equal(0, h(NF.Constant(0)).Item<int>());
        Assert.Equal(5f, count.Item<float>());
        Assert.Equal(4, h(NF.Constant(4)).Item<int>());
        Assert.Equal(9f, count.Item<float>());
        Assert.True(TracedFunction.Of(h).LastCallReplayed, TracedFunction.Of(h).EagerReason);
    }

    [SkippableFact]
    public void Random_draws_in_a_body_are_fresh_each_iteration_as_eagerly()
    {
        RequireBackend();
        Tensor Noisy(Tensor x, Tensor n) => NF.ForiLoop(NF.Constant(0), n, (i, v) => v + NF.Random.Uniform(new Shape(3)), x);
        var f = NF.Function((Tensor x, Tensor n) => Noisy(x, n));
        try
        {
            var eager = new List<float[]>();
            NF.Random.SetSeed(5);
            foreach (int n in new[] { 2, 3, 1 }) eager.Add(Noisy(NF.Zeros(new Shape(3)), NF.Constant(n)).ToArray<float>());
            NF.Random.SetSeed(5);
            var traced = new[] { 2, 3, 1 }.Select(n => f(NF.Zeros(new Shape(3)), NF.Constant(n)).ToArray<float>()).ToList();
            Assert.Equal(eager, traced);
            Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
            // Each iteration drew its own numbers: the three-step sum is no multiple of one draw.
            Assert.NotEqual(traced[1][0], 3 * traced[2][0]);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void A_cond_inside_a_loop_body_and_a_tape_around_a_loop_inside_the_function()
    {
        RequireBackend();
        // Collatz steps of n, counted: a cond per iteration, inside the loop's step.
        Tensor[] Collatz(Tensor n) => NF.WhileLoop(v => NF.Greater(v[0], 1),
            v => [NF.Cond(NF.Equal(v[0] % 2, 0), () => NF.FloorDiv(v[0], NF.Constant(2)), () => v[0] * 3 + 1), v[1] + 1], [n, NF.Constant(0)]);
        var f = NF.Function((Tensor n) => Collatz(n));
        foreach (var (n, steps) in new[] { (6, 8), (27, 111), (1, 0), (7, 16) })
        {
            var got = f(NF.Constant(n));
            Assert.Equal(steps, got[1].Item<int>());
            Assert.Equal(Collatz(NF.Constant(n))[1].Item<int>(), got[1].Item<int>());
        }
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
        Assert.Equal(1, TracedFunction.Of(f).TraceCount);

        // A GradientTape recording around the loop inside the function: the predicate is read on the host, so the
        // function runs eagerly with the reason, and the gradient is the eager one (x * 2 * 2 * 2: 8).
        var g = NF.Function((Tensor x, Tensor n) =>
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            var y = NF.WhileLoop(v => NF.Less(NF.ReduceSum(v), n), v => v * 2f, x);
            return tape.Gradient(NF.ReduceSum(y), x);
        });
        Assert.Equal(new[] { 8f }, g(F(1), F(5)).ToArray<float>());
        Assert.Contains("host", TracedFunction.Of(g).EagerReason);

        // A traced loop called under a tape with ReplayUnderTape: its compiled gradient would recompute the forward
        // with one draw per random op, not one per iteration, so the call runs eagerly and the gradient is the eager one.
        Tensor Scaled(Tensor x, Tensor n) => NF.ForiLoop(NF.Constant(0), n, (i, v) => v * (1f + NF.Random.Uniform(new Shape(1))), x);
        var k = NF.Function((Tensor x, Tensor n) => Scaled(x, n));
        TracedFunction.Of(k).ReplayUnderTape = true;
        try
        {
            k(F(1), NF.Constant(3));
            Tensor Gradient(Func<Tensor, Tensor, Tensor> f)
            {
                NF.Random.SetSeed(8);
                var x = F(1);
                using var tape = new GradientTape();
                tape.Watch(x);
                return tape.Gradient(NF.ReduceSum(f(x, NF.Constant(3))), x);
            }
            Assert.Equal(Gradient(Scaled).ToArray<float>(), Gradient(k).ToArray<float>());
            Assert.Contains("loop or branch on a tensor predicate", TracedFunction.Of(k).EagerReason);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>Traced tensor-bounded control flow on the managed backend.</summary>
public sealed class ManagedFunctionLoopsTests() : FunctionLoopsTests("managed");

/// <summary>Traced tensor-bounded control flow on the native CPU backend.</summary>
public sealed class NativeCpuFunctionLoopsTests() : FunctionLoopsTests("cpu");

/// <summary>Traced tensor-bounded control flow on the emulated CUDA backend.</summary>
public sealed class CudaFunctionLoopsTests() : FunctionLoopsTests("cuda");
