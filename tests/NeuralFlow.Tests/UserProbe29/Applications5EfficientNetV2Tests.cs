using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;
using NeuralFlow.Tests.UserProbe27;
using NeuralFlow.Tests.UserProbe28;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// keras.applications.EfficientNetV2B0 ... B3, S, M and L in C# (Applications.EfficientNetV2B0 ...): Keras' parameter
/// counts, layer names, Fused-MBConv and MBConv blocks, stochastic depth, the in-model preprocessing (B0 to B3's
/// Rescaling and fixed Normalization, S/M/L's Rescaling(1/128, offset -1)), imagenet_utils' input-shape rules, and
/// weights saved to a .weights.h5 and loaded through <c>weights:</c> whose network computes what PyTorch computes with
/// the same weights (applications5_references.py builds it by hand).
/// </summary>
public abstract class Applications5EfficientNetV2Tests(string backend) : BackendFileTest(backend)
{
    // applications5_references.py "efficientnetv2-b0 softmax": five classes, two 32x32 images of raw pixels.
    private static readonly float[] B0Softmax =
        [0.412809405f, 0.020286775f, 0.0543578668f, 0.00111851929f, 0.511427434f, 0.379901613f, 0.106965772f, 0.392041267f, 0.0202854082f, 0.10080594f];

    [SkippableFact]
    public void Parameter_counts_and_default_sizes_are_kerass_for_all_seven()
    {
        RequireBackend();
        // applications5_references.py counts the weights efficientnet_v2.py makes; B0, S and L are Keras' documented
        // 7,200,312, 21,612,360 and 119,027,848 (its table rounds the others: 8.2M, 10.2M, 14.5M, 54.4M).
        (Func<Model> Make, string Name, int Size, long Params, long Trainable, long NoTop)[] variants =
        [
            (() => Applications.EfficientNetV2B0(weights: null), "efficientnetv2-b0", 224, 7_200_312, 7_139_704, 5_919_312),
            (() => Applications.EfficientNetV2B1(weights: null), "efficientnetv2-b1", 240, 8_212_124, 8_141_052, 6_931_124),
            (() => Applications.EfficientNetV2B2(weights: null), "efficientnetv2-b2", 260, 10_178_374, 10_096_086, 8_769_374),
            (() => Applications.EfficientNetV2B3(weights: null), "efficientnetv2-b3", 300, 14_467_622, 14_358_406, 12_930_622),
            (() => Applications.EfficientNetV2S(weights: null), "efficientnetv2-s", 384, 21_612_360, 21_458_488, 20_331_360),
            (() => Applications.EfficientNetV2M(weights: null), "efficientnetv2-m", 480, 54_431_388, 54_139_356, 53_150_388),
            (() => Applications.EfficientNetV2L(weights: null), "efficientnetv2-l", 480, 119_027_848, 118_515_272, 117_746_848),
        ];
        foreach (var (make, name, size, parameters, trainable, noTop) in variants)
        {
            var model = make();
            Assert.Equal((name, parameters, trainable), (model.Name, model.CountParams(), model.TrainableVariables.Sum(v => (long)v.Shape.Count)));
            Assert.Equal(new int?[] { null, size, size, 3 }, model.Input.Shape);
            // Without the top the model ends at 'top_activation': its count is the classifier's less (the largest build once).
            Assert.Equal(noTop, parameters - model.GetLayer("predictions").CountParams());
        }
        var open = Applications.EfficientNetV2B0(includeTop: false, weights: null);
        Assert.Equal(5_919_312, open.CountParams());
        Assert.Equal(new int?[] { null, null, null, 1280 }, open.Output.Shape);
        Assert.Equal(new int?[] { null, 1536 }, Applications.EfficientNetV2B3(includeTop: false, weights: null, pooling: "avg").Output.Shape);
    }

    [SkippableFact]
    public void Layers_are_named_and_built_as_efficientnet_v2_py_builds_them()
    {
        RequireBackend();
        var b0 = Applications.EfficientNetV2B0(weights: null, inputShape: [32, 32, 3]);
        Assert.IsType<Layers.Rescaling>(b0.Layers[1]);
        var stem = Assert.IsType<Layers.Normalization>(b0.Layers[2]);
        Assert.Null(stem.Mean);   // given statistics: constants of the config, not weights
        Assert.Equal([0.485, 0.456, 0.406], stem.GetConfig()["mean"]!.AsArray().Select(v => v!.GetValue<double>()));
        // Fused blocks first (block1a has no expansion: its projection takes the 3x3 kernel and a swish), no skip where widths change.
        Assert.Equal(["stem_conv", "stem_bn", "stem_activation", "block1a_project_conv", "block1a_project_bn", "block1a_project_activation",
                      "block2a_expand_conv", "block2a_expand_bn", "block2a_expand_activation", "block2a_project_conv", "block2a_project_bn"],
                     b0.Layers.Skip(3).Take(11).Select(l => l.Name));
        Assert.Equal(0.9, ((Layers.BatchNormalization)b0.GetLayer("stem_bn")).Momentum, 12);
        Assert.Equal([3, 3], ((Layers.Conv2D)b0.GetLayer("block2a_expand_conv")).KernelSize);
        Assert.Equal(new int?[] { null, 8, 8, 64 }, b0.GetLayer("block2a_expand_conv").Output.Shape);
        // Stochastic depth at drop_connect_rate * b / (the unscaled count of blocks, 21 for B0), whole examples at once.
        var drop = Assert.IsType<Layers.Dropout>(b0.GetLayer("block2b_drop"));
        Assert.Equal(0.2 * 2 / 21, drop.Rate, 12);
        Assert.Equal(new int?[] { null, 1, 1, 1 }, drop.NoiseShape!.ToArray());
        // MBConv blocks from stage 4: 1x1 expansion, 'dwconv2', squeeze-and-excite at a quarter of the input width.
        Assert.Equal(["block4a_expand_conv", "block4a_expand_bn", "block4a_expand_activation", "block4a_dwconv2", "block4a_bn", "block4a_activation",
                      "block4a_se_squeeze", "block4a_se_reshape", "block4a_se_reduce", "block4a_se_expand", "block4a_se_excite", "block4a_project_conv",
                      "block4a_project_bn"], b0.Layers.SkipWhile(l => l.Name != "block4a_expand_conv").Take(13).Select(l => l.Name));
        Assert.Equal(new int?[] { null, 1, 1, 12 }, b0.GetLayer("block4a_se_reduce").Output.Shape);
        Assert.Equal(["block6h_add", "top_conv", "top_bn", "top_activation", "avg_pool", "top_dropout", "predictions"], b0.Layers.TakeLast(7).Select(l => l.Name));
        Assert.Equal(0.2, Assert.IsType<Layers.Dropout>(b0.GetLayer("top_dropout")).Rate, 12);
        // B3 (depth x1.4) runs past 0.2: its last block is 31 of an unscaled 21.
        var b3 = Applications.EfficientNetV2B3(includeTop: false, weights: null);
        Assert.Equal(0.2 * 31 / 21, Assert.IsType<Layers.Dropout>(b3.GetLayer("block6l_drop")).Rate, 12);
        // S: Rescaling(1/128, offset -1) and no Normalization; block1a keeps its width, so it has a skip (no drop at rate 0).
        var s = Applications.EfficientNetV2S(includeTop: false, weights: null, pooling: "max");
        var rescaling = Assert.IsType<Layers.Rescaling>(s.Layers[1]);
        Assert.Equal((1 / 128.0, -1.0), (rescaling.Scale, rescaling.Offset));
        Assert.Equal("stem_conv", s.Layers[2].Name);
        Assert.IsType<Layers.Add>(s.GetLayer("block1a_add"));
        Assert.DoesNotContain(s.Layers, l => l.Name == "block1a_drop");
        Assert.Equal("max_pool", s.Layers[^1].Name);
        Assert.NotEmpty(b0.SummaryText());
    }

    [SkippableFact]
    public void Weights_saved_and_loaded_compute_as_pytorch_and_preprocess_input_passes_pixels_through()
    {
        RequireBackend();
        string path = Temp.File("efficientnetv2b0_5.weights.h5");
        Applications3Weights.Fill(Applications.EfficientNetV2B0(weights: null, inputShape: [32, 32, 3], classes: 5)).SaveWeights(path);
        var model = Applications.EfficientNetV2B0(weights: path, inputShape: [32, 32, 3], classes: 5);
        var pixels = ApplicationsWeightsFile.Images(2, 32, 32, 3);
        Assert.Same(pixels, Applications.EfficientNetV2PreprocessInput(pixels));
        var probabilities = model.Predict(Applications.EfficientNetV2PreprocessInput(pixels)).ToArray<float>();
        Assert.Equal(B0Softmax.Length, probabilities.Length);
        for (int i = 0; i < B0Softmax.Length; i++) Assert.Equal(B0Softmax[i], probabilities[i], 2e-5f);

        // applications5_references.py "efficientnetv2-s stage 3": S's stem (Rescaling(1/128, offset -1)) and its three
        // Fused-MBConv stages, block1a and 1b with skips, through a sub-model to 'block3d_add' on two 64x64 images.
        string noTop = Temp.File("efficientnetv2-s_notop.weights.h5");
        Applications3Weights.Fill(Applications.EfficientNetV2S(includeTop: false, weights: null)).SaveWeights(noTop);
        var s = Applications.EfficientNetV2S(includeTop: false, weights: noTop);
        var features = new Model(s.Input, s.GetLayer("block3d_add").Output).Predict(ApplicationsWeightsFile.Images(2, 64, 64, 3));
        Applications2FeatureSummary.AssertMatches(features, new Shape(2, 8, 8, 64), [7535.80857, 7442.15229], [2665645.28, 2849831.27], [0, 7, 123, 1000, 4095],
            [6.50876398f, -30.1667897f, -12.1253026f, -19.3127408f, -13.4791342f, -22.7969836f, -41.4130607f, 13.8869165f, -31.6961116f, -4.83385336f]);
    }

    [SkippableFact]
    public void Input_shapes_and_preprocessing_follow_efficientnet_v2_py()
    {
        RequireBackend();
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.EfficientNetV2B0(weights: null, inputShape: [31, 64, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.EfficientNetV2S(weights: null, inputShape: [null, 64, 3])).Message);
        Assert.Equal(new int?[] { null, 2, 3, 1280 }, Applications.EfficientNetV2B0(includeTop: false, weights: null, inputShape: [64, 96, 3]).Output.Shape);
        // B0 to B3 use ImageNet's RGB statistics only on 3 channels; other images get the Rescaling(1/128, offset -1).
        var gray = Applications.EfficientNetV2B1(includeTop: false, weights: null, inputShape: [32, 32, 1]);
        Assert.Equal(-1.0, Assert.IsType<Layers.Rescaling>(gray.Layers[1]).Offset);
        Assert.DoesNotContain(gray.Layers, l => l is Layers.Normalization);
        var bare = Applications.EfficientNetV2B0(includeTop: false, weights: null, includePreprocessing: false);
        Assert.Equal("stem_conv", bare.Layers[1].Name);
        // On an input tensor: its source inputs become the model's.
        var images = Layers.Input([48, 48, 3]);
        var built = Applications.EfficientNetV2B0(includeTop: false, weights: null, inputTensor: images, pooling: "avg");
        Assert.Same(images, built.Input);
        Assert.Equal(new int?[] { null, 1280 }, built.Output.Shape);
    }

    [SkippableFact]
    public void Refusals_name_the_argument_and_the_file_to_fetch()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.EfficientNetV2B0());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b0.h5", e.Message);
        Assert.Contains("efficientnetv2-l_notop.h5", Assert.Throws<ArgumentException>(() => Applications.EfficientNetV2L(includeTop: false)).Message);
        Assert.Contains("efficientnetv2-s.h5", Assert.Throws<ArgumentException>(() => Applications.EfficientNetV2S()).Message);
        Assert.Equal("pooling", Assert.Throws<ArgumentException>(() => Applications.EfficientNetV2B2(includeTop: false, weights: null, pooling: "mean")).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.EfficientNetV2M(weights: null, classes: 0)).ParamName);
        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() => Applications.EfficientNetV2B0(weights: Temp.File("absent.h5"))).Message);
    }
}

/// <summary>Applications.EfficientNetV2B0 ... L, on the managed backend.</summary>
public sealed class ManagedApplications5EfficientNetV2Tests() : Applications5EfficientNetV2Tests("managed");

/// <summary>Applications.EfficientNetV2B0 ... L, on the native CPU backend.</summary>
public sealed class NativeCpuApplications5EfficientNetV2Tests() : Applications5EfficientNetV2Tests("cpu");

/// <summary>Applications.EfficientNetV2B0 ... L, on the CUDA backend.</summary>
public sealed class CudaApplications5EfficientNetV2Tests() : Applications5EfficientNetV2Tests("cuda");
