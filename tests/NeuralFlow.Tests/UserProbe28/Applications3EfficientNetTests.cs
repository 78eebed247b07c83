using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;
using NeuralFlow.Tests.UserProbe27;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// keras.applications.EfficientNetB0 ... B7 in C# (Applications.EfficientNetB0 ...): Keras' parameter counts, layer
/// names and stem (Rescaling and Normalization inside the model, so preprocess_input passes pixels through), swish,
/// squeeze-and-excite and stochastic depth, and weights saved to a .weights.h5 and loaded through <c>weights:</c> whose
/// network computes what PyTorch computes with the same weights (applications3_references.py builds it by hand).
/// </summary>
public abstract class Applications3EfficientNetTests(string backend) : BackendFileTest(backend)
{
    // applications3_references.py "efficientnetb0 softmax": five classes, two 32x32 images of raw pixels.
    private static readonly float[] TopSoftmax =
        [0.191944724f, 0.196042971f, 0.206723258f, 0.215531521f, 0.189757526f, 0.19195504f, 0.196026698f, 0.206720762f, 0.215529695f, 0.189767804f];

    [SkippableFact]
    public void Parameter_counts_layer_names_and_the_stem_are_keras()
    {
        RequireBackend();
        // Keras' EfficientNetB0 (weights=None): 5,330,571 parameters, 5,288,548 trainable; 4,049,571 without the top.
        // The count does not depend on the image size (a global pooling feeds the classifier): 32x32 builds faster than 224.
        var full = Applications.EfficientNetB0(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal("efficientnetb0", full.Name);
        Assert.Equal(5_330_571, full.CountParams());
        Assert.Equal(5_288_548, full.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(240, full.Layers.Count);
        Assert.IsType<Layers.Rescaling>(full.Layers[1]);
        var stem = Assert.IsType<Layers.Normalization>(full.Layers[2]);
        Assert.Equal([3], stem.Axis);
        Assert.Equal(["stem_conv_pad", "stem_conv", "stem_bn", "stem_activation", "block1a_dwconv", "block1a_bn", "block1a_activation",
                      "block1a_se_squeeze", "block1a_se_reshape", "block1a_se_reduce", "block1a_se_expand", "block1a_se_excite",
                      "block1a_project_conv", "block1a_project_bn", "block2a_expand_conv"], full.Layers.Skip(3).Take(15).Select(l => l.Name));
        Assert.Equal(["top_conv", "top_bn", "top_activation", "avg_pool", "top_dropout", "predictions"], full.Layers.TakeLast(6).Select(l => l.Name));
        Assert.Equal(0.2, Assert.IsType<Layers.Dropout>(full.GetLayer("top_dropout")).Rate, 12);
        // Stochastic depth: 'drop' before each identity Add at drop_connect_rate * b / 16 (block2b is block 2 of 16), whole examples at once.
        var drop = Assert.IsType<Layers.Dropout>(full.GetLayer("block2b_drop"));
        Assert.Equal(0.2 * 2 / 16, drop.Rate, 12);
        Assert.Equal(new int?[] { null, 1, 1, 1 }, drop.NoiseShape!.ToArray());
        Assert.Equal(0.2 * 14 / 16, Assert.IsType<Layers.Dropout>(full.GetLayer("block6d_drop")).Rate, 12);
        Assert.Null(full.Layers.FirstOrDefault(l => l.Name == "block1a_drop"));   // block 0: rate 0, and no skip
        Assert.IsType<Layers.Multiply>(full.GetLayer("block6d_se_excite"));
        Assert.Equal(new int?[] { null, 1, 1, 1152 }, full.GetLayer("block6d_se_expand").Output.Shape);

        var open = Applications.EfficientNetB0(includeTop: false, weights: null);
        Assert.Equal(4_049_571, open.CountParams());
        Assert.Equal(237, open.Layers.Count);
        Assert.Equal(new int?[] { null, null, null, 1280 }, open.Output.Shape);
        Assert.Equal("max_pool", Applications.EfficientNetB0(includeTop: false, weights: null, pooling: "max").Layers[^1].Name);
        Assert.Equal(new int?[] { null, 1280 }, Applications.EfficientNetB0(includeTop: false, weights: null, pooling: "avg").Output.Shape);
    }

    [SkippableFact]
    public void B1_to_B7_have_kerass_parameter_counts_and_default_sizes()
    {
        RequireBackend();
        // applications3_references.py's counts over efficientnet.py, which round to Keras' published table
        // (7.9M, 9.2M, 12.3M, 19.5M, 30.6M, 43.3M, 66.7M).
        (Func<Model> Make, string Name, long Params, long Trainable)[] variants =
        [
            (() => Applications.EfficientNetB1(weights: null, inputShape: [32, 32, 3]), "efficientnetb1", 7_856_239, 7_794_184),
            (() => Applications.EfficientNetB2(weights: null, inputShape: [32, 32, 3]), "efficientnetb2", 9_177_569, 9_109_994),
            (() => Applications.EfficientNetB3(weights: null, inputShape: [32, 32, 3]), "efficientnetb3", 12_320_535, 12_233_232),
            (() => Applications.EfficientNetB4(weights: null, inputShape: [32, 32, 3]), "efficientnetb4", 19_466_823, 19_341_616),
            (() => Applications.EfficientNetB5(weights: null, inputShape: [32, 32, 3]), "efficientnetb5", 30_562_527, 30_389_784),
            (() => Applications.EfficientNetB6(weights: null, inputShape: [32, 32, 3]), "efficientnetb6", 43_265_143, 43_040_704),
            (() => Applications.EfficientNetB7(weights: null, inputShape: [32, 32, 3]), "efficientnetb7", 66_658_687, 66_347_960),
        ];
        foreach (var (make, name, parameters, trainable) in variants)
        {
            var model = make();
            Assert.Equal((name, parameters, trainable), (model.Name, model.CountParams(), model.TrainableVariables.Sum(v => (long)v.Shape.Count)));
        }
        Assert.Equal(64_097_687, Applications.EfficientNetB7(includeTop: false, weights: null, inputShape: [32, 32, 3]).CountParams());
        // With the classifier and no shape, each takes Keras' default square; B7's dropout is 0.5.
        Assert.Equal(new int?[] { null, 240, 240, 3 }, Applications.EfficientNetB1(weights: null, classes: 2).Input.Shape);
        var b3 = Applications.EfficientNetB3(includeTop: false, weights: null, inputShape: [300, 300, 3]);
        Assert.Equal(new int?[] { null, 10, 10, 1536 }, b3.Output.Shape);
    }

    [SkippableFact]
    public void Weights_saved_and_loaded_compute_as_pytorch_and_preprocess_input_passes_pixels_through()
    {
        RequireBackend();
        string path = Temp.File("efficientnetb0_5.weights.h5");
        Applications3Weights.Fill(Applications.EfficientNetB0(weights: null, inputShape: [32, 32, 3], classes: 5)).SaveWeights(path);
        var model = Applications.EfficientNetB0(weights: path, inputShape: [32, 32, 3], classes: 5);
        var pixels = ApplicationsWeightsFile.Images(2, 32, 32, 3);
        Assert.Same(pixels, Applications.EfficientNetPreprocessInput(pixels));
        var probabilities = model.Predict(Applications.EfficientNetPreprocessInput(pixels)).ToArray<float>();
        Assert.Equal(TopSoftmax.Length, probabilities.Length);
        for (int i = 0; i < TopSoftmax.Length; i++) Assert.Equal(TopSoftmax[i], probabilities[i], 2e-6f);

        // applications3_references.py "efficientnetb0 64": without the top on two 64x64 images, a (2, 2, 2, 1280) map.
        string noTop = Temp.File("efficientnetb0_notop.weights.h5");
        Applications3Weights.Fill(Applications.EfficientNetB0(includeTop: false, weights: null)).SaveWeights(noTop);
        var features = Applications.EfficientNetB0(includeTop: false, weights: noTop).Predict(ApplicationsWeightsFile.Images(2, 64, 64, 3));
        Applications2FeatureSummary.AssertMatches(features, new Shape(2, 2, 2, 1280), [50.2912156, 50.2301457], [63.6478165, 63.6293115], [0, 7, 123, 1000, 5119],
            [0.0400074256f, -0.0162415553f, 0.120660128f, -0.0973901179f, -0.0261724987f, 0.0393344788f, -0.0164140495f, 0.120760489f, -0.0972728658f, -0.0262775355f]);
    }

    [SkippableFact]
    public void A_path_named_as_kerass_imagenet_file_gets_kerass_stem_rescaling()
    {
        RequireBackend();
        // Keras' ImageNet files hold the stem Normalization's variance as ImageNet's standard deviations, and Keras
        // rescales by 1 / sqrt(stddev) after it when it loads "imagenet"; its path here stands for "imagenet".
        string other = Temp.File("mine_notop.weights.h5"), imagenet = Temp.File("efficientnetb0_notop.h5");
        var source = Applications3Weights.Fill(Applications.EfficientNetB0(includeTop: false, weights: null, inputShape: [32, 32, 3]));
        source.SaveWeights(other);
        File.Copy(other, imagenet);
        var plain = Applications.EfficientNetB0(includeTop: false, weights: other, inputShape: [32, 32, 3]);
        var fixedStem = Applications.EfficientNetB0(includeTop: false, weights: imagenet, inputShape: [32, 32, 3]);
        var pixels = ApplicationsWeightsFile.Images(1, 32, 32, 3);
        var a = new Model(plain.Input, plain.GetLayer("stem_conv_pad").Output).Predict(pixels).ToArray<float>();
        var b = new Model(fixedStem.Input, fixedStem.GetLayer("stem_conv_pad").Output).Predict(pixels).ToArray<float>();
        double[] stddev = [0.229, 0.224, 0.225];
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i] / Math.Sqrt(stddev[i % 3]), b[i], Math.Max(1, Math.Abs(b[i])) * 1e-5);
    }

    [SkippableFact]
    public void Refusals_name_the_argument_and_the_file_to_fetch()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.EfficientNetB0());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/keras-applications/efficientnetb0.h5", e.Message);
        Assert.Contains("efficientnetb7_notop.h5", Assert.Throws<ArgumentException>(() => Applications.EfficientNetB7(includeTop: false)).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.EfficientNetB0(weights: null, inputShape: [31, 64, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.EfficientNetB0(weights: null, inputShape: [null, 64, 3])).Message);
        Assert.Equal("pooling", Assert.Throws<ArgumentException>(() => Applications.EfficientNetB2(includeTop: false, weights: null, pooling: "mean")).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.EfficientNetB0(weights: null, classes: 0)).ParamName);
        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() => Applications.EfficientNetB0(weights: Temp.File("absent.h5"))).Message);
    }
}

/// <summary>Applications.EfficientNetB0 ... B7, on the managed backend.</summary>
public sealed class ManagedApplications3EfficientNetTests() : Applications3EfficientNetTests("managed");

/// <summary>Applications.EfficientNetB0 ... B7, on the native CPU backend.</summary>
public sealed class NativeCpuApplications3EfficientNetTests() : Applications3EfficientNetTests("cpu");

/// <summary>Applications.EfficientNetB0 ... B7, on the CUDA backend.</summary>
public sealed class CudaApplications3EfficientNetTests() : Applications3EfficientNetTests("cuda");
