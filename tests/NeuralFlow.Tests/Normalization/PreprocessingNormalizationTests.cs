using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Normalization;

/// <summary>
/// keras.layers.Normalization: adapt, the Keras docstring's values, given statistics, invert,
/// datasets, save/load and the regression-tutorial use. Keras' formula:
/// (x - mean) / max(sqrt(variance), 1e-7) with the population variance.
/// </summary>
public sealed class PreprocessingNormalizationTests
{
    private static void Close(float[] expected, float[] actual, double tolerance) =>
        Reference.AssertClose(Array.ConvertAll(expected, v => (double)v), Array.ConvertAll(actual, v => (double)v), rtol: tolerance, atol: tolerance);

    [Fact]
    public void Keras_docstring_examples()
    {
        // axis=None: one mean (3) and variance (2) for everything.
        var all = new Layers.Normalization(Array.Empty<int>());
        all.Adapt(NF.Constant(new[] { 1f, 2f, 3f, 4f, 5f }));
        Close([-1.4142135f, -0.70710677f, 0f], all.Call(NF.Constant(new[] { 1f, 2f, 3f })).ToArray<float>(), 1e-6);

        // axis=-1: per feature.
        var perFeature = new Layers.Normalization(axis: -1);
        perFeature.Adapt(NF.Constant(new[,] { { 0f, 7f, 4f }, { 2f, 9f, 6f }, { 0f, 7f, 4f }, { 2f, 9f, 6f } }));
        Assert.Equal([-1f, -1f, -1f], perFeature.Call(NF.Constant(new[,] { { 0f, 7f, 4f } })).ToArray<float>());
        Assert.Equal([1f, 8f, 5f], perFeature.Mean!.ToArray<float>());
        Assert.Equal([1f, 1f, 1f], perFeature.Variance!.ToArray<float>());

        // Given statistics: constants, no weights.
        var given = new Layers.Normalization(mean: [3.0], variance: [2.0]);
        Close([-1.4142135f, -0.70710677f, 0f], given.Call(NF.Constant(new[,] { { 1f }, { 2f }, { 3f } })).ToArray<float>(), 1e-6);
        Assert.Equal(0, given.CountParams());
    }

    [Fact]
    public void Given_statistics_survive_a_build_inside_fit()
    {
        // The layer is first built by Fit's first step (inside its tensor scope); its constant mean and
        // variance were disposed with that scope, and the next step failed with ObjectDisposedException.
        NF.Random.SetSeed(3);
        var model = new Sequential(new Layers.Normalization(mean: [1.0, 2.0], variance: [4.0, 9.0]), new Layers.Dense(1));
        model.Compile("sgd", "mse");
        var x = NF.Random.Uniform([32, 2]);
        model.Fit(x, NF.Random.Uniform([32, 1]), batchSize: 8, epochs: 2, verbose: 0);
        var normalization = (Layers.Normalization)model.Layers[0];
        Close([-0.5f, -0.5f], normalization.Call(NF.Constant(new[,] { { 0f, 0.5f } })).ToArray<float>(), 1e-6);
        Assert.Equal(new Shape(32, 1), model.Predict(x).Shape);
    }

    [Fact]
    public void Invert_maps_standardized_values_back()
    {
        var data = NF.Constant(new[,] { { 1f, 10f }, { 2f, 20f }, { 3f, 60f } });
        var forward = new Layers.Normalization();
        forward.Adapt(data);
        var back = new Layers.Normalization(invert: true);
        back.Adapt(data);
        Close(data.ToArray<float>(), back.Call(forward.Call(data)).ToArray<float>(), 1e-5);
    }

    [Fact]
    public void Before_adapt_it_passes_the_input_through_and_integer_input_becomes_float32()
    {
        var layer = new Layers.Normalization();
        using var y = layer.Call(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } }));
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal([1f, 2f, 3f, 4f], y.ToArray<float>());
    }

    [Fact]
    public void Images_get_one_mean_per_channel_and_chunked_data_matches_a_double_precision_reference()
    {
        NF.Random.SetSeed(21);
        var images = NF.Random.Uniform([9000, 2, 2, 3], 0, 255);
        var layer = new Layers.Normalization();
        layer.Adapt(images);   // 9000 rows: adapted in slices of 4096
        var pixels = images.ToArray<float>();
        for (int c = 0; c < 3; c++)
        {
            var channel = pixels.Where((_, i) => i % 3 == c).Select(v => (double)v).ToArray();
            double mean = channel.Average(), variance = channel.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(mean, layer.Mean!.ToArray<float>()[c], 3);
            Assert.Equal(variance, layer.Variance!.ToArray<float>()[c], variance * 1e-5);
        }
        Assert.Equal(new Shape(3), layer.Mean!.Shape);
    }

    [Fact]
    public void Adapting_to_a_dataset_equals_adapting_to_its_tensor()
    {
        NF.Random.SetSeed(22);
        var x = NF.Random.Normal([100, 4]) * 5f + 3f;
        var fromTensor = new Layers.Normalization();
        fromTensor.Adapt(x);
        var fromBatches = new Layers.Normalization();
        fromBatches.Adapt(Dataset.FromTensorSlices(x).Batch(32));
        Close(fromTensor.Mean!.ToArray<float>(), fromBatches.Mean!.ToArray<float>(), 1e-5);
        Close(fromTensor.Variance!.ToArray<float>(), fromBatches.Variance!.ToArray<float>(), 1e-4);
        var pairs = Dataset.FromTensorSlices(x, x).Batch(10);
        Assert.Contains("features only", Assert.Throws<ArgumentException>(() => new Layers.Normalization().Adapt(pairs)).Message);
    }

    [Fact]
    public void Bad_uses_are_named()
    {
        var layer = new Layers.Normalization();
        layer.Adapt(NF.Ones([4, 3]));
        Assert.Contains("(None, 3)", Assert.Throws<ArgumentException>(() => layer.Call(NF.Ones([2, 4]))).Message);
        Assert.Throws<InvalidOperationException>(() => new Layers.Normalization(mean: [1.0], variance: [1.0]).Adapt(NF.Ones([2, 1])));
        Assert.Throws<ArgumentException>(() => new Layers.Normalization(mean: [1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Normalization(mean: [1.0], variance: [-1.0]));
        Assert.Throws<ArgumentException>(() => new Layers.Normalization().Adapt(NF.Zeros([0, 3])));
        Assert.Contains("3", Assert.Throws<ArgumentException>(() => new Layers.Normalization(mean: [1.0, 2.0], variance: [1.0, 2.0]).Call(NF.Ones([2, 3]))).Message);
    }

    [Fact]
    public void Regression_tutorial_trains_and_the_statistics_survive_save_and_load()
    {
        // TensorFlow's "Basic regression" tutorial: a normalizer adapted to the features, then Dense(1).
        NF.Random.SetSeed(23);
        var features = NF.Random.Normal([256, 2]) * NF.Constant(new[] { 100f, 0.01f }) + NF.Constant(new[] { 1000f, 5f });
        var target = NF.MatMul((features - NF.Constant(new[] { 1000f, 5f })) / NF.Constant(new[] { 100f, 0.01f }), NF.Constant(new[,] { { 2f }, { -3f } })) + 1f;
        var normalizer = new Layers.Normalization(axis: -1);
        normalizer.Adapt(features);
        var model = new Sequential(normalizer, new Layers.Dense(1));
        model.Compile(optimizer: new Optimizers.Adam(0.1f), loss: "mean_absolute_error");
        var history = model.Fit(features, target, epochs: 40, batchSize: 32, verbose: 0);
        Assert.True(history["loss"][^1] < 0.2f, $"final loss {history["loss"][^1]}");
        Assert.Equal(3, model.NonTrainableVariables.Count);   // mean, variance and count are not trained
        Assert.Equal(normalizer.Mean!.ToArray<float>(), model.NonTrainableVariables[0].ToArray<float>());

        var dir = Path.Combine(Path.GetTempPath(), "nf-norm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "regression.keras");
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(model.Predict(features).ToArray<float>(), loaded.Predict(features).ToArray<float>());
            var constant = new Sequential(new Layers.Normalization(mean: [1.0, 2.0], variance: [4.0, 9.0], invert: true, name: "given"));
            constant.Build([2]);
            constant.Save(path);
            var reloaded = Model.Load(path);
            Assert.Equal([3f, 8f], reloaded.Predict(NF.Constant(new[,] { { 1f, 2f } })).ToArray<float>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
