using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's convolution layers (keras/src/layers/convolutional/*.py),
/// of SpectralNormalization (normalization/spectral_normalization.py) and TimeDistributed
/// (rnn/time_distributed.py) on every engine: the published output shapes, from NumPy float64
/// inputs as there. Also DepthwiseConv1D, which NeuralFlow lacked: its values against torch's
/// grouped conv1d (make_sweep_layers_reference.py), its save/load and its errors.
/// </summary>
public abstract class ConvolutionDocstringTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Rand(params int[] shape) => NF.Random.Uniform(shape, dtype: DType.Float64);

    private static void Published(int[] expected, Tensor y)
    {
        Assert.Equal(new Shape(expected), y.Shape);
        // Keras computes in float32 from float64 NumPy inputs (its layers autocast them).
        Assert.Equal(DType.Float32, y.DType);
    }

    [SkippableFact]
    public void Convolutions_give_the_published_shapes()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        Published([4, 8, 32], new Layers.Conv1D(32, 3, activation: "relu").Call(Rand(4, 10, 128)));
        Published([4, 21, 32], new Layers.Conv1DTranspose(32, 3, 2, activation: "relu").Call(Rand(4, 10, 128)));
        Published([4, 8, 8, 32], new Layers.Conv2D(32, 3, activation: "relu").Call(Rand(4, 10, 10, 128)));
        Published([4, 20, 16, 32], new Layers.Conv2DTranspose(32, 2, 2, activation: "relu").Call(Rand(4, 10, 8, 128)));
        Published([4, 8, 8, 8, 32], new Layers.Conv3D(32, 3, activation: "relu").Call(Rand(4, 10, 10, 10, 128)));
        Published([4, 20, 16, 24, 32], new Layers.Conv3DTranspose(32, 2, 2, activation: "relu").Call(Rand(4, 10, 8, 12, 128)));
        Published([4, 8, 8, 12], new Layers.DepthwiseConv2D(kernelSize: 3, activation: "relu").Call(Rand(4, 10, 10, 12)));
    }

    // depthwise_conv1d.py, separable_conv1d.py and separable_conv2d.py call the layers positionally
    // as (3, 3, 2) and (3, 4, 3, 2), which hands padding the number 2: Keras itself raises there
    // (standardize_padding calls .lower() on it). The published shapes are those of a window of 3,
    // strides 2 and a depth multiplier of 3 (36 = 12 x 3 channels; 4 filters), used here by name.
    [SkippableFact]
    public void Depthwise_and_separable_convolutions_give_the_published_shapes()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        Published([4, 4, 36], new Layers.DepthwiseConv1D(kernelSize: 3, strides: 2, depthMultiplier: 3, activation: "relu").Call(Rand(4, 10, 12)));
        Published([4, 4, 4], new Layers.SeparableConv1D(4, 3, strides: 2, depthMultiplier: 3, activation: "relu").Call(Rand(4, 10, 12)));
        Published([4, 4, 4, 4], new Layers.SeparableConv2D(4, 3, strides: 2, depthMultiplier: 3, activation: "relu").Call(Rand(4, 10, 10, 12)));
    }

    [SkippableFact]
    public void Wrapped_layers_give_the_published_shapes()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        // spectral_normalization.py: a Conv2D(2, 2) and a Dense(10), each on rand(1, 10, 10, 1).
        Published([1, 9, 9, 2], new Layers.SpectralNormalization(new Layers.Conv2D(2, 2)).Call(Rand(1, 10, 10, 1)));
        Published([1, 10, 10, 10], new Layers.SpectralNormalization(new Layers.Dense(10)).Call(Rand(1, 10, 10, 1)));
        // time_distributed.py: Conv2D(64, (3, 3)) on Input(shape=(10, 128, 128, 3), batch_size=32).
        var inputs = Layers.Input([10, 128, 128, 3], batchSize: 32);
        var outputs = new Layers.TimeDistributed(new Layers.Conv2D(64, [3, 3])).Call(inputs);
        Assert.Equal(new int?[] { 32, 10, 126, 126, 64 }, outputs.Shape);
    }

    // make_sweep_layers_reference.py: x [2, 5, 3] and a Keras kernel [3, 3, 2] (window, channels,
    // multiplier) through torch's conv1d with groups = channels, TF's "same" padding by hand.
    private static readonly float[] X =
    [
        -0.8f, -0.43f, -0.06f, 0.31f, 0.68f, 1.05f, -0.47999996f, -0.10999984f, 0.26000005f, 0.62999994f, 1.0f, -0.5299998f,
        -0.1599999f, 0.20999998f, 0.58000034f, 0.9500002f, -0.57999986f, -0.20999998f, 0.1599999f, 0.53000027f, 0.90000015f,
        -0.62999994f, -0.25999957f, 0.11000031f, 0.4800002f, 0.8500001f, -0.68f, -0.31000012f, 0.060000718f, 0.4300006f,
    ];

    private static readonly float[] Kernel =
    [
        -0.6f, -0.31000003f, -0.02000004f, 0.26999998f, 0.5599999f, -0.45000005f, -0.15999997f, 0.13f, 0.41999996f,
        -0.59000003f, -0.30000007f, -0.01000011f, 0.2800001f, 0.57000005f, -0.43999994f, -0.14999998f, 0.14f, 0.42999995f,
    ];

    [SkippableFact]
    public void DepthwiseConv1D_matches_torch_grouped_convolution()
    {
        RequireBackend();
        var x = NF.Constant(X, [2, 5, 3]);
        var same = new Layers.DepthwiseConv1D(3, strides: 2, padding: "same", depthMultiplier: 2, useBias: false);
        same.EnsureBuilt([2, 5, 3]);
        same.Kernel!.Assign(NF.Constant(Kernel, [3, 3, 2]));
        var y = same.Call(x);
        Assert.Equal(new Shape(2, 3, 6), y.Shape);
        AssertValues([
            0.2148, 0.07270002, -0.47979996, 0.15170003, 0.16499998, 0.45209992, 0.06720001, 0.2006, -0.4997999, 0.09849992,
            0.43579996, -0.70299995, -0.3524, -0.2161, 0.06819994, 0.14609998, -0.4708, 0.23269986, -0.10720002, 0.21469998,
            -0.4768, 0.26269993, 0.18900001, 0.38910004, 0.13920012, 0.14210017, -0.49379984, 0.16899982, 0.3757999, -0.6985001,
            -0.23840013, -0.18910009, 0.00820026, 0.1940996, -0.5098002, 0.30169997], Doubles(y), 1e-5, 1e-6, "same, strides 2");

        var dilated = new Layers.DepthwiseConv1D(3, dilationRate: 2, depthMultiplier: 2, biasInitializer: "ones");
        dilated.EnsureBuilt([2, 5, 3]);
        dilated.Kernel!.Assign(NF.Constant(Kernel, [3, 3, 2]));
        AssertValues([
            1.512, 1.0944001, 0.87000012, 0.91729993, 0.96960001, 1.2738001,
            0.44399977, 0.44689977, 0.8759999, 0.98779969, 0.9096, 1.2783002], Doubles(dilated.Call(x)), 1e-5, 1e-6, "valid, dilation 2, bias 1");

        // channels_first: the same numbers with the channels before the steps.
        var first = new Layers.DepthwiseConv1D(3, strides: 2, padding: "same", depthMultiplier: 2, useBias: false, dataFormat: "channels_first");
        first.EnsureBuilt([2, 3, 5]);
        first.Kernel!.Assign(NF.Constant(Kernel, [3, 3, 2]));
        var yFirst = first.Call(NF.Transpose(x, [0, 2, 1]));
        AssertValues(Doubles(y), Doubles(NF.Transpose(yFirst, [0, 2, 1])), 1e-6, 1e-7, "channels_first");
    }

    [SkippableFact]
    public void DepthwiseConv1D_saves_loads_and_refuses_bad_arguments()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var model = new Sequential(Layers.Input([6, 2]), new Layers.DepthwiseConv1D(2, strides: 2, depthMultiplier: 2, dilationRate: 1,
            activation: "tanh", depthwiseRegularizer: new Regularizers.L2(0.01)), new Layers.Flatten(), new Layers.Dense(1));
        var x = NF.Random.Normal([3, 6, 2]);
        var before = model.Predict(x);
        model.Save(Temp.File("dw.keras"));
        var loaded = Assert.IsType<Sequential>(Model.Load(Temp.File("dw.keras")));
        AssertValues(Doubles(before), Doubles(loaded.Predict(x)), 0, 0, "loaded DepthwiseConv1D");
        var layer = Assert.IsType<Layers.DepthwiseConv1D>(loaded.Layers[0]);
        Assert.Equal(2, layer.DepthMultiplier);
        Assert.Equal([2], layer.Strides);
        Assert.Equal(new Shape(2, 2, 2), layer.Kernel!.Shape);
        var config = layer.GetConfig();
        Assert.Equal(2, config["depth_multiplier"]!.GetValue<int>());
        Assert.NotNull(config["depthwise_initializer"]);
        Assert.NotNull(config["depthwise_regularizer"]);
        Assert.Null(config["kernel_initializer"]);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.DepthwiseConv1D(3, depthMultiplier: 0));
        Assert.Contains("padding", Assert.Throws<ArgumentException>(() => new Layers.DepthwiseConv1D(3, padding: "causal")).Message);
        Assert.Contains("DepthwiseConv1D", Assert.Throws<ArgumentException>(() => new Layers.DepthwiseConv1D(3).Call(NF.Ones([2, 5, 3, 1]))).Message);
    }
}

public sealed class ManagedConvolutionDocstringTests() : ConvolutionDocstringTests("managed");

public sealed class NativeCpuConvolutionDocstringTests() : ConvolutionDocstringTests("cpu");

public sealed class CudaConvolutionDocstringTests() : ConvolutionDocstringTests("cuda");
