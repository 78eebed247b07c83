using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The Keras convolution and pooling layers on every backend: shapes and Keras defaults, a small
/// CNN trained with Fit on the MNIST sample, and model.Save / Model.Load round trips.
/// </summary>
public abstract class ConvLayerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Layers_give_keras_shapes_defaults_and_weights()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        using var x = NF.Random.Uniform([2, 9, 8, 3]);
        var conv = new Layers.Conv2D(4, 3);
        Assert.Equal(new Shape(2, 7, 6, 4), conv.Call(x).Shape);
        Assert.Equal(new Shape(3, 3, 3, 4), conv.Kernel!.Shape);
        Assert.Equal(new Shape(4), conv.Bias!.Shape);
        Assert.Equal(new[] { 1, 1 }, conv.Strides);
        Assert.Equal("valid", conv.Padding);
        Assert.Equal("glorot_uniform", conv.KernelInitializer.Name);
        // Keras' fans for a kernel count the window: limit sqrt(6 / (9 * 3 + 9 * 4)).
        double limit = Math.Sqrt(6.0 / (9 * 3 + 9 * 4));
        Assert.All(conv.Kernel.ToArray<float>(), v => Assert.InRange(v, -limit, limit));
        Assert.True(conv.Kernel.ToArray<float>().Max() > limit * 0.8);

        Assert.Equal(new Shape(2, 5, 4, 6), new Layers.Conv2D(6, [3, 2], strides: [2], padding: "same").Call(x).Shape);
        Assert.Equal(new Shape(2, 5, 4, 3), new Layers.Conv2D(3, 3, dilationRate: 2, useBias: false).Call(x).Shape);
        Assert.Equal(new Shape(2, 4, 4, 3), new Layers.MaxPooling2D().Call(x).Shape);
        Assert.Equal(new Shape(2, 5, 4, 3), new Layers.AveragePooling2D(2, padding: "same").Call(x).Shape);
        Assert.Equal(new Shape(2, 7, 4, 3), new Layers.MaxPooling2D([3, 2], strides: [1, 2]).Call(x).Shape);
        Assert.Equal(new Shape(2, 3), new Layers.GlobalAveragePooling2D().Call(x).Shape);
        Assert.Equal(new Shape(2, 3), new Layers.GlobalMaxPooling2D().Call(x).Shape);
        Assert.Equal(new Shape(2, 72, 3), new Layers.Reshape([-1, 3]).Call(x).Shape);

        // The layer is NF.Conv2D plus the bias, then the activation.
        var relu = new Layers.Conv2D(2, 2, activation: "relu", biasInitializer: "ones");
        var y = relu.Call(x);
        var expected = NF.Relu(NF.Conv2D(x, relu.Kernel!) + 1f);
        Assert.Equal(expected.ToArray<float>(), y.ToArray<float>());
    }

    [SkippableFact]
    public void Layer_arguments_are_checked_with_clear_messages()
    {
        RequireBackend();
        Assert.Contains("padding", Assert.Throws<ArgumentException>(() => new Layers.Conv2D(4, 3, padding: "causal")).Message);
        Assert.Contains("kernelSize", Assert.Throws<ArgumentException>(() => new Layers.Conv2D(4, [3, 3, 3])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Conv2D(0, 3));
        Assert.Contains("poolSize", Assert.Throws<ArgumentException>(() => new Layers.MaxPooling2D(0)).Message);
        Assert.Contains("targetShape", Assert.Throws<ArgumentException>(() => new Layers.Reshape([-1, -1])).Message);
        var e = Assert.Throws<ArgumentException>(() => new Layers.Conv2D(4, 3).Call(NF.Zeros([2, 9, 8])));
        Assert.Contains("(2, 9, 8)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Layers.GlobalMaxPooling2D().Call(NF.Zeros([2, 9])));
        Assert.Contains("(2, 9)", e.Message);
    }

    [SkippableFact]
    public void A_small_cnn_learns_mnist_in_two_epochs()
    {
        RequireBackend();
        NF.Random.SetSeed(15);
        var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.Mnist.LoadSample();
        var x = NF.Reshape(NF.Cast(xTrain[..2000], DType.Float32) / 255f, [-1, 28, 28, 1]);
        var xt = NF.Reshape(NF.Cast(xTest[..500], DType.Float32) / 255f, [-1, 28, 28, 1]);
        var model = new Sequential(
            new Layers.Conv2D(8, 3, activation: "relu"),
            new Layers.MaxPooling2D(),
            new Layers.Flatten(),
            new Layers.Dense(10, activation: "softmax"));
        model.Compile(new Optimizers.Adam(0.003f), "sparse_categorical_crossentropy", ["accuracy"]);
        var history = model.Fit(x, yTrain[..2000], batchSize: 32, epochs: 2, verbose: 0, validationData: (xt, yTest[..500]));
        var valAcc = history["val_accuracy"];
        // Chance is 10%: a working convolution reaches well past 70% here.
        Assert.True(valAcc[1] > 0.7f, $"val_accuracy {string.Join(", ", valAcc)}");
        Assert.Equal(8 * 9 + 8 + 13 * 13 * 8 * 10 + 10, model.Variables.Sum(v => (int)v.Count));
    }

    [SkippableFact]
    public void Cnns_save_and_load_predicting_the_same_bits()
    {
        RequireBackend();
        NF.Random.SetSeed(16);
        using var x = NF.Random.Uniform([6, 12, 10, 2]);
        using var y = NF.Random.Uniform([6], 0, 3, DType.Int32);
        var models = new[]
        {
            new Sequential(
                new Layers.Conv2D(4, 3, padding: "same", activation: "relu", name: "c1"),
                new Layers.AveragePooling2D(2),
                new Layers.Conv2D(5, [2, 3], strides: [1, 2], dilationRate: [2, 1], kernelInitializer: "he_normal"),
                new Layers.MaxPooling2D([2, 1], strides: [1, 1], padding: "same"),
                new Layers.Reshape([-1]),
                new Layers.Dense(3, activation: "softmax")),
            new Sequential(
                new Layers.Conv2D(3, 1, useBias: false),
                new Layers.GlobalMaxPooling2D(),
                new Layers.Reshape([3, 1]),
                new Layers.Flatten(),
                new Layers.Dense(3, activation: "softmax")),
            new Sequential(new Layers.Conv2D(3, 2, strides: 2), new Layers.GlobalAveragePooling2D(), new Layers.Softmax()),
        };
        for (int i = 0; i < models.Length; i++)
        {
            var model = models[i];
            model.Compile("adam", "sparse_categorical_crossentropy");
            model.Fit(x, y, batchSize: 3, epochs: 1, verbose: 0);
            string path = Temp.File($"cnn{i}.nfmodel");
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
            var a = (Sequential)model;
            var b = Assert.IsType<Sequential>(loaded);
            for (int l = 0; l < a.Layers.Count; l++)
            {
                Assert.IsType(a.Layers[l].GetType(), b.Layers[l]);
                Assert.True(JsonNode.DeepEquals(a.Layers[l].GetConfig(), b.Layers[l].GetConfig()), $"model {i} layer {l}: {a.Layers[l].GetConfig()} vs {b.Layers[l].GetConfig()}");
            }
        }
    }
}

public sealed class ManagedConvLayerTests() : ConvLayerTests("managed");

public sealed class NativeCpuConvLayerTests() : ConvLayerTests("cpu");

public sealed class CudaConvLayerTests() : ConvLayerTests("cuda");
