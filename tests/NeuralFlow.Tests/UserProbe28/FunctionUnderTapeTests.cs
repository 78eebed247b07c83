using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe24;

using static NeuralFlow.Tests.UserProbe28.FunctionUnderTapeCompiled;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// An NF.Function called while a GradientTape records (tf.function inside a tape, the Core MLP guide's
/// <c>@tf.function __call__</c>): from the second call of a signature it replays, no eager warning, and is
/// one op on the tape whose gradient is a compiled function of its own; the gradients of the inputs and
/// of the variables it reads are the eager ones. The reference is the same C# body run eagerly on the
/// same values, so no peer numbers are needed.
/// </summary>
public abstract class FunctionUnderTapeTests(string backend) : BackendTest(backend)
{
    // A 6-5-3 MLP with fixed weights (no random init: eager and compiled read the same values).
    private sealed class Mlp
    {
        public readonly Variable W1 = new(Values(6, 5, 0.3f), name: "w1");
        public readonly Variable B1 = new(NF.Constant(new[] { 0.1f, -0.2f, 0.05f, 0f, 0.3f }), name: "b1");
        public readonly Variable W2 = new(Values(5, 3, -0.7f), name: "w2");
        public readonly Variable B2 = new(NF.Constant(new[] { 0.02f, 0.01f, -0.03f }), name: "b2");

        public Tensor Call(Tensor x) => NF.MatMul(NF.Relu(NF.MatMul(x, W1) + B1), W2) + B2;

        public Variable[] Variables => [W1, B1, W2, B2];
    }

    private static Tensor Values(int rows, int cols, float phase)
    {
        var v = new float[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                v[i, j] = MathF.Sin(1.3f * i + 0.7f * j + phase) * 0.6f;
        return NF.Constant(v);
    }

    private static Tensor Input(float phase) => Values(4, 6, phase);

    private static Tensor Loss(Tensor logits) => NF.ReduceSum(NF.Square(logits)) * 0.5f;

    // The gradients of loss(f(x)) with respect to x and the MLP's variables, under a fresh tape.
    private static float[][] Gradients(Func<Tensor, Tensor> f, Mlp mlp, Tensor x)
    {
        using var tape = new GradientTape();
        tape.Watch(x);
        var loss = Loss(f(x));
        return tape.Gradient(loss, [x, .. mlp.Variables]).Select(g => g.ToArray<float>()).ToArray();
    }

    [SkippableFact]
    public void A_compiled_mlp_call_under_a_tape_replays_and_gives_the_eager_gradients_for_inputs_and_variables()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var mlp = new Mlp();
        var f = Compiled((Tensor x) => mlp.Call(x));
        var info = TracedFunction.Of(f);
        for (int call = 0; call < 3; call++)
        {
            var x = Input(call);
            var eager = Gradients(mlp.Call, mlp, x);
            var compiled = Gradients(f, mlp, x);
            // The first call traces (the tape records that run's ops); the next ones replay.
            Assert.Equal(call > 0, info.LastCallReplayed);
            // The replay runs the plan's kernels (bias and relu fused): bit for bit the eager gradients on every engine.
            for (int k = 0; k < eager.Length; k++) Assert.Equal(eager[k], compiled[k]);
        }
        Assert.Equal(2, info.ReplayCount);
        Assert.Equal(1, info.TraceCount);
        Assert.Null(info.EagerReason);
        Assert.Empty(info.Warnings);
        Assert.Equal("", log.Text);
        var plan = info.LatestPlan!;
        Assert.False(plan.WritesVariables);
    }

    [SkippableFact]
    public void The_gradient_is_a_compiled_function_traced_once_and_replayed()
    {
        RequireBackend();
        var mlp = new Mlp();
        var f = Compiled((Tensor x) => mlp.Call(x));
        for (int call = 0; call < 4; call++) Gradients(f, mlp, Input(call));
        var backward = GradientOf(f).Backward;
        Assert.Equal(1, backward.TraceCount);
        Assert.Equal(2, backward.ReplayCount);   // calls 2, 3 and 4 replay the forward; the first of their gradients traces
        Assert.True(backward.LastCallReplayed);
        Assert.Empty(backward.Warnings);
    }

    private static FunctionGradient GradientOf(Delegate f)
    {
        // The gradient of the latest signature: the tests use one signature per function.
        var entries = typeof(TracedFunction).GetField("_entries", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                                            .GetValue(TracedFunction.Of(f)) as System.Collections.IList;
        var entry = entries![entries.Count - 1]!;
        return (FunctionGradient)entry.GetType().GetField("Gradient")!.GetValue(entry)!;
    }

    [SkippableFact]
    public void A_loss_of_the_function_called_twice_and_eager_ops_has_the_eager_gradient()
    {
        RequireBackend();
        var mlp = new Mlp();
        var f = Compiled((Tensor x) => mlp.Call(x));
        var scale = NF.Constant(new[] { 1f, -2f, 0.5f });
        float[][] Run(Func<Tensor, Tensor> g, Tensor x)
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            var loss = NF.ReduceSum(g(x) * scale) + NF.ReduceSum(NF.Tanh(g(x * 2))) + NF.ReduceSum(x * x);
            return tape.Gradient(loss, [x, .. mlp.Variables]).Select(t => t.ToArray<float>()).ToArray();
        }
        f(Input(9));   // traced outside the tape: every call below under it replays
        for (int call = 0; call < 2; call++)
        {
            var x = Input(call);
            var eager = Run(mlp.Call, x);
            var compiled = Run(f, x);
            Assert.True(TracedFunction.Of(f).LastCallReplayed);
            for (int k = 0; k < eager.Length; k++) Assert.Equal(eager[k], compiled[k], new Near(2e-6f));
        }
        Assert.Equal(4, TracedFunction.Of(f).ReplayCount);
    }

    [SkippableFact]
    public void A_variable_the_tape_does_not_watch_gets_no_gradient_as_eagerly()
    {
        RequireBackend();
        var mlp = new Mlp();
        var f = Compiled((Tensor x) => mlp.Call(x));
        f(Input(5));
        var x = Input(1);
        Tensor?[] Run(Func<Tensor, Tensor> g)
        {
            using var tape = new GradientTape(watchAccessedVariables: false);
            tape.Watch(x);
            tape.Watch(mlp.B2);
            var grads = tape.Gradient(Loss(g(x)), [x, mlp.W1, mlp.B2]);
            Assert.Equal([mlp.B2], tape.WatchedVariables());
            return grads;
        }
        var eager = Run(mlp.Call);
        var compiled = Run(f);
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        Assert.Null(eager[1]);
        Assert.Null(compiled[1]);
        Assert.Equal(eager[0]!.ToArray<float>(), compiled[0]!.ToArray<float>(), new Near(2e-6f));
        Assert.Equal(eager[2]!.ToArray<float>(), compiled[2]!.ToArray<float>(), new Near(2e-6f));
    }

    [SkippableFact]
    public void Outputs_the_loss_does_not_use_an_integer_output_and_an_unused_input_are_as_eager()
    {
        RequireBackend();
        var mlp = new Mlp();
        Func<Tensor, Tensor, Tensor[]> body = (x, unused) =>
        {
            var logits = mlp.Call(x);
            return [logits, NF.ArgMax(logits, axis: 1), NF.Exp(x) * 3];
        };
        var f = Compiled(body);
        f(Input(7), NF.Ones([2]));
        var x = Input(2);
        var unused = NF.Ones([2]);
        Tensor?[] Run(Func<Tensor, Tensor, Tensor[]> g)
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            tape.Watch(unused);
            var outs = g(x, unused);
            Assert.Equal(DType.Int64, outs[1].DType);
            return tape.Gradient(Loss(outs[0]), [x, unused, mlp.W1]);
        }
        var eager = Run(body);
        var compiled = Run(f);
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        Assert.Null(eager[1]);
        Assert.Null(compiled[1]);
        Assert.Equal(eager[0]!.ToArray<float>(), compiled[0]!.ToArray<float>(), new Near(2e-6f));
        Assert.Equal(eager[2]!.ToArray<float>(), compiled[2]!.ToArray<float>(), new Near(2e-6f));
        // Only the unused float output reaching the loss: its gradient alone (zeros flow for the logits).
        Tensor Second(Func<Tensor, Tensor, Tensor[]> g)
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            return tape.Gradient(NF.ReduceSum(g(x, unused)[2]), x);
        }
        Assert.Equal(Second(body).ToArray<float>(), Second(f).ToArray<float>(), new Near(2e-6f));
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void Dropout_in_training_mode_gets_the_forwards_mask_in_the_gradient_and_the_eager_random_sequence()
    {
        RequireBackend();
        try
        {
            foreach (int? seed in new int?[] { null, 11 })
            {
                var mlp = new Mlp();
                // A seeded layer draws from a stream of its own, which SetSeed does not restart: one layer each.
                Func<Tensor, Tensor> Body(Layers.Dropout dropout) => x =>
                {
                    using (Layer.TrainingMode()) return mlp.Call(dropout.Call(NF.Tanh(x)));
                };
                var eagerBody = Body(new Layers.Dropout(0.5, seed: seed));
                var f = Compiled(Body(new Layers.Dropout(0.5, seed: seed)));
                (float[] Y, float[][] Grads, float[] After) Run(Func<Tensor, Tensor> g, Tensor x)
                {
                    float[] y;
                    float[][] grads;
                    using (var tape = new GradientTape())
                    {
                        tape.Watch(x);
                        var out_ = g(x);
                        y = out_.ToArray<float>();
                        grads = tape.Gradient(Loss(out_), [x, .. mlp.Variables]).Select(t => t.ToArray<float>()).ToArray();
                    }
                    return (y, grads, NF.Random.Uniform([3]).ToArray<float>());
                }
                for (int call = 0; call < 3; call++)
                {
                    var x = Input(call);
                    NF.Random.SetSeed(40 + call);
                    var eager = Run(eagerBody, x);
                    NF.Random.SetSeed(40 + call);
                    var compiled = Run(f, x);
                    Assert.Equal(call > 0, TracedFunction.Of(f).LastCallReplayed);
                    Assert.Equal(eager.Y, compiled.Y, new Near(2e-6f));
                    for (int k = 0; k < eager.Grads.Length; k++) Assert.Equal(eager.Grads[k], compiled.Grads[k], new Near(2e-6f));
                    // The mask zeroed some inputs' gradients: the backward used the forward's.
                    Assert.Contains(0f, compiled.Grads[0]);
                    // The gradient drew nothing: the global generator is where the eager step left it.
                    Assert.Equal(eager.After, compiled.After);
                }
            }
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>NF.Function under a tape, on the managed backend.</summary>
public sealed class ManagedFunctionUnderTapeTests() : FunctionUnderTapeTests("managed");

/// <summary>NF.Function under a tape, on the native CPU backend.</summary>
public sealed class NativeCpuFunctionUnderTapeTests() : FunctionUnderTapeTests("cpu");

/// <summary>NF.Function under a tape, on CUDA.</summary>
public sealed class CudaFunctionUnderTapeTests() : FunctionUnderTapeTests("cuda");
