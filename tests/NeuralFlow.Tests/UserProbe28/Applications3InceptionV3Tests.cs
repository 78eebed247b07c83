using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// keras.applications.InceptionV3 in C# (Applications.InceptionV3): Keras' published parameter counts and layer count,
/// its 'mixed0' ... 'mixed10' concatenations (what the DeepDream tutorial reads features from), its input-shape rules,
/// "tf" preprocess_input, a forward and Summary(), and weights loaded back through <c>weights:</c> from each kind of
/// file Keras' model.load_weights reads (legacy .h5 in layer order, .weights.h5, .keras).
/// </summary>
public abstract class Applications3InceptionV3Tests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Parameter_counts_layer_names_and_shapes_are_keras()
    {
        RequireBackend();
        // Keras' InceptionV3: 23,851,784 parameters, 23,817,352 trainable (34,432 in the moving statistics), 313 layers;
        // 21,802,784 and 311 without the top. The classifier takes 299x299 images.
        var full = Applications.InceptionV3(weights: null);
        Assert.Equal("inception_v3", full.Name);
        Assert.Equal(new int?[] { null, 299, 299, 3 }, full.Input.Shape);
        Assert.Equal(23_851_784, full.CountParams());
        Assert.Equal(23_817_352, full.TrainableVariables.Sum(v => v.Shape.Count));
        Assert.Equal(313, full.Layers.Count);
        Assert.Equal(["avg_pool", "predictions"], full.Layers.TakeLast(2).Select(l => l.Name));
        // The modules' outputs at 299x299: 35x35 (mixed0..2), 17x17 (mixed3..7), 8x8 (mixed8..10).
        int?[][] shapes =
        [
            [null, 35, 35, 256], [null, 35, 35, 288], [null, 35, 35, 288], [null, 17, 17, 768], [null, 17, 17, 768], [null, 17, 17, 768],
            [null, 17, 17, 768], [null, 17, 17, 768], [null, 8, 8, 1280], [null, 8, 8, 2048], [null, 8, 8, 2048],
        ];
        for (int i = 0; i <= 10; i++) Assert.Equal(shapes[i], full.GetLayer($"mixed{i}").Output.Shape);
        Assert.Equal(new int?[] { null, 8, 8, 768 }, full.GetLayer("mixed9_1").Output.Shape);
        // conv2d_bn: no bias, a BatchNormalization without scale (3 weights: beta and the two moving statistics).
        var firstConv = Assert.IsType<Layers.Conv2D>(full.Layers[1]);
        Assert.Equal((32, 1), (firstConv.Filters, firstConv.Variables.Count));
        Assert.Equal(3, Assert.IsType<Layers.BatchNormalization>(full.Layers[2]).Variables.Count);

        var open = Applications.InceptionV3(includeTop: false, weights: null);
        Assert.Equal(21_802_784, open.CountParams());
        Assert.Equal(311, open.Layers.Count);
        Assert.Equal(new int?[] { null, null, null, 2048 }, open.Output.Shape);
        Assert.Equal(new int?[] { null, 2048 }, Applications.InceptionV3(includeTop: false, weights: null, pooling: "max").Output.Shape);
        Assert.IsType<Layers.GlobalAveragePooling2D>(Applications.InceptionV3(includeTop: false, weights: null, pooling: "avg").Layers[^1]);
        // The smallest size Keras allows, 75x75, leaves a 1x1 map.
        Assert.Equal(new int?[] { null, 1, 1, 2048 }, Applications.InceptionV3(includeTop: false, weights: null, inputShape: [75, 75, 3]).Output.Shape);

        string summary = full.SummaryText().Replace(",", "");
        Assert.Contains("mixed10", summary);
        Assert.Contains("Total params: 23851784", summary);
    }

    [SkippableFact]
    public void Weights_come_back_from_each_file_kind_and_a_feature_extractor_reads_mixed_layers()
    {
        RequireBackend();
        var source = Applications3Weights.Fill(Applications.InceptionV3(weights: null, inputShape: [75, 75, 3], classes: 3));
        var images = Applications.InceptionV3PreprocessInput(ApplicationsWeightsFile.Images(2, 75, 75, 3));
        var expected = source.Predict(images).ToArray<float>();
        Assert.Equal(6, expected.Length);
        Assert.Equal(1f, expected[..3].Sum(), 1e-5f);
        Assert.True(expected.Distinct().Count() > 1, "the filled weights give distinct probabilities");
        string legacy = Temp.File("inception_v3.h5"), keras3 = Temp.File("inception_v3.weights.h5"), archive = Temp.File("inception_v3.keras");
        source.SaveWeights(legacy);
        source.SaveWeights(keras3);
        source.Save(archive);
        foreach (var path in new[] { legacy, keras3, archive })
        {
            var loaded = Applications.InceptionV3(weights: path, inputShape: [75, 75, 3], classes: 3).Predict(images).ToArray<float>();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], loaded[i], 1e-6f);
        }

        // DeepDream's extractor: the base without its top, two of its concatenations as the outputs.
        var base_ = Applications.InceptionV3(includeTop: false, weights: null);
        var dream = new Model(base_.Input, [base_.GetLayer("mixed3").Output, base_.GetLayer("mixed5").Output]);
        var activations = dream.PredictOutputs(ApplicationsWeightsFile.Images(1, 80, 96, 3));
        Assert.Equal(new Shape(1, 3, 4, 768), activations[0].Shape);
        Assert.Equal(new Shape(1, 3, 4, 768), activations[1].Shape);

        // A file of the other architecture is refused, naming what differs.
        Assert.Throws<InvalidDataException>(() => Applications.InceptionV3(includeTop: false, weights: legacy));
    }

    [SkippableFact]
    public void Input_rules_preprocessing_and_refusals_are_kerass()
    {
        RequireBackend();
        // "tf": x / 127.5 - 1.
        var pixels = NF.Constant(new byte[] { 0, 128, 255 }, new Shape(1, 1, 1, 3));
        Assert.Equal([-1f, 128 / 127.5f - 1, 1f], Applications.InceptionV3PreprocessInput(pixels).ToArray<float>());
        var inputs = Layers.Input([1, 1, 3]);
        Assert.Equal([-1f, 128 / 127.5f - 1, 1f],
            new Model(inputs, Applications.InceptionV3PreprocessInput(inputs)).Predict(NF.Cast(pixels, DType.Float32)).ToArray<float>());

        var e = Assert.Throws<ArgumentException>(() => Applications.InceptionV3());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5", e.Message);
        Assert.Contains("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", Assert.Throws<ArgumentException>(() => Applications.InceptionV3(includeTop: false)).Message);
        Assert.Contains("at least 75x75", Assert.Throws<ArgumentException>(() => Applications.InceptionV3(includeTop: false, weights: null, inputShape: [74, 299, 3])).Message);
        Assert.Contains("fully known", Assert.Throws<ArgumentException>(() => Applications.InceptionV3(weights: null, inputShape: [299, null, 3])).Message);
        Assert.Equal("pooling", Assert.Throws<ArgumentException>(() => Applications.InceptionV3(includeTop: false, weights: null, pooling: "sum")).ParamName);
        Assert.Equal("inputTensor", Assert.Throws<ArgumentException>(() => Applications.InceptionV3(weights: null, inputTensor: Layers.Input([299, 299]))).ParamName);

        // Built on another model's tensor (Keras' input_tensor): that model's Input becomes this one's.
        var images = Layers.Input([96, 96, 3]);
        var model = Applications.InceptionV3(includeTop: false, weights: null, inputTensor: Applications.InceptionV3PreprocessInput(images), pooling: "avg");
        Assert.Same(images, model.Input);
        Assert.Equal(new Shape(2, 2048), model.Predict(ApplicationsWeightsFile.Images(2, 96, 96, 3)).Shape);
    }
}

/// <summary>Applications.InceptionV3, on the managed backend.</summary>
public sealed class ManagedApplications3InceptionV3Tests() : Applications3InceptionV3Tests("managed");

/// <summary>Applications.InceptionV3, on the native CPU backend.</summary>
public sealed class NativeCpuApplications3InceptionV3Tests() : Applications3InceptionV3Tests("cpu");

/// <summary>Applications.InceptionV3, on the CUDA backend.</summary>
public sealed class CudaApplications3InceptionV3Tests() : Applications3InceptionV3Tests("cuda");
