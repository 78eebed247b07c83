using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Model.Save / Model.Load mid-training with issue 16's optimizers, options and schedules on
/// every backend: the reloaded optimizer has the same config, slots and iteration count, and one
/// more epoch gives the same weights as the model that was never saved, bit for bit.
/// </summary>
public abstract class OptimizerSaveTests(string backend) : BackendFileTest(backend)
{
    public static IEnumerable<object[]> Cases() =>
        new[] { "adamw_amsgrad", "nadam", "adamax", "adadelta", "rmsprop_centered", "sgd_global_clip", "ftrl", "adam_ema" }.Select(n => new object[] { n });

    private static Optimizers.Optimizer Make(string name) => name switch
    {
        "adamw_amsgrad" => new Optimizers.AdamW(new CosineDecay(0.01, 20, 0.1, warmupTarget: 0.02, warmupSteps: 3), amsgrad: true, clipNorm: 1.5),
        "nadam" => new Optimizers.Nadam(new PiecewiseConstantDecay([4, 8], [0.01, 0.005, 0.001]), weightDecay: 0.01, clipValue: 0.5),
        "adamax" => new Optimizers.Adamax(new PolynomialDecay(0.02, 10, power: 2, cycle: true)),
        "adadelta" => new Optimizers.Adadelta(new InverseTimeDecay(1.0, 5, 0.5, staircase: true)),
        "rmsprop_centered" => new Optimizers.RMSprop(0.005, momentum: 0.5, centered: true, weightDecay: 0.001),
        "adam_ema" => new Optimizers.Adam(0.01, useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 3),
        "ftrl" => new Optimizers.Ftrl(0.05, learningRatePower: -0.3, initialAccumulatorValue: 0.2, l1RegularizationStrength: 0.001,
            l2RegularizationStrength: 0.01, l2ShrinkageRegularizationStrength: 0.002, beta: 0.1, clipValue: 0.5),
        _ => new Optimizers.SGD(0.05, momentum: 0.9, nesterov: true, globalClipNorm: 0.5),
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Training_resumes_bit_for_bit_after_save_and_load(string name)
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var x = NF.Random.Uniform([64, 6]);
        var y = NF.Random.Uniform([64], 0, 3, DType.Int32);
        var model = new Sequential(new Layers.Dense(8, activation: "relu"), new Layers.Dense(3));
        model.Compile(Make(name), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
        string path = Temp.File(name + ".nfmodel");
        model.Save(path);

        var loaded = Model.Load(path);
        Assert.IsType(model.Optimizer!.GetType(), loaded.Optimizer);
        Assert.Equal(model.Optimizer.Iterations, loaded.Optimizer!.Iterations);
        Assert.Equal(model.Optimizer.CurrentLearningRate, loaded.Optimizer.CurrentLearningRate);
        Assert.Equal(model.Optimizer.WeightDecay, loaded.Optimizer.WeightDecay);
        Assert.Equal(model.Optimizer.ClipNorm, loaded.Optimizer.ClipNorm);
        Assert.Equal(model.Optimizer.ClipValue, loaded.Optimizer.ClipValue);
        Assert.Equal(model.Optimizer.GlobalClipNorm, loaded.Optimizer.GlobalClipNorm);
        Assert.Equal((model.Optimizer.UseEma, model.Optimizer.EmaMomentum, model.Optimizer.EmaOverwriteFrequency),
            (loaded.Optimizer.UseEma, loaded.Optimizer.EmaMomentum, loaded.Optimizer.EmaOverwriteFrequency));
        for (int i = 0; i < model.Variables.Count; i++)
            Assert.Equal(model.Optimizer.AverageOf(model.Variables[i])?.ToArray<float>(), loaded.Optimizer.AverageOf(loaded.Variables[i])?.ToArray<float>());

        NF.Random.SetSeed(99);
        var h1 = model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        NF.Random.SetSeed(99);
        var h2 = loaded.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        Assert.Equal(h1["loss"], h2["loss"]);
        for (int i = 0; i < model.Variables.Count; i++)
            Assert.Equal(model.Variables[i].ToArray<float>(), loaded.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void The_config_uses_Keras_names()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Dense(2));
        model.Compile(new Optimizers.AdamW(new CosineDecay(0.01, 20, warmupTarget: 0.02, warmupSteps: 3), amsgrad: true, clipNorm: 1.5), "mse");
        model.Call(NF.Zeros([1, 3]));
        string path = Temp.File("config.nfmodel");
        model.Save(path);
        using var zip = ZipFile.OpenRead(path);
        var config = JsonNode.Parse(zip.GetEntry("config.json")!.Open())!;
        var opt = FindOptimizer(config)!;
        Assert.Equal("AdamW", opt["class_name"]!.GetValue<string>());
        var c = opt["config"]!;
        Assert.Equal(0.004, c["weight_decay"]!.GetValue<double>());
        Assert.Equal(1.5, c["clipnorm"]!.GetValue<double>());
        Assert.Null(c["clipvalue"]);
        Assert.True(c["amsgrad"]!.GetValue<bool>());
        Assert.Equal("CosineDecay", c["learning_rate"]!["class_name"]!.GetValue<string>());
        Assert.Equal(3, c["learning_rate"]!["config"]!["warmup_steps"]!.GetValue<long>());
    }

    private static JsonNode? FindOptimizer(JsonNode node) => node switch
    {
        JsonObject o when o["optimizer"] is JsonObject opt => opt,
        JsonObject o => o.Select(kv => kv.Value is null ? null : FindOptimizer(kv.Value)).FirstOrDefault(n => n is not null),
        JsonArray a => a.Select(n => n is null ? null : FindOptimizer(n)).FirstOrDefault(n => n is not null),
        _ => null,
    };
}

public sealed class ManagedOptimizerSaveTests() : OptimizerSaveTests("managed");
public sealed class NativeCpuOptimizerSaveTests() : OptimizerSaveTests("cpu");
public sealed class CudaOptimizerSaveTests() : OptimizerSaveTests("cuda");
