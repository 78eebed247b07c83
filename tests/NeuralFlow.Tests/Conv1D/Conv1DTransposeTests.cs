using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.Conv1DTranspose and Layers.Conv1DTranspose (Keras 3's arguments and [K, filters, C] kernel)
/// on every backend: values against PyTorch 1.13's F.conv_transpose1d (the kernel as
/// kernel.transpose(2, 1, 0), [C, F, K]; "same" as TensorFlow places it: the full output cropped
/// by (d(K-1) + 1 - s) / 2 steps at the start to steps * stride), finite differences, Keras'
/// output lengths, both data formats, save/load and the argument errors.
/// </summary>
public abstract class Conv1DTransposeTests(string backend) : BackendFileTest(backend)
{
    // (steps, C, K, F, stride, dilation, padding, outputPadding, x, kernel, expected [N, out, F]), N = 1 or 2:
    // x = round(uniform(-1, 1), 2) from numpy's default_rng(seed), the kernel after it.
    public static TheoryData<int> Cases() => new(0, 1, 2);

    private static readonly (int N, int Steps, int C, int K, int F, int Stride, int Dilation, string Padding, int? OutputPadding,
        double[] X, double[] Kernel, double[] Expected)[] Torch =
    [
        // F.conv_transpose1d(x, k, stride=2): length (3 - 1) * 2 + 3 = 7.
        (1, 3, 2, 3, 2, 2, 1, "valid", null, [0.02, 0.9, -0.71, 0.9, -0.38, -0.15],
            [0.66, -0.18, 0.1, -0.94, 0.51, 0.08, -0.34, 0.58, -0.39, -0.09, -0.73, -0.19],
            [-0.1488, -0.844, 0.0822, 0.5152, -0.7194, -1.1026, -0.2901, 0.7634, -0.0279, 0.4503, -0.2058, 0.0422, 0.1617, 0.3059]),
        // "same", an even kernel: 3 * 2 = 6 steps, the full 8 cropped 1 at the start, 1 at the end.
        (1, 3, 2, 4, 2, 2, 1, "same", null, [-0.48, -0.4, 0.63, -0.82, 0.2, 0.46],
            [-0.62, -0.89, -0.45, 0.31, 0.12, -0.7, -0.13, 0.34, -0.15, 0.27, 0.93, 0.37, -0.22, -0.63, -0.31, 0.02],
            [0.2224, -0.0736, 0.3032, -1.1321, 1.0072, -0.2199, -0.8493, 0.3351, 0.08, -0.0813, 0.0942, 0.3562]),
        // dilation 2, output_padding=1: (2 - 1) * 2 + 2 * (2 - 1) + 1 + 1 = 6 (Keras' rule), a batch of 2.
        (2, 2, 1, 2, 1, 2, 2, "valid", 1, [-0.83, -0.53, 0.6, 0.16], [-0.81, -0.13],
            [0.6723, 0.0, 0.5372, 0.0, 0.0689, 0.0, -0.486, 0.0, -0.2076, 0.0, -0.0208, 0.0]),
    ];

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Values_match_pytorch_in_both_formats_and_dtypes(int index)
    {
        RequireBackend();
        var c = Torch[index];
        var x = NF.Constant(c.X, [c.N, c.Steps, c.C]);
        var kernel = NF.Constant(c.Kernel, [c.K, c.F, c.C]);
        int length = c.Expected.Length / c.N / c.F;
        var y = NF.Conv1DTranspose(x, kernel, c.Stride, c.Padding, c.OutputPadding, c.Dilation);
        Assert.Equal(new Shape(c.N, length, c.F), y.Shape);
        AssertClose(c.Expected, y.ToArray<double>(), 1e-12, 1e-12);
        var first = NF.Conv1DTranspose(NF.Transpose(x, [0, 2, 1]), kernel, c.Stride, c.Padding, c.OutputPadding, c.Dilation, "channels_first");
        AssertClose(c.Expected, NF.Transpose(first, [0, 2, 1]).ToArray<double>(), 1e-12, 1e-12);
        var y32 = NF.Conv1DTranspose(NF.Cast(x, DType.Float32), NF.Cast(kernel, DType.Float32), c.Stride, c.Padding, c.OutputPadding, c.Dilation);
        AssertClose(c.Expected, y32.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Conv1DTranspose(t[0], t[1], 2), GradientTests.In([2, 3, 2], 1), GradientTests.In([3, 2, 2], 2));
        GradientTests.Check(t => NF.Conv1DTranspose(t[0], t[1], 3, "same", 1, 1, "channels_first"), GradientTests.In([1, 3, 4], 3), GradientTests.In([4, 2, 3], 4));
        GradientTests.Check(t => NF.Conv1DTranspose(t[0], t[1], 1, "valid", null, 2), GradientTests.In([1, 5, 2], 5), GradientTests.In([2, 3, 2], 6));
    }

    [SkippableFact]
    public void The_layer_has_Keras_shapes_config_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var x = NF.Random.Normal([6, 5, 3]);
        var layer = new Layers.Conv1DTranspose(4, 3, strides: 2, padding: "same", outputPadding: 1, activation: "relu");
        var y = layer.Call(x);
        Assert.Equal(new Shape(6, 10, 4), y.Shape);                    // Keras' deconv_output_length: (5 - 1) * 2 + 3 - 2 * (3 // 2) + 1
        Assert.Equal(new Shape(3, 4, 3), layer.Kernel!.Shape);         // Keras' [K, filters, C]
        // The layer is the op plus the bias, then the activation.
        var expected = NF.Relu(NF.Conv1DTranspose(x, layer.Kernel, 2, "same", 1) + layer.Bias!);
        Assert.Equal(expected.ToArray<float>(), y.ToArray<float>());
        var config = layer.GetConfig();
        Assert.Equal("[3]", config["kernel_size"]!.ToJsonString());
        Assert.Equal("[1]", config["output_padding"]!.ToJsonString());
        Assert.Null(new Layers.Conv1DTranspose(2, 2).GetConfig()["output_padding"]);

        var y3 = NF.Random.Uniform([6], 0, 3, DType.Int32);
        var models = new[]
        {
            new Sequential(new Layers.Conv1DTranspose(4, 3, strides: 2, padding: "same", outputPadding: 1), new Layers.GlobalAveragePooling1D(),
                new Layers.Dense(3, activation: "softmax")),
            new Sequential(new Layers.Conv1DTranspose(2, 2, dilationRate: 2, dataFormat: "channels_first", activation: "tanh"),
                new Layers.GlobalMaxPooling1D(dataFormat: "channels_first"), new Layers.Dense(3, activation: "softmax")),
        };
        for (int i = 0; i < models.Length; i++)
            TrainSaveLoad.Check(models[i], x, y3, Temp.File($"transpose1d{i}.nfmodel"));
    }

    [SkippableFact]
    public void Bad_arguments_are_named()
    {
        RequireBackend();
        Assert.Equal("outputPadding", Assert.Throws<ArgumentException>(() => new Layers.Conv1DTranspose(2, 3, strides: 2, outputPadding: 2)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => new Layers.Conv1DTranspose(2, 3, padding: "causal")).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Conv1DTranspose(0, 3));
        var x = NF.Ones([1, 4, 2]);
        Assert.Contains("[K, filters, C]", Assert.Throws<ArgumentException>(() => NF.Conv1DTranspose(x, NF.Ones([3, 2]))).Message);
        Assert.Contains("[batch, steps, channels]", Assert.Throws<ArgumentException>(() => NF.Conv1DTranspose(NF.Ones([4, 2]), NF.Ones([3, 2, 2]))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Conv1DTranspose(x, NF.Ones([3, 2, 2]), 2, outputPadding: 2));
        Assert.Contains("input channels", Assert.Throws<ArgumentException>(() => NF.Conv1DTranspose(x, NF.Ones([3, 2, 5]))).Message);
        Assert.Contains("sequences", Assert.Throws<ArgumentException>(() => new Layers.Conv1DTranspose(2, 2).Call(NF.Ones([1, 4, 4, 2]))).Message);
    }
}

public sealed class ManagedConv1DTransposeTests() : Conv1DTransposeTests("managed");
public sealed class NativeCpuConv1DTransposeTests() : Conv1DTransposeTests("cpu");
public sealed class CudaConv1DTransposeTests() : Conv1DTransposeTests("cuda");
