using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// Keras 3's adaptive pooling layers (keras/src/layers/pooling/adaptive_{average,max}_pooling{1,2,3}d.py),
/// which NeuralFlow lacked, on every engine: the docstring examples' published shapes, values
/// against torch's adaptive pooling (the same windows; make_sweep_layers_reference.py) where the
/// output size does not divide the input's, channels_first, save/load and bad arguments.
/// </summary>
public abstract class AdaptivePoolingTests(string backend) : BackendFileTest(backend)
{
    /// <summary>sin(0.7 k) over the elements, as make_sweep_layers_reference.py's wave().</summary>
    private static Tensor Wave(params int[] shape) =>
        NF.Constant(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(k => Math.Sin(0.7 * k)).ToArray(), shape);

    [SkippableFact]
    public void Docstring_examples_give_the_published_shapes()
    {
        RequireBackend();
        NF.Random.SetSeed(15);
        var sequence = NF.Random.Uniform([1, 64, 3], dtype: DType.Float64);
        var image = NF.Random.Uniform([1, 64, 64, 3], dtype: DType.Float64);
        var volume = NF.Random.Uniform([1, 32, 32, 32, 3], dtype: DType.Float64);
        Assert.Equal(new Shape(1, 32, 3), new Layers.AdaptiveAveragePooling1D(outputSize: 32).Call(sequence).Shape);
        Assert.Equal(new Shape(1, 32, 3), new Layers.AdaptiveMaxPooling1D(outputSize: 32).Call(sequence).Shape);
        Assert.Equal(new Shape(1, 32, 32, 3), new Layers.AdaptiveAveragePooling2D(outputSize: 32).Call(image).Shape);
        Assert.Equal(new Shape(1, 32, 32, 3), new Layers.AdaptiveMaxPooling2D(outputSize: 32).Call(image).Shape);
        Assert.Equal(new Shape(1, 16, 16, 16, 3), new Layers.AdaptiveAveragePooling3D(outputSize: 16).Call(volume).Shape);
        Assert.Equal(new Shape(1, 16, 16, 16, 3), new Layers.AdaptiveMaxPooling3D(outputSize: 16).Call(volume).Shape);
        // Where the size divides, the windows are a plain pooling's.
        AssertValues(Doubles(new Layers.AveragePooling2D(2).Call(image)), Doubles(new Layers.AdaptiveAveragePooling2D(32).Call(image)), 1e-6, 1e-7, "average 64 -> 32");
        AssertValues(Doubles(new Layers.MaxPooling1D(2).Call(sequence)), Doubles(new Layers.AdaptiveMaxPooling1D(32).Call(sequence)), 0, 0, "max 64 -> 32");
    }

    [SkippableFact]
    public void Overlapping_windows_match_torch()
    {
        RequireBackend();
        var x1 = Wave(1, 7, 2);
        AssertValues([0.44014596, 0.38554794, -0.38928475, -0.43880731, 0.29343962, 0.44136017],
            Doubles(new Layers.AdaptiveAveragePooling1D(3).Call(x1)), 1e-6, 1e-7, "avg1d 7 -> 3");
        AssertValues([0.98544973, 0.86320937, 0.33498815, 0.0168139, 0.85459891, 0.98816823],
            Doubles(new Layers.AdaptiveMaxPooling1D(3).Call(x1)), 1e-6, 1e-7, "max1d 7 -> 3");
        var x2 = Wave(1, 5, 7, 2);
        var avg2 = new Layers.AdaptiveAveragePooling2D([3, 4]).Call(x2);
        Assert.Equal(new Shape(1, 3, 4, 2), avg2.Shape);
        AssertValues([
            -0.09005178, 0.00239855, 0.08231913, 0.07119217, -0.07328286, -0.08157018, 0.00479641, 0.09551582, -0.21788454, -0.18362258,
            0.05095276, 0.11473177, -0.00861373, -0.08896768, -0.1815754, -0.05945627, -0.06108134, -0.12976625, -0.04697633, 0.00839021,
            0.06730804, 0.01985876, -0.13074412, -0.13675698], Doubles(avg2), 1e-6, 1e-7, "avg2d (5, 7) -> (3, 4)");
        AssertValues([
            0.98544973, 0.86320937, 0.99060736, 0.86320937, 0.99060736, 0.98816823, 0.85459891, 0.98816823, 0.83665564, 0.99276641,
            0.99060736, 0.99624193, 0.99464477, 0.84574683, 0.99464477, 0.8273279, 0.99755742, 0.8079734, 0.81776625, 0.99624193,
            0.81776625, 0.99859087, 0.79795212, 0.71797459], Doubles(new Layers.AdaptiveMaxPooling2D([3, 4]).Call(x2)), 1e-6, 1e-7, "max2d (5, 7) -> (3, 4)");
        var x3 = Wave(1, 3, 4, 5, 1);
        AssertValues([
            0.00285768, 0.11211454, -0.04241178, -0.11075633, 0.07657591, 0.09532247, 0.11260382, 0.03161311, -0.10988894, 0.00856578,
            0.09320864, -0.04765608], Doubles(new Layers.AdaptiveAveragePooling3D([2, 3, 2]).Call(x3)), 1e-6, 1e-7, "avg3d (3, 4, 5) -> (2, 3, 2)");
        AssertValues([
            0.99060736, 0.99276641, 0.98816823, 0.99276641, 0.98816823, 0.99464477, 0.99624193, 0.99624193, 0.99624193, 0.99624193,
            0.99755742, 0.99464477], Doubles(new Layers.AdaptiveMaxPooling3D([2, 3, 2]).Call(x3)), 1e-6, 1e-7, "max3d (3, 4, 5) -> (2, 3, 2)");
        // channels_first: the same numbers with the channels on axis 1.
        var first = new Layers.AdaptiveAveragePooling2D([3, 4], dataFormat: "channels_first").Call(NF.Transpose(x2, [0, 3, 1, 2]));
        AssertValues(Doubles(avg2), Doubles(NF.Transpose(first, [0, 2, 3, 1])), 1e-12, 0, "channels_first");
    }

    [SkippableFact]
    public void Adaptive_pooling_saves_loads_and_refuses_bad_arguments()
    {
        RequireBackend();
        NF.Random.SetSeed(16);
        var input = Layers.Input([9, 7, 2]);
        var pooled = new Layers.AdaptiveMaxPooling2D([2, 3], name: "adaptive").Call(new Layers.Conv2D(3, 2).Call(input));
        Assert.Equal(new int?[] { null, 2, 3, 3 }, pooled.Shape);
        var model = new Model(input, new Layers.Dense(1).Call(new Layers.Flatten().Call(pooled)));
        var x = NF.Random.Normal([2, 9, 7, 2]);
        var path = SaveTo(model, "adaptive.keras");
        AssertValues(Doubles(model.Predict(x)), Doubles(Model.Load(path).Predict(x)), 0, 0, "loaded");
        var config = new Layers.AdaptiveAveragePooling3D(4).GetConfig();
        Assert.Equal("[4,4,4]", config["output_size"]!.ToJsonString());
        Assert.Equal("channels_last", config["data_format"]!.GetValue<string>());

        Assert.Contains("outputSize", Assert.Throws<ArgumentException>(() => new Layers.AdaptiveAveragePooling1D(0)).Message);
        Assert.Contains("outputSize", Assert.Throws<ArgumentException>(() => new Layers.AdaptiveMaxPooling2D([2, 2, 2])).Message);
        Assert.Contains("dataFormat", Assert.Throws<ArgumentException>(() => new Layers.AdaptiveMaxPooling3D(2, dataFormat: "nhwc")).Message);
        Assert.Contains("AdaptiveAveragePooling2D", Assert.Throws<ArgumentException>(() => new Layers.AdaptiveAveragePooling2D(2).Call(NF.Ones([2, 4, 3]))).Message);
    }
}

public sealed class ManagedAdaptivePoolingTests() : AdaptivePoolingTests("managed");

public sealed class NativeCpuAdaptivePoolingTests() : AdaptivePoolingTests("cpu");

public sealed class CudaAdaptivePoolingTests() : AdaptivePoolingTests("cuda");
