using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.ImageOps.ImageOpsData;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ImageAugment2;

/// <summary>
/// keras.layers.RandomShear (keras/src/layers/preprocessing/image_preprocessing/random_shear.py) on every engine:
/// forced shears against a numpy tap-by-tap bilinear sampler (AugmentReferences.cs, make_references.py), each image
/// sheared one way or the other by the common random sign, the identity at inference, gradients to the images,
/// save/load and Keras-written configs, and refusals by name.
/// </summary>
public abstract class ShearLayerTests(string backend) : BackendFileTest(backend)
{
    // Each of the two images of y equals the "plus" or the "minus" reference; returns how many took "plus".
    private static int EachImageIsOneOf(double[] y, double[] plus, double[] minus, string what)
    {
        int size = y.Length / 2, plusCount = 0;
        for (int n = 0; n < 2; n++)
        {
            double Distance(double[] r) => Enumerable.Range(n * size, size).Max(i => Math.Abs(y[i] - r[i]));
            double toPlus = Distance(plus), toMinus = Distance(minus);
            Assert.True(Math.Min(toPlus, toMinus) < 1e-5, $"{what}, image {n}: {toPlus} from +0.3, {toMinus} from -0.3");
            if (toPlus < 1e-5) plusCount++;
        }
        return plusCount;
    }

    [SkippableFact]
    public void Forced_shears_match_numpy_with_either_sign()
    {
        RequireBackend();
        var x = Unit();
        int plus = 0;
        for (int seed = 0; seed < 6; seed++)
        {
            var sx = new Layers.RandomShear((0.3, 0.3), (0, 0), fillMode: "constant", fillValue: 0.5, seed: seed).Call(x, training: true);
            plus += EachImageIsOneOf(D(sx), AugmentReferences.ShearXPlus, AugmentReferences.ShearXMinus, $"x, seed {seed}");
            var sy = new Layers.RandomShear((0, 0), (0.3, 0.3), fillMode: "constant", fillValue: 0.5, seed: seed).Call(x, training: true);
            EachImageIsOneOf(D(sy), AugmentReferences.ShearYPlus, AugmentReferences.ShearYMinus, $"y, seed {seed}");
        }
        Assert.InRange(plus, 1, 11); // both signs occur among twelve images
        Assert.Equal(D(x), D(new Layers.RandomShear(0.5, 0.5).Call(x, training: false)));
        Assert.Equal(D(x), D(new Layers.RandomShear().Call(x, training: true)));
        GradientTests.Check(t => new Layers.RandomShear((0.2, 0.2), (0.1, 0.1), fillMode: "nearest", seed: 1).Call(t[0], training: true),
            GradientTests.In([1, 4, 5, 2], 31, 0, 1));
    }

    [SkippableFact]
    public void Configs_round_trip_and_keras_configs_load()
    {
        RequireBackend();
        var x = Unit();
        var model = new Sequential(new Layers.RandomShear((0.1, 0.4), (0, 0.2), "nearest", "wrap", 0.25, seed: 3));
        var expected = model.Predict(x).ToArray<float>();
        var loaded = Assert.IsType<Sequential>(Model.Load(SaveTo(model, "shear.nfmodel")));
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        Assert.Equal(expected, loaded.Predict(x).ToArray<float>());

        // Keras writes its (lower, upper) pairs; a single number f reads as (-f, f), as Keras' constructor does.
        Layer Keras(string json) => KerasSerialization.Deserialize(JsonNode.Parse(json)!, "keras");
        var shear = Assert.IsType<Layers.RandomShear>(Keras("""{"class_name": "RandomShear", "config": {"name": "s", "x_factor": [0.0, 0.3], "y_factor": 0.2, "interpolation": "bilinear", "fill_mode": "constant", "fill_value": 1.0, "seed": 9, "data_format": "channels_last"}}"""));
        Assert.Equal((0, 0.3), shear.XFactor);
        Assert.Equal((-0.2, 0.2), shear.YFactor);
        Assert.Equal(("constant", 1.0, 9), (shear.FillMode, shear.FillValue, shear.Seed));
        var defaults = Assert.IsType<Layers.RandomShear>(Keras("""{"class_name": "RandomShear", "config": {"name": "d"}}"""));
        Assert.Equal(((0.0, 0.0), "reflect", "bilinear"), (defaults.XFactor, defaults.FillMode, defaults.Interpolation));
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_by_name()
    {
        RequireBackend();
        Assert.Contains("RandomShear: xFactor must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomShear(1.5)).Message);
        Assert.Contains("RandomShear: yFactor must lie in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomShear(0.2, -0.1)).Message);
        Assert.Contains("RandomShear: xFactor must lie in [-1, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomShear((0, 2), (0, 0))).Message);
        Assert.Contains("lower <= upper", Assert.Throws<ArgumentException>(() => new Layers.RandomShear((0.5, 0.1), (0, 0))).Message);
        Assert.Contains("RandomShear", Assert.Throws<ArgumentException>(() => new Layers.RandomShear(0.2, fillMode: "bogus")).Message);
        Assert.Contains("RandomShear", Assert.Throws<ArgumentException>(() => new Layers.RandomShear(0.2, interpolation: "cubic")).Message);
        Assert.Contains("fillValue", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomShear(0.2, fillValue: double.NaN)).Message);
    }
}

public sealed class ManagedShearLayerTests() : ShearLayerTests("managed");

public sealed class NativeCpuShearLayerTests() : ShearLayerTests("cpu");

public sealed class CudaShearLayerTests() : ShearLayerTests("cuda");
