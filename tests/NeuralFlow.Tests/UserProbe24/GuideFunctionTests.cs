namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// TensorFlow's "Better performance with tf.function" guide (guide/function.ipynb) in C#, the cells that
/// GuideIntroToGraphsTests does not already walk: a function differentiated by an outer tape, functions calling
/// functions, one trace per input dtype and shape, the Collatz step traced once and replayed, a Python side effect
/// (a list append, an iterator's next) that happens at the trace only, and a module whose traced call updates its
/// variable at every call (the guide's Model printing 1, 2, 3).
/// </summary>
public abstract class GuideFunctionTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Functions_are_differentiable_and_call_each_other()
    {
        RequireBackend();
        var add = NF.Function((Tensor a, Tensor b) => a + b);
        Assert.Equal(new[] { 2f, 2f, 2f, 2f }, add(NF.Ones([2, 2]), NF.Ones([2, 2])).ToArray<float>());

        var v = new Variable(1.0f);
        using (var tape = new GradientTape())
        {
            var result = add(v, NF.Constant(1.0f));
            Assert.Equal(1.0f, tape.Gradient(result, v).Item<float>());
        }

        var denseLayer = NF.Function((Tensor x, Tensor w, Tensor b) => add(NF.MatMul(x, w), b));
        var expected = new[] { 3f, 3f, 3f, 3f, 3f, 3f };
        Assert.Equal(expected, denseLayer(NF.Ones([3, 2]), NF.Ones([2, 2]), NF.Ones([2])).ToArray<float>());
        Assert.Equal(expected, denseLayer(NF.Ones([3, 2]), NF.Ones([2, 2]), NF.Ones([2])).ToArray<float>());
        Assert.True(TracedFunction.Of(denseLayer).LastCallReplayed);
    }

    [SkippableFact]
    public void A_new_dtype_or_shape_traces_again_and_a_seen_one_does_not()
    {
        RequireBackend();
        var tracedWith = new List<string>();
        var @double = NF.Function((Tensor a) =>
        {
            tracedWith.Add($"{a.DType.Name()} {a.Shape}");   // the guide's print("Tracing with", a)
            return a + a;
        });
        Assert.Equal(2, @double(NF.Constant(1)).Item<int>());
        Assert.Equal(2.2f, @double(NF.Constant(1.1f)).Item<float>(), 1e-6f);
        Assert.Equal(2, tracedWith.Count);
        Assert.Equal(4, @double(NF.Constant(2)).Item<int>());   // the int32 scalar trace, replayed: no new trace
        Assert.Equal(new[] { 2, 4 }, @double(NF.Constant(new[] { 1, 2 })).ToArray<int>());
        Assert.Equal(3, tracedWith.Count);
        Assert.Equal(3, TracedFunction.Of(@double).TraceCount);

        // next_collatz: where(x % 2 == 0, x // 2, 3 * x + 1), traced for int32 [2] once and replayed on other values.
        var nextCollatz = NF.Function((Tensor x) =>
            NF.Where(NF.Equal(NF.FloorMod(x, NF.Constant(2)), NF.Constant(0)), NF.FloorDiv(x, NF.Constant(2)), 3 * x + 1));
        Assert.Equal(new[] { 4, 1 }, nextCollatz(NF.Constant(new[] { 1, 2 })).ToArray<int>());
        Assert.Equal(new[] { 10, 2 }, nextCollatz(NF.Constant(new[] { 3, 4 })).ToArray<int>());
        Assert.Equal(new[] { 16, 3 }, nextCollatz(NF.Constant(new[] { 5, 6 })).ToArray<int>());
        Assert.Equal(1, TracedFunction.Of(nextCollatz).TraceCount);
        Assert.True(TracedFunction.Of(nextCollatz).LastCallReplayed);
    }

    [SkippableFact]
    public void Csharp_side_effects_happen_at_the_trace_and_variable_updates_at_every_call()
    {
        RequireBackend();
        var externalList = new List<Tensor>();
        var sideEffect = NF.Function((Tensor x) => externalList.Add(x));
        var one = NF.Constant(1);
        sideEffect(one);
        sideEffect(one);
        sideEffect(one);
        Assert.Single(externalList);   // the list append happened once

        // buggy_consume_next: the iterator is advanced at the trace only, so every call prints (tf.print, replayed at
        // every call) and gives its first value.
        using var iterator = ((IEnumerable<int>)[1, 2, 3]).GetEnumerator();
        var printed = new StringWriter();
        var buggyConsumeNext = NF.Function(() =>
        {
            iterator.MoveNext();
            var value = NF.Constant(iterator.Current) + 0;
            NF.Print(printed, "Value:", value);
            return value;
        });
        Assert.Equal(new[] { 1, 1, 1 }, Enumerable.Range(0, 3).Select(_ => buggyConsumeNext().Item<int>()));
        Assert.True(TracedFunction.Of(buggyConsumeNext).LastCallReplayed);
        Assert.Equal("Value: 1\nValue: 1\nValue: 1\n", printed.ToString());

        // The guide's Model: the counter is a C# value read at the trace, so the traced update runs at every call.
        var m = new CountingModel();
        Assert.Equal(new[] { 1, 2, 3 }, Enumerable.Range(0, 3).Select(_ => m.Call().Item<int>()));
    }

    /// <summary>The guide's Model(tf.Module): a variable, a C# counter, and a traced __call__.</summary>
    private sealed class CountingModel
    {
        private readonly Variable _v = new(0);
        private int _counter;
        private readonly Func<Tensor> _call;

        public CountingModel() => _call = NF.Function(() =>
        {
            if (_counter == 0)
            {
                _counter++;   // a C# side effect: runs once, at the trace
                _v.AssignAdd(1);
            }
            return _v;
        });

        public Tensor Call() => _call();
    }
}

/// <summary>The tf.function guide, on the managed backend.</summary>
public sealed class ManagedGuideFunctionTests() : GuideFunctionTests("managed");

/// <summary>The tf.function guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideFunctionTests() : GuideFunctionTests("cpu");

/// <summary>The tf.function guide, on the CUDA backend.</summary>
public sealed class CudaGuideFunctionTests() : GuideFunctionTests("cuda");
