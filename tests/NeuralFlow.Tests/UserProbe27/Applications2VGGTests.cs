using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// keras.applications.VGG16 and VGG19 in C# (Applications.VGG16, Applications.VGG19): Keras' published parameter counts
/// and layer names, its "caffe" preprocess_input, and Keras-layout .h5 files loaded by layer name whose networks compute
/// what PyTorch computes with the same weights (apps2_references.py builds them by hand from vgg16.py and vgg19.py).
/// </summary>
public abstract class Applications2VGGTests(string backend) : BackendFileTest(backend)
{
    // apps2_references.py: VGG16's logits (ten classes) for two 64x96 images through vgg16.preprocess_input; the 2x3x512
    // map before 'flatten' checks that Flatten reads it in Keras' (height, width, channels) order.
    private static readonly float[] Logits =
        [-183.398868f, -214.644823f, 362.596311f, -279.037571f, -151.185372f, 242.822756f, -322.918306f, -233.657246f, -24.6864969f, -87.6175934f,
         -145.699308f, -173.308648f, 355.255944f, -310.606641f, -147.219572f, 264.201019f, -333.566644f, -234.102704f, -23.4158228f, -85.0573233f];

    [SkippableFact]
    public void Parameter_counts_and_layer_names_are_keras()
    {
        RequireBackend();
        // Keras' published counts with the classifier (its first Dense takes 7x7x512 at 224x224).
        var vgg16 = Applications.VGG16(weights: null);
        Assert.Equal("vgg16", vgg16.Name);
        Assert.Equal(138_357_544, vgg16.CountParams());
        Assert.Equal(23, vgg16.Layers.Count);
        Assert.Equal(new int?[] { null, 224, 224, 3 }, vgg16.Inputs[0].Shape);
        Assert.Equal(["block1_conv1", "block1_conv2", "block1_pool", "block2_conv1"], vgg16.Layers.Skip(1).Take(4).Select(l => l.Name));
        Assert.Equal(["block5_conv3", "block5_pool", "flatten", "fc1", "fc2", "predictions"], vgg16.Layers.TakeLast(6).Select(l => l.Name));
        Assert.Equal(new int?[] { null, 1000 }, vgg16.Output.Shape);
        var vgg19 = Applications.VGG19(weights: null);
        Assert.Equal("vgg19", vgg19.Name);
        Assert.Equal(143_667_240, vgg19.CountParams());
        Assert.Equal(26, vgg19.Layers.Count);
        Assert.Equal(["block5_conv3", "block5_conv4", "block5_pool"], vgg19.Layers.Skip(19).Take(3).Select(l => l.Name));

        // Without the classifier: any size, Keras' 14,714,688 and 20,024,384 parameters; pooling gives vectors.
        var open = Applications.VGG16(includeTop: false, weights: null);
        Assert.Equal(new int?[] { null, null, null, 3 }, open.Inputs[0].Shape);
        Assert.Equal(14_714_688, open.CountParams());
        Assert.Equal(19, open.Layers.Count);
        Assert.Equal(20_024_384, Applications.VGG19(includeTop: false, weights: null).CountParams());
        Assert.Equal(new int?[] { null, 512 }, Applications.VGG19(includeTop: false, weights: null, pooling: "max").Output.Shape);
        Assert.Equal(new int?[] { null, 3, 2, 512 }, Applications.VGG16(includeTop: false, weights: null, inputShape: [96, 64, 3]).Output.Shape);
        // The classifier at another size than 224 (Keras requires 224 only for ImageNet weights): Flatten takes 1x1x512.
        var small = Applications.VGG19(weights: null, inputShape: [32, 32, 3], classes: 10);
        Assert.Equal(143_667_240 - (7 * 7 - 1) * 512 * 4096 - 990 * 4097, small.CountParams());
        Assert.Equal(new int?[] { null, 10 }, small.Output.Shape);
    }

    [SkippableFact]
    public void A_keras_h5_file_loads_by_layer_name_and_the_logits_are_pytorchs()
    {
        RequireBackend();
        string path = ApplicationsWeightsFile.Write(Applications.VGG16(weights: null, inputShape: [64, 96, 3], classes: 10), Temp.File("vgg16_10.h5"));

        var model = Applications.VGG16(weights: path, inputShape: [64, 96, 3], classes: 10, classifierActivation: null);
        var logits = model.Predict(Applications.VGG16PreprocessInput(ApplicationsWeightsFile.Images(2, 64, 96, 3))).ToArray<float>();
        Assert.Equal(Logits.Length, logits.Length);
        float scale = Logits.Max(MathF.Abs);
        for (int i = 0; i < Logits.Length; i++) Assert.Equal(Logits[i], logits[i], scale * 1e-4f);

        // With Keras' default softmax, the same logits' softmax.
        var probabilities = Applications.VGG16(weights: path, inputShape: [64, 96, 3], classes: 10).Predict(
            Applications.VGG16PreprocessInput(ApplicationsWeightsFile.Images(2, 64, 96, 3))).ToArray<float>();
        for (int n = 0; n < 2; n++)
        {
            var row = Logits.Skip(n * 10).Take(10).Select(v => Math.Exp(v - Logits.Skip(n * 10).Take(10).Max())).ToArray();
            for (int c = 0; c < 10; c++) Assert.Equal(row[c] / row.Sum(), probabilities[n * 10 + c], 1e-3);
        }
    }

    [SkippableFact]
    public void Without_the_classifier_the_feature_maps_are_pytorchs()
    {
        RequireBackend();
        // apps2_references.py "vgg16 32": VGG16 without its top on two 32x32 images, a (2, 1, 1, 512) map.
        string path16 = ApplicationsWeightsFile.Write(Applications.VGG16(includeTop: false, weights: null, inputShape: [32, 32, 3]), Temp.File("vgg16_notop.h5"));
        var features16 = Applications.VGG16(includeTop: false, weights: path16, inputShape: [32, 32, 3])
            .Predict(Applications.VGG16PreprocessInput(ApplicationsWeightsFile.Images(2, 32, 32, 3)));
        Applications2FeatureSummary.AssertMatches(features16, new Shape(2, 1, 1, 512), [28606.518, 28740.1714], [2392032.24, 2423126.62], [0, 5, 100, 257, 511],
            [29.865859f, 0.27507446f, 62.8226216f, 55.5815232f, 174.079595f, 36.3404582f, 3.13771037f, 65.7168219f, 60.6927209f, 164.732755f]);

        // "vgg19 64": VGG19 without its top on two 64x64 images, a (2, 2, 2, 512) map; the file loads into the any-size model too.
        string path19 = ApplicationsWeightsFile.Write(Applications.VGG19(includeTop: false, weights: null), Temp.File("vgg19_notop.h5"));
        var features19 = Applications.VGG19(includeTop: false, weights: path19)
            .Predict(Applications.VGG19PreprocessInput(ApplicationsWeightsFile.Images(2, 64, 64, 3)));
        Applications2FeatureSummary.AssertMatches(features19, new Shape(2, 2, 2, 512), [180391.887, 178318.997], [31395559.1, 30580092], [0, 7, 123, 1000, 2047],
            [37.8435923f, 75.1315043f, 4.57221236f, 91.4218685f, 0f, 38.8849785f, 52.6249511f, 3.33313f, 109.154557f, 0f]);
    }

    [SkippableFact]
    public void Preprocess_input_is_caffes_and_refusals_name_the_argument()
    {
        RequireBackend();
        // RGB (10, 20, 30) becomes BGR (30, 20, 10) less ImageNet's mean pixel (103.939, 116.779, 123.68).
        var pixels = NF.Constant(new byte[] { 10, 20, 30, 255, 0, 128 }, new Shape(1, 1, 2, 3));
        float[] expected = [30 - 103.939f, 20 - 116.779f, 10 - 123.68f, 128 - 103.939f, 0 - 116.779f, 255 - 123.68f];
        foreach (var values in new[] { Applications.VGG16PreprocessInput(pixels), Applications.VGG19PreprocessInput(pixels) })
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values.ToArray<float>()[i], 1e-4f);
        var inputs = Layers.Input([1, 2, 3]);
        var inModel = new Model(inputs, Applications.VGG19PreprocessInput(inputs)).Predict(NF.Cast(pixels, DType.Float32)).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], inModel[i], 1e-4f);
        Assert.Contains("VGG16PreprocessInput: images must be channels_last with 3 (RGB) channels",
            Assert.Throws<ArgumentException>(() => Applications.VGG16PreprocessInput(NF.Zeros([1, 4, 4, 1]))).Message);

        var e = Assert.Throws<ArgumentException>(() => Applications.VGG16(includeTop: false));
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", e.Message);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5",
            Assert.Throws<ArgumentException>(() => Applications.VGG19()).Message);
        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() => Applications.VGG19(weights: Temp.File("absent.h5"))).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.VGG16(weights: null, inputShape: [32, 31, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.VGG19(weights: null, inputShape: [null, 64, 3])).Message);
        Assert.Contains("\"avg\" or \"max\"", Assert.Throws<ArgumentException>(() => Applications.VGG16(includeTop: false, weights: null, pooling: "sum")).Message);
        // Unknown channels were taken, then failed inside 'block1_conv1' naming lengths the user never gave.
        Assert.Contains("inputShape's channels (its last length) must be known", Assert.Throws<ArgumentException>(() =>
            Applications.VGG16(includeTop: false, weights: null, inputShape: [64, 64, null])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Applications.VGG19(weights: null, classes: 0));

        // Built on Keras' input_tensor, the model's input is that tensor's source Input.
        var images = Layers.Input([32, 32, 3]);
        var onTensor = Applications.VGG16(includeTop: false, weights: null, inputTensor: Applications.VGG16PreprocessInput(images), pooling: "avg");
        Assert.Same(images, Assert.Single(onTensor.Inputs));
        Assert.Equal(new int?[] { null, 512 }, onTensor.Output.Shape);
        Assert.Contains("does not match", Assert.Throws<ArgumentException>(() =>
            Applications.VGG19(includeTop: false, weights: null, inputTensor: images, inputShape: [64, 64, 3])).Message);
        // The classifier's 'fc1' needs the flattened length: an input tensor of any size is refused up front.
        var anySize = Assert.Throws<ArgumentException>(() => Applications.VGG16(weights: null, inputTensor: Layers.Input([null, null, 3])));
        Assert.Equal("inputTensor", anySize.ParamName);
        Assert.Contains("height and width must be known", anySize.Message);
    }
}

/// <summary>Applications.VGG16 and VGG19, on the managed backend.</summary>
public sealed class ManagedApplications2VGGTests() : Applications2VGGTests("managed");

/// <summary>Applications.VGG16 and VGG19, on the native CPU backend.</summary>
public sealed class NativeCpuApplications2VGGTests() : Applications2VGGTests("cpu");

/// <summary>Applications.VGG16 and VGG19, on the CUDA backend.</summary>
public sealed class CudaApplications2VGGTests() : Applications2VGGTests("cuda");
