using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;
using NeuralFlow.Tests.UserProbe27;
using NeuralFlow.Tests.UserProbe28;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// keras.applications.MobileNetV3Small and MobileNetV3Large in C# (Applications.MobileNetV3Small / Large): Keras'
/// parameter counts, layer names, hard_swish and the op-built hard sigmoid of squeeze-and-excite, the in-model
/// Rescaling, mobilenet_v3.py's own input-shape rules, and weights saved to a .weights.h5 and loaded through
/// <c>weights:</c> whose network computes what PyTorch computes with the same weights (applications5_references.py
/// builds it by hand).
/// </summary>
public abstract class Applications5MobileNetV3Tests(string backend) : BackendFileTest(backend)
{
    // applications5_references.py "mobilenetv3small softmax": five classes, two 32x32 images of raw pixels.
    private static readonly float[] SmallSoftmax =
        [0.140221359f, 0.176687104f, 0.212971278f, 0.23088685f, 0.239233409f, 0.140564202f, 0.176202735f, 0.213709692f, 0.230989323f, 0.238534047f];

    [SkippableFact]
    public void Parameter_counts_are_kerass_for_every_variant()
    {
        RequireBackend();
        // applications5_references.py counts the weights mobilenet_v3.py makes; Small and Large with the top are
        // Keras' documented 2,554,968 and 5,507,432.
        (Func<bool, Model> Make, long Params, long Trainable, long NoTop)[] variants =
        [
            (top => Applications.MobileNetV3Small(includeTop: top, weights: null), 2_554_968, 2_542_856, 939_120),
            (top => Applications.MobileNetV3Large(includeTop: top, weights: null), 5_507_432, 5_483_032, 2_996_352),
            (top => Applications.MobileNetV3Small(minimalistic: true, includeTop: top, weights: null), 2_056_848, 2_044_736, 441_000),
            (top => Applications.MobileNetV3Large(alpha: 0.75, includeTop: top, weights: null), 4_012_616, 3_993_528, 1_808_736),
            (top => Applications.MobileNetV3Small(alpha: 1.25, includeTop: top, weights: null), 3_660_640, 3_645_312, 1_456_760),
        ];
        foreach (var (make, parameters, trainable, noTop) in variants)
        {
            var model = make(true);
            Assert.Equal((parameters, trainable), (model.CountParams(), model.TrainableVariables.Sum(v => (long)v.Shape.Count)));
            Assert.Equal(noTop, make(false).CountParams());
        }
    }

    [SkippableFact]
    public void Layers_are_named_and_built_as_mobilenet_v3_py_builds_them()
    {
        RequireBackend();
        var small = Applications.MobileNetV3Small(weights: null);
        Assert.Equal("MobileNetV3Small", small.Name);
        Assert.Equal("MobileNetV3Large", Applications.MobileNetV3Large(weights: null, includeTop: false).Name);
        // No default size: with the classifier too any image size works (it follows a global pooling).
        Assert.Equal(new int?[] { null, null, null, 3 }, small.Input.Shape);
        Assert.Equal(new int?[] { null, 1000 }, small.Output.Shape);
        var rescaling = Assert.IsType<Layers.Rescaling>(small.Layers[1]);
        Assert.Equal((1 / 127.5, -1.0), (rescaling.Scale, rescaling.Offset));
        Assert.Equal(["conv", "conv_bn"], small.Layers.Skip(2).Take(2).Select(l => l.Name));
        Assert.Equal("hard_swish", Assert.IsType<Layers.Activation>(small.Layers[4]).GetConfig()["activation"]!.GetValue<string>());
        // Block 0 of Small strides (Keras' correct_pad before a 'valid' depthwise) and has squeeze-and-excite; the hard
        // sigmoid is relu6(x + 3) / 6 of ops, so a ReLU(6) follows 'squeeze_excite_conv_1' before the Multiply.
        Assert.Equal(["expanded_conv_depthwise_pad", "expanded_conv_depthwise", "expanded_conv_depthwise_bn"], small.Layers.Skip(5).Take(3).Select(l => l.Name));
        int gate = small.Layers.ToList().FindIndex(l => l.Name == "expanded_conv_squeeze_excite_conv_1");
        Assert.Equal(6.0, Assert.IsType<Layers.ReLU>(small.Layers[gate + 1]).MaxValue);
        Assert.IsType<Layers.Multiply>(small.GetLayer("expanded_conv_squeeze_excite_mul"));
        Assert.True(Assert.IsType<Layers.GlobalAveragePooling2D>(small.GetLayer("expanded_conv_squeeze_excite_avg_pool")).Keepdims);
        Assert.Equal(new int?[] { null, 1, 1, 8 }, small.GetLayer("expanded_conv_squeeze_excite_conv").Output.Shape);
        // The expansion widths are _depth(in * expansion): 16 * 72/16 = 72, 24 * 88/24 = 88.
        Assert.Equal(72, small.GetLayer("expanded_conv_1_expand").Output.Shape[^1]);
        Assert.Equal(88, small.GetLayer("expanded_conv_2_expand").Output.Shape[^1]);
        Assert.IsType<Layers.Add>(small.GetLayer("expanded_conv_10_add"));
        // The classifier: 1x1 convolutions on the 4-D pooled map, a Dropout of 0.2, flattened logits.
        var top = small.Layers.TakeLast(9).ToArray();
        Assert.Equal(["conv_1_bn", "conv_2", "logits", "predictions"], top.Where(l => l.Name is "conv_1_bn" or "conv_2" or "logits" or "predictions").Select(l => l.Name));
        Assert.True(Assert.IsType<Layers.GlobalAveragePooling2D>(top[2]).Keepdims);
        Assert.Equal(0.2, Assert.IsType<Layers.Dropout>(top[5]).Rate, 12);
        Assert.IsType<Layers.Flatten>(top[7]);
        Assert.Equal(new int?[] { null, 1, 1, 1024 }, small.GetLayer("conv_2").Output.Shape);
        Assert.DoesNotContain(Applications.MobileNetV3Small(weights: null, dropoutRate: 0).Layers, l => l is Layers.Dropout);
        // Large: fifteen blocks, a 1280-wide conv_2, 960 channels before it; its first block has no squeeze-and-excite.
        var large = Applications.MobileNetV3Large(weights: null, inputShape: [64, 64, 3]);
        Assert.Equal(new int?[] { null, 2, 2, 960 }, large.GetLayer("conv_1").Output.Shape);
        Assert.Equal(new int?[] { null, 1, 1, 1280 }, large.GetLayer("conv_2").Output.Shape);
        Assert.DoesNotContain(large.Layers, l => l.Name == "expanded_conv_squeeze_excite_avg_pool");
        Assert.Contains(large.Layers, l => l.Name == "expanded_conv_14_squeeze_excite_mul");
        // Minimalistic: no squeeze-and-excite, no hard_swish, 3x3 kernels.
        var minimal = Applications.MobileNetV3Large(minimalistic: true, weights: null, includeTop: false, pooling: "max");
        Assert.DoesNotContain(minimal.Layers, l => l.Name.Contains("squeeze_excite") || l is Layers.Activation);
        Assert.Equal([3, 3], ((Layers.DepthwiseConv2D)minimal.GetLayer("expanded_conv_12_depthwise")).KernelSize);
        Assert.Equal("max_pool", minimal.Layers[^1].Name);
        Assert.Equal(new int?[] { null, 576 }, Applications.MobileNetV3Small(includeTop: false, weights: null, pooling: "avg").Output.Shape);
        // Without preprocessing the first layer after the input is the convolution.
        Assert.Equal("conv", Applications.MobileNetV3Small(weights: null, includePreprocessing: false).Layers[1].Name);
        Assert.NotEmpty(small.SummaryText());
    }

    [SkippableFact]
    public void Weights_saved_and_loaded_compute_as_pytorch()
    {
        RequireBackend();
        string path = Temp.File("mobilenetv3small_5.weights.h5");
        Applications3Weights.Fill(Applications.MobileNetV3Small(weights: null, inputShape: [32, 32, 3], classes: 5)).SaveWeights(path);
        var model = Applications.MobileNetV3Small(weights: path, inputShape: [32, 32, 3], classes: 5);
        var pixels = ApplicationsWeightsFile.Images(2, 32, 32, 3);
        Assert.Same(pixels, Applications.MobileNetV3PreprocessInput(pixels));
        var probabilities = model.Predict(Applications.MobileNetV3PreprocessInput(pixels)).ToArray<float>();
        Assert.Equal(SmallSoftmax.Length, probabilities.Length);
        for (int i = 0; i < SmallSoftmax.Length; i++) Assert.Equal(SmallSoftmax[i], probabilities[i], 1e-5f);

        // applications5_references.py "mobilenetv3large 64x48": without the top, a (2, 2, 2, 960) map. The shape is given:
        // on an unknown width Keras' correct_pad takes the odd 3 before the last stride for even, which gives 2x1.
        string noTop = Temp.File("large_notop.weights.h5");
        Applications3Weights.Fill(Applications.MobileNetV3Large(includeTop: false, weights: null, inputShape: [64, 48, 3])).SaveWeights(noTop);
        var features = Applications.MobileNetV3Large(includeTop: false, weights: noTop, inputShape: [64, 48, 3]).Predict(ApplicationsWeightsFile.Images(2, 64, 48, 3));
        Applications2FeatureSummary.AssertMatches(features, new Shape(2, 2, 2, 960), [18072.2158, 18518.2791], [282458.296, 291824.292], [0, 7, 123, 1000, 1919],
            [19.0945232f, 9.63260392f, 0.306208752f, 15.2374576f, 16.5931426f, 21.6220151f, -0.183035696f, -0.305262999f, 14.580376f, 18.7620803f]);

        // "mobilenetv3small minimalistic": no preprocessing layer, images already in [-1, 1], a (2, 2, 2, 576) map.
        string minimal = Temp.File("small_minimalistic.weights.h5");
        Applications3Weights.Fill(Applications.MobileNetV3Small([40, 40, 3], minimalistic: true, includeTop: false, weights: null, includePreprocessing: false))
            .SaveWeights(minimal);
        var scaled = ApplicationsWeightsFile.Images(2, 40, 40, 3) / 127.5f - 1f;
        features = Applications.MobileNetV3Small([40, 40, 3], minimalistic: true, includeTop: false, weights: minimal, includePreprocessing: false).Predict(scaled);
        Applications2FeatureSummary.AssertMatches(features, new Shape(2, 2, 2, 576), [18343.5362, 16704.8032], [503322.234, 408746.739], [0, 7, 123, 1000, 2303],
            [10.8647477f, 0f, 0f, 0f, 16.0473905f, 15.1639711f, 0f, 0f, 0f, 19.4976803f]);
    }

    [SkippableFact]
    public void Input_shapes_follow_mobilenet_v3_pys_rules()
    {
        RequireBackend();
        // Only lengths that are known must reach 32, and any channel count builds (the stem convolution takes it).
        Assert.Equal(new int?[] { null, null, 64, 1 }, Applications.MobileNetV3Small(weights: null, inputShape: [null, 64, 1]).Input.Shape);
        Assert.Equal(new int?[] { null, 1000 }, Applications.MobileNetV3Large(weights: null, inputShape: [33, 47, 3]).Output.Shape);
        var e = Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(weights: null, inputShape: [31, 64, 3]));
        Assert.Equal("inputShape", e.ParamName);
        Assert.Contains("at least 32x32", e.Message);
        Assert.Contains("three lengths", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(weights: null, inputShape: [64, 64])).Message);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(weights: null, inputShape: [64, 64, null])).Message);
        // On an unknown size Keras' correct_pad pads every stride-2 input as if even: 64x48 reaches an odd 3 wide
        // before the last stride and ends 1 wide (2 with the shape given, as in the PyTorch reference).
        Assert.Equal(new Shape(2, 2, 1, 960), Applications.MobileNetV3Large(includeTop: false, weights: null).Predict(ApplicationsWeightsFile.Images(2, 64, 48, 3)).Shape);
        // On an input tensor: its shape, checked the same way, and an inputShape that disagrees is refused.
        var images = Layers.Input([40, 48, 3]);
        var model = Applications.MobileNetV3Small(weights: null, inputTensor: images, includeTop: false);
        Assert.Same(images, model.Input);
        Assert.Equal(new int?[] { null, 2, 2, 576 }, model.Output.Shape);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(weights: null, inputTensor: Layers.Input([16, 48, 3]))).Message);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(weights: null, inputTensor: images, inputShape: [40, 40, 3])).ParamName);
    }

    [SkippableFact]
    public void Refusals_name_the_argument_and_the_file_to_fetch()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_small_224_1.0_float.h5", e.Message);
        Assert.Contains("weights_mobilenet_v3_large_minimalistic_224_1.0_float_no_top_v2.h5",
                        Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Large(minimalistic: true, includeTop: false)).Message);
        Assert.Contains("weights_mobilenet_v3_large_224_0.75_float.h5", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Large(alpha: 0.75)).Message);
        // Keras has ImageNet files for alpha 0.75 and 1.0 only (1.0 only when minimalistic).
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(alpha: 0.5)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(alpha: 0.75, minimalistic: true)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNetV3Small(alpha: 0, weights: null)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNetV3Large(weights: null, classes: 0)).ParamName);
        Assert.Equal("dropoutRate", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNetV3Large(weights: null, dropoutRate: 1.5)).ParamName);
        Assert.Equal("pooling", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(includeTop: false, weights: null, pooling: "mean")).ParamName);
        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(weights: Temp.File("absent.h5"))).Message);
        string file = Temp.File("small.weights.h5");
        Applications.MobileNetV3Small(weights: null).SaveWeights(file);
        Assert.Equal("classifierActivation",
                     Assert.Throws<ArgumentException>(() => Applications.MobileNetV3Small(weights: file, classifierActivation: "sigmoid")).ParamName);
    }
}

/// <summary>Applications.MobileNetV3Small / Large, on the managed backend.</summary>
public sealed class ManagedApplications5MobileNetV3Tests() : Applications5MobileNetV3Tests("managed");

/// <summary>Applications.MobileNetV3Small / Large, on the native CPU backend.</summary>
public sealed class NativeCpuApplications5MobileNetV3Tests() : Applications5MobileNetV3Tests("cpu");

/// <summary>Applications.MobileNetV3Small / Large, on the CUDA backend.</summary>
public sealed class CudaApplications5MobileNetV3Tests() : Applications5MobileNetV3Tests("cuda");
