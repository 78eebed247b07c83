namespace NeuralFlow.Tests;

/// <summary>
/// What an NF.Function returns is, as tf.function's, a tensor of the call's own: returning an input,
/// a variable, a tensor made inside at trace time, the same tensor twice, or a view of one of them
/// replays (it once ran eagerly for good, with advice naming an NF.Identity that did not exist), and
/// a returned variable is its value at that call, not the variable as it later becomes. NF.Identity
/// (tf.identity) is a copy whose gradient is the incoming one.
/// </summary>
public abstract class FunctionOutputTests(string backend) : BackendTest(backend)
{
    private static float[] Values(Tensor t) => t.ToArray<float>();

    [SkippableFact]
    public void A_returned_variable_is_its_value_at_that_call()
    {
        RequireBackend();
        var v = new Variable(NF.Constant(new[] { 1f, 2f }));
        var f = NF.Function((Tensor x) =>
        {
            v.AssignAdd(x);
            return v;
        });
        var results = new List<Tensor>();
        for (int i = 0; i < 4; i++) results.Add(f(NF.Ones([2])));
        for (int i = 0; i < 4; i++) Assert.Equal(new[] { 2f + i, 3f + i }, Values(results[i]));
        var info = TracedFunction.Of(f);
        Assert.Null(info.EagerReason);
        Assert.True(info.LastCallReplayed);
        Assert.Equal(new[] { 5f, 6f }, Values(v));
    }

    [SkippableFact]
    public void Inputs_views_repeats_and_constants_are_returned_as_copies()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) =>
        {
            var y = x * 2;
            return new[] { y, y, x, y[..1], NF.Constant(7f) };
        });
        for (int i = 0; i < 4; i++)
        {
            var input = NF.Fill([2], (float)i);
            var r = f(input);
            Assert.Equal(new[] { 2f * i, 2f * i }, Values(r[0]));
            Assert.Equal(new[] { 2f * i, 2f * i }, Values(r[1]));
            Assert.Equal(new[] { (float)i, i }, Values(r[2]));
            Assert.Equal(new[] { 2f * i }, Values(r[3]));
            Assert.Equal(7f, r[4].Item<float>());
            for (int a = 0; a < r.Length; a++)
                for (int b = a + 1; b < r.Length; b++)
                    Assert.NotSame(r[a].Storage, r[b].Storage);
            Assert.NotSame(input.Storage, r[2].Storage);
        }
        Assert.Null(TracedFunction.Of(f).EagerReason);
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void An_identity_function_replays_each_input()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => x);
        var first = NF.Constant(new[] { 1f, 2f });
        var r1 = f(first);
        var r2 = f(NF.Constant(new[] { 5f, 6f }));
        var r3 = f(first);
        Assert.Equal(new[] { 1f, 2f }, Values(r1));
        Assert.Equal(new[] { 5f, 6f }, Values(r2));
        Assert.Equal(new[] { 1f, 2f }, Values(r3));
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void A_null_output_runs_eagerly_and_says_so()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => new Tensor[] { x + 1, null! });
        var r = f(NF.Ones([2]));
        Assert.Null(r[1]);
        Assert.Equal(new[] { 2f, 2f }, Values(f(NF.Ones([2]))[0]));
        Assert.Equal("output 1 is null", TracedFunction.Of(f).EagerReason);
    }

    [SkippableFact]
    public void Identity_copies_a_variable_and_passes_its_gradient()
    {
        RequireBackend();
        var v = new Variable(NF.Constant(new[] { 1f, 2f, 3f }));
        Tensor snapshot, grad;
        using (var tape = new GradientTape())
        {
            snapshot = NF.Identity(v);
            var loss = NF.ReduceSum(snapshot * NF.Constant(new[] { 4f, 5f, 6f }));
            grad = tape.Gradient(loss, [v])[0]!;
        }
        v.Assign(NF.Zeros([3]));
        Assert.Equal(new[] { 1f, 2f, 3f }, Values(snapshot));
        Assert.Equal(new[] { 4f, 5f, 6f }, Values(grad));
        var view = NF.Transpose(NF.Reshape(NF.Range(0f, 6f), [2, 3]));
        var copy = NF.Identity(view);
        Assert.Equal(view.Shape, copy.Shape);
        Assert.Equal(Values(view), Values(copy));
    }
}

public sealed class ManagedFunctionOutputTests() : FunctionOutputTests("managed");

public sealed class NativeCpuFunctionOutputTests() : FunctionOutputTests("cpu");

public sealed class CudaFunctionOutputTests() : FunctionOutputTests("cuda");
