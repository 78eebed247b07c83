namespace NeuralFlow.Tests.UserProbe11;

/// <summary>
/// Variables passed to an NF.Function as arguments, as tf.function users pass them (an
/// <c>apply(var, grad)</c> step called for each variable, a counter handed in): the function
/// updates the argument in place, and may reach the same variable through its closure as well.
/// Before, an argument was always data: a replay on a GPU updated the CUDA graph's copy of it and
/// dropped the update, and a trace whose argument was a captured variable replayed later calls
/// with another tensor by writing that tensor instead of the variable. Each case is checked
/// against the same C# run eagerly and must replay.
/// </summary>
public abstract class VariableArgumentTests(string backend) : BackendTest(backend)
{
    // Runs `calls` through the body eagerly and through NF.Function; returns both transcripts
    // (each call's output, then the variables' final values) and the function.
    private static (List<float[]> Eager, List<float[]> Traced, TracedFunction Info) Twin<TState>(
        Func<TState> make, Func<TState, Func<Tensor, Tensor, Tensor>> body,
        Func<TState, IEnumerable<(Tensor A, Tensor B)>> calls, Func<TState, IEnumerable<Variable>> state)
    {
        var runs = new List<float[]>[2];
        TracedFunction? info = null;
        for (int k = 0; k < 2; k++)
        {
            var s = make();
            var f = k == 0 ? body(s) : NF.Function(body(s));
            if (k == 1) info = TracedFunction.Of(f);
            runs[k] = calls(s).Select(c => f(c.A, c.B).ToArray<float>()).ToList();
            runs[k].AddRange(state(s).Select(v => v.ToArray<float>()));
        }
        return (runs[0], runs[1], info!);
    }

    private static void AssertSame(List<float[]> eager, List<float[]> traced)
    {
        Assert.Equal(eager.Count, traced.Count);
        for (int i = 0; i < eager.Count; i++) Assert.Equal(eager[i], traced[i]);
    }

    [SkippableFact]
    public void An_apply_step_called_for_each_of_two_variables_updates_each_as_eagerly()
    {
        RequireBackend();
        var (eager, traced, info) = Twin(
            () => (A: new Variable(NF.Constant(new[] { 1f, 2f }), name: "a"), B: new Variable(NF.Constant(new[] { 10f, 20f }), name: "b")),
            s => (v, g) =>
            {
                ((Variable)v).AssignSub(g * 0.5f);
                return NF.ReduceSum(v);
            },
            s => Enumerable.Range(0, 4).SelectMany(i => new[] { ((Tensor)s.A, NF.Ones([2])), (s.B, NF.Constant(new[] { 1f, -1f })) }),
            s => [s.A, s.B]);
        AssertSame(eager, traced);
        Assert.Equal(new[] { -1f, 0f }, traced[^2]);
        Assert.Equal(new[] { 8f, 22f }, traced[^1]);
        Assert.True(info.ReplayCount >= 4, $"replays: {info.ReplayCount}, {info.EagerReason}");
    }

    [SkippableFact]
    public void A_function_traced_with_its_captured_variable_as_argument_updates_that_variable_when_called_with_another_tensor()
    {
        RequireBackend();
        var (eager, traced, info) = Twin(
            () => new Variable(NF.Constant(new[] { 1f, 2f }), name: "w"),
            w => (x, scale) =>
            {
                w.AssignAdd(x * scale);
                return w * 1;
            },
            w => [(w, NF.Ones([1])), (w, NF.Ones([1])), (NF.Ones([2]), NF.Ones([1])), (NF.Ones([2]), NF.Ones([1])), (NF.Ones([2]), NF.Ones([1]))],
            w => [w]);
        AssertSame(eager, traced);
        Assert.Equal(new[] { 7f, 11f }, traced[^1]);
        Assert.True(info.ReplayCount >= 2, $"replays: {info.ReplayCount}, {info.EagerReason}");
    }

    [SkippableFact]
    public void A_function_traced_with_a_tensor_and_called_with_the_variable_it_updates_reads_the_updated_value()
    {
        RequireBackend();
        var (eager, traced, info) = Twin(
            () => new Variable(NF.Constant(new[] { 1f, 2f }), name: "w"),
            w => (x, scale) =>
            {
                var before = x * scale;
                w.AssignAdd(x);
                return before + x * w;   // x is w in the last calls: its new value
            },
            w => [(NF.Ones([2]), NF.Constant(3f)), (NF.Ones([2]), NF.Constant(3f)), (NF.Ones([2]), NF.Constant(3f)), (w, NF.Constant(3f)), (w, NF.Constant(3f)), (w, NF.Constant(3f))],
            w => [w]);
        AssertSame(eager, traced);
        Assert.True(info.ReplayCount >= 3, $"replays: {info.ReplayCount}, {info.EagerReason}");
    }

    [SkippableFact]
    public void A_variable_passed_twice_is_both_arguments_as_eagerly()
    {
        RequireBackend();
        var (eager, traced, info) = Twin(
            () => new Variable(NF.Constant(new[] { 1f, 2f }), name: "v"),
            v => (a, b) =>
            {
                ((Variable)a).AssignAdd(NF.Ones([2]));
                return b * 1;                        // b is a: the value just updated
            },
            v => Enumerable.Repeat<(Tensor, Tensor)>((v, v), 4),
            v => [v]);
        AssertSame(eager, traced);
        Assert.Equal(new[] { 2f, 3f }, traced[0]);
        Assert.True(info.ReplayCount >= 2, $"replays: {info.ReplayCount}, {info.EagerReason}");
    }

    // A view of the variable the function updates, passed as an argument: eagerly it reads the
    // variable as updated. Traced with the view, a replay for another tensor would write that
    // tensor instead, so that signature runs eagerly, saying why; traced with a plain tensor, a
    // later call with the view must read the updated variable (a CUDA graph's copy of it did not).
    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_view_of_a_captured_variable_passed_as_argument_reads_it_as_eagerly(bool viewFirst)
    {
        RequireBackend();
        var (eager, traced, info) = Twin(
            () => new Variable(NF.Constant(new[] { 1f, 2f, 3f, 4f }), name: "w"),
            w => (x, scale) =>
            {
                w.AssignAdd(NF.Ones([4]));
                return x * scale;
            },
            w => Enumerable.Range(0, 6).Select(i => ((i < 3) == viewFirst ? NF.Reshape(w, [2, 2]) : NF.Ones([2, 2]), NF.Constant(new[] { 2f }))),
            w => [w]);
        AssertSame(eager, traced);
        Assert.Equal(new[] { 7f, 8f, 9f, 10f }, traced[^1]);
        if (viewFirst)
        {
            Assert.Equal(0, info.ReplayCount);
            Assert.Contains("shares its buffer with variable 'w'", info.EagerReason);
        }
        else Assert.True(info.ReplayCount >= 4, $"replays: {info.ReplayCount}, {info.EagerReason}");
    }

    [SkippableFact]
    public void A_counter_passed_in_counts_every_replay()
    {
        RequireBackend();
        var counter = new Variable(NF.Zeros([1]), name: "counter");
        var f = NF.Function((Tensor c, Tensor x) =>
        {
            ((Variable)c).AssignAdd(NF.ReduceSum(x, keepDims: true));
            return c * 2;
        });
        var outs = Enumerable.Range(0, 5).Select(_ => f(counter, NF.Ones([3])).ToArray<float>()[0]).ToArray();
        Assert.Equal(new[] { 6f, 12f, 18f, 24f, 30f }, outs);
        Assert.Equal(new[] { 15f }, counter.ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
    }
}

/// <summary>Variable arguments on the managed backend.</summary>
public sealed class ManagedVariableArgumentTests() : VariableArgumentTests("managed");

/// <summary>Variable arguments on the native CPU backend.</summary>
public sealed class NativeCpuVariableArgumentTests() : VariableArgumentTests("cpu");

/// <summary>Variable arguments on CUDA (replays as CUDA graphs).</summary>
public sealed class CudaVariableArgumentTests() : VariableArgumentTests("cuda");
