using NeuralFlow.Keras;
using static NeuralFlow.Tests.KerasLayers.ReferenceValues;
using static NeuralFlow.Tests.Reference;
using R = NeuralFlow.Tests.KerasLayers.LayerReference;

namespace NeuralFlow.Tests.KerasLayers;

/// <summary>
/// Layers.SeparableConv2D / SeparableConv1D against PyTorch 1.13 (a grouped convolution then a
/// 1×1 one, with Keras' kernels rearranged; layer_reference.py), weights in Keras' order,
/// errors and config, on every engine.
/// </summary>
public abstract class SeparableConvTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void SeparableConv2D_matches_torch()
    {
        RequireBackend();
        using var x = F32([2, 5, 5, 3], 17);
        Tensor[] weights = [F32([3, 3, 3, 2], 18), F32([1, 1, 6, 4], 19), F32([4], 20)];
        var same = new Layers.SeparableConv2D(4, 3, padding: "same", depthMultiplier: 2);
        same.Call(x);
        Assert.Equal(["depthwise_kernel", "pointwise_kernel", "bias"], same.Variables.Select(v => v.Name![(same.Name.Length + 1)..]));
        same.SetWeights(weights);
        AssertClose(R.Sep2DSame, D(same.Call(x)), 1e-5, 1e-6, "same");
        var strided = new Layers.SeparableConv2D(4, 3, strides: 2, depthMultiplier: 2);
        strided.Call(x);
        strided.SetWeights(weights);
        var y = strided.Call(x);
        Assert.Equal(new Shape(2, 2, 2, 4), y.Shape);
        AssertClose(R.Sep2DStrided, D(y), 1e-5, 1e-6, "strided");
    }

    [SkippableFact]
    public void SeparableConv1D_matches_torch_in_both_data_formats()
    {
        RequireBackend();
        using var x = F32([2, 7, 3], 21);
        Tensor[] weights = [F32([3, 3, 2], 22), F32([1, 6, 4], 23), F32([4], 24)];
        var layer = new Layers.SeparableConv1D(4, 3, padding: "same", depthMultiplier: 2, dilationRate: 2);
        layer.Call(x);
        layer.SetWeights(weights);
        AssertClose(R.Sep1DSameDilated, D(layer.Call(x)), 1e-5, 1e-6, "channels_last");
        var first = new Layers.SeparableConv1D(4, 3, padding: "same", depthMultiplier: 2, dilationRate: 2, dataFormat: "channels_first");
        using var xt = NF.Transpose(x, [0, 2, 1]);
        first.Call(xt);
        first.SetWeights(weights);
        AssertClose(R.Sep1DSameDilated, D(NF.Transpose(first.Call(xt), [0, 2, 1])), 1e-5, 1e-6, "channels_first");
    }

    [SkippableFact]
    public void Regularizers_config_and_errors()
    {
        RequireBackend();
        var layer = new Layers.SeparableConv2D(2, 3, depthwiseRegularizer: new Regularizers.L2(0.5), pointwiseRegularizer: new Regularizers.L1(0.25));
        using var x = F32([1, 4, 4, 2], 1);
        layer.Call(x);
        Assert.Equal(2, layer.Losses.Count);
        var c = layer.GetConfig();
        Assert.Equal(1, c["depth_multiplier"]!.GetValue<int>());
        Assert.NotNull(c["depthwise_initializer"]);
        Assert.NotNull(c["pointwise_initializer"]);
        Assert.NotNull(c["pointwise_regularizer"]);
        Assert.Null(c["kernel_initializer"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.SeparableConv2D(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.SeparableConv1D(2, 3, depthMultiplier: 0));
        Assert.Contains("padding", Assert.Throws<ArgumentException>(() => new Layers.SeparableConv1D(2, 3, padding: "causal")).Message);
        Assert.Contains(layer.Name, Assert.Throws<ArgumentException>(() => layer.Call(F32([1, 4, 4], 1))).Message);
    }
}

public sealed class ManagedSeparableConvTests() : SeparableConvTests("managed");

public sealed class NativeCpuSeparableConvTests() : SeparableConvTests("cpu");

public sealed class CudaSeparableConvTests() : SeparableConvTests("cuda");
