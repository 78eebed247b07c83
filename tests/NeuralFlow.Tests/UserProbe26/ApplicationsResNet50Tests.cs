using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// keras.applications.ResNet50 in C# (Applications.ResNet50): Keras' published parameter counts, its layer names and
/// layer order, its caffe preprocessing, and a Keras-layout .h5 loaded by layer name whose network computes the
/// logits PyTorch computes with the same weights (apps_references.py builds it by hand from keras/src/applications/resnet.py).
/// </summary>
public abstract class ApplicationsResNet50Tests(string backend) : BackendFileTest(backend)
{
    // apps_references.py: the logits of ResNet50 (five classes) for two 64x64 images through resnet50.preprocess_input.
    // The made-up batch statistics let activations grow through the residual sums, to about 1.7e5 here.
    private static readonly float[] Logits =
        [-40682.2639f, 59945.8241f, 67974.1657f, -5310.60453f, -165124.457f, -37440.3978f, 60364.6758f, 69370.2414f, -7806.76137f, -168781.308f];

    [SkippableFact]
    public void Parameter_counts_and_layer_names_are_keras()
    {
        RequireBackend();
        // Keras' published ResNet50 with its classifier: 25,636,712 parameters (53,120 in the moving statistics).
        // The count does not depend on the image size (a global pooling feeds the classifier): 32x32 builds faster than 224.
        var full = Applications.ResNet50(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal("resnet50", full.Name);
        Assert.Equal(25_636_712, full.CountParams());
        Assert.Equal(25_583_592, full.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(177, full.Layers.Count);
        Assert.Equal(["conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad", "pool1_pool"], full.Layers.Skip(1).Take(6).Select(l => l.Name));
        // Keras' model.layers order (by depth from the output): the shortcut's convolution after the block's second.
        Assert.Equal(["conv2_block1_1_conv", "conv2_block1_1_bn", "conv2_block1_1_relu", "conv2_block1_2_conv", "conv2_block1_2_bn",
                      "conv2_block1_2_relu", "conv2_block1_0_conv", "conv2_block1_3_conv", "conv2_block1_0_bn", "conv2_block1_3_bn",
                      "conv2_block1_add", "conv2_block1_out"], full.Graph!.KerasOrder.Skip(7).Take(12).Select(l => l.Name));
        Assert.Equal(["conv5_block3_out", "avg_pool", "predictions"], full.Layers.TakeLast(3).Select(l => l.Name));
        var bn = Assert.IsType<Layers.BatchNormalization>(full.GetLayer("conv4_block6_2_bn"));
        Assert.Equal((1.001e-5, 0.99), (bn.Epsilon, bn.Momentum));

        // Without the top: 23,587,712 parameters; pooling "avg" is Keras' named 'avg_pool'.
        var noTop = Applications.ResNet50(includeTop: false, weights: null, inputShape: [64, 64, 3], pooling: "avg");
        Assert.Equal(23_587_712, noTop.CountParams());
        Assert.Equal("avg_pool", noTop.Layers[^1].Name);
        Assert.Equal(new int?[] { null, 2048 }, noTop.Output.Shape);
        Assert.Equal(new int?[] { null, 2, 2, 2048 }, Applications.ResNet50(includeTop: false, weights: null, inputShape: [64, 64, 3]).Output.Shape);
    }

    [SkippableFact]
    public void A_keras_h5_file_loads_by_layer_name_and_the_logits_are_pytorchs()
    {
        RequireBackend();
        string path = ApplicationsWeightsFile.Write(Applications.ResNet50(weights: null, inputShape: [64, 64, 3], classes: 5), Temp.File("resnet50_5.h5"));

        var model = Applications.ResNet50(weights: path, inputShape: [64, 64, 3], classes: 5, classifierActivation: null);
        var logits = model.Predict(Applications.ResNet50PreprocessInput(ApplicationsWeightsFile.Images(2, 64, 64, 3))).ToArray<float>();
        Assert.Equal(Logits.Length, logits.Length);
        // Relative to the largest logit: float32 sums of activations of this size.
        float scale = Logits.Max(MathF.Abs);
        for (int i = 0; i < Logits.Length; i++) Assert.Equal(Logits[i], logits[i], scale * 2e-4f);
    }

    [SkippableFact]
    public void Preprocess_input_is_caffes_and_refusals_name_the_argument()
    {
        RequireBackend();
        // RGB (10, 20, 30) becomes BGR (30, 20, 10) less ImageNet's mean pixel (103.939, 116.779, 123.68).
        var pixels = NF.Constant(new byte[] { 10, 20, 30, 255, 0, 128 }, new Shape(2, 3));
        float[] expected = [30 - 103.939f, 20 - 116.779f, 10 - 123.68f, 128 - 103.939f, 0 - 116.779f, 255 - 123.68f];
        var values = Applications.ResNet50PreprocessInput(pixels).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 1e-4f);
        var inputs = Layers.Input([3]);
        var inModel = new Model(inputs, Applications.ResNet50PreprocessInput(inputs)).Predict(NF.Cast(pixels, DType.Float32)).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], inModel[i], 1e-4f);
        Assert.Contains("3 (RGB) channels", Assert.Throws<ArgumentException>(() => Applications.ResNet50PreprocessInput(NF.Zeros([1, 4]))).Message);

        var e = Assert.Throws<ArgumentException>(() => Applications.ResNet50(includeTop: false));
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", e.Message);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/resnet/", e.Message);
        Assert.Contains("\"avg\" or \"max\"", Assert.Throws<ArgumentException>(() => Applications.ResNet50(includeTop: false, weights: null, pooling: "sum")).Message);
        // Built on Keras' input_tensor, the model's input is that tensor's source Input.
        var images = Layers.Input([32, 32, 3]);
        Assert.Same(images, Assert.Single(Applications.ResNet50(includeTop: false, weights: null, inputTensor: images).Inputs));
        Assert.Contains("does not match", Assert.Throws<ArgumentException>(() =>
            Applications.ResNet50(includeTop: false, weights: null, inputTensor: images, inputShape: [64, 64, 3])).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.ResNet50(weights: null, inputShape: [16, 16, 3])).Message);
    }
}

/// <summary>Applications.ResNet50, on the managed backend.</summary>
public sealed class ManagedApplicationsResNet50Tests() : ApplicationsResNet50Tests("managed");

/// <summary>Applications.ResNet50, on the native CPU backend.</summary>
public sealed class NativeCpuApplicationsResNet50Tests() : ApplicationsResNet50Tests("cpu");

/// <summary>Applications.ResNet50, on the CUDA backend.</summary>
public sealed class CudaApplicationsResNet50Tests() : ApplicationsResNet50Tests("cuda");
