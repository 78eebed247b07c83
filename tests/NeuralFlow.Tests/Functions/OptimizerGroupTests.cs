using NeuralFlow.Backends;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17's optimizer over all variables in one call: ApplyGradients updates the variables that
/// share dtype, device and settings with one multi-tensor kernel call, eagerly and in a replay,
/// where the workshop's two-Dense-layer step records one optimizer op instead of four (one per
/// settings group: a variable excluded from weight decay gets its own). Replays give the eager
/// step's bits over several steps (on a GPU, as CUDA graph launches); the grouping keeps the
/// per-variable semantics (the same bits as one optimizer per variable, a variable listed twice
/// updated twice, a gradient over another updated variable read before that update).
/// </summary>
public abstract class OptimizerGroupTests(string backend) : BackendTest(backend)
{
    private const int Steps = 8, Batch = 8;

    private bool OnGpu => BackendName == "cuda";

    private static Optimizers.Optimizer MakeOptimizer(string kind) => kind switch
    {
        "sgd_momentum" => new Optimizers.SGD(0.05, momentum: 0.9, nesterov: true),
        "adam_schedule" => new Optimizers.Adam(new ExponentialDecay(0.02, 3, 0.5)),
        "adamw_excluded" => new Optimizers.AdamW(0.01, weightDecay: 0.05),
        "rmsprop_centered" => new Optimizers.RMSprop(0.01, momentum: 0.5, centered: true, clipValue: 0.3),
        "ftrl" => new Optimizers.Ftrl(0.05),
        _ => new Optimizers.Nadam(0.01),
    };

    // Groups of the workshop model's four variables: the biases apart when excluded from weight decay.
    private static int GroupsOf(string kind) => kind == "adamw_excluded" ? 2 : 1;

    // The workshop's custom loop, eager or as an NF.Function: two Dense layers, sparse
    // cross-entropy from logits, one optimizer step per batch.
    private static (float[][] Weights, float[] Losses, Func<Tensor, Tensor, Tensor> Step) Train(string optimizer, bool traced, bool graphs = true)
    {
        NF.Random.SetSeed(11);
        var xs = NF.Random.Normal([Steps * Batch, 12]);
        var ys = NF.Random.Uniform([Steps * Batch], minval: 0, maxval: 4, dtype: DType.Int32);
        NF.Random.SetSeed(3);
        var model = new Sequential(new Layers.Dense(16, activation: "relu"), new Layers.Dense(4));
        model.Call(xs[..Batch]);  // built before the first step, so that the first call traces
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var opt = MakeOptimizer(optimizer);
        if (optimizer == "adamw_excluded") opt.ExcludeFromWeightDecay(varList: model.TrainableVariables.Where((_, i) => i % 2 == 1));
        Func<Tensor, Tensor, Tensor> body = (x, y) =>
        {
            using var tape = new GradientTape();
            var value = loss.Call(y, model.Call(x));
            opt.ApplyGradients(tape.Gradient(value, model.TrainableVariables), model.TrainableVariables);
            return value;
        };
        var step = traced ? NF.Function(body) : body;
        if (traced) TracedFunction.Of(step).CudaGraphs = graphs;
        var losses = new float[Steps];
        for (int i = 0; i < Steps; i++)
            losses[i] = step(xs[(i * Batch)..((i + 1) * Batch)], ys[(i * Batch)..((i + 1) * Batch)]).ToArray<float>()[0];
        return (model.Variables.Select(v => v.ToArray<float>()).ToArray(), losses, step);
    }

    [SkippableTheory]
    [InlineData("sgd_momentum")]
    [InlineData("adam_schedule")]
    [InlineData("adamw_excluded")]
    [InlineData("rmsprop_centered")]
    [InlineData("ftrl")]
    [InlineData("nadam")]
    public void The_workshop_step_replays_one_optimizer_call_per_group_with_the_eager_bits(string optimizer)
    {
        RequireBackend();
        var eager = Train(optimizer, traced: false);
        var replayed = Train(optimizer, traced: true);
        var info = TracedFunction.Of(replayed.Step);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        Assert.Equal(eager.Losses, replayed.Losses);
        for (int i = 0; i < eager.Weights.Length; i++)
            Assert.True(eager.Weights[i].AsSpan().SequenceEqual(replayed.Weights[i]), $"variable {i} differs after {Steps} steps");
        // The op count: the four variables' updates are GroupsOf calls, where they were four.
        var ops = info.LatestPlan!.Describe().Split('\n');
        int multi = ops.Count(o => o == nameof(IBackend.OptimizerUpdateMulti));
        Assert.Equal(GroupsOf(optimizer), multi);
        Assert.DoesNotContain(nameof(IBackend.OptimizerUpdate), ops);
        Assert.Equal(ops.Length, info.OpCount);
        Assert.Equal(ops.Count(o => o != nameof(IBackend.OptimizerUpdateMulti)) + GroupsOf(optimizer), info.OpCount);
        if (OnGpu)
        {
            Assert.Null(info.CudaGraphFallback);
            Assert.True(info.CudaGraphLaunches >= Steps - 3, $"{info.CudaGraphLaunches} graph launches in {Steps} steps");
        }
    }

    [SkippableFact]
    public void Graph_launches_with_two_groups_match_kernel_by_kernel_replays()
    {
        RequireBackend();
        var plain = Train("adamw_excluded", traced: true, graphs: false);
        var graphed = Train("adamw_excluded", traced: true, graphs: true);
        Assert.Equal(plain.Losses, graphed.Losses);
        for (int i = 0; i < plain.Weights.Length; i++)
            Assert.True(plain.Weights[i].AsSpan().SequenceEqual(graphed.Weights[i]), $"variable {i} differs");
        Assert.Equal(0, TracedFunction.Of(plain.Step).CudaGraphLaunches);
        if (OnGpu) Assert.True(TracedFunction.Of(graphed.Step).CudaGraphLaunches >= Steps - 3);
    }

    private static Variable Var(int seed, DType dtype, params int[] shape)
    {
        NF.Random.SetSeed(seed);
        return new Variable(NF.Cast(NF.Random.Normal(shape), dtype), name: $"v{seed}");
    }

    [SkippableFact]
    public void Mixed_dtypes_and_settings_give_the_bits_of_one_optimizer_per_variable()
    {
        RequireBackend();
        int[][] shapes = [[3, 5], [5], [4097], [2, 2], [1], [7]];
        DType[] dtypes = [DType.Float32, DType.Float32, DType.Float64, DType.Float64, DType.Float32, DType.Float32];
        Variable[] Make() => shapes.Select((s, i) => Var(i + 1, dtypes[i], s)).ToArray();
        var grouped = Make();
        var alone = Make();
        var opt = new Optimizers.AdamW(0.02, weightDecay: 0.1, amsgrad: true);
        opt.ExcludeFromWeightDecay(varList: [grouped[1], grouped[5]]);
        var singles = alone.Select((v, i) =>
        {
            var o = new Optimizers.AdamW(0.02, weightDecay: 0.1, amsgrad: true);
            if (i is 1 or 5) o.ExcludeFromWeightDecay(varList: [v]);
            return o;
        }).ToArray();
        var step = NF.Function((Tensor scale) =>
        {
            var grads = grouped.Select(v => (Tensor?)(NF.Sin(v * 3) * NF.Cast(scale, v.DType))).ToList();
            grads[4] = null;  // no gradient: skipped, as before
            opt.ApplyGradients(grads, grouped);
            return scale * 1f;
        });
        for (int s = 0; s < 4; s++)
        {
            var scale = NF.Constant(new[] { 0.5f + s });
            step(scale);
            for (int i = 0; i < alone.Length; i++)
                if (i != 4) singles[i].ApplyGradients([NF.Sin(alone[i] * 3) * NF.Cast(scale, alone[i].DType)], [alone[i]]);
        }
        var info = TracedFunction.Of(step);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        // float32 decayed {0}, float32 excluded {1, 5}, float64 decayed {2, 3}.
        Assert.Equal(3, info.LatestPlan!.Describe().Split('\n').Count(o => o == nameof(IBackend.OptimizerUpdateMulti)));
        for (int i = 0; i < alone.Length; i++)
        {
            var a = NF.Cast(grouped[i], DType.Float64).ToArray<double>();
            var b = NF.Cast(alone[i], DType.Float64).ToArray<double>();
            Assert.True(a.AsSpan().SequenceEqual(b), $"variable {i} ({dtypes[i].Name()}) differs");
        }
        Assert.True(NF.Cast(grouped[4], DType.Float64).ToArray<double>().AsSpan().SequenceEqual(NF.Cast(Var(5, DType.Float32, 1), DType.Float64).ToArray<double>()),
                    "the variable without a gradient changed");
    }

    [SkippableFact]
    public void A_variable_listed_twice_is_updated_twice_in_order()
    {
        RequireBackend();
        var v = new Variable(NF.Constant(new[] { 1f, 2f, 3f }));
        var opt = new Optimizers.SGD(0.5f);
        opt.ApplyGradients([NF.Constant(new[] { 1f, 1f, 1f }), NF.Constant(new[] { 0.25f, 0.5f, 2f })], [v, v]);
        Assert.Equal(new[] { (1f - 0.5f) - 0.125f, (2f - 0.5f) - 0.25f, (3f - 0.5f) - 1f }, v.ToArray<float>());
    }

    [SkippableFact]
    public void A_gradient_over_another_updated_variable_is_read_as_by_one_call_per_variable()
    {
        RequireBackend();
        // u first: the per-variable calls updated u, then read the new u as w's gradient.
        var u = new Variable(NF.Constant(new[] { 1f, 2f }));
        var w = new Variable(NF.Constant(new[] { 10f, 20f }));
        new Optimizers.SGD(0.5f).ApplyGradients([NF.Constant(new[] { 2f, 2f }), u], [u, w]);
        Assert.Equal(new[] { 0f, 1f }, u.ToArray<float>());
        Assert.Equal(new[] { 10f, 19.5f }, w.ToArray<float>());
        // w first: w read the old u.
        var u2 = new Variable(NF.Constant(new[] { 1f, 2f }));
        var w2 = new Variable(NF.Constant(new[] { 10f, 20f }));
        new Optimizers.SGD(0.5f).ApplyGradients([u2, NF.Constant(new[] { 2f, 2f })], [w2, u2]);
        Assert.Equal(new[] { 9.5f, 19f }, w2.ToArray<float>());
        Assert.Equal(new[] { 0f, 1f }, u2.ToArray<float>());
    }

    [SkippableFact]
    public void A_gradient_over_a_variable_of_a_later_group_is_read_after_that_group()
    {
        RequireBackend();
        // a and c share settings, b (excluded from weight decay) does not and sits between them;
        // c's gradient is b, which the per-variable calls had updated before c.
        Variable[] Make() => [new(NF.Constant(new[] { 1f, 2f })), new(NF.Constant(new[] { 3f, 4f })), new(NF.Constant(new[] { 5f, 6f }))];
        Optimizers.SGD Sgd(Variable? excluded)
        {
            var o = new Optimizers.SGD(0.5f, weightDecay: 0.1);
            if (excluded is not null) o.ExcludeFromWeightDecay(varList: [excluded]);
            return o;
        }
        var grouped = Make();
        var g = NF.Constant(new[] { 1f, -1f });
        Sgd(grouped[1]).ApplyGradients([g, g, grouped[1]], grouped);
        var alone = Make();
        Sgd(null).ApplyGradients([g], [alone[0]]);
        Sgd(alone[1]).ApplyGradients([g], [alone[1]]);
        Sgd(null).ApplyGradients([alone[1]], [alone[2]]);
        for (int i = 0; i < 3; i++) Assert.Equal(alone[i].ToArray<float>(), grouped[i].ToArray<float>());
    }
}

public sealed class ManagedOptimizerGroupTests() : OptimizerGroupTests("managed");

public sealed class NativeCpuOptimizerGroupTests() : OptimizerGroupTests("cpu");

public sealed class CudaOptimizerGroupTests() : OptimizerGroupTests("cuda");
