using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// Keras 3's SpectralNormalization wrapper (keras/src/layers/normalization/spectral_normalization.py)
/// on every backend: the kernel and u after one and three power iterations against its
/// normalized_weights run in numpy (make_breadth5_reference.py), u and the kernel untouched
/// outside training, the gradient reaching the normalized kernel (Keras 3 assigns it, so sigma is
/// not differentiated), errors, Fit and Save/Load.
/// </summary>
public abstract class SpectralNormalizationTests(string backend) : BackendFileTest(backend)
{
    // W = cos(0.2 i) - 0.5 i / 6, [3, 2]; u0 = [[0.6, -0.8]].
    private static Tensor Kernel() =>
        NF.Constant(Enumerable.Range(0, 6).Select(i => (float)(Math.Cos(0.2 * i) - 0.5 * i / 6)).ToArray(), [3, 2]);

    private static Layers.SpectralNormalization Wrapped(int iterations)
    {
        var layer = new Layers.SpectralNormalization(new Layers.Dense(2, useBias: false), iterations);
        layer.Call(NF.Zeros([1, 3]));
        layer.SetWeights([NF.Constant(new[] { 0.6f, -0.8f }, [1, 2]), Kernel()]);   // vector_u first, as in Keras
        return layer;
    }

    private static double[] D(Tensor t) => t.ToArray<float>().Select(v => (double)v).ToArray();

    [SkippableFact]
    public void Training_calls_normalize_the_kernel_as_keras_power_iteration()
    {
        RequireBackend();
        var one = Wrapped(1);
        var dense = (Layers.Dense)one.Layer;
        var x = NF.Constant(new[] { 1f, -2f, 0.5f }, [1, 3]);
        // Inference: nothing changes.
        one.Call(x, training: false);
        AssertClose(D(Kernel()), D(dense.Kernel!), 0, 0, "inference");
        var y = one.Call(x, training: true);
        AssertClose([1.349511, 1.210151, 1.018063, 0.7764215, 0.4903762, 0.1668476], D(dense.Kernel!), 1e-5, 1e-5, "kernel / sigma, 1 iteration");
        AssertClose([-0.6437626, -0.7652252], D(one.VectorU!), 1e-5, 1e-5, "u, 1 iteration");
        AssertClose(D(NF.MatMul(x, dense.Kernel!)), D(y), 1e-6, 1e-6, "the layer ran on the normalized kernel");
        var three = Wrapped(3);
        three.Call(x, training: true);
        AssertClose([0.5945679, 0.5331688, 0.4485387, 0.3420761, 0.2160502, 0.07350979], D(((Layers.Dense)three.Layer).Kernel!), 1e-5, 1e-5, "3 iterations");
        // Repeated training calls converge on a largest singular value of 1 (sigma 1.6818936 of W, numpy's svd).
        for (int i = 0; i < 20; i++) one.Call(x, training: true);
        var w = dense.Kernel!.ToArray<float>();
        double a = w[0] * w[0] + w[2] * w[2] + w[4] * w[4], b = w[0] * w[1] + w[2] * w[3] + w[4] * w[5], c = w[1] * w[1] + w[3] * w[3] + w[5] * w[5];
        double top = (a + c) / 2 + Math.Sqrt((a - c) * (a - c) / 4 + b * b);   // largest eigenvalue of W^T W
        Assert.Equal(1.0, Math.Sqrt(top), 4);
    }

    [SkippableFact]
    public void The_gradient_reaches_the_normalized_kernel_and_zero_kernels_stay()
    {
        RequireBackend();
        var layer = Wrapped(1);
        var kernel = ((Layers.Dense)layer.Layer).Kernel!;
        var x = NF.Constant(new[] { 1f, -2f, 0.5f, 0.3f, 0.1f, -1f }, [2, 3]);
        Tensor grad;
        using (var tape = new GradientTape())
        {
            var y = layer.Call(x, training: true);
            grad = tape.Gradient(NF.ReduceSum(y * NF.Constant(new[] { 1f, 2f, -1f, 0.5f }, [2, 2])), [kernel])[0]!;
        }
        // d/dW sum(x W * g) = x^T g: the Dense rule, sigma held fixed.
        AssertClose([0.7, 2.15, -2.1, -3.95, 1.5, 0.5], D(grad), 1e-5, 1e-6);
        var zero = new Layers.SpectralNormalization(new Layers.Dense(2, useBias: false, kernelInitializer: "zeros"));
        zero.Call(x, training: true);
        Assert.All(((Layers.Dense)zero.Layer).Kernel!.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(zero.VectorU!.ToArray<float>(), v => Assert.True(float.IsFinite(v)));
    }

    [SkippableFact]
    public void Wraps_kernels_and_embeddings_and_refuses_other_layers()
    {
        RequireBackend();
        var conv = new Layers.SpectralNormalization(new Layers.Conv2D(4, 3));
        conv.Call(NF.Random.Normal([1, 5, 5, 2]), training: true);
        Assert.Equal(new Shape(1, 4), conv.VectorU!.Shape);
        var embedding = new Layers.SpectralNormalization(new Layers.Embedding(10, 3));
        Assert.Equal(new Shape(2, 1, 3), embedding.Call(NF.Constant(new[] { 1, 4 }, [2, 1]), training: true).Shape);
        Assert.Equal(["vector_u", "embeddings"], embedding.Variables.Select(v => v.Name!.Split('/')[1]));
        Assert.Contains("has no attribute 'kernel' nor 'embeddings'",
            Assert.Throws<ArgumentException>(() => new Layers.SpectralNormalization(new Layers.ReLU()).Call(NF.Ones([1, 2]))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.SpectralNormalization(new Layers.Dense(2), powerIterations: 0));
        Assert.Throws<ArgumentNullException>(() => new Layers.SpectralNormalization(null!));
    }

    [SkippableFact]
    public void A_wrapped_model_trains_and_round_trips_through_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var x = NF.Random.Normal([32, 4]);
        var y = NF.Cast(NF.Greater(NF.ReduceSum(x, 1), 0f), DType.Float32);
        var model = new Sequential(
            new Layers.SpectralNormalization(new Layers.Dense(8, activation: "relu"), powerIterations: 2),
            new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.05f), "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 8, epochs: 8, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], "the loss falls");
        // Weights 57: u 8, kernel 4*8 + bias 8, head 8 + 1; Adam's 100: iteration, rate, two slots per trainable weight (49).
        Assert.Contains("Total params: 157", model.SummaryText());
        Assert.Contains("Non-trainable params: 8 ", model.SummaryText());
        string path = Temp.File("spectral.nfmodel");
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        Assert.Equal(2, model.Layers[0].GetConfig()["power_iterations"]!.GetValue<int>());
    }
}

public sealed class ManagedSpectralNormalizationTests() : SpectralNormalizationTests("managed");

public sealed class NativeCpuSpectralNormalizationTests() : SpectralNormalizationTests("cpu");

public sealed class CudaSpectralNormalizationTests() : SpectralNormalizationTests("cuda");
