using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// keras.applications.MobileNet (v1) in C# (Applications.MobileNet): Keras' published parameter counts, layer names and
/// default names, its width (alpha) and depth multipliers, and Keras-layout .h5 files loaded by layer name whose network
/// computes what PyTorch computes with the same weights (apps2_references.py builds it by hand from mobilenet.py).
/// </summary>
public abstract class Applications2MobileNetTests(string backend) : BackendFileTest(backend)
{
    // apps2_references.py "mobilenet softmax": alpha 0.25, five classes, two 32x32 images through mobilenet.preprocess_input.
    private static readonly float[] TopSoftmax =
        [0.186877608f, 0.20314458f, 0.173549019f, 0.26141384f, 0.175014954f, 0.186529265f, 0.202407649f, 0.173495024f, 0.262017257f, 0.175550806f];

    [SkippableFact]
    public void Parameter_counts_layer_names_and_model_names_are_keras()
    {
        RequireBackend();
        // Keras' published MobileNet (224x224, alpha 1, with its classifier): 4,253,864 parameters, 4,231,976 trainable.
        var full = Applications.MobileNet(weights: null);
        Assert.Equal("mobilenet_1.00_224", full.Name);
        Assert.Equal(4_253_864, full.CountParams());
        Assert.Equal(4_231_976, full.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(91, full.Layers.Count);
        Assert.Equal(["conv1", "conv1_bn", "conv1_relu", "conv_dw_1", "conv_dw_1_bn", "conv_dw_1_relu", "conv_pw_1", "conv_pw_1_bn",
                      "conv_pw_1_relu", "conv_pad_2", "conv_dw_2"], full.Layers.Skip(1).Take(11).Select(l => l.Name));
        // The pooling has Keras' automatic name (global_average_pooling2d, numbered after the first).
        Assert.Equal(["conv_pw_13_relu", "dropout", "conv_preds", "reshape_2", "predictions"], full.Layers.TakeLast(6).Where((_, i) => i != 1).Select(l => l.Name));
        Assert.StartsWith("global_average_pooling2d", full.Layers[^5].Name);
        Assert.Equal(new int?[] { null, 1, 1, 1000 }, full.GetLayer("conv_preds").Output.Shape);
        Assert.Equal(1e-3, Assert.IsType<Layers.Dropout>(full.GetLayer("dropout")).Rate);
        var bn = Assert.IsType<Layers.BatchNormalization>(full.GetLayer("conv_pw_7_bn"));
        Assert.Equal((1e-3, 0.99), (bn.Epsilon, bn.Momentum));
        // mobilenet.py pads a stride-2 block below and right only, whatever the size.
        Assert.Equal(((0, 1), (0, 1)), Assert.IsType<Layers.ZeroPadding2D>(full.GetLayer("conv_pad_12")).Padding);

        // Without the top: Keras' 3,228,864 parameters, any size, named with Keras' None unless a size is given.
        var open = Applications.MobileNet(includeTop: false, weights: null);
        Assert.Equal("mobilenet_1.00_None", open.Name);
        Assert.Equal(3_228_864, open.CountParams());
        Assert.Equal(86, open.Layers.Count);
        Assert.Equal(new int?[] { null, null, null, 3 }, open.Inputs[0].Shape);
        Assert.Equal("mobilenet_0.75_160", Applications.MobileNet(inputShape: [160, 160, 3], alpha: 0.75, includeTop: false, weights: null).Name);
        // alpha truncates each width (int(filters * alpha)): 0.25 gives 8 to 256 filters; pooling gives vectors.
        var thin = Applications.MobileNet(inputShape: [128, 128, 3], alpha: 0.25, includeTop: false, weights: null, pooling: "avg");
        Assert.Equal(8, Assert.IsType<Layers.Conv2D>(thin.GetLayer("conv1")).Filters);
        Assert.Equal(new int?[] { null, 256 }, thin.Output.Shape);
        // depthMultiplier: each depthwise convolution's kernel is [3, 3, channels, depthMultiplier], its output twice as wide.
        var deep = Applications.MobileNet(inputShape: [64, 64, 3], alpha: 0.5, depthMultiplier: 2, includeTop: false, weights: null);
        Assert.Equal(new[] { 3, 3, 32, 2 }, deep.GetLayer("conv_dw_2").TrainableVariables[0].Shape.ToArray());
        Assert.Equal(new int?[] { null, 16, 16, 64 }, deep.GetLayer("conv_dw_2").Output.Shape);
    }

    [SkippableFact]
    public void A_keras_h5_file_loads_by_layer_name_and_the_classifier_predicts_as_pytorch()
    {
        RequireBackend();
        string path = ApplicationsWeightsFile.Write(Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.25, classes: 5, weights: null), Temp.File("mobilenet_0.25_32_5.h5"));

        var model = Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.25, classes: 5, weights: path);
        var probabilities = model.Predict(Applications.MobileNetPreprocessInput(ApplicationsWeightsFile.Images(2, 32, 32, 3))).ToArray<float>();
        Assert.Equal(TopSoftmax.Length, probabilities.Length);
        for (int i = 0; i < TopSoftmax.Length; i++) Assert.Equal(TopSoftmax[i], probabilities[i], 2e-5f);

        // classifierActivation: null gives 'predictions' the logits (a linear Activation), the softmax's logarithms up to a constant.
        var logits = Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.25, classes: 5, weights: path, classifierActivation: null)
            .Predict(Applications.MobileNetPreprocessInput(ApplicationsWeightsFile.Images(2, 32, 32, 3))).ToArray<float>();
        for (int n = 0; n < 2; n++)
            for (int c = 1; c < 5; c++)
                Assert.Equal(MathF.Log(TopSoftmax[n * 5 + c] / TopSoftmax[n * 5]), logits[n * 5 + c] - logits[n * 5], 1e-3f);
    }

    [SkippableFact]
    public void With_a_depth_multiplier_the_feature_map_is_pytorchs()
    {
        RequireBackend();
        // apps2_references.py "mobilenet dm2": alpha 0.5, depth multiplier 2, two 64x80 images, a (2, 2, 2, 512) map.
        string path = ApplicationsWeightsFile.Write(
            Applications.MobileNet(inputShape: [64, 80, 3], alpha: 0.5, depthMultiplier: 2, includeTop: false, weights: null), Temp.File("mobilenet_dm2.h5"));
        var inputs = Layers.Input([64, 80, 3]);
        // Built on Keras' input_tensor: preprocess_input inside the model.
        var model = Applications.MobileNet(inputTensor: Applications.MobileNetPreprocessInput(inputs), alpha: 0.5, depthMultiplier: 2, includeTop: false, weights: path);
        Assert.Same(inputs, Assert.Single(model.Inputs));
        var features = model.Predict(ApplicationsWeightsFile.Images(2, 64, 80, 3));
        Applications2FeatureSummary.AssertMatches(features, new Shape(2, 2, 2, 512), [390.97278, 400.209907], [245.939374, 256.775774], [0, 7, 123, 1000, 2047],
            [0.0536323419f, 0f, 0.663293962f, 0.501591149f, 0.322571164f, 0.0720509413f, 0f, 0.637584655f, 0.437684957f, 0.372647764f]);
    }

    [SkippableFact]
    public void Imagenet_names_the_file_and_bad_arguments_are_refused()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.MobileNet(inputShape: [160, 160, 3], includeTop: false));
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_160_tf_no_top.h5", e.Message);
        Assert.Contains("mobilenet_2_5_128_tf.h5", Assert.Throws<ArgumentException>(() => Applications.MobileNet(inputShape: [128, 128, 3], alpha: 0.25)).Message);
        // Keras falls back to the 224 file for a size it has no weights for, and has none for other alphas or depth multipliers.
        Assert.Contains("mobilenet_5_0_224_tf_no_top.h5", Assert.Throws<ArgumentException>(() =>
            Applications.MobileNet(inputShape: [100, 100, 3], alpha: 0.5, includeTop: false)).Message);
        Assert.Contains("alpha 0.25, 0.50, 0.75 and 1.0", Assert.Throws<ArgumentException>(() => Applications.MobileNet(alpha: 0.35)).Message);
        Assert.Equal("depthMultiplier", Assert.Throws<ArgumentException>(() => Applications.MobileNet(depthMultiplier: 2)).ParamName);

        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.MobileNet(inputShape: [31, 64, 3], weights: null)).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.MobileNet(inputShape: [64, null, 3], weights: null)).Message);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNet(alpha: 0, weights: null)).ParamName);
        Assert.Contains("int(32 * alpha) is 0", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNet(alpha: 0.02, weights: null)).Message);
        Assert.Equal("depthMultiplier", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNet(depthMultiplier: 0, weights: null)).ParamName);
        Assert.Equal("dropout", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNet(dropout: 1, weights: null)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.MobileNet(classes: 0, weights: null)).ParamName);
        // A file for another alpha: the first layer whose shapes differ is named.
        string file = ApplicationsWeightsFile.Write(Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.25, includeTop: false, weights: null), Temp.File("a.h5"));
        Assert.Contains("has shape", Assert.Throws<InvalidDataException>(() =>
            Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.5, includeTop: false, weights: file)).Message);
    }
}

/// <summary>Applications.MobileNet, on the managed backend.</summary>
public sealed class ManagedApplications2MobileNetTests() : Applications2MobileNetTests("managed");

/// <summary>Applications.MobileNet, on the native CPU backend.</summary>
public sealed class NativeCpuApplications2MobileNetTests() : Applications2MobileNetTests("cpu");

/// <summary>Applications.MobileNet, on the CUDA backend.</summary>
public sealed class CudaApplications2MobileNetTests() : Applications2MobileNetTests("cuda");
