namespace NeuralFlow.Tests;

/// <summary>
/// What an NF.Function closes over, as tf.function treats it: variables are read and written by
/// reference (an Assign outside is seen by the next replay, a learning rate changed between steps
/// too), variables may be created inside on the first call, C# side effects and C# numbers belong
/// to the trace (documented on TracedFunction), and captured tensors stay valid.
/// </summary>
public abstract class FunctionCaptureTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_variable_assigned_outside_is_seen_by_the_next_replay()
    {
        RequireBackend();
        var w = new Variable(NF.Constant(new[] { 1f, 2f }));
        var f = NF.Function((Tensor x) => x * w + 0);
        var x = NF.Constant(new[] { 3f, 4f });
        Assert.Equal(new[] { 3f, 8f }, f(x).ToArray<float>());
        Assert.Equal(new[] { 3f, 8f }, f(x).ToArray<float>());
        w.Assign(NF.Constant(new[] { -1f, 0.5f }));
        Assert.Equal(new[] { -3f, 2f }, f(x).ToArray<float>());
        w.AssignAdd(NF.Constant(new[] { 1f, 1f }));
        Assert.Equal(new[] { 0f, 6f }, f(x).ToArray<float>());
        // A tape that recorded w and is gone again: the replay still reads w's current value.
        using (var tape = new GradientTape())
        {
            var y = NF.ReduceSum(w * w);
            tape.Gradient(y, [w]);
            w.AssignSub(NF.Constant(new[] { 1f, 1f }));
        }
        Assert.Equal(new[] { -3f, 2f }, f(x).ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        Assert.Equal(1, TracedFunction.Of(f).TraceCount);
    }

    [SkippableFact]
    public void A_learning_rate_changed_between_steps_is_used_by_the_next_replay()
    {
        RequireBackend();
        var w = new Variable(NF.Constant(new[] { 1f }));
        var sgd = new Keras.Optimizers.SGD(0.5);
        var step = NF.Function((Tensor x) =>
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceSum(x * w);          // d loss / d w = x
            sgd.ApplyGradients(tape.Gradient(loss, [w]), [w]);
            return loss;
        });
        var one = NF.Constant(new[] { 1f });
        step(one);
        step(one);                                   // w = 1 - 0.5 - 0.5
        Assert.Equal(new[] { 0f }, w.ToArray<float>());
        sgd.LearningRate = 0.25;
        step(one);
        Assert.Equal(new[] { -0.25f }, w.ToArray<float>());
        Assert.True(TracedFunction.Of(step).LastCallReplayed);
    }

    [SkippableFact]
    public void Variables_created_on_the_first_call_are_kept_and_later_calls_replay()
    {
        RequireBackend();
        Variable? total = null;
        var f = NF.Function((Tensor x) =>
        {
            total ??= new Variable(NF.Zeros(x.Shape), name: "total");   // a layer building its state
            total.AssignAdd(x);
            return total * 1;
        });
        var info = TracedFunction.Of(f);
        for (int i = 1; i <= 5; i++)
            Assert.Equal(new[] { i * 1f, i * 2f }, f(NF.Constant(new[] { 1f, 2f })).ToArray<float>());
        Assert.True(info.LastCallReplayed, $"no replay: {info.EagerReason}");
        Assert.True(info.ReplayCount >= 3);
    }

    [SkippableFact]
    public void A_function_that_creates_a_variable_at_every_call_is_right_once_and_its_retrace_refuses_it()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) =>
        {
            var fresh = new Variable(NF.Ones(x.Shape), name: "fresh");
            fresh.AssignAdd(x);
            return fresh * 1;
        });
        Assert.Equal(new[] { 1f, 2f }, f(NF.Constant(new[] { 0f, 1f })).ToArray<float>());
        // tf.function's rule: variables are created on the first trace only. The first trace updated the variable
        // it made, so the next call traces again, which finds it made once more (replaying would be a wrong answer).
        var info = TracedFunction.Of(f);
        var error = Assert.Throws<InvalidOperationException>(() => f(NF.Constant(new[] { 1f, 1f })));
        Assert.Contains("variable 'fresh'", error.Message);
        Assert.Equal(0, info.ReplayCount);
    }

    [SkippableFact]
    public void Csharp_side_effects_and_numbers_belong_to_the_trace()
    {
        RequireBackend();
        var printed = new List<string>();
        float scale = 2;
        var f = NF.Function((Tensor x) =>
        {
            printed.Add("traced");                   // a print: at trace time only
            return x * scale;                        // a C# number: frozen into the trace
        });
        var x = NF.Constant(new[] { 1f, 3f });
        Assert.Equal(new[] { 2f, 6f }, f(x).ToArray<float>());
        scale = 10;
        Assert.Equal(new[] { 2f, 6f }, f(x).ToArray<float>());
        Assert.Equal(new[] { 4f, 12f }, f(x * 2).ToArray<float>());
        Assert.Equal(new[] { "traced" }, printed);
        // A new signature traces again and sees the number as it is now.
        Assert.Equal(new[] { 10f }, f(NF.Ones([1])).ToArray<float>());
        Assert.Equal(2, printed.Count);
    }

    [SkippableFact]
    public void A_captured_tensor_the_caller_disposes_stays_valid_for_the_function()
    {
        RequireBackend();
        var offset = NF.Constant(new[] { 10f, 20f });
        var f = NF.Function((Tensor x) => x + offset);
        Assert.Equal(new[] { 11f, 21f }, f(NF.Ones([2])).ToArray<float>());
        offset.Dispose();
        // tf.function captures an eager tensor by value: the plan keeps its buffer alive.
        Assert.Equal(new[] { 12f, 22f }, f(NF.Constant(new[] { 2f, 2f })).ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void A_disposed_variable_makes_the_next_call_fail_clearly_not_crash()
    {
        RequireBackend();
        var w = new Variable(NF.Constant(new[] { 2f }), name: "w");
        var f = NF.Function((Tensor x) => x * w);
        f(NF.Ones([1]));
        f(NF.Ones([1]));
        w.Dispose();
        var e = Assert.ThrowsAny<ObjectDisposedException>(() => f(NF.Ones([1])));
        Assert.Contains("w", e.Message);
    }
}

public sealed class ManagedFunctionCaptureTests() : FunctionCaptureTests("managed");

public sealed class NativeCpuFunctionCaptureTests() : FunctionCaptureTests("cpu");

public sealed class CudaFunctionCaptureTests() : FunctionCaptureTests("cuda");
