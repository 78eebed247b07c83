using NeuralFlow.Data;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.TrustSweep;

/// <summary>
/// User programs with edge inputs for the newer layers (DepthwiseConv1D, adaptive pooling) and for
/// functional models fed from dictionary datasets with other dtypes than their Inputs declare.
/// References: PyTorch 1.13 (trust_sweep_references.py) and Keras' Functional
/// (keras/src/models/functional.py, _convert_inputs_to_tensors).
/// </summary>
public abstract class LayerEdgeTests(string backend) : BackendTest(backend)
{
    private static double[] D(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    // Before: DivideByZeroException from the grouped convolution (one group per channel, zero groups).
    [SkippableFact]
    public void Depthwise_convolutions_of_no_channels_give_no_channels()
    {
        RequireBackend();
        Assert.Equal(new Shape(1, 2, 0), new Layers.DepthwiseConv1D(2).Call(NF.Zeros(new Shape(1, 3, 0))).Shape);
        Assert.Equal(new Shape(1, 2, 2, 0), new Layers.DepthwiseConv2D(2, depthMultiplier: 2).Call(NF.Zeros(new Shape(1, 3, 3, 0))).Shape);
        // SeparableConv1D's pointwise step then gives its filters their biases (zeros), as Conv1D does on no channels.
        Assert.Equal(new double[4], D(new Layers.SeparableConv1D(2, 2).Call(NF.Zeros(new Shape(1, 3, 0)))));
        var layer = new Layers.DepthwiseConv1D(2);
        var x = new Variable(NF.Zeros(new Shape(1, 3, 0)));
        Tensor[] grads;
        using (var tape = new GradientTape()) grads = tape.Gradient(NF.ReduceSum(layer.Call(x)), [x, .. layer.TrainableVariables]);
        Assert.Equal(new Shape(1, 3, 0), grads[0].Shape);
        Assert.Equal(new Shape(2, 0, 1), grads[1].Shape);
    }

    // Before: "DepthwiseConv2D: the window spans 5 along the width" and a 4-D kernel and input the
    // user never made; Conv1D's own errors speak of steps, and so do these now.
    [SkippableFact]
    public void One_dimensional_depthwise_errors_speak_of_steps()
    {
        RequireBackend();
        var sequences = NF.Zeros(new Shape(1, 3, 2));
        var e = Assert.Throws<ArgumentException>(() => new Layers.DepthwiseConv1D(5).Call(sequences));
        Assert.Contains("(DepthwiseConv1D): the window spans 5 steps but the input has only 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.SeparableConv1D(2, 3, dilationRate: 2).Call(sequences));
        Assert.Contains("(SeparableConv1D): the window spans 5 steps", e.Message);
        var layer = new Layers.DepthwiseConv1D(2);
        layer.Call(sequences);
        e = Assert.Throws<ArgumentException>(() => layer.Call(NF.Zeros(new Shape(1, 3, 3))));
        Assert.Contains("(DepthwiseConv1D): its depthwise kernel (2, 2, 1) ([K, C, depth multiplier]) was built for 2 input channels, but the input (1, 3, 3) has 3", e.Message);
        Assert.DoesNotContain("2D", e.Message);
    }

    // Pinned: more output cells than input steps repeat them, as torch.nn.functional.adaptive_*_pool1d.
    [SkippableFact]
    public void Adaptive_pooling_to_more_cells_than_steps_is_torchs()
    {
        RequireBackend();
        var x = NF.Reshape(NF.Constant(new[] { 0f, 0.1f, 0.2f }), [1, 3, 1]);
        AssertClose([0, 0.05, 0.1, 0.15, 0.2], D(new Layers.AdaptiveAveragePooling1D(5).Call(x)), 1e-6);
        AssertClose([0, 0.1, 0.1, 0.2, 0.2], D(new Layers.AdaptiveMaxPooling1D(5).Call(x)), 1e-6);
        var e = Assert.Throws<ArgumentException>(() => new Layers.AdaptiveAveragePooling1D(2).Call(NF.Zeros(new Shape(1, 0, 2))));
        Assert.Contains("empty axis", e.Message);
        Assert.Equal(new Shape(0, 2, 2), new Layers.AdaptiveAveragePooling1D(2).Call(NF.Zeros(new Shape(0, 4, 2))).Shape);
    }

    private static Model TwoInputs()
    {
        var a = Layers.Input([2], name: "a");
        var b = Layers.Input([3], name: "b");
        var model = new Model([a, b], [new Layers.Dense(1, name: "out", kernelInitializer: "ones").Call(new Layers.Concatenate().Call([a, b]))]);
        model.Compile(new Optimizers.SGD(0.1), "mse");
        return model;
    }

    private static Dictionary<string, Tensor> Features(DType aType) => new()
    {
        ["a"] = NF.Cast(NF.Ones(new Shape(4, 2)), aType),
        ["b"] = NF.Ones(new Shape(4, 3)),
    };

    // Before: "Concat: dtypes must match, got int32 and float32" from inside the model; Keras
    // converts each input to its Input's dtype first, so int32 or float64 features train as float32.
    [SkippableFact]
    public void A_functional_model_takes_each_input_in_its_inputs_dtype()
    {
        RequireBackend();
        var targets = NF.Ones(new Shape(4, 1));
        var reference = TwoInputs().Fit(Dataset.FromTensorSlices(Features(DType.Float32), targets).Batch(2), verbose: 0)["loss"];
        foreach (var dtype in new[] { DType.Int32, DType.Float64 })
            Assert.Equal(reference, TwoInputs().Fit(Dataset.FromTensorSlices(Features(dtype), targets).Batch(2), verbose: 0)["loss"]);
        // Dense of ones on five ones, before training: 5 per row, whatever the dtypes fed.
        var outputs = TwoInputs().PredictOutputs([NF.Ones(new Shape(2, 2), DType.Float64), NF.Ones(new Shape(2, 3), DType.Int64)]);
        Assert.Equal([5f, 5f], outputs[0].ToArray<float>());
        // An int32 Input fed floats (Keras casts them too): the embedding rows of ids 1 and 2.
        var ids = Layers.Input([2], DType.Int32);
        var embed = new Model(ids, new Layers.Embedding(5, 1, embeddingsInitializer: "ones").Call(ids));
        Assert.Equal([1f, 1f], embed.Predict(NF.Reshape(NF.Constant(new[] { 1f, 2f }), [1, 2])).ToArray<float>());
    }
}

public sealed class ManagedLayerEdgeTests() : LayerEdgeTests("managed");

public sealed class NativeCpuLayerEdgeTests() : LayerEdgeTests("cpu");

public sealed class CudaLayerEdgeTests() : LayerEdgeTests("cuda");
