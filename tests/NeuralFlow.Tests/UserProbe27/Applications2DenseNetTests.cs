using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// keras.applications.DenseNet121 (and 169, 201) in C# (Applications.DenseNet121 ...): Keras' published parameter counts
/// and layer names, its "torch" preprocess_input, and Keras-layout .h5 files loaded by layer name whose network computes
/// what PyTorch computes with the same weights (apps2_references.py builds it by hand from densenet.py).
/// </summary>
public abstract class Applications2DenseNetTests(string backend) : BackendFileTest(backend)
{
    // apps2_references.py "densenet121 softmax": five classes, two 32x32 images through densenet.preprocess_input.
    private static readonly float[] TopSoftmax =
        [0.399492082f, 0.100262093f, 0.160999435f, 0.113383303f, 0.225863087f, 0.450895225f, 0.0868582199f, 0.152890056f, 0.0944615121f, 0.214894987f];

    [SkippableFact]
    public void Parameter_counts_and_layer_names_are_keras()
    {
        RequireBackend();
        // Keras' published DenseNet121 with its classifier: 8,062,504 parameters (83,648 in the moving statistics), 429 layers.
        // The count does not depend on the image size (a global pooling feeds the classifier): 32x32 builds faster than 224.
        var full = Applications.DenseNet121(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal("densenet121", full.Name);
        Assert.Equal(8_062_504, full.CountParams());
        Assert.Equal(7_978_856, full.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(429, full.Layers.Count);
        Assert.Equal(["conv1_conv", "conv1_bn", "conv1_relu"], full.Layers.Skip(2).Take(3).Select(l => l.Name));
        Assert.Equal(["pool1", "conv2_block1_0_bn", "conv2_block1_0_relu", "conv2_block1_1_conv", "conv2_block1_1_bn", "conv2_block1_1_relu",
                      "conv2_block1_2_conv", "conv2_block1_concat"], full.Layers.Skip(6).Take(8).Select(l => l.Name));
        Assert.Equal(["conv2_block6_concat", "pool2_bn", "pool2_relu", "pool2_conv", "pool2_pool", "conv3_block1_0_bn"],
                     full.Layers.Skip(48).Take(6).Select(l => l.Name));
        Assert.Equal(["conv5_block16_concat", "bn", "relu", "avg_pool", "predictions"], full.Layers.TakeLast(5).Select(l => l.Name));
        Assert.IsType<Layers.ZeroPadding2D>(full.Layers[1]);
        var bn = Assert.IsType<Layers.BatchNormalization>(full.GetLayer("conv4_block24_1_bn"));
        Assert.Equal((1.001e-5, 0.99), (bn.Epsilon, bn.Momentum));
        // The transitions halve the channels: 256 after conv2's six blocks become 128.
        Assert.Equal(128, Assert.IsType<Layers.Conv2D>(full.GetLayer("pool2_conv")).Filters);

        // Without the top: Keras' 7,037,504 parameters; any size; "avg" and "max" are Keras' named poolings.
        var open = Applications.DenseNet121(includeTop: false, weights: null);
        Assert.Equal(7_037_504, open.CountParams());
        Assert.Equal(427, open.Layers.Count);
        Assert.Equal(new int?[] { null, null, null, 1024 }, open.Output.Shape);
        Assert.Equal("max_pool", Applications.DenseNet121(includeTop: false, weights: null, pooling: "max").Layers[^1].Name);
        Assert.Equal("avg_pool", Applications.DenseNet121(includeTop: false, weights: null, pooling: "avg").Layers[^1].Name);

        // DenseNet169 and DenseNet201: Keras' 14,307,880 and 20,242,984.
        var d169 = Applications.DenseNet169(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal(("densenet169", 14_307_880), (d169.Name, d169.CountParams()));
        var d201 = Applications.DenseNet201(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal(("densenet201", 20_242_984), (d201.Name, d201.CountParams()));
        Assert.Equal(new int?[] { null, 1, 1, 1920 }, d201.GetLayer("relu").Output.Shape);
    }

    [SkippableFact]
    public void A_keras_h5_file_loads_by_layer_name_and_the_network_computes_as_pytorch()
    {
        RequireBackend();
        string path = ApplicationsWeightsFile.Write(Applications.DenseNet121(weights: null, inputShape: [32, 32, 3], classes: 5), Temp.File("densenet121_5.h5"));
        var model = Applications.DenseNet121(weights: path, inputShape: [32, 32, 3], classes: 5);
        var probabilities = model.Predict(Applications.DenseNetPreprocessInput(ApplicationsWeightsFile.Images(2, 32, 32, 3))).ToArray<float>();
        Assert.Equal(TopSoftmax.Length, probabilities.Length);
        for (int i = 0; i < TopSoftmax.Length; i++) Assert.Equal(TopSoftmax[i], probabilities[i], 2e-5f);

        // apps2_references.py "densenet121 64": without the top on two 64x64 images, a (2, 2, 2, 1024) map;
        // preprocess_input inside the model, which is built on it (Keras' input_tensor).
        string noTop = ApplicationsWeightsFile.Write(Applications.DenseNet121(includeTop: false, weights: null), Temp.File("densenet121_notop.h5"));
        var inputs = Layers.Input([64, 64, 3]);
        var features = Applications.DenseNet121(includeTop: false, weights: noTop, inputTensor: Applications.DenseNetPreprocessInput(inputs))
            .Predict(ApplicationsWeightsFile.Images(2, 64, 64, 3));
        Applications2FeatureSummary.AssertMatches(features, new Shape(2, 2, 2, 1024), [2136.12115, 2111.25929], [3815.80862, 3723.23385], [0, 7, 123, 1000, 4095],
            [0.658050622f, 2.051698f, 1.20562011f, 0f, 0f, 0.443878535f, 1.98935685f, 0.985751226f, 0f, 0f]);
    }

    [SkippableFact]
    public void Preprocess_input_is_torchs_and_refusals_name_the_argument()
    {
        RequireBackend();
        // "torch": x / 255, less (0.485, 0.456, 0.406), over (0.229, 0.224, 0.225), channels kept in RGB order.
        var pixels = NF.Constant(new byte[] { 0, 128, 255 }, new Shape(1, 1, 1, 3));
        float[] expected = [-0.485f / 0.229f, (128 / 255f - 0.456f) / 0.224f, (1 - 0.406f) / 0.225f];
        var values = Applications.DenseNetPreprocessInput(pixels).ToArray<float>();
        var inputs = Layers.Input([1, 1, 3]);
        var inModel = new Model(inputs, Applications.DenseNetPreprocessInput(inputs)).Predict(NF.Cast(pixels, DType.Float32)).ToArray<float>();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], values[i], 1e-5f);
            Assert.Equal(expected[i], inModel[i], 1e-5f);
        }
        Assert.Contains("DenseNetPreprocessInput: images must be channels_last with 3 (RGB) channels",
            Assert.Throws<ArgumentException>(() => Applications.DenseNetPreprocessInput(Layers.Input([8, 8, 1]))).Message);

        var e = Assert.Throws<ArgumentException>(() => Applications.DenseNet121());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/densenet/densenet121_weights_tf_dim_ordering_tf_kernels.h5", e.Message);
        Assert.Contains("densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5", Assert.Throws<ArgumentException>(() => Applications.DenseNet201(includeTop: false)).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.DenseNet169(weights: null, inputShape: [16, 64, 3])).Message);
        Assert.Contains("\"softmax\" or null", Assert.Throws<ArgumentException>(() =>
            Applications.DenseNet121(weights: ApplicationsWeightsFile.Write(Applications.DenseNet121(includeTop: false, weights: null), Temp.File("n.h5")),
                                     inputShape: [32, 32, 3], classifierActivation: "sigmoid")).Message);
        // A file without the classifier for a model with it: named, nothing half-loaded.
        Assert.Contains("it lacks layer 'predictions'", Assert.Throws<InvalidDataException>(() =>
            Applications.DenseNet121(weights: Temp.File("n.h5"), inputShape: [32, 32, 3])).Message);
    }
}

/// <summary>Applications.DenseNet121, 169 and 201, on the managed backend.</summary>
public sealed class ManagedApplications2DenseNetTests() : Applications2DenseNetTests("managed");

/// <summary>Applications.DenseNet121, 169 and 201, on the native CPU backend.</summary>
public sealed class NativeCpuApplications2DenseNetTests() : Applications2DenseNetTests("cpu");

/// <summary>Applications.DenseNet121, 169 and 201, on the CUDA backend.</summary>
public sealed class CudaApplications2DenseNetTests() : Applications2DenseNetTests("cuda");
