using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe13;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Simple custom layer example: Antirectifier" in C#: the example's MNIST model has
/// 784*256+256 + 2*(512*256) + 256*256+256 + 256*10+10 = 531,466 parameters; a shrunk copy trains
/// with RMSprop, from_logits cross-entropy, SparseCategoricalAccuracy and validation_split 0.15;
/// the layer's values are the example's formula computed in double; the model saves and loads
/// with its custom layer, initializer argument included.
/// </summary>
public abstract class ExamplesAntirectifierTests(string backend) : BackendFileTest(backend)
{
    private static Sequential AntirectifierModel(int width) => new(Layers.Input([784]), [
        new Layers.Dense(width, name: "dense_1"),
        new Antirectifier(name: "antirectifier_1"),
        new Layers.Dense(width, name: "dense_2"),
        new Antirectifier(name: "antirectifier_2"),
        new Layers.Dropout(0.5, name: "dropout"),
        new Layers.Dense(10, name: "dense_3")]);

    [SkippableFact]
    public void Example_model_has_its_parameter_count_and_output_shapes()
    {
        RequireBackend();
        var model = AntirectifierModel(256);
        Assert.Equal(531_466, model.CountParams());
        var summary = model.SummaryText();
        Assert.Contains("antirectifier_1 (Antirectifier)", summary);
        Assert.Contains("(None, 256)", summary);
        Assert.Contains("131,072", summary);
        Assert.Equal(new[] { 512, 256 }, ((Antirectifier)model.Layers[1]).Kernel.Shape.ToArray());
    }

    [SkippableFact]
    public void Layer_computes_the_example_formula()
    {
        RequireBackend();
        NF.Random.SetSeed(150);
        double[,] x = { { 1, -2, 0.5 }, { 3, 0, -1 } };
        var layer = new Antirectifier();
        var y = layer.Call(NF.Constant(new[,] { { 1f, -2f, 0.5f }, { 3f, 0f, -1f } }));
        var kernel = layer.Kernel.ToArray<float>();   // [6, 3]
        var got = y.ToArray<float>();
        Assert.Equal(new[] { 2, 3 }, y.Shape.ToArray());
        for (int b = 0; b < 2; b++)
        {
            double mean = (x[b, 0] + x[b, 1] + x[b, 2]) / 3;
            var concatenated = new double[6];
            for (int j = 0; j < 3; j++)
            {
                concatenated[j] = Math.Max(x[b, j] - mean, 0);
                concatenated[3 + j] = Math.Max(mean - x[b, j], 0);
            }
            for (int o = 0; o < 3; o++)
            {
                double expected = 0;
                for (int k = 0; k < 6; k++) expected += concatenated[k] * kernel[k * 3 + o];
                Assert.Equal(expected, got[b * 3 + o], 5);
            }
        }
    }

    [SkippableFact]
    public void Trains_with_validation_split_and_round_trips_through_a_keras_file()
    {
        RequireBackend();
        Antirectifier.Register();
        NF.Random.SetSeed(151);
        var (images, labels) = ExampleData.Digits(BackendName == "cuda" ? 40 : 80, seed: 5);
        var xTrain = NF.Reshape(images, [-1, 784]);
        var model = AntirectifierModel(32);
        model.Compile(loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true), optimizer: new Optimizers.RMSprop(),
            metrics: [new Metrics.SparseCategoricalAccuracy()]);
        var history = model.Fit(xTrain, labels, batchSize: 16, epochs: 3, validationSplit: 0.15, verbose: 0);
        Assert.Equal(new[] { "loss", "sparse_categorical_accuracy", "val_loss", "val_sparse_categorical_accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var score = model.Evaluate(xTrain, labels, verbose: 0);
        Assert.True(float.IsFinite(score[0]));

        var expected = model.Predict(xTrain, verbose: 0).ToArray<float>();
        var loaded = Model.Load(SaveTo(model, "antirectifier.keras"));
        Assert.IsType<Antirectifier>(loaded.Layers[1]);
        var got = loaded.Predict(xTrain, verbose: 0).ToArray<float>();
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 5);
    }

    [SkippableFact]
    public void Initializer_argument_survives_the_layer_config()
    {
        RequireBackend();
        Antirectifier.Register();
        var model = new Sequential(Layers.Input([4]), [new Antirectifier(Initializer.RandomNormal(0.5, 0.01), name: "anti")]);
        var config = model.Layers[0].GetConfig();
        Assert.Equal("RandomNormal", (string?)config["initializer"]!["class_name"]);
        var loaded = Model.Load(SaveTo(model, "initializer.keras"));
        var again = loaded.Layers[0].GetConfig()["initializer"]!;
        Assert.Equal(config["initializer"]!.ToJsonString(), again.ToJsonString());
        // A fresh layer from the loaded config draws from N(0.5, 0.01), not he_normal.
        var fresh = Models.CloneModel(loaded);
        fresh.Build([4]);
        var kernel = ((Antirectifier)fresh.Layers[0]).Kernel.ToArray<float>();
        Assert.InRange(kernel.Average(), 0.45, 0.55);
    }

    [SkippableFact]
    public void Regularizer_and_constraint_configs_rebuild_for_a_custom_layer()
    {
        RequireBackend();
        // What a custom layer's GetConfig writes for its regularizer and constraint, and its factory reads back.
        var l1l2 = Assert.IsType<Regularizers.L1L2>(Regularizers.FromConfig(new Regularizers.L1L2(0.25, 0.5).GetConfig()));
        Assert.Equal((0.25, 0.5), (l1l2.L1Factor, l1l2.L2Factor));
        var maxNorm = Assert.IsType<Constraints.MaxNorm>(Constraints.FromConfig(new Constraints.MaxNorm(3, axis: [0, 1]).GetConfig()));
        Assert.Equal(new Constraints.MaxNorm(3, axis: [0, 1]).GetConfig().ToJsonString(), maxNorm.GetConfig().ToJsonString());
        Assert.IsType<Regularizers.L2>(Regularizers.FromConfig("l2"));
        Assert.Null(Constraints.FromConfig(null));
    }
}

/// <summary>The Antirectifier example on the managed backend.</summary>
public sealed class ManagedExamplesAntirectifierTests() : ExamplesAntirectifierTests("managed");

/// <summary>The Antirectifier example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesAntirectifierTests() : ExamplesAntirectifierTests("cpu");

/// <summary>The Antirectifier example on CUDA.</summary>
public sealed class CudaExamplesAntirectifierTests() : ExamplesAntirectifierTests("cuda");
