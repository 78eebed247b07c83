using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// Keras 3.9's RMSNormalization (x * rsqrt(mean(x^2) + epsilon) * scale, ops.rms_normalization)
/// on every backend: values against that formula in numpy (make_breadth5_reference.py), float64
/// finite differences through the layer, Keras' defaults, errors, Fit and Save/Load.
/// </summary>
public abstract class RMSNormalizationTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Sin(int[] shape, DType dtype = DType.Float32) =>
        NF.Cast(NF.Constant(Enumerable.Range(0, (int)new Shape(shape).Count).Select(i => Math.Sin(0.3 * i)).ToArray(), shape), dtype);

    [SkippableFact]
    public void Values_match_keras_formula()
    {
        RequireBackend();
        var layer = new Layers.RMSNormalization();
        Assert.Equal((1e-6, -1), (layer.Epsilon, layer.Axis[0]));
        layer.Call(Sin([2, 3]));
        Assert.Equal(["scale"], layer.Variables.Select(v => v.Name!.Split('/')[1]));
        Assert.Equal([1f, 1, 1], layer.Scale!.ToArray<float>());
        layer.SetWeights([NF.Constant(new[] { 1f, 0.5f, -2f })]);
        AssertClose([0, 0.4015792, -3.069146, 0.8620146, 0.5128327, -2.195393],
            layer.Call(Sin([2, 3])).ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6);
        // Two axes together: one scale per (axis 1, axis 2) index.
        var both = new Layers.RMSNormalization([1, 2]);
        both.Call(Sin([2, 2, 3]));
        both.SetWeights([NF.Constant(Enumerable.Range(0, 6).Select(i => 1 + 0.1f * i).ToArray(), [2, 3])]);
        AssertClose([0, 0.4689203, 0.9774036, 1.468945, 1.882267, 2.158346, 1.547149, 1.508516, 1.287728, 0.8826703, 0.3138757, -0.3759152],
            both.Call(Sin([2, 2, 3])).ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        var layer = new Layers.RMSNormalization(epsilon: 1e-3) { VariableDType = DType.Float64 };
        layer.Call(NF.Zeros([2, 4], DType.Float64));
        layer.SetWeights([NF.Constant(new[] { 1.0, -0.5, 2.0, 0.7 })]);
        GradientTests.Check(t => layer.Call(t[0]), GradientTests.In([2, 4], 41));
        // The scale's gradient, by the same formula with the scale as an input.
        GradientTests.Check(t => t[0] * NF.Rsqrt(NF.ReduceMean(NF.Square(t[0]), [-1], keepDims: true) + 1e-3) * t[1],
            GradientTests.In([3, 4], 42), GradientTests.In([4], 43));
    }

    [SkippableFact]
    public void Bad_arguments_and_shapes_raise()
    {
        RequireBackend();
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RMSNormalization(epsilon: -1));
        Assert.Throws<ArgumentException>(() => new Layers.RMSNormalization([1, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RMSNormalization(axis: 3).Call(NF.Ones([2, 3])));
        var built = new Layers.RMSNormalization();
        built.Call(NF.Ones([2, 3]));
        Assert.Contains("was built for inputs", Assert.Throws<ArgumentException>(() => built.Call(NF.Ones([2, 4]))).Message);
    }

    [SkippableFact]
    public void A_model_trains_and_round_trips_through_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var x = NF.Random.Normal([32, 4]);
        var y = NF.Cast(NF.Greater(NF.ReduceSum(x, 1), 0f), DType.Float32);
        var model = new Sequential(new Layers.Dense(6), new Layers.RMSNormalization(), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.05f), "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 8, epochs: 6, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], "the loss falls");
        string path = Temp.File("rms.nfmodel");
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.True(JsonNode.DeepEquals(model.Layers[1].GetConfig(), loaded.Layers[1].GetConfig()));
        Assert.Equal(1e-6, loaded.Layers[1].GetConfig()["epsilon"]!.GetValue<double>());
    }
}

public sealed class ManagedRMSNormalizationTests() : RMSNormalizationTests("managed");

public sealed class NativeCpuRMSNormalizationTests() : RMSNormalizationTests("cpu");

public sealed class CudaRMSNormalizationTests() : RMSNormalizationTests("cuda");
