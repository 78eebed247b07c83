using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasSmall;

/// <summary>
/// keras.layers.Solarization on every engine: its docstring example, thresholds and additions on
/// another value range, the identity at inference, the factor checks, and a save/load round trip.
/// Reference: keras/src/layers/preprocessing/image_preprocessing/solarization.py (Keras 3).
/// </summary>
public abstract class SolarizationTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void The_docstring_pixel_is_inverted_in_training_and_kept_at_inference()
    {
        RequireBackend();
        // solarization.py: images[0, 0, 0] = [59 62 63] -> [196, 193, 192] (a bare Keras call trains).
        var image = NF.Constant(new byte[] { 59, 62, 63 }, [1, 1, 3]);
        var layer = new Layers.Solarization(valueRange: (0, 255));
        Assert.Equal([196f, 193f, 192f], layer.Call(image, training: true).ToArray<float>());
        // get_random_transformation returns None when not training: the images come back as they are.
        Assert.Equal([59f, 62f, 63f], layer.Call(image, training: false).ToArray<float>());
        Assert.Equal([59f, 62f, 63f], new Sequential(new Layers.Solarization()).Predict(NF.Cast(NF.ExpandDims(image, 0), DType.Float32)).ToArray<float>());
    }

    [SkippableFact]
    public void Thresholds_and_additions_work_on_the_255_scale_of_the_value_range()
    {
        RequireBackend();
        // Values in (0, 1); threshold factor (0.5, 0.5) is 127.5 on the 255 scale: below it a value
        // stays, at or above it becomes 1 - value. Addition (0.2, 0.2) adds 51/255 = 0.2 first, clipped.
        var x = NF.Constant(new float[] { 0.1f, 0.25f, 0.3f, 0.6f, 0.9f, 1f }, [1, 1, 6, 1]);
        var thresholdOnly = new Layers.Solarization((0, 0), (0.5, 0.5), valueRange: (0, 1)).Call(x, training: true).ToArray<float>();
        Assert.Equal(new[] { 0.1, 0.25, 0.3, 0.4, 0.1, 0 }, thresholdOnly.Select(v => Math.Round(v, 5)));
        var added = new Layers.Solarization((0.2, 0.2), (0.5, 0.5), valueRange: (0, 1)).Call(x, training: true).ToArray<float>();
        Assert.Equal(new[] { 0.3, 0.45, 0.5, 0.2, 0, 0 }, added.Select(v => Math.Round(v, 5)));
        // Random factors: each image draws one addition and one threshold; the results stay in range.
        var images = NF.Random.Uniform([4, 3, 3, 2], -1, 1);
        var y = new Layers.Solarization((0, 0.5), (0, 1), valueRange: (-1, 1), seed: 3).Call(images, training: true).ToArray<float>();
        Assert.All(y, v => Assert.InRange(v, -1f - 1e-6f, 1f + 1e-6f));
    }

    [SkippableFact]
    public void Bad_factors_are_refused_and_the_config_round_trips()
    {
        RequireBackend();
        Assert.Contains("additionFactor must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Solarization(1.5)).Message);
        Assert.Contains("thresholdFactor", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Solarization(0, 1.2)).Message);
        Assert.Contains("valueRange", Assert.Throws<ArgumentException>(() => new Layers.Solarization(valueRange: (1, 1))).Message);

        var model = new Sequential(new Layers.Solarization((0.1, 0.2), (0.3, 0.4), (-1, 1), seed: 5));
        var x = NF.Random.Uniform([2, 3, 3, 1], -1, 1);
        model.Predict(x);
        var path = SaveTo(model, "solarization.nfmodel");
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        Assert.Equal(x.ToArray<float>(), loaded.Predict(x).ToArray<float>());
        // Keras writes a single factor f for (0, f).
        var keras = KerasSerialization.Deserialize(JsonNode.Parse("""{"class_name": "Solarization", "config": {"name": "s", "addition_factor": 0.3, "threshold_factor": [0.1, 0.2], "value_range": [0, 255], "seed": null}}""")!, "keras");
        Assert.Equal((0, 0.3), Assert.IsType<Layers.Solarization>(keras).AdditionFactor);
    }
}

public sealed class ManagedSolarizationTests() : SolarizationTests("managed");

public sealed class NativeCpuSolarizationTests() : SolarizationTests("cpu");

public sealed class CudaSolarizationTests() : SolarizationTests("cuda");
