using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// keras.applications.Xception in C# (Applications.Xception): Keras' published parameter counts and layer count, its
/// layer names (the entry, middle and exit flows' 'block1_conv1' ... 'block14_sepconv2_act'), its input-shape rules,
/// "tf" preprocess_input, a forward and Summary(), and weights loaded back through <c>weights:</c>.
/// </summary>
public abstract class Applications3XceptionTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Parameter_counts_layer_names_and_shapes_are_keras()
    {
        RequireBackend();
        // Keras' Xception: 22,910,480 parameters, 22,855,952 trainable (54,528 in the moving statistics), 134 layers;
        // 20,861,480 and 132 without the top. The classifier takes 299x299 images.
        var full = Applications.Xception(weights: null);
        Assert.Equal("xception", full.Name);
        Assert.Equal(new int?[] { null, 299, 299, 3 }, full.Input.Shape);
        Assert.Equal(22_910_480, full.CountParams());
        Assert.Equal(22_855_952, full.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(134, full.Layers.Count);
        Assert.Equal(["block1_conv1", "block1_conv1_bn", "block1_conv1_act", "block1_conv2", "block1_conv2_bn", "block1_conv2_act"],
                     full.Layers.Skip(1).Take(6).Select(l => l.Name));
        Assert.Equal(["block14_sepconv2", "block14_sepconv2_bn", "block14_sepconv2_act", "avg_pool", "predictions"],
                     full.Layers.TakeLast(5).Select(l => l.Name));
        // The entry flow ends 19x19 with 728 channels, the middle flow keeps it, the exit flow pools to 10x10.
        Assert.Equal(new int?[] { null, 19, 19, 728 }, full.GetLayer("block4_pool").Output.Shape);
        Assert.Equal(new int?[] { null, 19, 19, 728 }, full.GetLayer("block12_sepconv3_bn").Output.Shape);
        Assert.Equal(new int?[] { null, 10, 10, 2048 }, full.GetLayer("block14_sepconv2_act").Output.Shape);
        var sep = Assert.IsType<Layers.SeparableConv2D>(full.GetLayer("block5_sepconv1"));
        Assert.Equal(2, sep.Variables.Count);   // depthwise and pointwise kernels, no bias

        var open = Applications.Xception(includeTop: false, weights: null);
        Assert.Equal(20_861_480, open.CountParams());
        Assert.Equal(132, open.Layers.Count);
        Assert.Equal(new int?[] { null, null, null, 2048 }, open.Output.Shape);
        Assert.Equal(new int?[] { null, 2048 }, Applications.Xception(includeTop: false, weights: null, pooling: "avg").Output.Shape);
        Assert.IsType<Layers.GlobalMaxPooling2D>(Applications.Xception(includeTop: false, weights: null, pooling: "max").Layers[^1]);
        // The smallest size Keras allows, 71x71, leaves a 3x3 map.
        Assert.Equal(new int?[] { null, 3, 3, 2048 }, Applications.Xception(includeTop: false, weights: null, inputShape: [71, 71, 3]).Output.Shape);

        string summary = full.SummaryText().Replace(",", "");
        Assert.Contains("block13_pool", summary);
        Assert.Contains("Total params: 22910480", summary);
    }

    [SkippableFact]
    public void Weights_come_back_through_weights_and_the_forward_runs()
    {
        RequireBackend();
        var source = Applications3Weights.Fill(Applications.Xception(weights: null, inputShape: [71, 71, 3], classes: 4, classifierActivation: null));
        var images = Applications.XceptionPreprocessInput(ApplicationsWeightsFile.Images(2, 71, 71, 3));
        var expected = source.Predict(images).ToArray<float>();
        Assert.Equal(8, expected.Length);
        Assert.All(expected, v => Assert.True(float.IsFinite(v)));
        Assert.True(expected.Distinct().Count() > 1, "the filled weights give distinct logits");
        string legacy = Temp.File("xception.h5"), keras3 = Temp.File("xception.weights.h5");
        source.SaveWeights(legacy);
        source.SaveWeights(keras3);
        foreach (var path in new[] { legacy, keras3 })
        {
            var loaded = Applications.Xception(weights: path, inputShape: [71, 71, 3], classes: 4, classifierActivation: null).Predict(images).ToArray<float>();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], loaded[i], Math.Max(1f, Math.Abs(expected[i])) * 1e-5f);
        }
        // Ten classes where the file has four: refused naming the layer and both shapes.
        Assert.Contains("predictions", Assert.Throws<InvalidDataException>(() =>
            Applications.Xception(weights: keras3, inputShape: [71, 71, 3], classes: 10, classifierActivation: null)).Message);
    }

    [SkippableFact]
    public void Input_rules_preprocessing_and_refusals_are_kerass()
    {
        RequireBackend();
        var pixels = NF.Constant(new float[] { 0, 127.5f, 255 }, new Shape(1, 1, 1, 3));
        Assert.Equal([-1f, 0f, 1f], Applications.XceptionPreprocessInput(pixels).ToArray<float>());

        var e = Assert.Throws<ArgumentException>(() => Applications.Xception());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels.h5", e.Message);
        Assert.Contains("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", Assert.Throws<ArgumentException>(() => Applications.Xception(includeTop: false)).Message);
        Assert.Contains("at least 71x71", Assert.Throws<ArgumentException>(() => Applications.Xception(includeTop: false, weights: null, inputShape: [70, 100, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.Xception(weights: null, inputShape: [null, null, 3])).Message);
        Assert.Contains("\"softmax\" or null", Assert.Throws<ArgumentException>(() =>
            Applications.Xception(weights: Saved(Applications.Xception(includeTop: false, weights: null, inputShape: [71, 71, 3]), Temp.File("n.weights.h5")),
                                  inputShape: [71, 71, 3], classifierActivation: "relu")).Message);
    }

    private static string Saved(Model model, string path)
    {
        model.SaveWeights(path);
        return path;
    }
}

/// <summary>Applications.Xception, on the managed backend.</summary>
public sealed class ManagedApplications3XceptionTests() : Applications3XceptionTests("managed");

/// <summary>Applications.Xception, on the native CPU backend.</summary>
public sealed class NativeCpuApplications3XceptionTests() : Applications3XceptionTests("cpu");

/// <summary>Applications.Xception, on the CUDA backend.</summary>
public sealed class CudaApplications3XceptionTests() : Applications3XceptionTests("cuda");
