using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Optimizers composed of tensor ops (Lion, Adafactor, a user's subclass overriding the tensor
/// Update, Keras 3's custom-optimizer pattern) replay in Fit and NF.Function steps: the learning
/// rate and step reach Update as scalar tensors that every replay rewrites from the schedule and
/// the iteration count, as Keras reads its learning-rate and iterations variables in the graph.
/// A replay gives run_eagerly's bits; the reference for "the right rate at each step" is Keras'
/// documented schedule formula (ExponentialDecay: initial * rate^(step / decaySteps)) evaluated in C#.
/// The fused optimizers with clipNorm / globalClipNorm replay too: their norms are tensor ops as well.
/// </summary>
public abstract class ComposedOptimizerReplayTests(string backend) : BackendFileTest(backend)
{
    private bool OnGpu => BackendName == "cuda";

    // Keras 3's custom optimizer written by hand: SGD with momentum (velocity = m v - lr g; w += v).
    private sealed class MomentumSgd(LearningRate learningRate, double momentum, double? weightDecay = null, double? clipNorm = null,
                                     double? clipValue = null, double? globalClipNorm = null)
        : Optimizers.Optimizer(learningRate, weightDecay, clipNorm, clipValue, globalClipNorm)
    {
        protected override Variable[] CreateSlots(Variable variable) => [ZerosLike(variable)];

        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, Tensor learningRate, Tensor step)
        {
            var velocity = slots[0];
            velocity.Assign(velocity * momentum - gradient * learningRate);
            variable.AssignAdd(velocity);
        }
    }

    // The same, written against the Update that takes C# numbers (kept for existing subclasses).
    private sealed class NumberSgd(LearningRate learningRate) : Optimizers.Optimizer(learningRate)
    {
        protected override void Update(Variable variable, Tensor gradient, Variable[] slots, double learningRate, long step) =>
            variable.AssignSub(gradient * learningRate);
    }

    private static Optimizers.Optimizer Make(string kind) => kind switch
    {
        "lion" => new Optimizers.Lion(0.01),
        "lion_cosine_decay" => new Optimizers.Lion(new CosineDecay(0.02, 10, alpha: 0.1), weightDecay: 0.05),
        "adafactor" => new Optimizers.Adafactor(0.05),
        "adafactor_exponential_clipnorm" => new Optimizers.Adafactor(new ExponentialDecay(0.1, 4, 0.7), clipNorm: 0.5),
        "momentum_by_hand" => new MomentumSgd(new ExponentialDecay(0.05, 3, 0.8), 0.9, weightDecay: 0.01),
        "momentum_by_hand_global_clip" => new MomentumSgd(0.05, 0.5, globalClipNorm: 0.3),
        // The fused kernels' optimizers with norm clipping: the norms are computed on the device too
        // (before, a host-side norm made every such Fit step run eagerly).
        "adam_clipnorm" => new Optimizers.Adam(0.02, clipNorm: 0.5),
        "sgd_global_clipnorm_decay" => new Optimizers.SGD(new ExponentialDecay(0.05, 4, 0.8), momentum: 0.9, weightDecay: 0.01, globalClipNorm: 0.3),
        _ => new MomentumSgd(0.05, 0.5, clipValue: 0.1),
    };

    public static TheoryData<string> Kinds => new()
    {
        "lion", "lion_cosine_decay", "adafactor", "adafactor_exponential_clipnorm", "momentum_by_hand", "momentum_by_hand_global_clip",
        "momentum_by_hand_clip_value", "adam_clipnorm", "sgd_global_clipnorm_decay",
    };

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(41);
        var x = NF.Random.Normal([48, 5]);
        return (x, NF.ReduceSum(x * NF.Constant(new[] { 1f, -2f, 0.5f, 3f, 0f }), -1, keepDims: true));
    }

    private static Model MakeModel()
    {
        NF.Random.SetSeed(42);
        return new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(1));
    }

    private static void AssertSameWeights(string what, Model expected, Model actual)
    {
        Assert.Equal(expected.Variables.Count, actual.Variables.Count);
        for (int i = 0; i < expected.Variables.Count; i++)
            Assert.True(expected.Variables[i].ToArray<float>().AsSpan().SequenceEqual(actual.Variables[i].ToArray<float>()), $"{what}: variable {i} differs");
    }

    [SkippableTheory]
    [MemberData(nameof(Kinds))]
    public void Fit_replays_the_step_and_matches_run_eagerly_bit_for_bit(string kind)
    {
        RequireBackend();
        var (x, y) = Data();
        var runs = new[] { true, false }.Select(eager =>
        {
            var model = MakeModel();
            model.Compile(Make(kind), "mse", runEagerly: eager);
            var history = model.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, shuffle: false);
            if (!eager)
            {
                var fit = model.TrainFunction!;
                Assert.True(fit.ReplayCount >= 9, $"{kind}: {fit.ReplayCount} replays in 12 steps ({fit.EagerReason})");
                Assert.Null(fit.EagerReason);
            }
            return (model, history["loss"]);
        }).ToArray();
        Assert.Equal(runs[0].Item2, runs[1].Item2);
        AssertSameWeights(kind, runs[0].model, runs[1].model);
        Assert.Equal(12, runs[1].model.Optimizer!.Iterations);
    }

    [SkippableFact]
    public void A_custom_loop_replays_with_the_schedule_rate_at_every_step()
    {
        RequireBackend();
        // loss = sum(w): the gradient is 1 everywhere, so plain SGD moves w by -lr(k) at step k.
        var schedule = new ExponentialDecay(0.5, 3, 0.5);
        var w = new Variable(NF.Zeros([3]));
        var opt = new MomentumSgd(schedule, 0);
        var step = NF.Function((Tensor scale) =>
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceSum(w * scale);
            opt.ApplyGradients([tape.Gradient(loss, [w])[0]], [w]);
            return loss;
        });
        const int Steps = 8;
        for (int i = 0; i < Steps; i++) step(NF.Constant(1f));
        var info = TracedFunction.Of(step);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        Assert.True(info.ReplayCount >= Steps - 2, $"{info.ReplayCount} replays");
        // Keras' ExponentialDecay: 0.5 * 0.5^(k / 3) at iterations k = 0..7, summed in float32.
        float expected = 0;
        for (int k = 0; k < Steps; k++) expected -= (float)(0.5 * Math.Pow(0.5, k / 3.0));
        Reference.AssertClose([expected, expected, expected], w.ToArray<float>().Select(v => (double)v).ToArray(), 1e-6, 1e-6, "w after the schedule's steps");
        Assert.Equal(Steps, opt.Iterations);
        if (OnGpu)
        {
            Assert.Null(info.CudaGraphFallback);
            Assert.True(info.CudaGraphLaunches > 0, "no CUDA graph launch");
        }
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Two_steps_of_one_optimizer_in_one_function_each_get_their_own_rate(bool graphs)
    {
        RequireBackend();
        // A piecewise schedule with a new rate at every iteration: the two updates of one replay
        // must read lr(2i) and lr(2i + 1), also when the replay is CUDA graph launches.
        var schedule = new PiecewiseConstantDecay([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
        double[] Run(bool traced)
        {
            var w = new Variable(NF.Zeros([2], DType.Float64));
            var opt = new Optimizers.Lion(schedule);
            Func<Tensor, Tensor> body = g =>
            {
                opt.ApplyGradients([g], [w]);
                opt.ApplyGradients([g * 2.0], [w]);
                return w * 1.0;
            };
            var f = traced ? NF.Function(body) : body;
            if (traced) TracedFunction.Of(f).CudaGraphs = graphs;
            for (int i = 0; i < 5; i++) f(NF.Constant(new[] { 1.0, -1.0 }));
            if (traced) Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
            return w.ToArray<double>();
        }
        // Lion's update is lr * sign(...): w[0] falls by the sum of all ten rates, w[1] rises by it.
        Assert.Equal(new[] { -1023.0, 1023.0 }, Run(traced: false));
        Assert.Equal(new[] { -1023.0, 1023.0 }, Run(traced: true));
    }

    [SkippableFact]
    public void An_Update_taking_numbers_still_works_and_runs_eagerly_with_the_reason()
    {
        RequireBackend();
        var w = new Variable(NF.Zeros([2]));
        var opt = new NumberSgd(0.25);
        var step = NF.Function((Tensor g) =>
        {
            opt.ApplyGradients([g], [w]);
            return w * 1f;
        });
        for (int i = 0; i < 3; i++) step(NF.Constant(new[] { 1f, 2f }));
        var info = TracedFunction.Of(step);
        Assert.False(info.LastCallReplayed);
        Assert.Contains("NumberSgd overrides Update(..., double learningRate, long step)", info.EagerReason);
        Assert.Contains("Tensor learningRate, Tensor step", info.EagerReason);
        Assert.Equal(new[] { -0.75f, -1.5f }, w.ToArray<float>());
    }

    [SkippableFact]
    public void Options_on_the_device_match_the_fused_kernels()
    {
        RequireBackend();
        float[] Run(Optimizers.Optimizer o)
        {
            var a = new Variable(NF.Constant(new[] { 1f, -2f, 3f }));
            var b = new Variable(NF.Constant(new[] { 0.5f, 4f }));
            for (int i = 0; i < 3; i++)
                o.ApplyGradients([NF.Constant(new[] { 4f, -0.5f, 0.25f }) * (i + 1), NF.Constant(new[] { 3f, -1f })], [a, b]);
            return [.. a.ToArray<float>(), .. b.ToArray<float>()];
        }
        void Same(Optimizers.Optimizer fused, Optimizers.Optimizer byHand, string what) =>
            Reference.AssertClose(Run(fused).Select(v => (double)v).ToArray(), Run(byHand).Select(v => (double)v).ToArray(), 1e-6, 1e-6, what);
        Same(new Optimizers.SGD(0.1, momentum: 0.9), new MomentumSgd(0.1, 0.9), "momentum");
        Same(new Optimizers.SGD(0.1, momentum: 0.5, weightDecay: 0.02, clipValue: 0.3), new MomentumSgd(0.1, 0.5, weightDecay: 0.02, clipValue: 0.3), "clipvalue + decay");
        Same(new Optimizers.SGD(0.1, momentum: 0.5, clipNorm: 1), new MomentumSgd(0.1, 0.5, clipNorm: 1), "clipnorm");
        Same(new Optimizers.SGD(0.1, momentum: 0.5, globalClipNorm: 2), new MomentumSgd(0.1, 0.5, globalClipNorm: 2), "global clipnorm");
    }

    [SkippableTheory]
    [InlineData("lion_cosine_decay")]
    [InlineData("adafactor_exponential_clipnorm")]
    public void Save_load_and_resume_gives_the_weights_of_uninterrupted_training(string kind)
    {
        RequireBackend();
        var (x, y) = Data();
        var uninterrupted = MakeModel();
        uninterrupted.Compile(Make(kind), "mse");
        uninterrupted.Fit(x, y, batchSize: 16, epochs: 5, verbose: 0, shuffle: false);

        var first = MakeModel();
        first.Compile(Make(kind), "mse");
        first.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false);
        var resumed = Keras.Model.Load(SaveTo(first, kind + ".nfmodel"));
        resumed.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false);
        Assert.Equal(15, resumed.Optimizer!.Iterations);
        Assert.True(resumed.TrainFunction!.ReplayCount > 0 && resumed.TrainFunction.EagerReason is null, resumed.TrainFunction.EagerReason);
        AssertSameWeights(kind, uninterrupted, resumed);
    }
}

public sealed class ManagedComposedOptimizerReplayTests() : ComposedOptimizerReplayTests("managed");
public sealed class NativeCpuComposedOptimizerReplayTests() : ComposedOptimizerReplayTests("cpu");
public sealed class CudaComposedOptimizerReplayTests() : ComposedOptimizerReplayTests("cuda");
