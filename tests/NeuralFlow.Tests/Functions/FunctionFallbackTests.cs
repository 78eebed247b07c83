using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// What NF.Function does with code it cannot replay and with code that throws: a C# branch on a
/// tensor's value runs eagerly, every call taking the right branch, with the reason on the
/// function and in its log; an exception thrown while tracing or replaying reaches the caller
/// and leaves the function (and the weights) as they were, ready for the next call.
/// </summary>
public abstract class FunctionFallbackTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_csharp_branch_on_Item_runs_eagerly_with_the_reason_on_the_function_and_its_log()
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var w = new Variable(NF.Constant(new[] { 1f, 1f }));
        var step = NF.Function((Tensor x) =>
        {
            var loss = NF.ReduceSum(x * w);
            if (loss.Item<float>() > 1) return loss * 10;   // data dependent: a replay could not choose
            return loss - 100;
        });
        Assert.Equal(30f, step(NF.Constant(new[] { 1f, 2f })).Item<float>());
        Assert.Equal(-99.5f, step(NF.Constant(new[] { 0.25f, 0.25f })).Item<float>());
        Assert.Equal(50f, step(NF.Constant(new[] { 2f, 3f })).Item<float>());
        var info = TracedFunction.Of(step);
        Assert.False(info.LastCallReplayed);
        Assert.Equal(0, info.ReplayCount);
        Assert.Contains("reads a tensor's value on the host", info.EagerReason);
        Assert.Contains("Item", info.EagerReason);
        var warning = Assert.Single(info.Warnings);
        Assert.Contains("runs eagerly", warning);
        Assert.Contains(info.EagerReason!, warning);
        Assert.Equal(warning + Environment.NewLine, log.Text);
    }

    [SkippableFact]
    public void An_exception_while_tracing_reaches_the_caller_and_the_next_call_traces_and_replays()
    {
        RequireBackend();
        var w = new Variable(NF.Ones([3, 2]));
        var f = NF.Function((Tensor x) => NF.MatMul(x, w) + 1);
        var e = Assert.ThrowsAny<ArgumentException>(() => f(NF.Ones([2, 4])));   // inner dimensions 4 and 3
        Assert.Contains("MatMul", e.Message);
        var info = TracedFunction.Of(f);
        Assert.Equal(0, info.TraceCount);
        // Nothing is left recording: eager code after the failed trace runs as usual.
        Assert.Null(FunctionTrace.Current);
        Assert.Equal(new[] { 3f, 3f }, NF.MatMul(NF.Ones([1, 3]), w).ToArray<float>());
        for (int i = 0; i < 3; i++) Assert.Equal(new[] { 4f, 4f }, f(NF.Ones([1, 3])).ToArray<float>());
        Assert.Equal(1, info.TraceCount);
        Assert.Equal(2, info.ReplayCount);
        // A C# exception of the function's own, at the trace of a new signature, too.
        bool fail = true;
        var g = NF.Function((Tensor x) => fail ? throw new InvalidOperationException("mine") : x * 2);
        Assert.Equal("mine", Assert.Throws<InvalidOperationException>(() => g(NF.Ones([2]))).Message);
        fail = false;
        Assert.Equal(new[] { 2f, 2f }, g(NF.Ones([2])).ToArray<float>());
        Assert.Equal(new[] { 6f, 6f }, g(NF.Constant(new[] { 3f, 3f })).ToArray<float>());
        Assert.True(TracedFunction.Of(g).LastCallReplayed);
    }

    // A training step whose labels go bad at a replay: the eager step throws in the loss, before
    // the optimizer; the replay must throw the same way and leave weights and optimizer untouched.
    [SkippableFact]
    public void A_bad_label_at_a_replay_throws_and_leaves_weights_and_the_function_usable()
    {
        RequireBackend();
        (Model Model, Optimizers.Optimizer Optimizer, Func<Tensor, Tensor, Tensor> Step) Make(bool traced)
        {
            NF.Random.SetSeed(9);
            var model = new Sequential(new Layers.Dense(4, activation: "relu"), new Layers.Dense(3));
            model.Call(NF.Zeros([2, 5])).Dispose();
            var optimizer = new Optimizers.Adam(0.05);
            var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
            Func<Tensor, Tensor, Tensor> step = (x, y) =>
            {
                using var tape = new GradientTape();
                var value = loss.Call(y, model.Call(x));
                optimizer.ApplyGradients(tape.Gradient(value, model.TrainableVariables), model.TrainableVariables);
                return value;
            };
            return (model, optimizer, traced ? NF.Function(step) : step);
        }
        NF.Random.SetSeed(4);
        var x = NF.Random.Normal([6, 5]);
        var good = NF.Constant(new[] { 0, 1, 2, 2, 1, 0 });
        var bad = NF.Constant(new[] { 0, 1, 5, 2, 1, 0 });
        var runs = new[] { false, true }.Select(traced =>
        {
            var (model, optimizer, step) = Make(traced);
            for (int i = 0; i < 3; i++) step(x, good);
            var before = model.Variables.Select(v => v.ToArray<float>()).ToArray();
            int traces = traced ? TracedFunction.Of(step).TraceCount : 0;
            var e = Assert.ThrowsAny<ArgumentException>(() => step(x, bad));
            Assert.Contains("5", e.Message);
            Assert.Equal(3, optimizer.Iterations);
            var after = model.Variables.Select(v => v.ToArray<float>()).ToArray();
            for (int i = 0; i < before.Length; i++) Assert.True(before[i].AsSpan().SequenceEqual(after[i]), $"variable {i} changed by the failed step");
            var losses = Enumerable.Range(0, 3).Select(_ => step(x, good).Item<float>()).ToArray();
            if (traced)
            {
                var info = TracedFunction.Of(step);
                Assert.True(info.LastCallReplayed, $"not replayed after the failure: {info.EagerReason}");
                Assert.Equal(traces, info.TraceCount);
            }
            return (Losses: losses, Weights: model.Variables.Select(v => v.ToArray<float>()).ToArray());
        }).ToArray();
        Assert.Equal(runs[0].Losses, runs[1].Losses);
        for (int i = 0; i < runs[0].Weights.Length; i++) Assert.True(runs[0].Weights[i].AsSpan().SequenceEqual(runs[1].Weights[i]), $"variable {i} differs from the eager twin");
    }

    [SkippableFact]
    public void An_embedding_step_replays_and_still_refuses_an_index_outside_the_table()
    {
        RequireBackend();
        // Embedding once read every index on the host, so a step with one never replayed.
        var embedding = new Layers.Embedding(5, 2);
        var f = NF.Function((Tensor ids) => NF.ReduceSum(embedding.Call(ids), 1));
        var table = new[] { 0, 1, 4, 2 };
        for (int i = 0; i < 3; i++) f(NF.Constant(table));
        var info = TracedFunction.Of(f);
        Assert.True(info.LastCallReplayed, $"no replay: {info.EagerReason}");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => f(NF.Constant(new[] { 0, 5, 1, -1 })));
        Assert.Contains("2 of the indices", e.Message);
        Assert.Contains("[0, 4]", e.Message);
        var rows = embedding.Embeddings!.ToArray<float>();
        Assert.Equal(rows[8] + rows[9], f(NF.Constant(new[] { 4, 4, 4, 4 })).ToArray<float>()[0]);
        Assert.True(info.LastCallReplayed);
        // Eagerly, the message names the first bad index and where it is.
        var eager = Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Call(NF.Constant(new[] { 0, 5 })));
        Assert.Contains("index 5 (element 1", eager.Message);
    }
}

public sealed class ManagedFunctionFallbackTests() : FunctionFallbackTests("managed");

public sealed class NativeCpuFunctionFallbackTests() : FunctionFallbackTests("cpu");

public sealed class CudaFunctionFallbackTests() : FunctionFallbackTests("cuda");
