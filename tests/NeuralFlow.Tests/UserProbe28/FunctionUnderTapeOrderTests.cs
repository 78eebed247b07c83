using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe24;

using static NeuralFlow.Tests.UserProbe28.FunctionUnderTapeCompiled;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// Where an NF.Function under a GradientTape must not be one compiled op, or needs care: a tape inside a
/// tape (a second order) and a persistent tape run it eagerly with the reason; a Jvp (a tape that
/// records the gradient of a compiled call) recomputes it eagerly with the forward's random numbers;
/// a function that updates a variable runs eagerly rather than update it twice; a variable assigned
/// between the call and its gradient is refused by name. Every gradient is the eager one.
/// </summary>
public abstract class FunctionUnderTapeOrderTests(string backend) : BackendTest(backend)
{
    private static Tensor Input() => NF.Constant(new[,] { { 0.3f, -0.8f, 1.1f }, { 0.5f, 0.2f, -0.4f } });

    private static Variable Weight() => new(NF.Constant(new[,] { { 0.7f, -0.2f }, { 0.1f, 0.9f }, { -0.5f, 0.4f } }), name: "w");

    [SkippableFact]
    public void A_tape_inside_a_tape_gives_the_eager_second_order_and_runs_the_function_eagerly_with_the_reason()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var w = Weight();
        Func<Tensor, Tensor> body = x => NF.Tanh(NF.MatMul(x, w));
        var f = Compiled(body);
        f(Input());
        float[][] SecondOrder(Func<Tensor, Tensor> g)
        {
            var x = Input();
            using var outer = new GradientTape();
            outer.Watch(x);
            Tensor dx;
            using (var inner = new GradientTape())
            {
                inner.Watch(x);
                dx = inner.Gradient(NF.ReduceSum(g(x)), x);
            }
            return [dx.ToArray<float>(), .. outer.Gradient(NF.ReduceSum(dx * dx), [x, w]).Select(t => t.ToArray<float>())];
        }
        var eager = SecondOrder(body);
        var compiled = SecondOrder(f);
        for (int k = 0; k < eager.Length; k++) Assert.Equal(eager[k], compiled[k]);
        var info = TracedFunction.Of(f);
        Assert.False(info.LastCallReplayed);
        Assert.Contains("more than one GradientTape records", info.EagerReason);
        Assert.Contains(info.EagerReason!, Assert.Single(info.Warnings));
    }

    [SkippableFact]
    public void A_persistent_tape_runs_the_function_eagerly_and_its_second_gradient_differentiates_the_first()
    {
        RequireBackend();
        var w = Weight();
        Func<Tensor, Tensor> body = x => NF.Tanh(NF.MatMul(x, w));
        var f = Compiled(body);
        f(Input());
        float[][] Run(Func<Tensor, Tensor> g)
        {
            var x = Input();
            using var tape = new GradientTape(persistent: true);
            tape.Watch(x);
            var dx = tape.Gradient(NF.ReduceSum(g(x)), x);
            return [dx.ToArray<float>(), tape.Gradient(NF.ReduceSum(dx * dx), x).ToArray<float>()];
        }
        var eager = Run(body);
        var compiled = Run(f);
        Assert.Equal(eager[0], compiled[0]);
        Assert.Equal(eager[1], compiled[1]);
        Assert.Contains("persistent GradientTape records", TracedFunction.Of(f).EagerReason);
    }

    [SkippableFact]
    public void A_jvp_through_a_replayed_call_with_dropout_recomputes_it_with_the_forwards_mask()
    {
        RequireBackend();
        try
        {
            var w = Weight();
            var dropout = new Layers.Dropout(0.5);
            Func<Tensor, Tensor> body = x =>
            {
                using (Layer.TrainingMode()) return NF.Tanh(NF.MatMul(dropout.Call(x), w));
            };
            var f = Compiled(body);
            f(Input());
            var tangent = NF.Constant(new[,] { { 1f, 0.5f, -1f }, { 2f, -0.3f, 0.7f } });
            (float[] Y, float[] Jvp, float[] After) Run(Func<Tensor, Tensor> g)
            {
                NF.Random.SetSeed(3);
                var (y, jvp) = NF.Jvp(g, Input(), tangent);
                return (y.ToArray<float>(), jvp.ToArray<float>(), NF.Random.Uniform([2]).ToArray<float>());
            }
            var eager = Run(body);
            var compiled = Run(f);
            Assert.True(TracedFunction.Of(f).LastCallReplayed);
            Assert.Equal(eager.Y, compiled.Y, new Near(2e-6f));
            Assert.Equal(eager.Jvp, compiled.Jvp, new Near(2e-6f));
            Assert.Equal(eager.After, compiled.After);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void A_function_that_updates_a_variable_under_a_tape_runs_eagerly_and_updates_it_once_per_call()
    {
        RequireBackend();
        var w = Weight();
        var calls = new Variable(NF.Constant(0f), trainable: false, name: "calls");
        Func<Tensor, Tensor> body = x =>
        {
            calls.AssignAdd(NF.Constant(1f));
            return NF.MatMul(x, w);
        };
        var f = Compiled(body);
        f(Input());
        var x = Input();
        for (int call = 0; call < 2; call++)
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceSum(NF.Square(f(x)));
            Assert.Equal(2 * call + 2f, calls.Item<float>());   // the gradient below does not update it again
            var grad = tape.Gradient(loss, w);
            Assert.Equal(2 * call + 2f, calls.Item<float>());
            using var eagerTape = new GradientTape();
            var eagerGrad = eagerTape.Gradient(NF.ReduceSum(NF.Square(body(x))), w);
            Assert.Equal(eagerGrad.ToArray<float>(), grad.ToArray<float>());
        }
        Assert.Contains("updates variables", TracedFunction.Of(f).EagerReason);
    }

    [SkippableFact]
    public void A_variable_assigned_between_the_call_and_its_gradient_is_refused_by_name()
    {
        RequireBackend();
        var w = Weight();
        var f = Compiled((Tensor x) => NF.MatMul(x, w));
        f(Input());
        using var tape = new GradientTape();
        var loss = NF.ReduceSum(f(Input()));
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        w.Assign(w * 2);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Gradient(loss, w));
        Assert.Contains("variable 'w' was assigned", e.Message);
        Assert.Contains("take the gradient before updating", e.Message);
    }
}

/// <summary>NF.Function under nested, persistent and forward-mode tapes, on the managed backend.</summary>
public sealed class ManagedFunctionUnderTapeOrderTests() : FunctionUnderTapeOrderTests("managed");

/// <summary>NF.Function under nested, persistent and forward-mode tapes, on the native CPU backend.</summary>
public sealed class NativeCpuFunctionUnderTapeOrderTests() : FunctionUnderTapeOrderTests("cpu");

/// <summary>NF.Function under nested, persistent and forward-mode tapes, on CUDA.</summary>
public sealed class CudaFunctionUnderTapeOrderTests() : FunctionUnderTapeOrderTests("cuda");
