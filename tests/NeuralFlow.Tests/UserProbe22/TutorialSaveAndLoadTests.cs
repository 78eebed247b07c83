using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// TensorFlow's "Save and load models" tutorial (site/en/tutorials/keras/save_and_load.ipynb) cell by cell on a
/// small MNIST-like stand-in (64 pixels, 100 training and 50 test images): ModelCheckpoint with save_weights_only
/// into training_1/cp.weights.h5, load_weights into a fresh model, epoch-numbered checkpoints
/// cp-{epoch:04d}.weights.h5 every 5 epochs (save_freq = 5 * n_batches) and the latest one picked from the folder,
/// save_weights / load_weights by hand, and the whole model as .keras and as Keras 2's .h5 with load_model.
/// Each restored model evaluates exactly as the model it was saved from.
/// </summary>
public abstract class TutorialSaveAndLoadTests(string backend) : BackendFileTest(backend)
{
    private const int Pixels = 64;

    // Ten classes told apart by which eighth of the image is bright.
    private static (Tensor Images, Tensor Labels) Mnist(int count, int seed)
    {
        var random = new Random(seed);
        var images = new float[count, Pixels];
        var labels = new long[count];
        for (int n = 0; n < count; n++)
        {
            int label = random.Next(10);
            labels[n] = label;
            for (int p = 0; p < Pixels; p++) images[n, p] = (float)((p / 8 == label % 8 ? 200 : 0) + (label >= 8 ? 40 : 0) + random.Next(50));
        }
        return (NF.Constant(images) / 255.0, NF.Constant(labels));
    }

    private static Sequential CreateModel()
    {
        var model = new Sequential(
            new Layers.Dense(512, activation: "relu") { InputShape = [Pixels] },   // keras.layers.Dense(512, activation='relu', input_shape=(784,))
            new Layers.Dropout(0.2),
            new Layers.Dense(10));
        model.Compile(optimizer: "adam", loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: [new Metrics.SparseCategoricalAccuracy()]);
        return model;
    }

    [SkippableFact]
    public void Checkpoints_weights_and_whole_models_restore_the_same_evaluation()
    {
        RequireBackend();
        NF.Random.SetSeed(2205);
        var (trainImages, trainLabels) = Mnist(100, 1);
        var (testImages, testLabels) = Mnist(50, 2);
        var model = CreateModel();
        string summary = model.SummaryText();
        // 64 * 512 + 512 and 512 * 10 + 10 parameters, 4 bytes each.
        Assert.Contains("Total params: 38,410 (150.04 KB)", summary);
        Assert.Contains("(None, 512)", summary);

        // cp_callback = ModelCheckpoint(filepath="training_1/cp.weights.h5", save_weights_only=True, verbose=1)
        string checkpointPath = Temp.File(Path.Combine("training_1", "cp.weights.h5"));
        string checkpointDir = Path.GetDirectoryName(checkpointPath)!;
        var cpCallback = new Callbacks.ModelCheckpoint(checkpointPath, saveWeightsOnly: true);
        model.Fit(trainImages, trainLabels, epochs: 4, validationData: (testImages, testLabels), callbacks: [cpCallback], verbose: 0);
        Assert.Equal(new[] { "cp.weights.h5" }, Directory.GetFiles(checkpointDir).Select(Path.GetFileName));
        var (trainedLoss, trainedAcc) = model.Evaluate(testImages, testLabels, verbose: 0);
        Assert.True(trainedAcc > 0.5, $"trained accuracy {trainedAcc}");

        // A basic model instance: untrained, then with the checkpoint's weights.
        model = CreateModel();
        var (_, untrainedAcc) = model.Evaluate(testImages, testLabels, verbose: 0);
        Assert.True(untrainedAcc < trainedAcc, $"untrained {untrainedAcc}, trained {trainedAcc}");
        model.LoadWeights(checkpointPath);
        var (loss, acc) = model.Evaluate(testImages, testLabels, verbose: 0);
        Assert.Equal(trainedLoss, loss);
        Assert.Equal(trainedAcc, acc);

        // checkpoint_path = "training_2/cp-{epoch:04d}.weights.h5", saved every 5 epochs.
        checkpointPath = Temp.File(Path.Combine("training_2", "cp-{epoch:04d}.weights.h5"));
        checkpointDir = Path.GetDirectoryName(checkpointPath)!;
        Directory.CreateDirectory(checkpointDir);
        const int batchSize = 32;
        int nBatches = (int)Math.Ceiling(100 / (double)batchSize);
        cpCallback = new Callbacks.ModelCheckpoint(checkpointPath, saveWeightsOnly: true, saveFreq: 5 * nBatches);
        Assert.Equal(20, cpCallback.SaveEvery);
        model = CreateModel();
        model.SaveWeights(checkpointPath.Replace("{epoch:04d}", 0.ToString("D4")));   // checkpoint_path.format(epoch=0)
        model.Fit(trainImages, trainLabels, epochs: 10, batchSize: batchSize, callbacks: [cpCallback], validationData: (testImages, testLabels), verbose: 0);
        var files = Directory.GetFiles(checkpointDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "cp-0000.weights.h5", "cp-0005.weights.h5", "cp-0010.weights.h5" }, files);
        // load_latest_checkpoint: the file of the highest epoch number.
        string latest = Path.Combine(checkpointDir, files.MaxBy(f => int.Parse(f!.Split('-')[1].Split('.')[0]))!);
        Assert.EndsWith("cp-0010.weights.h5", latest);
        var (lastLoss, lastAcc) = model.Evaluate(testImages, testLabels, verbose: 0);
        var restored = CreateModel();
        restored.LoadWeights(latest);
        var (restoredLoss, restoredAcc) = restored.Evaluate(testImages, testLabels, verbose: 0);
        Assert.Equal(lastLoss, restoredLoss);
        Assert.Equal(lastAcc, restoredAcc);
        // The epoch-5 weights are other weights: that file is a checkpoint of its own.
        restored.LoadWeights(Path.Combine(checkpointDir, "cp-0005.weights.h5"));
        Assert.NotEqual(lastLoss, restored.Evaluate(testImages, testLabels, verbose: 0).Loss);

        // Save the weights by hand and restore them into a new instance.
        string manual = Temp.File(Path.Combine("checkpoints", "my_checkpoint.weights.h5"));
        Directory.CreateDirectory(Path.GetDirectoryName(manual)!);
        model.SaveWeights(manual);
        var fresh = CreateModel();
        fresh.LoadWeights(manual);
        Assert.Equal(lastLoss, fresh.Evaluate(testImages, testLabels, verbose: 0).Loss);

        // The whole model as a .keras zip archive, and as Keras 2's HDF5 file.
        model = CreateModel();
        model.Fit(trainImages, trainLabels, epochs: 2, verbose: 0);
        var (savedLoss, savedAcc) = model.Evaluate(testImages, testLabels, verbose: 0);
        foreach (string name in new[] { "my_model.keras", "my_model.h5" })
        {
            string path = Temp.File(name);
            model.Save(path);
            var newModel = Models.LoadModel(path);
            Assert.Equal(WithoutName(model.SummaryText()), WithoutName(newModel.SummaryText()));
            var (newLoss, newAcc) = newModel.Evaluate(testImages, testLabels, verbose: 0);
            Assert.Equal(savedLoss, newLoss);
            Assert.Equal(savedAcc, newAcc);
            Assert.Equal(new[] { 50, 10 }, newModel.Predict(testImages).Shape.ToArray());
            // The optimizer comes back too: training continues from the same step.
            Assert.Equal(model.Optimizer!.Iterations, newModel.Optimizer!.Iterations);
        }
    }

    // A summary without its first line (the model's name, which a loaded model may number differently).
    private static string WithoutName(string summary) => string.Join("\n", summary.ReplaceLineEndings("\n").Split('\n').Skip(1));
}

/// <summary>The save-and-load tutorial on the managed backend.</summary>
public sealed class ManagedTutorialSaveAndLoadTests() : TutorialSaveAndLoadTests("managed");

/// <summary>The save-and-load tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialSaveAndLoadTests() : TutorialSaveAndLoadTests("cpu");

/// <summary>The save-and-load tutorial on CUDA.</summary>
public sealed class CudaTutorialSaveAndLoadTests() : TutorialSaveAndLoadTests("cuda");
