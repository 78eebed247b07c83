using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// keras.applications.NASNetMobile and NASNetLarge in C# (Applications.NASNetMobile, NASNetLarge), from Keras'
/// nasnet.py: Keras' published parameter counts, the cells' layer names, the adjust blocks (factorized reduction and
/// projection), Keras' fixed 224x224 headless NASNetMobile, and NASNetMobile computing what PyTorch computes with the
/// same weights (applications6_references.py builds it by hand).
/// </summary>
public abstract class Applications6NASNetTests(string backend) : BackendFileTest(backend)
{
    // applications6_references.py "nasnet_mobile logits": five classes, two 32x32 images through nasnet.preprocess_input.
    private static readonly float[] MobileLogits =
        [-103.034915f, 43.7386997f, -39.8343151f, -30.6238575f, 80.1618773f, -112.574028f, 48.6296872f, -50.2408954f, -16.1799205f, 83.3331141f];

    [SkippableFact]
    public void NASNetMobile_has_kerass_parameter_count_and_layer_names()
    {
        RequireBackend();
        // Keras' table: 5,326,716 (the reference's counting walk gives the same, and 5,289,978 trainable).
        var model = Applications.NASNetMobile(weights: null);
        Assert.Equal(("nasnet_mobile", 5_326_716L, 5_289_978L), (model.Name, model.CountParams(), model.TrainableVariables.Sum(v => (long)v.Shape.Count)));
        Assert.Equal(new int?[] { null, 224, 224, 3 }, model.Input.Shape);
        Assert.Equal(5_326_716 - 1056 * 1000 - 1000, Applications.NASNetMobile(includeTop: false, weights: null).CountParams());
        Assert.Equal(["stem_conv1", "stem_bn1"], model.Layers.Skip(1).Take(2).Select(l => l.Name));
        var stemBn = Assert.IsType<Layers.BatchNormalization>(model.GetLayer("stem_bn1"));
        Assert.Equal((0.9997, 1e-3), (stemBn.Momentum, stemBn.Epsilon));
        Assert.Equal(new int?[] { null, 111, 111, 32 }, model.GetLayer("stem_conv1").Output.Shape);
        // stem_1 has no p (p is its input); stem_2's p is larger: the factorized reduction of two shifted 1x1 poolings.
        Assert.Throws<ArgumentException>(() => model.GetLayer("adjust_bn_stem_1"));
        Assert.Equal(new int?[] { null, 56, 56, 11 }, model.GetLayer("adjust_conv_1_stem_2").Output.Shape);
        Assert.Equal(new int?[] { null, 56, 56, 22 }, model.GetLayer("adjust_bn_stem_2").Output.Shape);
        Assert.Equal(new int?[] { null, 56, 56, 44 }, model.GetLayer("reduction_concat_stem_1").Output.Shape);
        // correct_pad of an odd 111: three on each side for a 7x7 window.
        Assert.Equal(new int?[] { null, 117, 117, 32 }, model.GetLayer("separable_conv_1_pad_reduction_right1_stem_1").Output.Shape);
        // Normal cells 0-3, 5-8, 9-12 (reduce_4 and reduce_8 between); the first after a reduction adjusts its p by
        // factorized reduction, the others only project p's width.
        Assert.Equal(new int?[] { null, 28, 28, 264 }, model.GetLayer("normal_concat_0").Output.Shape);
        Assert.Equal(new int?[] { null, 14, 14, 88 }, model.GetLayer("adjust_bn_5").Output.Shape);
        Assert.IsType<Layers.Conv2D>(model.GetLayer("adjust_conv_projection_6"));
        Assert.Equal(new int?[] { null, 7, 7, 88 }, model.GetLayer("adjust_conv_1_9").Output.Shape);
        Assert.Equal(new int?[] { null, 7, 7, 1056 }, model.GetLayer("normal_concat_12").Output.Shape);
        Assert.IsType<Layers.SeparableConv2D>(model.GetLayer("separable_conv_2_reduction_left4_reduce_8"));
        Assert.IsType<Layers.AveragePooling2D>(model.GetLayer("normal_left3_7"));
        Assert.IsType<Layers.MaxPooling2D>(model.GetLayer("reduction_right5_reduce_4"));
        Assert.Equal("predictions", model.Layers[^1].Name);
        Assert.NotEmpty(model.SummaryText());
    }

    [SkippableFact]
    public void NASNetMobile_computes_as_pytorch_with_the_same_weights()
    {
        RequireBackend();
        var model = Applications6Weights.Fill(Applications.NASNetMobile(weights: null, inputShape: [32, 32, 3], classes: 5, classifierActivation: null));
        var logits = model.Predict(Applications.NASNetPreprocessInput(ApplicationsWeightsFile.Images(2, 32, 32, 3))).ToArray<float>();
        Assert.Equal(MobileLogits.Length, logits.Length);
        for (int i = 0; i < MobileLogits.Length; i++) Assert.Equal(MobileLogits[i], logits[i], Math.Abs(MobileLogits[i]) * 2e-5f + 2e-4f);
    }

    [SkippableFact]
    public void Without_the_top_they_give_the_map_or_its_pooling()
    {
        RequireBackend();
        // Keras builds the headless NASNetMobile at 224x224 unless told otherwise.
        var open = Applications.NASNetMobile(includeTop: false, weights: null);
        Assert.Equal(new int?[] { null, 224, 224, 3 }, open.Input.Shape);
        Assert.Equal(new int?[] { null, 7, 7, 1056 }, open.Output.Shape);
        var avg = Applications.NASNetMobile(includeTop: false, weights: null, inputShape: [64, 64, 3], pooling: "avg");
        Assert.IsType<Layers.GlobalAveragePooling2D>(avg.Layers[^1]);
        Assert.Equal(new Shape(2, 1056), avg.Predict(ApplicationsWeightsFile.Images(2, 64, 64, 3)).Shape);
        var max = Applications.NASNetMobile(includeTop: false, weights: null, inputShape: [96, 64, 3], pooling: "max");
        Assert.IsType<Layers.GlobalMaxPooling2D>(max.Layers[^1]);
        Assert.Equal(new int?[] { null, 1056 }, max.Output.Shape);
        // NASNetLarge without a shape takes any size: its reductions are found from the cells' order.
        var large = Applications.NASNetLarge(includeTop: false, weights: null, pooling: "avg");
        Assert.Equal(new int?[] { null, null, null, 3 }, large.Input.Shape);
        Assert.Equal(new int?[] { null, 4032 }, large.Output.Shape);
        Assert.Equal(84_916_818, large.CountParams());
        Assert.IsType<Layers.Concatenate>(large.GetLayer("adjust_bn_7").Input.Layer);
        var images = Layers.Input([48, 48, 3]);
        Assert.Same(images, Applications.NASNetMobile(includeTop: false, weights: null, inputTensor: images).Input);
    }

    [SkippableFact]
    public void Refusals_name_the_argument_and_the_file_to_fetch()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.NASNetMobile());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-mobile.h5", e.Message);
        Assert.Contains("NASNet-large-no-top.h5", Assert.Throws<ArgumentException>(() => Applications.NASNetLarge(includeTop: false)).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.NASNetMobile(weights: null, inputShape: [31, 64, 3])).Message);
        Assert.Equal("pooling", Assert.Throws<ArgumentException>(() => Applications.NASNetMobile(includeTop: false, weights: null, pooling: "sum")).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.NASNetLarge(weights: null, classes: 0)).ParamName);
    }
}

/// <summary>Applications.NASNetMobile and NASNetLarge, on the managed backend.</summary>
public sealed class ManagedApplications6NASNetTests() : Applications6NASNetTests("managed");

/// <summary>Applications.NASNetMobile and NASNetLarge, on the native CPU backend.</summary>
public sealed class NativeCpuApplications6NASNetTests() : Applications6NASNetTests("cpu");

/// <summary>Applications.NASNetMobile and NASNetLarge, on the CUDA backend.</summary>
public sealed class CudaApplications6NASNetTests() : Applications6NASNetTests("cuda");
