using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// TensorFlow's "Image classification" tutorial (site/en/tutorials/images/classification.ipynb) cell by
/// cell on a small synthetic flower folder: image_dataset_from_directory's training and validation
/// subsets, class_names, cache/shuffle/prefetch, Rescaling mapped over batches, a data_augmentation
/// Sequential (made with its input shape) as the first layer of the model, whose summary Keras prints
/// built, the augmentation seen by calling it directly, Dropout, softmax over Predict's logits and argmax
/// to a class name, and the exported model (TF Lite there, ONNX here) agreeing with Predict.
/// </summary>
public abstract class TutorialImageClassificationTests(string backend) : BackendFileTest(backend)
{
    private static readonly string[] Flowers = ["daisy", "dandelion", "roses", "sunflowers", "tulips"];
    private const int Size = 18;

    // Five classes of PNGs told apart by brightness, `perClass` of each, all Size x Size.
    private string WriteFlowers(int perClass)
    {
        string root = Temp.File("flower_photos");
        for (int c = 0; c < Flowers.Length; c++)
        {
            Directory.CreateDirectory(Path.Combine(root, Flowers[c]));
            for (int i = 0; i < perClass; i++)
            {
                using var noise = NF.Random.Uniform([Size, Size, 3], c * 45, c * 45 + 40);
                using var pixels = NF.Cast(noise, DType.UInt8);
                File.WriteAllBytes(Path.Combine(root, Flowers[c], $"{i}.png"), NF.Image.EncodePng(pixels));
            }
        }
        return root;
    }

    // The tutorial's data_augmentation: given an input shape, so the model it starts is built.
    private static Sequential DataAugmentation() => new(Layers.Input([Size, Size, 3]),
        new Layers.RandomFlip("horizontal"), new Layers.RandomRotation(0.1), new Layers.RandomZoom(0.1));

    private static Sequential Classifier(Layer augmentation) => new(
        augmentation,
        new Layers.Rescaling(1.0 / 255, name: "rescaling"),
        new Layers.Conv2D(16, 3, padding: "same", activation: "relu", name: "conv2d"),
        new Layers.MaxPooling2D(name: "max_pooling2d"),
        new Layers.Conv2D(32, 3, padding: "same", activation: "relu", name: "conv2d_1"),
        new Layers.MaxPooling2D(name: "max_pooling2d_1"),
        new Layers.Dropout(0.2, name: "dropout"),
        new Layers.Flatten(name: "flatten"),
        new Layers.Dense(128, activation: "relu", name: "dense"),
        new Layers.Dense(Flowers.Length, name: "outputs"));

    [SkippableFact]
    public void The_training_and_validation_subsets_of_one_seed_split_the_folder_and_rescale_to_unit_range()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        string root = WriteFlowers(perClass: 6);
        var trainDs = Utils.ImageDatasetFromDirectory(root, validationSplit: 0.2, subset: "training", seed: 123, imageSize: (Size, Size), batchSize: 8, verbose: false);
        var valDs = Utils.ImageDatasetFromDirectory(root, validationSplit: 0.2, subset: "validation", seed: 123, imageSize: (Size, Size), batchSize: 8, verbose: false);
        Assert.Equal(Flowers, trainDs.ClassNames);
        Assert.Equal(24, trainDs.FilePaths.Count);
        Assert.Equal(6, valDs.FilePaths.Count);
        Assert.Empty(trainDs.FilePaths.Intersect(valDs.FilePaths));

        foreach (var (imageBatch, labelsBatch) in trainDs)
        {
            Assert.Equal(new[] { 8, Size, Size, 3 }, imageBatch.Shape.ToArray());
            Assert.Equal(new[] { 8 }, labelsBatch.Shape.ToArray());
            Assert.Equal(DType.Int32, labelsBatch.DType);
            // class_names[labels[i]]: each label names the folder its image came from (by brightness here).
            int label = labelsBatch[0].Item<int>();
            Assert.InRange(NF.ReduceMean(imageBatch[0]).Item<float>(), label * 45f, label * 45f + 40f);
            break;
        }

        var train = trainDs.Cache().Shuffle(1000).Prefetch(Dataset.Autotune);
        var normalizationLayer = new Layers.Rescaling(1.0 / 255);
        var (images, _) = train.Map((x, y) => (normalizationLayer.Call(x), y)).First();
        var firstImage = images[0];
        Assert.InRange(NF.ReduceMin(firstImage).Item<float>(), 0f, 1f);
        Assert.InRange(NF.ReduceMax(firstImage).Item<float>(), 0f, 1f);
        Assert.True(NF.ReduceMax(firstImage).Item<float>() > NF.ReduceMin(firstImage).Item<float>());
    }

    [SkippableFact]
    public void A_model_that_starts_with_the_augmentation_sequential_is_built_for_its_summary()
    {
        RequireBackend();
        var model = Classifier(DataAugmentation());
        // Keras 3 builds a Sequential whose first layer is a model with an input: the summary the tutorial
        // prints has every shape and count before Fit. Conv 3*3*3*16+16, 3*3*16*32+32, Dense 4*4*32*128+128, 128*5+5.
        Assert.True(model.Built);
        Assert.Equal(448 + 4_640 + 65_664 + 645, model.CountParams());
        Assert.Equal(new int?[] { null, Size, Size, 3 }, model.Inputs[0].Shape);
        Assert.IsType<Sequential>(model.Layers[0]);
        var printed = new StringWriter();
        model.Summary(printed);
        string text = printed.ToString();
        Assert.Contains("(None, 18, 18, 3)", text);
        Assert.Contains("(None, 4, 4, 32)", text);
        Assert.Contains("Total params: 71,397", text);
        Assert.DoesNotContain("unbuilt", text);
    }

    [SkippableFact]
    public void Augmentation_layers_called_directly_augment_as_kerass_training_default_and_predict_does_not()
    {
        RequireBackend();
        NF.Random.SetSeed(22);
        var images = NF.Random.Uniform([6, Size, Size, 3], 0, 255);
        // augmented_images = data_augmentation(images): Keras' image layers default to training=True.
        var flip = new Layers.RandomFlip("horizontal", seed: 3);
        var flipped = flip.Call(images);
        var mirror = NF.Image.FlipLeftRight(images);
        int changed = 0;
        for (int i = 0; i < 6; i++)
        {
            // Each image is either itself or its mirror, exactly.
            bool same = flipped[i].ToArray<float>().SequenceEqual(images[i].ToArray<float>());
            Assert.True(same || flipped[i].ToArray<float>().SequenceEqual(mirror[i].ToArray<float>()), $"image {i} is neither itself nor its mirror");
            if (!same) changed++;
        }
        Assert.True(changed > 0, "no image of six was flipped");
        var augmentation = DataAugmentation();
        Assert.NotEqual(images.ToArray<float>(), augmentation.Call(images).ToArray<float>());
        // training: false, and Predict, pass the images through; Dropout's default stays inference.
        Assert.Equal(images.ToArray<float>(), augmentation.Call(images, training: false).ToArray<float>());
        Assert.Equal(images.ToArray<float>(), augmentation.Predict(images).ToArray<float>());
        Assert.Equal(images.ToArray<float>(), new Layers.Dropout(0.5).Call(images).ToArray<float>());

        var model = Classifier(augmentation);
        model.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var labels = NF.Constant(new[] { 0, 1, 2, 3, 4, 0 });
        var first = model.Evaluate(images, labels);
        Assert.Equal(first.Loss, model.Evaluate(images, labels).Loss);
        Assert.Equal(model.Predict(images).ToArray<float>(), model.Predict(images).ToArray<float>());
    }

    [SkippableFact]
    public void Softmax_of_predict_names_the_class_and_the_exported_model_agrees_with_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(23);
        string root = WriteFlowers(perClass: BackendName == "cuda" ? 3 : 6);
        var (trainDs, valDs) = Utils.ImageDatasetsFromDirectory(root, 0.2, seed: 123, imageSize: (Size, Size), batchSize: 8, verbose: false);
        var classNames = trainDs.ClassNames!;
        var model = Classifier(DataAugmentation());
        model.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var history = model.Fit(trainDs.Cache().Shuffle(1000).Prefetch(Dataset.Autotune), validationData: valDs.Cache(), epochs: 2, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys);

        // img = load_img(path, target_size); img_array = expand_dims(img_to_array(img), 0); score = softmax(predict(img_array)[0])
        var img = Utils.LoadImg(Path.Combine(root, "roses", "0.png"), targetSize: (Size, Size));
        var predictions = model.Predict(NF.ExpandDims(img, 0));
        var score = NF.Softmax(predictions[0]);
        Assert.Equal(1f, NF.ReduceSum(score).Item<float>(), 5);
        var best = NF.ArgMax(score);
        Assert.Equal(DType.Int64, best.DType);   // as np.argmax
        float[] scores = score.ToArray<float>();
        Assert.Equal(Array.IndexOf(scores, scores.Max()), (int)best.Item<long>());
        Assert.Contains(classNames[(int)best.Item<long>()], Flowers);

        // The tutorial converts the model (TF Lite) and compares the interpreter's logits with predict's.
        OnnxExportTests.AssertExportRuns(model, Temp.File("model.onnx"), [Size, Size, 3]);
    }
}

/// <summary>The image classification tutorial on the managed backend.</summary>
public sealed class ManagedTutorialImageClassificationTests() : TutorialImageClassificationTests("managed");

/// <summary>The image classification tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialImageClassificationTests() : TutorialImageClassificationTests("cpu");

/// <summary>The image classification tutorial on CUDA.</summary>
public sealed class CudaTutorialImageClassificationTests() : TutorialImageClassificationTests("cuda");
