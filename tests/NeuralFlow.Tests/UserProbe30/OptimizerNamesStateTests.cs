using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// The optimizer state a file holds does not depend on the optimizer's (per-process numbered) name, and resumes
/// exactly: after Fit with each optimizer, the model saved to .keras and to a Train.Checkpoint, loaded into a fresh
/// model and a fresh optimizer (another default name), takes one more step to the very weights of the run that was
/// never saved. Adafactor, Muon, Lamb, Lion, ScheduleFreeAdamW, moving averages (useEma) and LossScaleOptimizer included.
/// </summary>
public abstract class OptimizerNamesStateTests(string backend) : BackendFileTest(backend)
{
    public static TheoryData<string> Kinds => new()
    {
        "sgd", "rmsprop", "adam", "amsgrad", "adamw", "adamax", "adagrad", "adadelta", "nadam", "ftrl", "lion", "lamb",
        "adafactor", "muon", "schedulefree", "ema", "losscale",
    };

    private static Optimizers.Optimizer Make(string kind) => kind switch
    {
        "sgd" => new Optimizers.SGD(0.05, momentum: 0.9),
        "rmsprop" => new Optimizers.RMSprop(0.01, momentum: 0.5, centered: true),
        "adam" => new Optimizers.Adam(0.01),
        "amsgrad" => new Optimizers.Adam(0.01, amsgrad: true),
        "adamw" => new Optimizers.AdamW(0.01),
        "adamax" => new Optimizers.Adamax(0.01),
        "adagrad" => new Optimizers.Adagrad(0.05),
        "adadelta" => new Optimizers.Adadelta(1.0),
        "nadam" => new Optimizers.Nadam(0.01),
        "ftrl" => new Optimizers.Ftrl(0.05),
        "lion" => new Optimizers.Lion(0.01),
        "lamb" => new Optimizers.Lamb(0.01),
        "adafactor" => new Optimizers.Adafactor(0.05),
        "muon" => new Optimizers.Muon(0.01),
        "schedulefree" => new Optimizers.ScheduleFreeAdamW(0.01),
        "ema" => new Optimizers.Adam(0.01, useEma: true, emaMomentum: 0.5),
        "losscale" => new Optimizers.LossScaleOptimizer(new Optimizers.Adam(0.01), initialScale: 256, dynamicGrowthSteps: 2),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static Model MakeModel(Optimizers.Optimizer optimizer)
    {
        NF.Random.SetSeed(3030);
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(4, activation: "tanh"), new Layers.Dense(2));
        model.Compile(optimizer, new Losses.MeanSquaredError());
        return model;
    }

    private static Tensor X => NF.Constant(new float[,]
    {
        { 0.5f, -1f, 2f }, { 1.5f, 0.25f, -0.5f }, { -2f, 1f, 0.75f }, { 0.1f, 0.2f, 0.3f },
        { 1f, 1f, -1f }, { -0.5f, 2f, 0.5f }, { 0.3f, -0.7f, 1.1f }, { 2f, -1.5f, 0f },
    });
    private static Tensor Y => NF.Constant(new float[,]
    {
        { 1f, 0f }, { 0f, 1f }, { -1f, 0.5f }, { 0.2f, 0.2f }, { 0.5f, -0.5f }, { 1f, 1f }, { -0.3f, 0.1f }, { 0f, -1f },
    });

    // One more step (the whole batch), then the weights.
    private static float[][] Step(Model model)
    {
        model.Fit(X, Y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        return model.Variables.Select(v => v.ToArray<float>()).ToArray();
    }

    [SkippableTheory]
    [MemberData(nameof(Kinds))]
    public void A_saved_optimizer_resumes_in_a_fresh_one_to_the_unsaved_runs_weights(string kind)
    {
        RequireBackend();
        var trained = MakeModel(Make(kind));
        trained.Fit(X, Y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);   // 4 steps
        string archive = Temp.File("model.keras");
        trained.Save(archive);
        string checkpoint = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = trained, ["optimizer"] = trained.Optimizer! })
            .Save(Temp.File("ckpt"));
        var savedName = trained.Optimizer!.Name;
        var expected = Step(trained);

        // The archive: its compile config names the optimizer as it was named; its state comes back by position.
        var loaded = Model.Load(archive);
        Assert.Equal(savedName, loaded.Optimizer!.Name);
        Assert.Equal(4, loaded.Optimizer.Iterations);
        Assert.Equal(expected, Step(loaded));

        // The checkpoint, into a fresh model compiled with a fresh optimizer of another (default) name.
        var fresh = MakeModel(Make(kind));
        Assert.NotEqual(savedName, fresh.Optimizer!.Name);
        new Train.Checkpoint(new Dictionary<string, object> { ["model"] = fresh, ["optimizer"] = fresh.Optimizer }).Restore(checkpoint).AssertConsumed();
        Assert.Equal(4, fresh.Optimizer.Iterations);
        Assert.Equal(expected, Step(fresh));
    }
}

public sealed class ManagedOptimizerNamesStateTests() : OptimizerNamesStateTests("managed");

public sealed class NativeCpuOptimizerNamesStateTests() : OptimizerNamesStateTests("cpu");

public sealed class CudaOptimizerNamesStateTests() : OptimizerNamesStateTests("cuda");
