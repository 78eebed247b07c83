using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The Keras image-classification tutorial's pattern: a data-augmentation Sequential (RandomFlip,
/// RandomRotation, ...) and Resizing / Rescaling in front of a small CNN, trained with Fit (whose
/// compiled steps replay the augmentation with fresh draws), saved and loaded, and summarised.
/// </summary>
public abstract class PreprocessingModelTests(string backend) : BackendFileTest(backend)
{
    private static Sequential Cnn(params Layer[] front) => new(
    [
        .. front,
        new Layers.Rescaling(1 / 255.0),
        new Layers.Conv2D(4, 3, activation: "relu"),
        new Layers.GlobalAveragePooling2D(),
        new Layers.Dense(3),
    ]);

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(21);
        return (NF.Random.Uniform([12, 10, 12, 3], 0, 255), NF.Random.Uniform([12], 0, 3, DType.Int32));
    }

    [SkippableFact]
    public void An_augmented_cnn_fits_saves_and_loads()
    {
        RequireBackend();
        var (x, y) = Data();
        var model = Cnn(
            new Layers.Resizing(8, 8, cropToAspectRatio: true),
            new Layers.RandomFlip("horizontal", seed: 1),
            new Layers.RandomRotation(0.1, seed: 2),
            new Layers.RandomZoom(0.2, fillMode: "nearest"),
            new Layers.RandomTranslation(0.1, 0.1, fillMode: "constant", seed: 3),
            new Layers.RandomContrast(0.2),
            new Layers.RandomBrightness((-0.1, 0.1), seed: 4),
            new Layers.RandomCrop(6, 6, seed: 5),
            new Layers.CenterCrop(6, 6));
        TrainSaveLoad.Check(model, x, y, Temp.File("augmented.nfmodel"), epochs: 2);
        // Inference does not augment: the same predictions each time.
        Assert.Equal(model.Predict(x).ToArray<float>(), model.Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void Fit_draws_new_augmentations_each_replayed_step()
    {
        RequireBackend();
        // The loss of one fixed batch evaluated in training mode changes from step to step only
        // through the augmentation's draws: the model trains with a zero learning rate.
        var (x, y) = Data();
        var model = Cnn(new Layers.RandomRotation(0.3, fillMode: "constant"), new Layers.RandomFlip());
        model.Compile(new Optimizers.SGD(0.0), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var history = model.Fit(x, y, batchSize: 12, epochs: 4, verbose: 0, shuffle: false);
        var losses = history["loss"];
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses.Distinct().Count() > 1, $"losses {string.Join(", ", losses)} did not change: the replayed steps reused one draw");
        // Evaluate (inference) sees the plain images: equal losses each time.
        Assert.Equal(model.Evaluate(x, y, verbose: 0)["loss"], model.Evaluate(x, y, verbose: 0)["loss"]);
    }

    [SkippableFact]
    public void A_nested_augmentation_sequential_trains_as_in_the_readme()
    {
        RequireBackend();
        // The tutorial's data_augmentation = keras.Sequential([...]) used as one layer of the model.
        var augment = new Sequential(new Layers.RandomFlip("horizontal"), new Layers.RandomRotation(0.1), new Layers.RandomZoom(0.1));
        var model = Cnn(new Layers.Resizing(8, 8, cropToAspectRatio: true), augment);
        model.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = Data();
        var history = model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0);
        Assert.All(history["loss"], l => Assert.True(double.IsFinite(l)));
        Assert.Equal(new Shape(12, 3), model.Predict(x).Shape);
        Assert.Equal(NF.Image.ResizeCropped(x, 8, 8).ToArray<float>(), augment.Predict(NF.Image.ResizeCropped(x, 8, 8)).ToArray<float>());
    }

    [SkippableFact]
    public void Summary_shows_the_output_shapes()
    {
        RequireBackend();
        var model = Cnn(new Layers.Resizing(6, 7), new Layers.RandomFlip(), new Layers.CenterCrop(4, 5), new Layers.RandomCrop(3, 3));
        model.Predict(Data().X);
        var text = model.SummaryText();
        Assert.Contains("(None, 6, 7, 3)", text);
        Assert.Contains("(None, 4, 5, 3)", text);
        Assert.Contains("(None, 3, 3, 3)", text);
    }

    [SkippableFact]
    public void Configs_round_trip_including_keras_single_number_factors()
    {
        RequireBackend();
        Layer[] layers =
        [
            new Layers.Resizing(5, 6, "bicubic", cropToAspectRatio: true, antialias: true),
            new Layers.RandomRotation((-0.1, 0.2), fillMode: "wrap", interpolation: "nearest", seed: 3, fillValue: 2),
            new Layers.RandomZoom((-0.2, 0.2), (-0.1, 0.3)),
            new Layers.RandomContrast((0.1, 0.4), valueRange: (0, 1)),
        ];
        foreach (var layer in layers)
        {
            var config = layer.GetConfig();
            var again = KerasSerialization.Deserialize(KerasSerialization.Serialize(layer), "test");
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(config, again.GetConfig()), $"{config} vs {again.GetConfig()}");
        }
        // Keras writes factor: 0.2 for RandomRotation(0.2): (-0.2, 0.2); RandomContrast(0.2): (0.2, 0.2).
        var rotation = Assert.IsType<Layers.RandomRotation>(KerasSerialization.Deserialize(
            System.Text.Json.Nodes.JsonNode.Parse("""{"class_name": "RandomRotation", "config": {"name": "r", "factor": 0.2}}""")!, "test"));
        Assert.Equal((-0.2, 0.2), rotation.Factor);
        var contrast = Assert.IsType<Layers.RandomContrast>(KerasSerialization.Deserialize(
            System.Text.Json.Nodes.JsonNode.Parse("""{"class_name": "RandomContrast", "config": {"name": "c", "factor": 0.2}}""")!, "test"));
        Assert.Equal((0.2, 0.2), contrast.Factor);
        // What NeuralFlow's layers cannot do is refused by name, not silently dropped.
        var nchw = System.Text.Json.Nodes.JsonNode.Parse("""{"class_name": "RandomFlip", "config": {"name": "f", "data_format": "channels_first"}}""")!;
        Assert.Contains("channels_first", Assert.Throws<InvalidDataException>(() => KerasSerialization.Deserialize(nchw, "test")).Message);
        var padded = System.Text.Json.Nodes.JsonNode.Parse("""{"class_name": "Resizing", "config": {"name": "r", "height": 4, "width": 4, "pad_to_aspect_ratio": true}}""")!;
        Assert.Contains("pads to the aspect ratio", Assert.Throws<InvalidDataException>(() => KerasSerialization.Deserialize(padded, "test")).Message);
    }
}

public sealed class ManagedPreprocessingModelTests() : PreprocessingModelTests("managed");

public sealed class NativeCpuPreprocessingModelTests() : PreprocessingModelTests("cpu");

public sealed class CudaPreprocessingModelTests() : PreprocessingModelTests("cuda");
