using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.Function: a replayed step gives the eager step's numbers bit for bit (weights compared with
/// an eager twin after 20 steps, for Dense, Conv2D, BatchNormalization and Dropout models with
/// several losses and optimizers), retraces on a new signature, and runs eagerly, with a reason,
/// where a replay could be wrong.
/// </summary>
public abstract class FunctionTests(string backend) : BackendTest(backend)
{
    private const int Steps = 20;

    private static Model DenseModel() => new Sequential(new Layers.Flatten(), new Layers.Dense(16, activation: "relu"), new Layers.Dense(10));
    private static Model ConvModel() => new Sequential(new Layers.Conv2D(4, 3, activation: "relu"), new Layers.MaxPooling2D(), new Layers.Flatten(), new Layers.Dense(10));
    private static Model NormModel() => new Sequential(new Layers.Flatten(), new Layers.Dense(12), new Layers.BatchNormalization(), new Layers.ReLU(), new Layers.Dense(10));
    private static Model DropoutModel() => new Sequential(new Layers.Flatten(), new Layers.Dense(32, activation: "relu"), new Layers.Dropout(0.3), new Layers.Dense(10));

    public static TheoryData<string, string, string> Cases => new()
    {
        { "dense", "sparse_logits", "sgd_momentum" },
        { "dense", "mse", "adam" },
        { "dense", "categorical", "rmsprop" },
        { "conv", "sparse_logits", "adam" },
        { "conv", "categorical", "sgd_momentum" },
        { "norm", "sparse_logits", "adam_schedule" },
        { "norm", "mse", "sgd_momentum" },
        { "dropout", "sparse_logits", "adam" },
        { "dropout", "categorical", "adamw" },
    };

    private static Model MakeModel(string kind) => kind switch
    {
        "dense" => DenseModel(),
        "conv" => ConvModel(),
        "norm" => NormModel(),
        _ => DropoutModel(),
    };

    private static Losses.Loss MakeLoss(string kind) => kind switch
    {
        "sparse_logits" => new Losses.SparseCategoricalCrossentropy(fromLogits: true),
        "mse" => new Losses.MeanSquaredError(),
        _ => new Losses.CategoricalCrossentropy(fromLogits: true),
    };

    private static Optimizers.Optimizer MakeOptimizer(string kind) => kind switch
    {
        "sgd_momentum" => new Optimizers.SGD(0.05, momentum: 0.9),
        "adam" => new Optimizers.Adam(0.01),
        "adamw" => new Optimizers.AdamW(0.01),
        "rmsprop" => new Optimizers.RMSprop(0.01),
        _ => new Optimizers.Adam(new ExponentialDecay(0.02, 5, 0.5)),
    };

    // Fixed data per step: x [8, 6, 6, 1], labels as the loss wants them.
    private static (Tensor X, Tensor Y)[] Batches(string loss)
    {
        NF.Random.SetSeed(123);
        var batches = new (Tensor, Tensor)[Steps];
        for (int i = 0; i < Steps; i++)
        {
            var x = NF.Random.Normal([8, 6, 6, 1]);
            var labels = NF.Cast(NF.Random.Uniform([8], minval: 0, maxval: 10, dtype: DType.Int32), DType.Int32);
            Tensor y = loss == "sparse_logits" ? labels : NF.OneHot(labels, 10);
            batches[i] = (x, y);
        }
        return batches;
    }

    private static Func<Tensor, Tensor, Tensor> StepOf(Model model, Losses.Loss loss, Optimizers.Optimizer optimizer) => (x, y) =>
    {
        using var tape = new GradientTape();
        Tensor value;
        using (Layer.TrainingMode())
            value = loss.Call(y, model.Call(x));
        var weights = model.TrainableVariables;
        var grads = tape.Gradient(value, weights);
        optimizer.ApplyGradients(grads, weights);  // inside the tape's scope: exercises copy-on-write
        return value;
    };

    private static (float[][] Weights, float[] Losses, long Iterations) Train(string model, string loss, string optimizer, bool traced, out TracedFunction? function)
    {
        var batches = Batches(loss);
        NF.Random.SetSeed(7);
        var m = MakeModel(model);
        var opt = MakeOptimizer(optimizer);
        var step = StepOf(m, MakeLoss(loss), opt);
        var run = traced ? NF.Function(step) : step;
        function = traced ? TracedFunction.Of(run) : null;
        var losses = new float[Steps];
        for (int i = 0; i < Steps; i++) losses[i] = run(batches[i].X, batches[i].Y).ToArray<float>()[0];
        return (m.Variables.Select(v => v.ToArray<float>()).ToArray(), losses, opt.Iterations);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Replayed_steps_match_the_eager_twin_bit_for_bit(string model, string loss, string optimizer)
    {
        RequireBackend();
        var eager = Train(model, loss, optimizer, traced: false, out _);
        var traced = Train(model, loss, optimizer, traced: true, out var f);
        Assert.True(f!.ReplayCount >= Steps - 2, $"expected replays, got {f.ReplayCount} (traces {f.TraceCount}, eager because: {f.EagerReason})");
        Assert.Equal(eager.Iterations, traced.Iterations);
        Assert.Equal(eager.Losses, traced.Losses);
        Assert.Equal(eager.Weights.Length, traced.Weights.Length);
        for (int i = 0; i < eager.Weights.Length; i++)
            Assert.True(eager.Weights[i].AsSpan().SequenceEqual(traced.Weights[i]), $"variable {i} differs after {Steps} steps");
    }

    [SkippableFact]
    public void A_new_signature_retraces_and_each_keeps_its_plan()
    {
        RequireBackend();
        int traces = 0;
        var f = NF.Function((Tensor x) => { traces++; return NF.Relu(x * 2f + 1f); });
        var a = NF.Constant(new[] { -1f, 0f, 1f });
        var b = NF.Constant(new[,] { { -3f, 2f } });
        Assert.Equal(new[] { 0f, 1f, 3f }, f(a).ToArray<float>());
        Assert.Equal(new[] { 0f, 5f }, f(b).ToArray<float>());
        Assert.Equal(new[] { 0f, 3f, 7f }, f(NF.Constant(new[] { -4f, 1f, 3f })).ToArray<float>());
        Assert.Equal(new[] { 9f, 0f }, f(NF.Constant(new[,] { { 4f, -2f } })).ToArray<float>());
        Assert.Equal(2, traces); // C# side effects run at trace time only
        var info = TracedFunction.Of(f);
        Assert.Equal(2, info.TraceCount);
        Assert.Equal(2, info.ReplayCount);
        // A strided view is packed first and replays too.
        var m = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } });
        Assert.Equal(new[] { 3f, 7f, 11f }, f(m[.., 0]).ToArray<float>());
        Assert.True(info.LastCallReplayed);
    }

    [SkippableFact]
    public void The_plan_cache_is_bounded_and_drops_the_oldest_signature()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => x * 3f, maxTraces: 2);
        var info = TracedFunction.Of(f);
        foreach (int n in new[] { 1, 2, 1, 2 }) f(NF.Zeros([n]));
        Assert.Equal(2, info.TraceCount);   // both kept
        f(NF.Zeros([3]));                   // a third: the plan for [1] goes
        f(NF.Zeros([2]));
        Assert.Equal(3, info.TraceCount);
        Assert.True(info.LastCallReplayed);
        Assert.Equal(new[] { 3f }, f(NF.Ones([1])).ToArray<float>());
        Assert.Equal(4, info.TraceCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Function((Tensor x) => x, maxTraces: 0));
    }

    [SkippableFact]
    public void Outputs_of_two_replays_are_independent_tensors()
    {
        RequireBackend();
        var f = NF.Function((Tensor x, Tensor y) => new[] { x + y, x * y });
        var r1 = f(NF.Constant(new[] { 1f, 2f }), NF.Constant(new[] { 3f, 4f }));
        var r2 = f(NF.Constant(new[] { 5f, 6f }), NF.Constant(new[] { 7f, 8f }));
        var r3 = f(NF.Constant(new[] { 1f, 1f }), NF.Constant(new[] { 2f, 2f }));
        Assert.Equal(new[] { 4f, 6f }, r1[0].ToArray<float>());
        Assert.Equal(new[] { 12f, 14f }, r2[0].ToArray<float>());
        Assert.Equal(new[] { 35f, 48f }, r2[1].ToArray<float>());
        Assert.Equal(new[] { 2f, 2f }, r3[1].ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void Random_ops_draw_fresh_numbers_as_eager_would()
    {
        RequireBackend();
        var f = NF.Function((Tensor x) => x + NF.Random.Uniform(x.Shape));
        var zeros = NF.Zeros([4]);
        NF.Random.SetSeed(3);
        var eager = Enumerable.Range(0, 4).Select(_ => (zeros + NF.Random.Uniform([4])).ToArray<float>()).ToArray();
        NF.Random.SetSeed(3);
        var traced = Enumerable.Range(0, 4).Select(_ => f(zeros).ToArray<float>()).ToArray();
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        for (int i = 0; i < 4; i++) Assert.Equal(eager[i], traced[i]);
        Assert.NotEqual(traced[2], traced[3]);
    }

    [SkippableFact]
    public void Host_reads_fall_back_to_eager_with_the_reason()
    {
        RequireBackend();
        // Data-dependent C# control flow: a replay could not take the other branch.
        var f = NF.Function((Tensor x) => NF.ReduceSum(x).ToArray<float>()[0] > 0 ? x * 2f : x * -1f);
        Assert.Equal(new[] { 2f, 4f }, f(NF.Constant(new[] { 1f, 2f })).ToArray<float>());
        Assert.Equal(new[] { 3f, 4f }, f(NF.Constant(new[] { -3f, -4f })).ToArray<float>());
        Assert.Equal(new[] { 3f, -1f }, f(NF.Constant(new[] { -3f, 1f })).ToArray<float>());
        var info = TracedFunction.Of(f);
        Assert.False(info.LastCallReplayed);
        Assert.Contains("reads a tensor's value on the host", info.EagerReason);
    }

    [SkippableFact]
    public void Variables_assigned_inside_replay_in_place_and_a_tape_outside_forces_eager()
    {
        RequireBackend();
        var v = new Variable(NF.Constant(new[] { 1f, 2f }));
        var f = NF.Function((Tensor x) => { v.AssignAdd(x); return v * 1f; });
        for (int i = 0; i < 4; i++) f(NF.Constant(new[] { 1f, 1f }));
        Assert.Equal(new[] { 5f, 6f }, v.ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        // Under a recording tape the call runs eagerly, so the tape sees its ops (FunctionUnderTapeTests: ReplayUnderTape).
        var w = new Variable(NF.Constant(new[] { 3f }));
        var g = NF.Function((Tensor x) => x * w);
        g(NF.Constant(new[] { 1f }));
        g(NF.Constant(new[] { 1f }));
        using var tape = new GradientTape();
        var y = g(NF.Constant(new[] { 2f }));
        Assert.Equal(new[] { 2f }, tape.Gradient(y, [w])[0]!.ToArray<float>());
        Assert.Contains("GradientTape", TracedFunction.Of(g).EagerReason);
    }

    [SkippableFact]
    public void Validation_reads_are_checked_again_at_each_replay()
    {
        RequireBackend();
        var f = NF.Function((Tensor labels) => { Keras.Targets.CheckLabelRange("check", labels, 3); return labels + 0; });
        f(NF.Constant(new[] { 0, 2 }));
        f(NF.Constant(new[] { 1, 1 }));
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        var e = Assert.Throws<ArgumentException>(() => f(NF.Constant(new[] { 1, 3 })));
        Assert.Contains("label value of 3", e.Message);
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void Select_scan_and_sort_kernels_replay_on_new_inputs()
    {
        // NF.Where, NF.CumSum and NF.TopK reach the backend through kernels added after the
        // recording backend: a replay must run them on the new inputs, not return the trace's values.
        RequireBackend();
        var f = NF.Function((Tensor x, Tensor y) =>
        {
            var (values, indices) = NF.TopK(NF.CumSum(NF.Where(NF.Greater(x, y), x, y), axis: -1), 2);
            return new[] { values, NF.Cast(indices, DType.Float32) };
        });
        float[] eager(float[] a, float[] b)
        {
            var w = a.Zip(b, (p, q) => p > q ? p : q).ToArray();
            var c = new float[w.Length];
            for (int i = 0; i < w.Length; i++) c[i] = (i > 0 ? c[i - 1] : 0) + w[i];
            return c;
        }
        foreach (var (a, b) in new[] { (new[] { 1f, -2f, 3f }, new[] { 0f, 5f, -1f }), (new[] { -1f, -2f, -3f }, new[] { -4f, -5f, -6f }), (new[] { 2f, 0f, 1f }, new[] { 1f, 3f, 0f }) })
        {
            var r = f(NF.Constant(a), NF.Constant(b));
            var c = eager(a, b);
            var order = Enumerable.Range(0, 3).OrderByDescending(i => c[i]).ThenBy(i => i).Take(2).ToArray();
            Assert.Equal(order.Select(i => c[i]).ToArray(), r[0].ToArray<float>());
            Assert.Equal(order.Select(i => (float)i).ToArray(), r[1].ToArray<float>());
        }
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
    }

    [SkippableFact]
    public void The_recording_backend_implements_every_backend_method()
    {
        // A method added to IBackend with a default body must be recorded too, or a trace would
        // run that default (which throws) instead of the real kernel.
        var declared = typeof(Tensor).Assembly.GetType("NeuralFlow.RecordingBackend")!
            .GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.DeclaredOnly)
            .Select(m => m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.ParameterType.Name)) + ")").ToHashSet();
        var missing = typeof(Backends.IBackend).GetMethods()
            .Select(m => m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.ParameterType.Name)) + ")")
            .Where(sig => !declared.Contains(sig))
            // The 7-argument OptimizerUpdate forwards to the 8-argument one, which is recorded.
            .Where(sig => !(sig.StartsWith("OptimizerUpdate(") && sig.Split(',').Length == 8))
            .ToList();
        Assert.True(missing.Count == 0, "RecordingBackend misses: " + string.Join("; ", missing));
    }
}

public sealed class ManagedFunctionTests() : FunctionTests("managed");

public sealed class NativeCpuFunctionTests() : FunctionTests("cpu");

public sealed class CudaFunctionTests() : FunctionTests("cuda");
