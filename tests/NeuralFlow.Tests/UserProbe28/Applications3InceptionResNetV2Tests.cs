using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// keras.applications.InceptionResNetV2 in C# (Applications.InceptionResNetV2): Keras' published parameter counts and
/// layer count, its block names and scaled residual joins, its input-shape rules, and weights loaded back through
/// <c>weights:</c>.
/// </summary>
public abstract class Applications3InceptionResNetV2Tests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Parameter_counts_names_and_shapes_are_keras()
    {
        RequireBackend();
        // Keras' InceptionResNetV2: 55,873,736 parameters, 55,813,192 trainable, 782 layers; 54,336,736 and 780 without the top.
        var full = Applications.InceptionResNetV2(weights: null);
        Assert.Equal("inception_resnet_v2", full.Name);
        Assert.Equal(55_873_736, full.CountParams());
        Assert.Equal(55_813_192, full.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(782, full.Layers.Count);
        Assert.Equal(new int?[] { null, 35, 35, 320 }, full.GetLayer("mixed_5b").Output.Shape);
        Assert.Equal(new int?[] { null, 35, 35, 320 }, full.GetLayer("block35_10_ac").Output.Shape);
        Assert.Equal(new int?[] { null, 17, 17, 1088 }, full.GetLayer("mixed_6a").Output.Shape);
        Assert.Equal(new int?[] { null, 8, 8, 2080 }, full.GetLayer("mixed_7a").Output.Shape);
        Assert.Equal(["block8_10_mixed", "block8_10_conv"], full.Layers.Skip(full.Layers.Count - 8).Take(2).Select(l => l.Name));
        Assert.Equal(["conv_7b", "conv_7b_bn", "conv_7b_ac", "avg_pool", "predictions"], full.Layers.TakeLast(5).Select(l => l.Name));
        // The last block8 has no ReLU: its scaled join feeds conv_7b directly.
        Assert.Null(full.Layers.FirstOrDefault(l => l.Name == "block8_10_ac"));
        Assert.Equal(0.1, Assert.IsType<Applications.CustomScaleLayer>(full.GetLayer("block17_1_ac").InboundNodes[0].Inputs[0].Layer).Scale);

        var open = Applications.InceptionResNetV2(includeTop: false, weights: null, inputShape: [75, 75, 3]);
        Assert.Equal(54_336_736, open.CountParams());
        Assert.Equal(780, open.Layers.Count);
        Assert.Equal(new int?[] { null, 1, 1, 1536 }, open.Output.Shape);
        Assert.Contains("Total params: 54336736", open.SummaryText().Replace(",", ""));
    }

    [SkippableFact]
    public void Weights_come_back_through_weights_and_refusals_name_the_file()
    {
        RequireBackend();
        var source = Applications3Weights.Fill(Applications.InceptionResNetV2(weights: null, inputShape: [75, 75, 3], classes: 3));
        var images = Applications.InceptionResNetV2PreprocessInput(ApplicationsWeightsFile.Images(2, 75, 75, 3));
        var expected = source.Predict(images).ToArray<float>();
        Assert.Equal(1f, expected[3..].Sum(), 1e-5f);
        Assert.All(expected, v => Assert.True(float.IsFinite(v)));
        string path = Temp.File("irv2.weights.h5");
        source.SaveWeights(path);
        var loaded = Applications.InceptionResNetV2(weights: path, inputShape: [75, 75, 3], classes: 3).Predict(images).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], loaded[i], 1e-6f);

        var e = Assert.Throws<ArgumentException>(() => Applications.InceptionResNetV2());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", e.Message);
        Assert.Contains("at least 75x75", Assert.Throws<ArgumentException>(() => Applications.InceptionResNetV2(includeTop: false, weights: null, inputShape: [75, 60, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.InceptionResNetV2(weights: null, inputShape: [null, 299, 3])).Message);
    }
}

/// <summary>Applications.InceptionResNetV2, on the managed backend.</summary>
public sealed class ManagedApplications3InceptionResNetV2Tests() : Applications3InceptionResNetV2Tests("managed");

/// <summary>Applications.InceptionResNetV2, on the native CPU backend.</summary>
public sealed class NativeCpuApplications3InceptionResNetV2Tests() : Applications3InceptionResNetV2Tests("cpu");

/// <summary>Applications.InceptionResNetV2, on the CUDA backend.</summary>
public sealed class CudaApplications3InceptionResNetV2Tests() : Applications3InceptionResNetV2Tests("cuda");
