using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's "Image classification from scratch" (examples/vision/image_classification_from_scratch.py)
/// in C#: a folder of cat and dog pictures (generated PNGs and a JPEG) read by
/// <c>image_dataset_from_directory(subset="both")</c>, RandomFlip/RandomRotation mapped over the
/// training batches (and, in the example's first variant, inside the model), the Xception-like
/// network of Rescaling, SeparableConv2D, residual Add and GlobalAveragePooling2D with one logit,
/// <c>ModelCheckpoint("save_at_{epoch}.keras")</c>, then one image loaded and scored by a checkpoint.
/// The full-size model's parameter count is the sum of Keras' per-layer formulas.
/// </summary>
public abstract class ImageClassificationExampleTests(string backend) : BackendFileTest(backend)
{
    // The example's make_model, with its widths as arguments (the example: 128, [256, 512, 728], 1024).
    private static Model MakeModel(int[] inputShape, int numClasses, int stem, int[] sizes, int last, Layer? augmentation = null)
    {
        var inputs = Layers.Input(inputShape);
        var x = augmentation is null ? inputs : augmentation.Call(inputs);
        x = new Layers.Rescaling(1.0 / 255).Call(x);
        x = new Layers.Conv2D(stem, 3, strides: 2, padding: "same").Call(x);
        x = new Layers.BatchNormalization().Call(x);
        x = new Layers.Activation("relu").Call(x);
        var previousBlockActivation = x;
        foreach (var size in sizes)
        {
            x = new Layers.Activation("relu").Call(x);
            x = new Layers.SeparableConv2D(size, 3, padding: "same").Call(x);
            x = new Layers.BatchNormalization().Call(x);
            x = new Layers.Activation("relu").Call(x);
            x = new Layers.SeparableConv2D(size, 3, padding: "same").Call(x);
            x = new Layers.BatchNormalization().Call(x);
            x = new Layers.MaxPooling2D(3, strides: 2, padding: "same").Call(x);
            var residual = new Layers.Conv2D(size, 1, strides: 2, padding: "same").Call(previousBlockActivation);
            x = new Layers.Add().Call([x, residual]);
            previousBlockActivation = x;
        }
        x = new Layers.SeparableConv2D(last, 3, padding: "same").Call(x);
        x = new Layers.BatchNormalization().Call(x);
        x = new Layers.Activation("relu").Call(x);
        x = new Layers.GlobalAveragePooling2D().Call(x);
        int units = numClasses == 2 ? 1 : numClasses;
        x = new Layers.Dropout(0.25).Call(x);
        return new Model(inputs, new Layers.Dense(units, activation: null).Call(x));
    }

    // Two classes told apart by brightness (dark cats, bright dogs), with noise, plus one JPEG cat.
    private string WritePets(int perClass)
    {
        string root = Temp.File("PetImages");
        foreach (var (cls, level) in new[] { ("Cat", 50f), ("Dog", 200f) })
        {
            Directory.CreateDirectory(Path.Combine(root, cls));
            for (int i = 0; i < perClass; i++)
            {
                using var noise = NF.Random.Uniform([20, 18, 3], level - 40, level + 40);
                using var pixels = NF.Cast(noise, DType.UInt8);
                File.WriteAllBytes(Path.Combine(root, cls, $"{i}.png"), NF.Image.EncodePng(pixels));
            }
        }
        File.Copy(Path.Combine(AppContext.BaseDirectory, "ImageCodecs", "Fixtures", "jpeg420.jpg"), Path.Combine(root, "Cat", "6779.jpg"));
        return root;
    }

    [SkippableFact]
    public void The_full_size_model_has_the_count_of_keras_formulas()
    {
        RequireBackend();
        var model = MakeModel([180, 180, 3], 2, 128, [256, 512, 728], 1024);
        // Conv 3*3*3*128+128, BN 4*128; per block (c_in -> s): separable 9c+cs+s, BN 4s, separable 9s+s*s+s,
        // BN 4s, residual c*s+s; separable 9*728+728*1024+1024, BN 4*1024, Dense 1024+1 (sum in Python).
        Assert.Equal(2_731_065, model.CountParams());
        Assert.Equal(8_288, model.NonTrainableVariables.Sum(v => v.Count));   // the BN moving means and variances
        Assert.Equal(new int?[] { null, 1 }, model.Outputs[0].Shape);
    }

    [SkippableFact]
    public void Trains_from_a_folder_checkpoints_each_epoch_and_scores_one_image()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        string root = WritePets(perClass: BackendName == "cuda" ? 6 : 12);
        (int, int) imageSize = (16, 16);
        var (trainDs, valDs) = Utils.ImageDatasetsFromDirectory(root, validationSplit: 0.2, seed: 1337, imageSize: imageSize, batchSize: 8, verbose: false);
        Assert.Equal(new[] { "Cat", "Dog" }, trainDs.ClassNames);
        Layer[] dataAugmentationLayers = [new Layers.RandomFlip("horizontal"), new Layers.RandomRotation(0.1)];
        Tensor DataAugmentation(Tensor images)
        {
            foreach (var layer in dataAugmentationLayers) images = layer.Call(images, training: true);
            return images;
        }
        var train = trainDs.Map((img, label) => (DataAugmentation(img), label)).Prefetch(Dataset.Autotune);
        var val = valDs.Prefetch(Dataset.Autotune);
        var model = MakeModel([16, 16, 3], 2, 8, [8, 16], 16);
        string checkpoints = Temp.File("ck");
        int epochs = BackendName == "cuda" ? 2 : 5;
        model.Compile(optimizer: new Optimizers.Adam(3e-3), loss: new Losses.BinaryCrossentropy(fromLogits: true),
            metrics: [new Metrics.BinaryAccuracy(name: "acc")]);
        var history = model.Fit(train, epochs: epochs, validationData: val, verbose: 0,
            callbacks: [new Callbacks.ModelCheckpoint(Path.Combine(checkpoints, "save_at_{epoch}.keras"))]);
        Assert.Equal(new[] { "loss", "acc", "val_loss", "val_acc" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        for (int e = 1; e <= epochs; e++) Assert.True(File.Exists(Path.Combine(checkpoints, $"save_at_{e}.keras")), $"save_at_{e}.keras");

        // img = load_img(path, target_size=image_size); img_array = expand_dims(img_to_array(img), 0)
        var img = Utils.LoadImg(Path.Combine(root, "Cat", "6779.jpg"), targetSize: imageSize);
        Assert.Equal(new[] { 16, 16, 3 }, img.Shape.ToArray());
        var imgArray = NF.ExpandDims(img, 0);
        var loaded = Model.Load(Path.Combine(checkpoints, $"save_at_{epochs}.keras"));
        var predictions = loaded.Predict(imgArray);
        Assert.Equal(new[] { 1, 1 }, predictions.Shape.ToArray());
        float score = NF.Sigmoid(predictions[0, 0]).Item<float>();
        Assert.InRange(score, 0f, 1f);
        // The last checkpoint is the trained model: the same logit.
        Assert.Equal(model.Predict(imgArray).Item<float>(), predictions.Item<float>(), 4);
    }

    [SkippableFact]
    public void Augmentation_inside_the_model_is_an_identity_at_inference()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        var augmentation = new Sequential(new Layers.RandomFlip("horizontal"), new Layers.RandomRotation(0.1));
        var model = MakeModel([16, 16, 3], 2, 4, [8], 8, augmentation);
        var images = NF.Random.Uniform([4, 16, 16, 3], 0, 255);
        var plain = new Model(model.Inputs[0], model.Outputs[0]);
        // Predict passes images through the random layers unchanged, so two predictions agree.
        Assert.Equal(model.Predict(images).ToArray<float>(), plain.Predict(images).ToArray<float>());
        var trained = augmentation.Call(images, training: true);
        Assert.NotEqual(images.ToArray<float>(), trained.ToArray<float>());
        model.Compile("adam", new Losses.BinaryCrossentropy(fromLogits: true));
        var h = model.Fit(images, NF.Constant(new float[] { 0, 1, 0, 1 }, [4, 1]), epochs: 2, verbose: 0);
        Assert.All(h["loss"], v => Assert.True(float.IsFinite(v)));
    }
}

/// <summary>The image classification example on the managed backend.</summary>
public sealed class ManagedImageClassificationExampleTests() : ImageClassificationExampleTests("managed");

/// <summary>The image classification example on the native CPU backend.</summary>
public sealed class NativeCpuImageClassificationExampleTests() : ImageClassificationExampleTests("cpu");

/// <summary>The image classification example on CUDA.</summary>
public sealed class CudaImageClassificationExampleTests() : ImageClassificationExampleTests("cuda");
