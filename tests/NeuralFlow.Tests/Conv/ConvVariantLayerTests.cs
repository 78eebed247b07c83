using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The grouped, depthwise and transposed convolution layers and the data_format of the image
/// layers on every backend: Keras shapes, defaults and config keys, the layer as its NF op plus
/// bias and activation, argument errors, training, and model.Save / Model.Load round trips.
/// </summary>
public abstract class ConvVariantLayerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Layers_give_keras_shapes_weights_and_configs()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        using var x = NF.Random.Uniform([2, 9, 8, 6]);
        var grouped = new Layers.Conv2D(4, 3, groups: 2);
        Assert.Equal(new Shape(2, 7, 6, 4), grouped.Call(x).Shape);
        Assert.Equal(new Shape(3, 3, 3, 4), grouped.Kernel!.Shape);
        Assert.Equal(2, grouped.GetConfig()["groups"]!.GetValue<int>());
        Assert.Equal("channels_last", grouped.GetConfig()["data_format"]!.GetValue<string>());

        var depthwise = new Layers.DepthwiseConv2D(3, strides: 2, padding: "same", depthMultiplier: 2);
        Assert.Equal(new Shape(2, 5, 4, 12), depthwise.Call(x).Shape);
        Assert.Equal(new Shape(3, 3, 6, 2), depthwise.Kernel!.Shape);
        Assert.Equal(new Shape(12), depthwise.Bias!.Shape);
        Assert.EndsWith("/depthwise_kernel", depthwise.Kernel.Name);
        var dc = depthwise.GetConfig();
        Assert.Equal(2, dc["depth_multiplier"]!.GetValue<int>());
        Assert.Equal("glorot_uniform", dc["depthwise_initializer"]!.GetValue<string>());
        Assert.Null(dc["kernel_initializer"]);

        var up = new Layers.Conv2DTranspose(5, 3, strides: 2, padding: "same");
        Assert.Equal(new Shape(2, 18, 16, 5), up.Call(x).Shape);
        Assert.Equal(new Shape(3, 3, 5, 6), up.Kernel!.Shape);
        // Keras' sizes: "valid" H * s + max(k - s, 0); with output padding (H - 1) * s + k - 2 * pad + p.
        Assert.Equal(new Shape(2, 19, 17, 5), new Layers.Conv2DTranspose(5, 3, strides: 2).Call(x).Shape);
        Assert.Equal(new Shape(2, 18, 16, 1), new Layers.Conv2DTranspose(1, 3, strides: 2, padding: "same", outputPadding: 1).Call(x).Shape);
        Assert.Equal(new Shape(2, 20, 8, 2), new Layers.Conv2DTranspose(2, [3, 1], strides: [2, 1], outputPadding: [1, 0]).Call(x).Shape);
        Assert.True(up.GetConfig()["output_padding"] is null);

        // Each layer is its NF op plus the bias, then the activation.
        var relu = new Layers.Conv2DTranspose(2, 2, strides: 2, activation: "relu", biasInitializer: "ones");
        Assert.Equal(NF.Relu(NF.Conv2DTranspose(x, relu.Kernel ?? Build(relu, x), [2]) + 1f).ToArray<float>(), relu.Call(x).ToArray<float>());
        var dw = new Layers.DepthwiseConv2D(2, activation: "tanh", biasInitializer: "ones");
        Assert.Equal(NF.Tanh(NF.DepthwiseConv2D(x, dw.Kernel ?? Build(dw, x)) + 1f).ToArray<float>(), dw.Call(x).ToArray<float>());
    }

    private static Variable Build(Layers.Convolution2D layer, Tensor x)
    {
        layer.EnsureBuilt(x.Shape);
        return layer.Kernel!;
    }

    [SkippableFact]
    public void Channels_first_layers_give_the_channels_last_result_transposed()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        using var x = NF.Random.Uniform([2, 7, 6, 4]);
        using var xc = NF.Transpose(x, [0, 3, 1, 2]);
        (Layer Last, Layer First)[] pairs =
        [
            (new Layers.Conv2D(6, 3, padding: "same", groups: 2, biasInitializer: "ones"), new Layers.Conv2D(6, 3, padding: "same", groups: 2, biasInitializer: "ones", dataFormat: "channels_first")),
            (new Layers.DepthwiseConv2D(2, depthMultiplier: 2, biasInitializer: "ones"), new Layers.DepthwiseConv2D(2, depthMultiplier: 2, biasInitializer: "ones", dataFormat: "channels_first")),
            (new Layers.Conv2DTranspose(3, 3, strides: 2, biasInitializer: "ones"), new Layers.Conv2DTranspose(3, 3, strides: 2, biasInitializer: "ones", dataFormat: "channels_first")),
            (new Layers.MaxPooling2D(2, padding: "same"), new Layers.MaxPooling2D(2, padding: "same", dataFormat: "channels_first")),
            (new Layers.AveragePooling2D(3, strides: 1), new Layers.AveragePooling2D(3, strides: 1, dataFormat: "channels_first")),
        ];
        foreach (var (last, first) in pairs)
        {
            var want = last.Call(x);
            if (last is Layers.Convolution2D a && first is Layers.Convolution2D b)
            {
                Assert.Equal(a.Kernel!.Shape, Build(b, xc).Shape); // the kernel layout does not depend on the data format
                b.Kernel!.Assign(a.Kernel);
            }
            Assert.Equal(NF.Transpose(want, [0, 3, 1, 2]).ToArray<float>(), first.Call(xc).ToArray<float>());
        }
        Assert.Equal(new Layers.GlobalAveragePooling2D().Call(x).ToArray<float>(), new Layers.GlobalAveragePooling2D(dataFormat: "channels_first").Call(xc).ToArray<float>());
        Assert.Equal(new Layers.GlobalMaxPooling2D().Call(x).ToArray<float>(), new Layers.GlobalMaxPooling2D(dataFormat: "channels_first").Call(xc).ToArray<float>());
    }

    [SkippableFact]
    public void Layer_arguments_are_checked_with_clear_messages()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Layers.Conv2D(6, 3, groups: 4));
        Assert.Contains("filters (6)", e.Message);
        Assert.Contains("groups (4)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Conv2D(6, 3, groups: 0));
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv2D(4, 3, groups: 2, name: "g").Call(NF.Zeros([1, 5, 5, 3])));
        Assert.Contains("g:", e.Message);
        Assert.Contains("3 channels", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv2D(4, 3, dataFormat: "NCWH"));
        Assert.Contains("\"NCWH\"", e.Message);
        Assert.Contains("dataFormat", e.Message);
        Assert.Contains("dataFormat", Assert.Throws<ArgumentException>(() => new Layers.MaxPooling2D(dataFormat: "x")).Message);
        Assert.Contains("dataFormat", Assert.Throws<ArgumentException>(() => new Layers.GlobalMaxPooling2D(dataFormat: "x")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.DepthwiseConv2D(3, depthMultiplier: 0));
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv2DTranspose(2, 3, strides: 2, outputPadding: 2));
        Assert.Contains("outputPadding", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.Conv2DTranspose(2, 3, name: "up").Call(NF.Zeros([2, 9])));
        Assert.Contains("up:", e.Message);
        Assert.Contains("(2, 9)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.DepthwiseConv2D(3, dataFormat: "channels_first").Call(NF.Zeros([2, 9, 9])));
        Assert.Contains("NCHW", e.Message);
    }

    [SkippableFact]
    public void Variant_cnns_train_save_and_load_predicting_the_same_bits()
    {
        RequireBackend();
        NF.Random.SetSeed(17);
        using var x = NF.Random.Uniform([6, 8, 10, 4]);
        using var xc = NF.Transpose(x, [0, 3, 1, 2]).Contiguous();
        using var y = NF.Random.Uniform([6], 0, 3, DType.Int32);
        var models = new (Sequential Model, Tensor X)[]
        {
            (new Sequential(
                new Layers.Conv2D(6, 3, padding: "same", activation: "relu", groups: 2),
                new Layers.DepthwiseConv2D([3, 2], strides: [2], depthMultiplier: 2, dilationRate: [1, 2], depthwiseInitializer: "he_normal"),
                new Layers.Conv2DTranspose(4, [3, 3], strides: [2, 1], padding: "same", outputPadding: [1, 0], activation: "relu"),
                new Layers.MaxPooling2D(2),
                new Layers.Flatten(),
                new Layers.Dense(3, activation: "softmax")), x),
            (new Sequential(
                new Layers.Conv2D(4, 2, groups: 4, useBias: false, dataFormat: "channels_first"),
                new Layers.AveragePooling2D(2, padding: "same", dataFormat: "channels_first"),
                new Layers.Conv2DTranspose(3, 2, strides: 2, dataFormat: "channels_first"),
                new Layers.DepthwiseConv2D(3, padding: "same", useBias: false, dataFormat: "channels_first"),
                new Layers.GlobalMaxPooling2D(dataFormat: "channels_first"),
                new Layers.Softmax()), xc),
        };
        for (int i = 0; i < models.Length; i++)
        {
            var (model, input) = models[i];
            TrainSaveLoad.Check(model, input, y, Temp.File($"variant{i}.nfmodel"));
        }
    }
}

public sealed class ManagedConvVariantLayerTests() : ConvVariantLayerTests("managed");

public sealed class NativeCpuConvVariantLayerTests() : ConvVariantLayerTests("cpu");

public sealed class CudaConvVariantLayerTests() : ConvVariantLayerTests("cuda");
