using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;
using NeuralFlow.Tests.UserProbe28;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// keras.applications.ConvNeXtTiny ... ConvNeXtXLarge in C# (Applications.ConvNeXtTiny ...): Keras' parameter counts and
/// layer names (convnext.py: the PreStem Normalization inside the model, the stem and downsampling Sequentials, blocks of a
/// 7x7 depthwise Conv2D, LayerNormalization, Dense expansion with gelu, LayerScale), Keras' input-shape rules and
/// refusals, and weights saved and loaded through <c>weights:</c> whose network computes what PyTorch computes with the
/// same weights (applications4_references.py builds it by hand).
/// </summary>
public abstract class Applications4ConvNeXtTests(string backend) : BackendFileTest(backend)
{
    // applications4_references.py "convnext_tiny softmax": five classes, two 32x32 images of raw pixels.
    private static readonly float[] TopSoftmax =
        [0.188594145f, 0.163446285f, 0.0867999541f, 0.394308223f, 0.166851393f, 0.152842519f, 0.0970307745f, 0.112977261f, 0.574378519f, 0.0627709263f];

    [SkippableFact]
    public void Tiny_has_kerass_parameter_counts_layer_names_and_prestem()
    {
        RequireBackend();
        // Keras' table: 28,589,128 parameters, every one trainable (the PreStem's mean and variance are constants, not
        // weights); 27,820,128 without the top (applications4_references.py). 32x32 (Keras' minimum) builds fastest.
        var full = Applications.ConvNeXtTiny(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal("convnext_tiny", full.Name);
        Assert.Equal((28_589_128L, 28_589_128L), (full.CountParams(), full.TrainableVariables.Sum(v => (long)v.Shape.Count)));
        Assert.Empty(full.NonTrainableVariables);
        Assert.Equal(135, full.Layers.Count);
        Assert.Equal(["convnext_tiny_prestem_normalization", "convnext_tiny_stem", "convnext_tiny_stage_0_block_0_depthwise_conv",
                      "convnext_tiny_stage_0_block_0_layernorm", "convnext_tiny_stage_0_block_0_pointwise_conv_1", "convnext_tiny_stage_0_block_0_gelu",
                      "convnext_tiny_stage_0_block_0_pointwise_conv_2", "convnext_tiny_stage_0_block_0_layer_scale", "convnext_tiny_stage_0_block_0_identity",
                      "convnext_tiny_stage_0_block_1_depthwise_conv"], full.Layers.Skip(1).Take(10).Select(l => l.Name));
        Assert.Equal(["convnext_tiny_stage_3_block_2_identity", "convnext_tiny_head_gap", "convnext_tiny_head_layernorm", "convnext_tiny_head_dense"],
                     full.Layers.TakeLast(4).Select(l => l.Name));
        var stem = Assert.IsType<Sequential>(full.GetLayer("convnext_tiny_stem"));
        Assert.Equal(["convnext_tiny_stem_conv", "convnext_tiny_stem_layernorm"], stem.Layers.Select(l => l.Name));
        var down = Assert.IsType<Sequential>(full.GetLayer("convnext_tiny_downsampling_block_2"));
        Assert.Equal(["convnext_tiny_downsampling_layernorm_2", "convnext_tiny_downsampling_conv_2"], down.Layers.Select(l => l.Name));
        Assert.Equal(1e-6, down.Layers[0].GetConfig()["epsilon"]!.GetValue<double>(), 15);
        // The depthwise convolution is Keras' Conv2D with groups (its kernel [7, 7, 1, C], and a bias).
        var dw = Assert.IsType<Layers.Conv2D>(full.GetLayer("convnext_tiny_stage_2_block_8_depthwise_conv"));
        Assert.Equal((384, new Shape(7, 7, 1, 384)), (dw.Groups, dw.Kernel!.Shape));
        Assert.Equal(new int?[] { null, 2, 2, 384 }, dw.Output.Shape);
        Assert.Equal("gelu", full.GetLayer("convnext_tiny_stage_1_block_0_gelu").GetConfig()["activation"]!.GetValue<string>());
        Assert.Equal(new int?[] { null, 4, 4, 768 }, full.GetLayer("convnext_tiny_stage_1_block_0_pointwise_conv_1").Output.Shape);
        var scale = Assert.IsType<Applications.LayerScale>(full.GetLayer("convnext_tiny_stage_3_block_2_layer_scale"));
        Assert.All(scale.Gamma!.ToArray<float>(), g => Assert.Equal(1e-6f, g));
        Assert.Equal((1e-6, 768), (scale.GetConfig()["init_values"]!.GetValue<double>(), scale.GetConfig()["projection_dim"]!.GetValue<int>()));
        // PreStem: ImageNet's mean and variance of [0, 255] pixels, so a pixel at the mean becomes 0 and one a deviation above 1.
        var prestem = new Model(full.Input, full.GetLayer("convnext_tiny_prestem_normalization").Output);
        var two = NF.Constant(new float[] { 0.485f * 255, 0.456f * 255, 0.406f * 255, (0.485f + 0.229f) * 255, 0, 255 }, new Shape(1, 1, 2, 3));
        var normalized = prestem.Predict(NF.Tile(two, 1, 32, 16, 1)).ToArray<float>();
        float[] expected = [0, 0, 0, 1, -0.456f / 0.224f, (1 - 0.406f) / 0.225f];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], normalized[i], 1e-5f);

        var open = Applications.ConvNeXtTiny(includeTop: false, weights: null);
        Assert.Equal((27_820_128L, 133), (open.CountParams(), open.Layers.Count));
        // Without the top Keras ends in an unnamed LayerNormalization, after the pooling if any.
        Assert.IsType<Layers.LayerNormalization>(open.Layers[^1]);
        Assert.Equal(new int?[] { null, null, null, 768 }, open.Output.Shape);
        var avg = Applications.ConvNeXtTiny(includeTop: false, weights: null, pooling: "avg", inputShape: [64, 32, 3]);
        Assert.Equal(new int?[] { null, 768 }, avg.Output.Shape);
        Assert.IsType<Layers.GlobalAveragePooling2D>(avg.Layers[^2]);
        var max = Applications.ConvNeXtTiny(includeTop: false, weights: null, pooling: "max", inputShape: [32, 32, 3]);
        Assert.Equal(new int?[] { null, 768 }, max.Output.Shape);
        Assert.IsType<Layers.GlobalMaxPooling2D>(max.Layers[^2]);
        // With the classifier and no shape: Keras' 224x224x3 (a 7x7 map at the last stage).
        var standard = Applications.ConvNeXtTiny(weights: null, classes: 4, classifierActivation: null);
        Assert.Equal(new int?[] { null, 224, 224, 3 }, standard.Input.Shape);
        Assert.Equal(new int?[] { null, 7, 7, 768 }, standard.GetLayer("convnext_tiny_stage_3_block_2_depthwise_conv").Output.Shape);
        Assert.Equal(new int?[] { null, 4 }, standard.Output.Shape);
        // No PreStem without includePreprocessing, nor for images that are not RGB (Keras' num_channels == 3 rule).
        Assert.DoesNotContain(Applications.ConvNeXtTiny(includePreprocessing: false, includeTop: false, weights: null).Layers, l => l is Layers.Normalization);
        var gray = Applications.ConvNeXtTiny(includeTop: false, weights: null, inputShape: [32, 32, 1]);
        Assert.DoesNotContain(gray.Layers, l => l is Layers.Normalization);
        Assert.Equal(27_820_128 - 2 * 4 * 4 * 96, gray.CountParams());
    }

    [SkippableFact]
    public void Small_base_large_and_xlarge_have_kerass_counts()
    {
        RequireBackend();
        // Keras' table (50.2M, 88.5M, 197.7M, 350.1M) to the unit, by applications4_references.py over convnext.py.
        (Func<bool, Model> Make, string Name, long Params, long NoTop, int Layers)[] variants =
        [
            (top => Applications.ConvNeXtSmall(includeTop: top, weights: null, inputShape: [32, 32, 3]), "convnext_small", 50_223_688, 49_454_688, 261),
            (top => Applications.ConvNeXtBase(includeTop: top, weights: null, inputShape: [32, 32, 3]), "convnext_base", 88_591_464, 87_566_464, 261),
            (top => Applications.ConvNeXtLarge(includeTop: top, weights: null, inputShape: [32, 32, 3]), "convnext_large", 197_767_336, 196_230_336, 261),
        ];
        foreach (var (make, name, parameters, noTop, layers) in variants)
        {
            var model = make(true);
            Assert.Equal((name, parameters, parameters, layers), (model.Name, model.CountParams(), model.TrainableVariables.Sum(v => (long)v.Shape.Count), model.Layers.Count));
            Assert.Equal(noTop, make(false).CountParams());
        }
        // The largest, built once (1.4 GB of float32 weights): Keras' 224x224 default and its count.
        var xlarge = Applications.ConvNeXtXLarge(weights: null);
        Assert.Equal(("convnext_xlarge", 350_196_968L, 261), (xlarge.Name, xlarge.CountParams(), xlarge.Layers.Count));
        Assert.Equal(new int?[] { null, 7, 7, 2048 }, xlarge.GetLayer("convnext_xlarge_stage_3_block_2_layer_scale").Output.Shape);
        Assert.Equal("convnext_xlarge_stage_2_block_26_identity", xlarge.Layers.Last(l => l.Name.StartsWith("convnext_xlarge_stage_2")).Name);
    }

    [SkippableFact]
    public void Weights_saved_and_loaded_compute_as_pytorch_and_preprocess_input_passes_pixels_through()
    {
        RequireBackend();
        string path = Temp.File("convnext_tiny_5.weights.h5");
        Applications3Weights.Fill(Applications.ConvNeXtTiny(weights: null, inputShape: [32, 32, 3], classes: 5)).SaveWeights(path);
        var model = Applications.ConvNeXtTiny(weights: path, inputShape: [32, 32, 3], classes: 5);
        var pixels = ApplicationsWeightsFile.Images(2, 32, 32, 3);
        Assert.Same(pixels, Applications.ConvNeXtPreprocessInput(pixels));
        var probabilities = model.Predict(Applications.ConvNeXtPreprocessInput(pixels)).ToArray<float>();
        Assert.Equal(TopSoftmax.Length, probabilities.Length);
        for (int i = 0; i < TopSoftmax.Length; i++) Assert.Equal(TopSoftmax[i], probabilities[i], 2e-5f);

        // applications4_references.py "convnext_tiny 64": without the top nor the PreStem, pixels / 255 on two 64x64
        // images, a (2, 2, 2, 768) map through the last LayerNormalization (its values about 1, so their sum cancels:
        // the sums of squares and the picks are compared).
        string noTop = Temp.File("convnext_tiny_notop.weights.h5");
        Applications3Weights.Fill(Applications.ConvNeXtTiny(includeTop: false, includePreprocessing: false, weights: null)).SaveWeights(noTop);
        var features = Applications.ConvNeXtTiny(includeTop: false, includePreprocessing: false, weights: noTop)
            .Predict(ApplicationsWeightsFile.Images(2, 64, 64, 3) / 255.0);
        Assert.Equal(new Shape(2, 2, 2, 768), features.Shape);
        var values = features.ToArray<float>();
        double[] squares = [3175.54242, 3176.17492];
        int[] picks = [0, 7, 123, 1000, 3071];
        float[] pickValues = [0.804324597f, -0.985573204f, -1.01373872f, 1.27152527f, 1.56369215f, 0.653957765f, -0.882182386f, -0.830424131f, 1.02626707f, 1.56084429f];
        for (int n = 0; n < 2; n++)
        {
            var image = values.AsSpan(n * 3072, 3072).ToArray();
            Assert.Equal(squares[n], image.Sum(v => (double)v * v), squares[n] * 1e-5);
            for (int p = 0; p < picks.Length; p++) Assert.Equal(pickValues[n * picks.Length + p], image[picks[p]], 2e-4f);
        }
    }

    [SkippableFact]
    public void Refusals_name_the_argument_and_the_file_to_fetch()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.ConvNeXtTiny());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/convnext/convnext_tiny.h5", e.Message);
        Assert.Contains("convnext_small_notop.h5", Assert.Throws<ArgumentException>(() => Applications.ConvNeXtSmall(includeTop: false)).Message);
        Assert.Contains("convnext_base.h5", Assert.Throws<ArgumentException>(() => Applications.ConvNeXtBase()).Message);
        Assert.Contains("convnext_large.h5", Assert.Throws<ArgumentException>(() => Applications.ConvNeXtLarge()).Message);
        Assert.Contains("convnext_xlarge_notop.h5", Assert.Throws<ArgumentException>(() => Applications.ConvNeXtXLarge(includeTop: false)).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.ConvNeXtTiny(includeTop: false, weights: null, inputShape: [16, 64, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.ConvNeXtTiny(weights: null, inputShape: [64, null, 3])).Message);
        Assert.Equal("pooling", Assert.Throws<ArgumentException>(() => Applications.ConvNeXtTiny(includeTop: false, weights: null, pooling: "min")).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.ConvNeXtTiny(weights: null, classes: -1)).ParamName);
        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() => Applications.ConvNeXtTiny(weights: Temp.File("absent.weights.h5"))).Message);
        // Keras' input_tensor must be images with known channels.
        Assert.Equal("inputTensor", Assert.Throws<ArgumentException>(
            () => Applications.ConvNeXtTiny(includeTop: false, weights: null, inputTensor: Layers.Input([32, 32]))).ParamName);
    }
}

/// <summary>Applications.ConvNeXtTiny ... ConvNeXtXLarge, on the managed backend.</summary>
public sealed class ManagedApplications4ConvNeXtTests() : Applications4ConvNeXtTests("managed");

/// <summary>Applications.ConvNeXtTiny ... ConvNeXtXLarge, on the native CPU backend.</summary>
public sealed class NativeCpuApplications4ConvNeXtTests() : Applications4ConvNeXtTests("cpu");

/// <summary>Applications.ConvNeXtTiny ... ConvNeXtXLarge, on the CUDA backend.</summary>
public sealed class CudaApplications4ConvNeXtTests() : Applications4ConvNeXtTests("cuda");
