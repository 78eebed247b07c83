using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// keras.applications.MobileNetV2 in C# (Applications.MobileNetV2): the parameter counts Keras publishes and the
/// transfer learning tutorial prints, Keras' layer names and layer count, and a Keras-layout .h5 weights file loaded
/// by layer name whose network predicts what PyTorch computes with the same weights (apps_references.py builds it by
/// hand from keras/src/applications/mobilenet_v2.py), with and without the classifier.
/// </summary>
public abstract class ApplicationsMobileNetV2Tests(string backend) : BackendFileTest(backend)
{
    // apps_references.py: the softmax of the 32x32 model (alpha 0.35, five classes) for the two images, preprocessed.
    private static readonly float[] TopSoftmax =
        [0.0341337361f, 0.126080491f, 0.246713646f, 0.23847316f, 0.354598967f, 0.0975442745f, 0.34154327f, 0.154739687f, 0.118120116f, 0.288052652f];

    // apps_references.py: the (2, 2, 2, 1280) feature map of 37x45 preprocessed images (alpha 0.35, no classifier):
    // each image's sum and sum of squares, and the values at flat indices Picks of each.
    private static readonly double[] FeatureSums = [7647.22149, 7427.50634];
    private static readonly double[] FeatureSquares = [33280.0888, 31654.8794];
    private static readonly int[] Picks = [0, 7, 123, 1000, 2047, 2561, 3333, 4095, 5119];
    private static readonly float[] PickValues =
        [5.43783327f, 6f, 0f, 5.46135702f, 2.99019983f, 0f, 0f, 0f, 0f, 2.04107898f, 5.74411556f, 0.785785026f, 5.26972316f, 5.43124248f, 0f, 2.65953882f, 0f, 0f];

    [SkippableFact]
    public void Parameter_counts_layer_names_and_count_are_keras()
    {
        RequireBackend();
        // Keras' published MobileNetV2 (224x224, with its classifier): 3,538,984 parameters, 3,504,872 trainable.
        var full = Applications.MobileNetV2(inputShape: [224, 224, 3], weights: null);
        Assert.Equal("mobilenetv2_1.00_224", full.Name);
        Assert.Equal(3_538_984, full.CountParams());
        Assert.Equal(3_504_872, full.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(156, full.Layers.Count);
        Assert.Equal("predictions", full.Layers[^1].Name);
        Assert.Equal(new int?[] { null, 1000 }, full.Output.Shape);

        // The tutorial's base model: 160x160 without the top, 2,257,984 parameters (2,223,872 trainable), 154 layers.
        var base_ = Applications.MobileNetV2(inputShape: [160, 160, 3], includeTop: false, weights: null);
        Assert.Equal("mobilenetv2_1.00_160", base_.Name);
        Assert.Equal(2_257_984, base_.CountParams());
        Assert.Equal(2_223_872, base_.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(154, base_.Layers.Count);
        Assert.Equal(new int?[] { null, 5, 5, 1280 }, base_.Output.Shape);
        // base_model.summary() as the tutorial prints it, before and after base_model.trainable = False.
        var summary = base_.SummaryText();
        Assert.Contains("Total params: 2,257,984", summary);
        Assert.Contains("Trainable params: 2,223,872", summary);
        Assert.Contains("Non-trainable params: 34,112", summary);
        base_.Trainable = false;
        Assert.Contains("Trainable params: 0 ", base_.SummaryText());
        Assert.Contains("Non-trainable params: 2,257,984", base_.SummaryText());
        string[] first = ["Conv1", "bn_Conv1", "Conv1_relu", "expanded_conv_depthwise", "expanded_conv_depthwise_BN",
                          "expanded_conv_depthwise_relu", "expanded_conv_project", "expanded_conv_project_BN",
                          "block_1_expand", "block_1_expand_BN", "block_1_expand_relu", "block_1_pad", "block_1_depthwise"];
        Assert.Equal(first, base_.Layers.Skip(1).Take(first.Length).Select(l => l.Name));
        Assert.Equal(["block_16_project_BN", "Conv_1", "Conv_1_bn", "out_relu"], base_.Layers.TakeLast(4).Select(l => l.Name));
        Assert.Equal(10, base_.Layers.Count(l => l.Name.EndsWith("_add", StringComparison.Ordinal)));
        var bn = Assert.IsType<Layers.BatchNormalization>(base_.GetLayer("block_5_expand_BN"));
        Assert.Equal((1e-3, 0.999), (bn.Epsilon, bn.Momentum));
        Assert.Equal(6.0, Assert.IsType<Layers.ReLU>(base_.GetLayer("out_relu")).MaxValue);
        // correct_pad: 80x80 (even) reaches block_1's depthwise, padded one row and column below and right only.
        Assert.Equal(((0, 1), (0, 1)), Assert.IsType<Layers.ZeroPadding2D>(base_.GetLayer("block_1_pad")).Padding);

        // Any size without the top (Keras' (None, None, 3)), named with Keras' None; pooling gives vectors.
        var open = Applications.MobileNetV2(includeTop: false, weights: null, alpha: 0.35, pooling: "avg");
        Assert.Equal("mobilenetv2_0.35_None", open.Name);
        Assert.Equal(new int?[] { null, null, null, 3 }, open.Inputs[0].Shape);
        Assert.Equal(new int?[] { null, 1280 }, open.Output.Shape);
        Assert.Equal(new int?[] { null, 1280 }, Applications.MobileNetV2(inputShape: [96, 96, 3], includeTop: false, weights: null, alpha: 0.35, pooling: "max").Output.Shape);
        // _make_divisible: alpha 1.4 widens the first and last convolutions (48 and 1792 filters).
        var wide = Applications.MobileNetV2(inputShape: [96, 96, 3], alpha: 1.4, includeTop: false, weights: null);
        Assert.Equal(48, Assert.IsType<Layers.Conv2D>(wide.GetLayer("Conv1")).Filters);
        Assert.Equal(new int?[] { null, 3, 3, 1792 }, wide.Output.Shape);
    }

    [SkippableFact]
    public void A_keras_h5_file_loads_by_layer_name_and_the_classifier_predicts_as_pytorch()
    {
        RequireBackend();
        string path = ApplicationsWeightsFile.Write(Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, classes: 5, weights: null), Temp.File("mobilenet_v2_0.35_32_5.h5"));

        var model = Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, classes: 5, weights: path);
        var images = Applications.MobileNetV2PreprocessInput(ApplicationsWeightsFile.Images(2, 32, 32, 3));
        var probabilities = model.Predict(images).ToArray<float>();
        Assert.Equal(TopSoftmax.Length, probabilities.Length);
        for (int i = 0; i < TopSoftmax.Length; i++) Assert.Equal(TopSoftmax[i], probabilities[i], 2e-5f);

        // The classifier's logits (classifierActivation: null) are the softmax's logarithms up to a constant per image.
        var logits = Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, classes: 5, weights: path, classifierActivation: null)
            .Predict(images).ToArray<float>();
        for (int n = 0; n < 2; n++)
            for (int c = 1; c < 5; c++)
                Assert.Equal(MathF.Log(TopSoftmax[n * 5 + c] / TopSoftmax[n * 5]), logits[n * 5 + c] - logits[n * 5], 2e-3f);
    }

    [SkippableFact]
    public void Without_its_classifier_the_feature_map_is_pytorchs()
    {
        RequireBackend();
        string path = ApplicationsWeightsFile.Write(Applications.MobileNetV2(inputShape: [37, 45, 3], alpha: 0.35, includeTop: false, weights: null), Temp.File("mobilenet_v2_0.35_no_top.h5"));

        var model = Applications.MobileNetV2(inputShape: [37, 45, 3], alpha: 0.35, includeTop: false, weights: path);
        var features = model.Predict(Applications.MobileNetV2PreprocessInput(ApplicationsWeightsFile.Images(2, 37, 45, 3)));
        Assert.Equal(new Shape(2, 2, 2, 1280), features.Shape);
        var values = features.ToArray<float>();
        for (int n = 0; n < 2; n++)
        {
            var image = values.AsSpan(n * 5120, 5120).ToArray();
            Assert.Equal(FeatureSums[n], image.Sum(v => (double)v), FeatureSums[n] * 1e-5);
            Assert.Equal(FeatureSquares[n], image.Sum(v => (double)v * v), FeatureSquares[n] * 1e-5);
            for (int p = 0; p < Picks.Length; p++) Assert.Equal(PickValues[n * Picks.Length + p], image[Picks[p]], 2e-4f);
        }

        // The same weights saved by NeuralFlow, as Keras 2 (.h5, by name) and as Keras 3 (.weights.h5, in Keras' order), load alike.
        foreach (var name in new[] { "saved.h5", "saved.weights.h5" })
        {
            string saved = Temp.File(name);
            model.SaveWeights(saved);
            var again = Applications.MobileNetV2(inputShape: [37, 45, 3], alpha: 0.35, includeTop: false, weights: saved);
            Assert.Equal(values, again.Predict(Applications.MobileNetV2PreprocessInput(ApplicationsWeightsFile.Images(2, 37, 45, 3))).ToArray<float>());
        }
    }

    [SkippableFact]
    public void Built_on_an_input_tensor_the_model_takes_its_source_inputs()
    {
        RequireBackend();
        string path = ApplicationsWeightsFile.Write(Applications.MobileNetV2(inputShape: [64, 64, 3], alpha: 0.35, includeTop: false, weights: null), Temp.File("mobilenet_v2_0.35_64_no_top.h5"));

        // Keras' input_tensor: the network continues a graph that starts at its own Input (a rescaling here).
        var inputs = Layers.Input([64, 64, 3]);
        var scaled = new Layers.Rescaling(1 / 127.5, offset: -1).Call(inputs);
        var onTensor = Applications.MobileNetV2(inputTensor: scaled, alpha: 0.35, includeTop: false, weights: path, pooling: "avg");
        Assert.Same(inputs, Assert.Single(onTensor.Inputs));
        Assert.IsType<Layers.Rescaling>(onTensor.Layers[1]);
        // As Keras names it: without inputShape the size is unknown to the name unless it is one ImageNet weights exist for.
        Assert.Equal("mobilenetv2_0.35_None", onTensor.Name);

        var plain = Applications.MobileNetV2(inputShape: [64, 64, 3], alpha: 0.35, includeTop: false, weights: path, pooling: "avg");
        var images = ApplicationsWeightsFile.Images(2, 64, 64, 3);
        var expected = plain.Predict(Applications.MobileNetV2PreprocessInput(images)).ToArray<float>();
        var actual = onTensor.Predict(images).ToArray<float>();
        Assert.Equal(2 * 1280, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-3f);

        Assert.Contains("does not match", Assert.Throws<ArgumentException>(() =>
            Applications.MobileNetV2(inputTensor: scaled, inputShape: [32, 32, 3], includeTop: false, weights: null)).Message);
        Assert.Contains("must be images", Assert.Throws<ArgumentException>(() =>
            Applications.MobileNetV2(inputTensor: Layers.Input([64, 3]), includeTop: false, weights: null)).Message);
    }

    [SkippableFact]
    public void Preprocess_input_scales_pixels_to_minus_one_one()
    {
        RequireBackend();
        var pixels = NF.Constant(new byte[] { 0, 51, 255 }, new Shape(1, 1, 1, 3));
        var scaled = Applications.MobileNetV2PreprocessInput(pixels);
        Assert.Equal(DType.Float32, scaled.DType);
        var expected = new[] { -1f, -0.6f, 1f };
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], scaled.ToArray<float>()[i], 1e-6f);
        Assert.Equal([-1f, 0f], Applications.MobileNetV2PreprocessInput(NF.Constant(new[] { 0f, 127.5f })).ToArray<float>());

        // Inside a functional model, as the tutorial's x = preprocess_input(x).
        var inputs = Layers.Input([3]);
        var model = new Model(inputs, Applications.MobileNetV2PreprocessInput(inputs));
        Assert.Equal([-1f, 0f, 1f], model.Predict(NF.Constant(new[] { 0f, 127.5f, 255f }, new Shape(1, 3))).ToArray<float>());
    }

    [SkippableFact]
    public void Bad_arguments_and_wrong_files_are_refused_by_name()
    {
        RequireBackend();
        // weights: "imagenet" (Keras' default) names the file Keras would download and where from.
        var e = Assert.Throws<ArgumentException>(() => Applications.MobileNetV2(inputShape: [160, 160, 3], includeTop: false));
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_160_no_top.h5", e.Message);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/", e.Message);
        Assert.Contains("pass its path as weights", e.Message);
        // Keras falls back to the 224 file for a size it has no weights for.
        Assert.Contains("_0.35_224.h5", Assert.Throws<ArgumentException>(() => Applications.MobileNetV2(inputShape: [200, 200, 3], alpha: 0.35)).Message);
        Assert.Contains("alpha 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4", Assert.Throws<ArgumentException>(() => Applications.MobileNetV2(alpha: 0.6)).Message);

        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() => Applications.MobileNetV2(weights: Temp.File("absent.h5"))).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.MobileNetV2(inputShape: [31, 40, 3], weights: null)).Message);
        Assert.Contains("three lengths", Assert.Throws<ArgumentException>(() => Applications.MobileNetV2(inputShape: [64, 64], weights: null)).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.MobileNetV2(inputShape: [null, null, 3], weights: null)).Message);
        Assert.Contains("\"avg\" or \"max\"", Assert.Throws<ArgumentException>(() => Applications.MobileNetV2(includeTop: false, weights: null, pooling: "mean")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNetV2(alpha: 0, weights: null));
        Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNetV2(classes: 0, weights: null));

        string noTopFile = ApplicationsWeightsFile.Write(
            Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, includeTop: false, weights: null), Temp.File("no_top.h5"));
        // Pretrained classifier weights go with softmax or logits only (imagenet_utils.validate_activation).
        Assert.Contains("\"softmax\" or null", Assert.Throws<ArgumentException>(() =>
            Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, weights: noTopFile, classifierActivation: "relu")).Message);
        // A file without the classifier for a model with it, and the reverse: named, nothing half-loaded.
        var lacks = Assert.Throws<InvalidDataException>(() => Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, weights: noTopFile));
        Assert.Contains("it lacks layer 'predictions'", lacks.Message);
        string topFile = ApplicationsWeightsFile.Write(
            Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, classes: 3, weights: null), Temp.File("top.h5"));
        var holds = Assert.Throws<InvalidDataException>(() => Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, includeTop: false, weights: topFile));
        Assert.Contains("it holds layer 'predictions'", holds.Message);
        // Another alpha: the first layer whose shapes differ is named with both shapes.
        var shapes = Assert.Throws<InvalidDataException>(() => Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.5, includeTop: false, weights: noTopFile));
        Assert.Contains("has shape", shapes.Message);
    }
}

/// <summary>Applications.MobileNetV2, on the managed backend.</summary>
public sealed class ManagedApplicationsMobileNetV2Tests() : ApplicationsMobileNetV2Tests("managed");

/// <summary>Applications.MobileNetV2, on the native CPU backend.</summary>
public sealed class NativeCpuApplicationsMobileNetV2Tests() : ApplicationsMobileNetV2Tests("cpu");

/// <summary>Applications.MobileNetV2, on the CUDA backend.</summary>
public sealed class CudaApplicationsMobileNetV2Tests() : ApplicationsMobileNetV2Tests("cuda");
