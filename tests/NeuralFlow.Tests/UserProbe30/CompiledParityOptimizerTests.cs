using System.Reflection;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// Issue 17's promise for compiled steps, checked over the whole optimizer list instead of one optimizer per test:
/// a Fit whose train step replays gives the history and weights of <c>Compile(runEagerly: true)</c> bit for bit.
/// Every optimizer <see cref="Optimizers.Get"/> knows runs with its defaults and with Keras 3's base options
/// (clipnorm; global_clipnorm with weight decay; clipvalue with the moving average of the weights, overwritten every
/// second step), each built through its own constructor's parameters, so an optimizer whose replayed update
/// forgets an option (or reads a host value captured at trace time: the step count, a schedule's rate, the EMA's
/// overwrite turn) differs from its eager twin. Learning-rate schedules and the callbacks that change the rate
/// between steps are checked the same way.
/// </summary>
public abstract class CompiledParityOptimizerTests(string backend) : BackendTest(backend)
{
    private const int Examples = 40;

    private static readonly string[] Names =
        ["sgd", "adam", "rmsprop", "adagrad", "adamw", "nadam", "adamax", "adadelta", "ftrl", "lion", "adafactor", "lamb", "muon", "schedulefreeadamw"];

    // Keras 3's base options, by the constructor parameters' names.
    private static readonly Dictionary<string, Dictionary<string, object>> Options = new()
    {
        ["defaults"] = [],
        ["clipnorm"] = new() { ["clipNorm"] = 0.5 },
        ["global_clipnorm+weight_decay"] = new() { ["globalClipNorm"] = 1.0, ["weightDecay"] = 0.01 },
        ["clipvalue+ema"] = new() { ["clipValue"] = 0.05, ["useEma"] = true, ["emaOverwriteFrequency"] = (int?)2 },
    };

    public static TheoryData<string, string> OptimizerCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var name in Names)
            foreach (var option in Options.Keys)
                cases.Add(name, option);
        return cases;
    }

    // The optimizer named, built with its learning rate of 0.01 and the options through its own constructor.
    private static Optimizers.Optimizer Build(string name, string option)
    {
        var type = Optimizers.Get(name).GetType();
        var constructor = type.GetConstructors().Single(c => c.GetParameters().Any(p => p.Name == "learningRate"));
        var given = new Dictionary<string, object>(Options[option]) { ["learningRate"] = (LearningRate)0.01 };
        var arguments = constructor.GetParameters().Select(p =>
        {
            if (!given.Remove(p.Name!, out var value)) return p.DefaultValue;
            return value;
        }).ToArray();
        Assert.True(given.Count == 0, $"{type.Name} has no parameter {string.Join(", ", given.Keys)}");
        return (Optimizers.Optimizer)constructor.Invoke(arguments);
    }

    [SkippableTheory]
    [MemberData(nameof(OptimizerCases))]
    public void Every_optimizer_and_base_option_replays_as_run_eagerly(string name, string option)
    {
        RequireBackend();
        AssertTwins($"{name} {option}", () => Build(name, option));
    }

    public static TheoryData<string> ScheduleCases() => new() { "exponential", "inverse_time", "polynomial_cycle", "piecewise", "cosine_warmup", "cosine_restarts" };

    private static LearningRate Schedule(string kind) => kind switch
    {
        "exponential" => new ExponentialDecay(0.05, 3, 0.7, staircase: true),
        "inverse_time" => new InverseTimeDecay(0.05, 2, 0.5),
        "polynomial_cycle" => new PolynomialDecay(0.05, 4, 0.001, power: 2, cycle: true),
        "piecewise" => new PiecewiseConstantDecay([3, 6], [0.05, 0.02, 0.005]),
        "cosine_warmup" => new CosineDecay(0.0, 8, alpha: 0.1, warmupTarget: 0.05, warmupSteps: 3),
        _ => new CosineDecayRestarts(0.05, 3, tMul: 2, mMul: 0.5),
    };

    [SkippableTheory]
    [MemberData(nameof(ScheduleCases))]
    public void Learning_rate_schedules_advance_per_replayed_step_as_eagerly(string kind)
    {
        RequireBackend();
        AssertTwins(kind + " (sgd momentum)", () => new Optimizers.SGD(Schedule(kind), momentum: 0.9));
        AssertTwins(kind + " (adam)", () => new Optimizers.Adam(Schedule(kind)));
    }

    [SkippableFact]
    public void Callbacks_that_change_the_rate_between_replayed_steps_act_as_eagerly()
    {
        RequireBackend();
        AssertTwins("LearningRateScheduler", () => new Optimizers.SGD(0.1), () => [new Callbacks.LearningRateScheduler(epoch => 0.1 * Math.Pow(0.5, epoch))]);
        AssertTwins("ReduceLROnPlateau", () => new Optimizers.Adam(0.05), () => [new Callbacks.ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 0, minDelta: 10)]);
        AssertTwins("rate set per batch", () => new Optimizers.RMSprop(0.01), () => [new RateEveryBatch()]);
    }

    // A user's callback: a new rate at every batch, from the batch index.
    private sealed class RateEveryBatch : Callbacks.Callback
    {
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => Model!.Optimizer!.LearningRate = 0.01 * (batch + 1);
    }

    // The same small classifier trained eagerly and replayed with the optimizer (and callbacks) given.
    private static void AssertTwins(string what, Func<Optimizers.Optimizer> optimizer, Func<Callbacks.Callback[]>? callbacks = null)
    {
        NF.Random.SetSeed(41);
        var x = NF.Random.Normal([Examples, 5]);
        var y = NF.Random.Uniform([Examples], minval: 0, maxval: 3, dtype: DType.Int32);
        CompiledTwins.AssertSame(what, () => new Sequential(new Layers.Dense(6, activation: "relu"), new Layers.Dense(3)),
            (model, eager) => model.Compile(optimizer(), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], runEagerly: eager),
            x, y, callbacks);
    }
}

/// <summary>Compiled-step parity over the optimizers on the managed backend.</summary>
public sealed class ManagedCompiledParityOptimizerTests() : CompiledParityOptimizerTests("managed");

/// <summary>Compiled-step parity over the optimizers on the native CPU backend.</summary>
public sealed class NativeCpuCompiledParityOptimizerTests() : CompiledParityOptimizerTests("cpu");

/// <summary>Compiled-step parity over the optimizers on CUDA.</summary>
public sealed class CudaCompiledParityOptimizerTests() : CompiledParityOptimizerTests("cuda");
