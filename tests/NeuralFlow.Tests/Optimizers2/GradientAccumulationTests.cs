using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe30;

namespace NeuralFlow.Tests.Optimizers2;

/// <summary>
/// Keras 3's <c>gradient_accumulation_steps</c> on every optimizer: n calls' gradients averaged into one update
/// (the n-th call updates, the others only accumulate), <c>iterations</c> counting updates (Adam's bias correction
/// follows it), schedules reading the count of calls, Fit against PyTorch's micro-batch accumulation
/// (gradient_accumulation_reference.py), the compiled step replaying both kinds of call as runEagerly, and the
/// accumulated sums saved with the model.
/// </summary>
public abstract class GradientAccumulationTests(string backend) : BackendFileTest(backend)
{
    private static Variable Weight() => new(NF.Constant(new float[] { 0.5f, -1.25f, 2f }), name: "w");

    private static Tensor Gradient(int call) => NF.Constant(new float[] { 0.25f * call, -0.5f + call, 1f / (call + 1) });

    [SkippableFact]
    public void Every_nth_call_updates_with_the_mean_of_the_calls_gradients()
    {
        RequireBackend();
        foreach (var (name, make, plain) in new (string, Func<int?, Optimizers.Optimizer>, Func<Optimizers.Optimizer>)[]
        {
            ("SGD", n => new Optimizers.SGD(0.1, momentum: 0.9, gradientAccumulationSteps: n), () => new Optimizers.SGD(0.1, momentum: 0.9)),
            ("Adam", n => new Optimizers.Adam(0.1, gradientAccumulationSteps: n), () => new Optimizers.Adam(0.1)),
            ("RMSprop", n => new Optimizers.RMSprop(0.05, gradientAccumulationSteps: n, clipNorm: 1), () => new Optimizers.RMSprop(0.05, clipNorm: 1)),
            ("AdamW", n => new Optimizers.AdamW(0.1, weightDecay: 0.1, gradientAccumulationSteps: n), () => new Optimizers.AdamW(0.1, weightDecay: 0.1)),
            ("Lion", n => new Optimizers.Lion(0.01, gradientAccumulationSteps: n), () => new Optimizers.Lion(0.01)),
            ("Adafactor", n => new Optimizers.Adafactor(0.1, gradientAccumulationSteps: n), () => new Optimizers.Adafactor(0.1)),
        })
        {
            var (v, reference) = (Weight(), Weight());
            var (accumulating, stepping) = (make(3), plain());
            for (int call = 0; call < 6; call++)
            {
                var before = v.ToArray<float>();
                accumulating.ApplyGradients([Gradient(call)], [v]);
                Assert.Equal((call + 1) / 3, accumulating.Iterations);
                if (call % 3 != 2)
                {
                    Assert.Equal(before, v.ToArray<float>());   // accumulating only
                    continue;
                }
                // Keras' (g + accumulated) / n, the accumulated sum built call by call.
                var sum = Gradient(call - 2) + Gradient(call - 1);
                stepping.ApplyGradients([(Gradient(call) + sum) / 3], [reference]);
                Assert.True(reference.ToArray<float>().AsSpan().SequenceEqual(v.ToArray<float>()),
                    $"{name} at call {call}: {string.Join(",", v.ToArray<float>())} against {string.Join(",", reference.ToArray<float>())}");
                Assert.Equal(new float[3], accumulating.AccumulatorOf(v)!.ToArray<float>());
            }
            Assert.Equal(2, stepping.Iterations);
        }
    }

    [SkippableFact]
    public void The_accumulator_holds_the_sum_and_is_named_as_keras_names_it()
    {
        RequireBackend();
        var v = Weight();
        var sgd = new Optimizers.SGD(0.1, gradientAccumulationSteps: 4, name: "sgd");
        sgd.ApplyGradients([Gradient(1)], [v]);
        sgd.ApplyGradients([Gradient(2)], [v]);
        var accumulator = sgd.AccumulatorOf(v)!;
        Assert.Equal((Gradient(1) + Gradient(2)).ToArray<float>(), accumulator.ToArray<float>());
        Assert.Equal("sgd/w_gradient_accumulator", accumulator.Name);
        Assert.Null(new Optimizers.SGD(0.1).AccumulatorOf(v));
    }

    [SkippableFact]
    public void A_schedule_reads_the_count_of_calls_as_keras_does()
    {
        RequireBackend();
        var schedule = new ExponentialDecay(1.0, decaySteps: 1, decayRate: 0.5);
        var adam = new Optimizers.Adam(schedule, gradientAccumulationSteps: 2);
        var v = Weight();
        for (int call = 0; call < 5; call++)
        {
            Assert.Equal(Math.Pow(0.5, call), adam.CurrentLearningRate, 12);
            adam.ApplyGradients([Gradient(call)], [v]);
        }
        Assert.Equal(2, adam.Iterations);
    }

    [SkippableFact]
    public void Fit_accumulating_two_batches_matches_pytorch_micro_batches()
    {
        RequireBackend();
        var x = NF.Constant(new float[] { 0.5f, -1f, 1.5f, 0.25f, -0.75f, 2f, 1f, 1f, 0f, -0.5f, 2f, 0.5f, -1.25f, -0.25f, 0.75f, -1.5f }, new Shape(8, 2));
        var y = NF.Constant(new float[] { 1f, 2.5f, -0.5f, 1.75f, 0.25f, 3f, -1f, 0.5f }, new Shape(8, 1));
        // gradient_accumulation_reference.py: kernel, then bias, after 2 epochs of 4 batches of 2 (4 updates).
        foreach (var (optimizer, expected) in new (Func<Optimizers.Optimizer>, double[])[]
        {
            (() => new Optimizers.SGD(0.05, momentum: 0.9, gradientAccumulationSteps: 2), [1.225512065193653, 0.10768007429540165, 0.5641710563564301]),
            (() => new Optimizers.Adam(0.1, gradientAccumulationSteps: 2), [0.8930554467879979, 0.08020065354311623, 0.434535205656303]),
        })
        {
            foreach (bool eager in new[] { true, false })
            {
                var dense = new Layers.Dense(1);
                var model = new Sequential(Layers.Input([2]), dense);
                dense.Kernel.Assign(NF.Constant(new float[] { 0.5f, -0.3f }, new Shape(2, 1)));
                dense.Bias.Assign(NF.Constant(new float[] { 0.1f }));
                var o = optimizer();
                model.Compile(o, "mse", runEagerly: eager);
                model.Fit(x, y, batchSize: 2, epochs: 2, shuffle: false, verbose: 0);
                float[] got = [.. dense.Kernel.ToArray<float>(), .. dense.Bias.ToArray<float>()];
                for (int i = 0; i < 3; i++) Assert.Equal(expected[i], got[i], 5e-6);
                Assert.Equal(4, o.Iterations);
            }
        }
    }

    [SkippableFact]
    public void A_compiled_fit_replays_accumulating_and_updating_calls_as_eagerly()
    {
        RequireBackend();
        NF.Random.SetSeed(41);
        var x = NF.Random.Normal([40, 5]);
        var y = NF.Random.Uniform([40], minval: 0, maxval: 3, dtype: DType.Int32);
        // 3 batches an epoch (12, 12, 8): updates fall in different places of each epoch.
        foreach (var (what, optimizer) in new (string, Func<Optimizers.Optimizer>)[]
        {
            ("SGD momentum, 2", () => new Optimizers.SGD(0.05, momentum: 0.9, gradientAccumulationSteps: 2)),
            ("Adam, 3, global clipnorm", () => new Optimizers.Adam(0.02, globalClipNorm: 0.5, gradientAccumulationSteps: 3)),
            ("Lion, 2", () => new Optimizers.Lion(0.005, weightDecay: 0.01, gradientAccumulationSteps: 2)),
            ("Nadam, 4", () => new Optimizers.Nadam(0.01, gradientAccumulationSteps: 4)),
        })
            CompiledTwins.AssertSame(what, () => new Sequential(new Layers.Dense(6, activation: "relu"), new Layers.Dense(3)),
                (model, eager) => model.Compile(optimizer(), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], runEagerly: eager),
                x, y);
    }

    [SkippableFact]
    public void A_model_saved_between_updates_resumes_with_its_accumulated_gradients()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var x = NF.Random.Normal([6, 3]);
        var y = NF.Random.Normal([6, 1]);
        Model Make()
        {
            NF.Random.SetSeed(8);
            var m = new Sequential(Layers.Input([3]), new Layers.Dense(1));
            m.Compile(new Optimizers.Adam(0.1, gradientAccumulationSteps: 2), "mse");
            return m;
        }
        // One run of 6 calls (3 updates); another saved after 3 calls, the third's gradients still accumulated.
        var whole = Make();
        whole.Fit(x, y, batchSize: 2, epochs: 2, shuffle: false, verbose: 0);
        var first = Make();
        first.Fit(x, y, batchSize: 2, epochs: 1, shuffle: false, verbose: 0);
        Assert.Equal(1, first.Optimizer!.Iterations);
        var path = SaveTo(first, "accumulating.keras");
        var resumed = Models.LoadModel(path);
        Assert.Equal(2, resumed.Optimizer!.GradientAccumulationSteps);
        Assert.Equal(1, resumed.Optimizer.Iterations);
        resumed.Fit(x, y, batchSize: 2, epochs: 1, shuffle: false, verbose: 0);
        for (int i = 0; i < whole.Variables.Count; i++)
            Assert.Equal(whole.Variables[i].ToArray<float>(), resumed.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void Fewer_than_two_steps_are_refused_naming_the_argument()
    {
        RequireBackend();
        foreach (int steps in new[] { 1, 0, -3 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.Adam(gradientAccumulationSteps: steps));
            Assert.Equal("gradientAccumulationSteps", e.ParamName);
            Assert.Contains(">= 2", e.Message);
        }
    }
}

/// <summary>Gradient accumulation on the managed backend.</summary>
public sealed class ManagedGradientAccumulationTests() : GradientAccumulationTests("managed");

/// <summary>Gradient accumulation on the native CPU backend.</summary>
public sealed class NativeCpuGradientAccumulationTests() : GradientAccumulationTests("cpu");

/// <summary>Gradient accumulation on CUDA.</summary>
public sealed class CudaGradientAccumulationTests() : GradientAccumulationTests("cuda");
