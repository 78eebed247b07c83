using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;
using NeuralFlow.Tests.UserProbe27;
using NeuralFlow.Tests.UserProbe28;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// keras.applications.ResNet50V2 / ResNet101V2 / ResNet152V2 in C# (Applications.ResNet50V2 ...): Keras' parameter
/// counts and pre-activation layer names (resnet.py's stack_residual_blocks_v2), Keras' input-shape rules and
/// refusals, resnet_v2.preprocess_input ("tf"), and weights saved and loaded through <c>weights:</c> whose network
/// computes what PyTorch computes with the same weights (applications4_references.py builds it by hand).
/// </summary>
public abstract class Applications4ResNetV2Tests(string backend) : BackendFileTest(backend)
{
    // applications4_references.py "resnet50v2 logits": five classes, two 64x64 images through preprocess_input.
    private static readonly float[] Logits =
        [-301.135161f, 155.433915f, 299.018825f, 148.219148f, 223.846664f, -309.003838f, 140.355725f, 287.431465f, 164.144659f, 244.352164f];

    [SkippableFact]
    public void Parameter_counts_and_layer_names_are_kerass()
    {
        RequireBackend();
        // Keras' table: 25,613,800 parameters; applications4_references.py counts 45,440 of them in the BatchNormalizations'
        // moving statistics (non-trainable) and 23,564,800 without the top. A global pooling feeds the classifier, so
        // the count does not depend on the image size: 32x32 (Keras' minimum) builds fastest.
        var full = Applications.ResNet50V2(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal("resnet50v2", full.Name);
        Assert.Equal((25_613_800L, 25_568_360L), (full.CountParams(), full.TrainableVariables.Sum(v => (long)v.Shape.Count)));
        Assert.Equal(192, full.Layers.Count);
        // No BatchNormalization after conv1: it is the first block's pre-activation. Keras' model.layers (by depth from
        // the output, the order its weights files follow) puts the shortcut '_0_conv' beside '_3_conv'.
        Assert.Equal(["conv1_pad", "conv1_conv", "pool1_pad", "pool1_pool", "conv2_block1_preact_bn", "conv2_block1_preact_relu", "conv2_block1_1_conv",
                      "conv2_block1_1_bn", "conv2_block1_1_relu", "conv2_block1_2_pad", "conv2_block1_2_conv", "conv2_block1_2_bn", "conv2_block1_2_relu",
                      "conv2_block1_0_conv", "conv2_block1_3_conv", "conv2_block1_out"], full.Graph!.KerasOrder.Skip(1).Take(16).Select(l => l.Name));
        Assert.Equal(["post_bn", "post_relu", "avg_pool", "predictions"], full.Layers.TakeLast(4).Select(l => l.Name));
        Assert.False(Assert.IsType<Layers.Conv2D>(full.GetLayer("conv2_block1_1_conv")).UseBias);
        Assert.True(Assert.IsType<Layers.Conv2D>(full.GetLayer("conv2_block1_3_conv")).UseBias);
        Assert.Equal(1.001e-5, Assert.IsType<Layers.BatchNormalization>(full.GetLayer("post_bn")).Epsilon, 12);
        // v2 downsamples in the last block of conv2..conv4: its 3x3 convolution strides, and its identity shortcut is a
        // 1x1 max pooling (unnamed in Keras, so the three take counter names).
        Assert.Equal(new int?[] { null, 4, 4, 64 }, full.GetLayer("conv2_block3_2_conv").Output.Shape);
        Assert.Equal(3, full.Layers.Count(l => l is Layers.MaxPooling2D && l.Name != "pool1_pool"));
        Assert.Equal(new int?[] { null, 1, 1, 2048 }, full.GetLayer("conv5_block3_out").Output.Shape);

        var open = Applications.ResNet50V2(includeTop: false, weights: null);
        Assert.Equal((23_564_800L, 23_519_360L), (open.CountParams(), open.TrainableVariables.Sum(v => (long)v.Shape.Count)));
        Assert.Equal(190, open.Layers.Count);
        Assert.Equal(new int?[] { null, null, null, 2048 }, open.Output.Shape);
        Assert.Equal("post_relu", open.Layers[^1].Name);
        var avg = Applications.ResNet50V2(includeTop: false, weights: null, pooling: "avg");
        Assert.Equal("avg_pool", avg.Layers[^1].Name);
        Assert.Equal(new int?[] { null, 2048 }, avg.Output.Shape);
        var max = Applications.ResNet50V2(includeTop: false, weights: null, pooling: "max", inputShape: [64, 48, 3]);
        Assert.Equal("max_pool", max.Layers[^1].Name);
        Assert.Equal(new int?[] { null, 2048 }, max.Output.Shape);
        // With the classifier and no shape: Keras' 224x224x3, a 7x7 map before the pooling.
        var standard = Applications.ResNet50V2(weights: null, classes: 7, classifierActivation: null);
        Assert.Equal(new int?[] { null, 224, 224, 3 }, standard.Input.Shape);
        Assert.Equal(new int?[] { null, 7, 7, 2048 }, standard.GetLayer("post_relu").Output.Shape);
        Assert.Equal(new int?[] { null, 7 }, standard.Output.Shape);
    }

    [SkippableFact]
    public void ResNet101V2_and_ResNet152V2_have_kerass_counts()
    {
        RequireBackend();
        // Keras' table (44,675,560 and 60,380,648); trainable and without-top counts from applications4_references.py.
        (Func<bool, Model> Make, string Name, long Params, long Trainable, long NoTop, long NoTopTrainable, int Layers)[] variants =
        [
            (top => Applications.ResNet101V2(includeTop: top, weights: null, inputShape: [32, 32, 3]), "resnet101v2", 44_675_560, 44_577_896, 42_626_560, 42_528_896, 379),
            (top => Applications.ResNet152V2(includeTop: top, weights: null, inputShape: [32, 32, 3]), "resnet152v2", 60_380_648, 60_236_904, 58_331_648, 58_187_904, 566),
        ];
        foreach (var (make, name, parameters, trainable, noTop, noTopTrainable, layers) in variants)
        {
            var model = make(true);
            Assert.Equal((name, parameters, trainable, layers), (model.Name, model.CountParams(), model.TrainableVariables.Sum(v => (long)v.Shape.Count), model.Layers.Count));
            var open = make(false);
            Assert.Equal((noTop, noTopTrainable), (open.CountParams(), open.TrainableVariables.Sum(v => (long)v.Shape.Count)));
        }
        Assert.Equal("conv4_block23_out", Applications.ResNet101V2(includeTop: false, weights: null).Layers.Last(l => l.Name.StartsWith("conv4")).Name);
        Assert.Equal("conv4_block36_out", Applications.ResNet152V2(includeTop: false, weights: null).Layers.Last(l => l.Name.StartsWith("conv4")).Name);
    }

    [SkippableFact]
    public void Weights_saved_and_loaded_compute_as_pytorch()
    {
        RequireBackend();
        string path = Temp.File("resnet50v2_5.weights.h5");
        Applications3Weights.Fill(Applications.ResNet50V2(weights: null, inputShape: [64, 64, 3], classes: 5, classifierActivation: null)).SaveWeights(path);
        var model = Applications.ResNet50V2(weights: path, inputShape: [64, 64, 3], classes: 5, classifierActivation: null);
        var logits = model.Predict(Applications.ResNetV2PreprocessInput(ApplicationsWeightsFile.Images(2, 64, 64, 3))).ToArray<float>();
        Assert.Equal(Logits.Length, logits.Length);
        for (int i = 0; i < Logits.Length; i++) Assert.Equal(Logits[i], logits[i], 1e-4f * 300);

        // applications4_references.py "resnet50v2 64": without the top, a (2, 2, 2, 2048) map after post_relu.
        string noTop = Temp.File("resnet50v2_notop.weights.h5");
        Applications3Weights.Fill(Applications.ResNet50V2(includeTop: false, weights: null)).SaveWeights(noTop);
        var features = Applications.ResNet50V2(includeTop: false, weights: noTop).Predict(Applications.ResNetV2PreprocessInput(ApplicationsWeightsFile.Images(2, 64, 64, 3)));
        Applications2FeatureSummary.AssertMatches(features, new Shape(2, 2, 2, 2048), [993132.716, 1014508.58], [398775011, 414291494], [0, 7, 123, 1000, 8191],
            [64.8854969f, 0f, 0f, 0f, 56.4314388f, 109.267313f, 0f, 0f, 0f, 133.580574f]);
    }

    [SkippableFact]
    public void Preprocess_input_is_kerass_tf_mode_and_an_input_tensor_is_kept()
    {
        RequireBackend();
        // resnet_v2.preprocess_input: x / 127.5 - 1 (integer pixels become floatx).
        var pixels = NF.Constant(new[] { 0, 127, 255, 64, 1, 200 }, new Shape(1, 1, 2, 3));
        var scaled = Applications.ResNetV2PreprocessInput(pixels);
        Assert.Equal(DType.Float32, scaled.DType);
        Assert.Equal(new[] { -1f, 127 / 127.5f - 1, 1f, 64 / 127.5f - 1, 1 / 127.5f - 1, 200 / 127.5f - 1 }, scaled.ToArray<float>());
        // Inside a model on Keras' input_tensor: the source Input becomes the model's input, the scaling part of it.
        var inputs = Layers.Input([32, 32, 3], dtype: DType.Int32);
        var model = Applications.ResNet50V2(includeTop: false, weights: null, inputTensor: Applications.ResNetV2PreprocessInput(inputs), pooling: "avg");
        Assert.Same(inputs, model.Inputs[0]);
        var plain = Applications.ResNet50V2(includeTop: false, weights: null, inputShape: [32, 32, 3], pooling: "avg");
        plain.SetWeights(model.GetWeights());
        var x = ApplicationsWeightsFile.Images(1, 32, 32, 3);
        var expected = plain.Predict(Applications.ResNetV2PreprocessInput(x)).ToArray<float>();
        var actual = model.Predict(NF.Cast(x, DType.Int32)).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], Math.Max(1, Math.Abs(expected[i])) * 1e-5f);
    }

    [SkippableFact]
    public void Refusals_name_the_argument_and_the_file_to_fetch()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.ResNet50V2());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels.h5", e.Message);
        Assert.Contains("resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5", Assert.Throws<ArgumentException>(() => Applications.ResNet101V2(includeTop: false)).Message);
        Assert.Contains("resnet152v2_weights_tf_dim_ordering_tf_kernels.h5", Assert.Throws<ArgumentException>(() => Applications.ResNet152V2()).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.ResNet50V2(includeTop: false, weights: null, inputShape: [32, 31, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.ResNet50V2(weights: null, inputShape: [null, 64, 3])).Message);
        Assert.Contains("three lengths", Assert.Throws<ArgumentException>(() => Applications.ResNet50V2(weights: null, inputShape: [64, 64])).Message);
        Assert.Equal("pooling", Assert.Throws<ArgumentException>(() => Applications.ResNet50V2(includeTop: false, weights: null, pooling: "sum")).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.ResNet50V2(weights: null, classes: 0)).ParamName);
        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() => Applications.ResNet50V2(weights: Temp.File("absent.h5"))).Message);
        // Pretrained weights go with softmax or logits only (imagenet_utils.validate_activation).
        string path = Temp.File("resnet50v2.weights.h5");
        Applications.ResNet50V2(weights: null, inputShape: [32, 32, 3], classes: 3).SaveWeights(path);
        Assert.Equal("classifierActivation", Assert.Throws<ArgumentException>(
            () => Applications.ResNet50V2(weights: path, inputShape: [32, 32, 3], classes: 3, classifierActivation: "sigmoid")).ParamName);
    }
}

/// <summary>Applications.ResNet50V2 ... ResNet152V2, on the managed backend.</summary>
public sealed class ManagedApplications4ResNetV2Tests() : Applications4ResNetV2Tests("managed");

/// <summary>Applications.ResNet50V2 ... ResNet152V2, on the native CPU backend.</summary>
public sealed class NativeCpuApplications4ResNetV2Tests() : Applications4ResNetV2Tests("cpu");

/// <summary>Applications.ResNet50V2 ... ResNet152V2, on the CUDA backend.</summary>
public sealed class CudaApplications4ResNetV2Tests() : Applications4ResNetV2Tests("cuda");
