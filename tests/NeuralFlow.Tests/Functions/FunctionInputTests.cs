using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// The tensors users pass to and get from an NF.Function: row slices, strided and transposed
/// views, broadcast views and one tensor passed twice replay with their own values; inputs the
/// caller disposes after a call, outputs it disposes or keeps (and views of them), and a disposed
/// or mismatched input are all handled as an eager call would handle them.
/// </summary>
public abstract class FunctionInputTests(string backend) : BackendTest(backend)
{
    private static float[] Eager(Tensor a, Tensor b) => (a * b + a).ToArray<float>();

    [SkippableFact]
    public void Views_of_every_kind_replay_with_their_own_values()
    {
        RequireBackend();
        var f = NF.Function((Tensor a, Tensor b) => a * b + a);
        var m = NF.Reshape(NF.Range(0f, 24f), [4, 6]);
        var n = NF.Reshape(NF.Range(100f, 124f), [6, 4]);
        var traced = f(m[..2, ..3], m[2.., ..3]);                  // traced on two strided views
        Assert.Equal(Eager(m[..2, ..3], m[2.., ..3]), traced.ToArray<float>());
        var pairs = new (Tensor A, Tensor B)[]
        {
            (m[1..3, 2..5], m[..2, 3..]),                          // other offsets
            (NF.Transpose(n)[..2, ..3], m[..2, ..3]),              // transposed
            (NF.BroadcastTo(m[0, ..3], [2, 3]), m[1..3, ..3]),     // broadcast: stride 0
            (m[1..3, ..3], m[1..3, ..3]),                          // one view twice
            (NF.Ones([2, 3]), NF.Ones([2, 3])),                    // packed
        };
        foreach (var (a, b) in pairs)
            Assert.Equal(Eager(a, b), f(a, b).ToArray<float>());
        var same = NF.Constant(new[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } });
        Assert.Equal(Eager(same, same), f(same, same).ToArray<float>());  // the same tensor as both inputs
        var info = TracedFunction.Of(f);
        Assert.Equal(1, info.TraceCount);
        Assert.True(info.LastCallReplayed);
    }

    [SkippableFact]
    public void Inputs_disposed_after_a_call_leave_later_replays_right()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => NF.Exp(x) - 1);
        for (int i = 0; i < 4; i++)
        {
            var x = NF.Constant(new[] { 0f, i * 1f });
            var y = f(x);
            x.Dispose();                                           // the trace's own input too
            Assert.Equal((NF.Exp(NF.Constant(new[] { 0f, i * 1f })) - 1).ToArray<float>(), y.ToArray<float>());
            y.Dispose();
        }
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void Outputs_kept_disposed_or_viewed_by_the_caller_are_never_overwritten()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => x * 2);
        var kept = f(NF.Constant(new[] { 1f, 2f }));
        var disposed = f(NF.Constant(new[] { 3f, 4f }));
        disposed.Dispose();
        var viewed = f(NF.Constant(new[] { 5f, 6f }));
        var view = viewed[1..];
        viewed.Dispose();                                          // the view still holds the buffer
        using (var scope = TensorScope.Begin())
        {
            var inScope = f(NF.Constant(new[] { 7f, 8f }));
            Assert.Equal(new[] { 14f, 16f }, inScope.ToArray<float>());
        }
        var later = f(NF.Constant(new[] { 9f, 10f }));
        Assert.Equal(new[] { 2f, 4f }, kept.ToArray<float>());
        Assert.Equal(new[] { 12f }, view.ToArray<float>());
        Assert.Equal(new[] { 18f, 20f }, later.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => disposed.ToArray<float>());
    }

    [SkippableFact]
    public void A_disposed_or_null_input_is_refused_by_name_and_the_function_stays_usable()
    {
        RequireBackend();
        var f = NF.Function((Tensor a, Tensor b) => a + b);
        f(NF.Ones([2]), NF.Ones([2]));
        var gone = NF.Ones([2]);
        gone.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f(NF.Ones([2]), gone));
        var e = Assert.Throws<ArgumentNullException>(() => f(NF.Ones([2]), null!));
        Assert.Contains("input 1", e.Message);
        Assert.Equal(new[] { 3f, 3f }, f(NF.Ones([2]), NF.Constant(new[] { 2f, 2f })).ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void Outputs_that_are_views_of_computed_tensors_replay_right()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => new[] { NF.Transpose(x * 2), (x + 1)[1..], NF.Reshape(x - 1, [-1]) });
        for (int i = 0; i < 3; i++)
        {
            var x = NF.Reshape(NF.Range(0f, 6f) * (i + 1), [2, 3]);
            var r = f(x);
            Assert.Equal(NF.Transpose(x * 2).ToArray<float>(), r[0].ToArray<float>());
            Assert.Equal(new Shape(3, 2), r[0].Shape);
            Assert.Equal((x + 1)[1..].ToArray<float>(), r[1].ToArray<float>());
            Assert.Equal((x - 1).ToArray<float>(), r[2].ToArray<float>());
        }
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
    }

    [SkippableFact]
    public void An_output_fed_back_as_the_next_input_replays_as_a_loop_would()
    {
        RequireBackend();
        Func<Tensor, Tensor> cell = h => NF.Tanh(h * 0.5f + 1);
        var f = NF.Function(cell);
        Tensor eager = NF.Constant(new[] { 0f, -2f }), replayed = NF.Constant(new[] { 0f, -2f });
        for (int i = 0; i < 6; i++)
        {
            eager = cell(eager);
            var next = f(replayed);
            replayed.Dispose();
            replayed = next;
            Assert.Equal(eager.ToArray<float>(), replayed.ToArray<float>());
        }
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void Empty_and_scalar_inputs_replay()
    {
        RequireBackend();
        var f = NF.Function((Tensor x, Tensor s) => x * s + NF.ReduceSum(x));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(new Shape(0), f(NF.Zeros([0]), NF.Constant(2f)).Shape);
            Assert.Equal(new[] { 1.5f * i + 1, 1.5f * i + 1 }, f(NF.Constant(new[] { 0.5f, 0.5f }), NF.Constant(3f * i)).ToArray<float>());
            Assert.Equal(new[] { 2f * i + 1 }, f(NF.Ones([1]), 2f * i).ToArray<float>());   // a C# number as an input
        }
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
    }

    [SkippableFact]
    public void Inputs_on_two_devices_fail_as_the_eager_call_does()
    {
        RequireBackend();
        var other = new DeviceDouble(2);
        Tensor there;
        using (NF.UseBackend(BackendRegistry.Managed)) there = NF.Ones([2]).To(other);
        var f = NF.Function((Tensor a, Tensor b) => a + b);
        var eager = Assert.ThrowsAny<ArgumentException>(() => NF.Ones([2]) + there);
        var traced = Assert.ThrowsAny<ArgumentException>(() => f(NF.Ones([2]), there));
        Assert.Equal(eager.Message, traced.Message);
        Assert.Equal(new[] { 2f, 2f }, f(NF.Ones([2]), NF.Ones([2])).ToArray<float>());
    }
}

public sealed class ManagedFunctionInputTests() : FunctionInputTests("managed");

public sealed class NativeCpuFunctionInputTests() : FunctionInputTests("cpu");

public sealed class CudaFunctionInputTests() : FunctionInputTests("cuda");
