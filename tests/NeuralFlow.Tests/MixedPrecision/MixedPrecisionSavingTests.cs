using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using GlobalPolicy = NeuralFlow.Keras.MixedPrecision;

namespace NeuralFlow.Tests.MixedPrecision;

/// <summary>
/// A model built under mixed_float16 saves and loads: each layer's policy by name (Keras 3's
/// <c>{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}</c> in a .keras,
/// the name in a legacy .h5), the LossScaleOptimizer that Compile made as Keras 3's config (inner optimizer,
/// initial_scale, dynamic_growth_steps) with its current scale; a .keras holding Keras' entries only (as
/// Keras writes it) loads a LossScaleOptimizer too, where Load used to warn and drop it.
/// </summary>
public abstract class MixedPrecisionSavingTests(string backend) : BackendFileTest(backend)
{
    private Model Trained()
    {
        NF.Random.SetSeed(9);
        Model model;
        using (MixedPolicy.Begin())
            model = new Sequential(Layers.Input([4]), new Layers.Dense(6, activation: "relu"), new Layers.Dense(3),
                new Layers.Activation("softmax") { Dtype = "float32" });
        model.Compile(new Optimizers.Adam(0.01), new Losses.SparseCategoricalCrossentropy());
        model.Fit(NF.Random.Normal([8, 4]), NF.Random.Uniform([8], 0, 3, DType.Int32), batchSize: 4, epochs: 1, verbose: 0);
        ((Optimizers.LossScaleOptimizer)model.Optimizer!).ApplyGradients(
            model.TrainableVariables.Select(v => (Tensor?)NF.Fill(v.Shape, double.NaN, DType.Float32, NF.Backend)).ToList(), model.TrainableVariables);
        return model;   // two steps made, one skipped: scale 2^14
    }

    private static void AssertSamePolicies(Model saved, Model loaded)
    {
        Assert.Equal(saved.SubLayers.Select(l => l.Dtype.Name), loaded.SubLayers.Select(l => l.Dtype.Name));
        Assert.Equal(["float32", "mixed_float16", "mixed_float16", "float32"], loaded.SubLayers.Select(l => l.Dtype.Name));   // the input layer's first
        Assert.All(loaded.Variables, v => Assert.Equal(DType.Float32, v.DType));
    }

    private static void AssertSamePredictions(Model saved, Model loaded)
    {
        var x = NF.Constant(new[] { 0.5f, -1f, 2f, 0.25f }, [1, 4]);
        Assert.Equal(saved.Predict(x, verbose: 0).ToArray<float>(), loaded.Predict(x, verbose: 0).ToArray<float>());
    }

    [SkippableFact]
    public void A_keras_file_keeps_the_policies_and_the_loss_scale_optimizer()
    {
        RequireBackend();
        var model = Trained();
        string path = SaveTo(model, "mixed.keras");
        using (var zip = ZipFile.OpenRead(path))
        using (var reader = new StreamReader(zip.GetEntry("config.json")!.Open()))
        {
            var config = JsonNode.Parse(reader.ReadToEnd())!;
            var dense = config["config"]!["layers"]!.AsArray().First(l => l!["class_name"]!.GetValue<string>() == "Dense")!;
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}, "registered_name": null}"""),
                dense["config"]!["dtype"]));
            var optimizer = config["compile_config"]!["optimizer"]!;
            Assert.Equal("LossScaleOptimizer", optimizer["class_name"]!.GetValue<string>());
            Assert.Equal("Adam", optimizer["config"]!["inner_optimizer"]!["class_name"]!.GetValue<string>());
            Assert.Equal(2000, optimizer["config"]!["dynamic_growth_steps"]!.GetValue<int>());
        }
        var loaded = Model.Load(path);
        AssertSamePolicies(model, loaded);
        AssertSamePredictions(model, loaded);
        var scaling = Assert.IsType<Optimizers.LossScaleOptimizer>(loaded.Optimizer);
        Assert.IsType<Optimizers.Adam>(scaling.InnerOptimizer);
        Assert.Equal((16384.0, 0L, 2L), (scaling.LossScale, scaling.StepCounter, scaling.Iterations));
    }

    [SkippableFact]
    public void A_keras_archive_of_keras_entries_alone_loads_a_loss_scale_optimizer()
    {
        RequireBackend();
        var model = Trained();
        string full = SaveTo(model, "full.keras");
        string path = Temp.File("keras-only.keras");
        using (var source = ZipFile.OpenRead(full))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
            foreach (var e in source.Entries.Where(e => !e.FullName.StartsWith("neuralflow/", StringComparison.Ordinal)))
            {
                using var to = target.CreateEntry(e.FullName).Open();
                using var from = e.Open();
                from.CopyTo(to);
            }
        Model loaded;
        using (var log = new WarningLogCapture())
        {
            loaded = Model.Load(path);
            Assert.DoesNotContain("without loss scaling", log.Text);
        }
        AssertSamePolicies(model, loaded);
        AssertSamePredictions(model, loaded);
        var scaling = Assert.IsType<Optimizers.LossScaleOptimizer>(loaded.Optimizer);
        Assert.Equal(0.01, scaling.CurrentLearningRate, 6);
        Assert.Equal(32768.0, scaling.InitialScale);
    }

    [SkippableFact]
    public void A_legacy_h5_file_keeps_the_policies_and_the_loss_scale_optimizer()
    {
        RequireBackend();
        var model = Trained();
        var loaded = Model.Load(SaveTo(model, "mixed.h5"));
        AssertSamePolicies(model, loaded);
        AssertSamePredictions(model, loaded);
        Assert.IsType<Optimizers.Adam>(Assert.IsType<Optimizers.LossScaleOptimizer>(loaded.Optimizer).InnerOptimizer);
    }

    [SkippableFact]
    public void A_mixed_model_loaded_under_the_default_policy_is_still_mixed_and_trains()
    {
        RequireBackend();
        var loaded = Model.Load(SaveTo(Trained(), "again.keras"));
        Assert.Equal("float32", GlobalPolicy.GlobalPolicy().Name);
        var history = loaded.Fit(NF.Random.Normal([8, 4]), NF.Random.Uniform([8], 0, 3, DType.Int32), batchSize: 4, epochs: 1, verbose: 0);
        Assert.True(double.IsFinite(history["loss"][0]));
        Assert.Equal(DType.Float16, loaded.SubLayers.OfType<Layers.Dense>().First().Call(NF.Ones([1, 4])).DType);
    }
}

/// <summary>Mixed-precision saving on the managed backend.</summary>
public sealed class ManagedMixedPrecisionSavingTests() : MixedPrecisionSavingTests("managed");

/// <summary>Mixed-precision saving on the native CPU backend.</summary>
public sealed class NativeCpuMixedPrecisionSavingTests() : MixedPrecisionSavingTests("cpu");

/// <summary>Mixed-precision saving on the CUDA backend.</summary>
public sealed class CudaMixedPrecisionSavingTests() : MixedPrecisionSavingTests("cuda");
