using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The TF2 halves of TensorFlow's "Migrate checkpoint saving" guide (guide/migrate/checkpoint_saver.ipynb) and of
/// "Migrate evaluation" (guide/migrate/evaluator.ipynb) in C#: ModelCheckpoint in a Fit compiled with stepsPerExecution,
/// file names with Keras' placeholders ({epoch:02d}, {val_loss:.2f}, {batch}), saveWeightsOnly, saveFreq in batches,
/// saveBestOnly with monitor and mode; the guide's own call, a checkpoint path that is a directory, which Keras 3
/// refuses when the callback is made; and the evaluator guide's sidecar evaluation, which in NeuralFlow is a loop
/// that loads each saved weights file into a second model and evaluates it (no SidecarEvaluator class: the guide's
/// tf.keras.utils.SidecarEvaluator polls a directory from another process, which the loop stands for).
/// </summary>
public abstract class MigrateCheckpointSaverTests(string backend) : BackendFileTest(backend)
{
    private static Tensor XTrain => NF.Sin(NF.Reshape(NF.Range(0f, 96 * 6), [96, 6]) * 0.53f);
    private static Tensor YTrain => NF.Constant(Enumerable.Range(0, 96).Select(i => i % 4).ToArray());

    // The guide's create_model, scaled: Dense(512, relu), Dropout(0.2), Dense(10, softmax).
    private static Sequential CreateModel(int stepsPerExecution = 1)
    {
        var model = new Sequential(Layers.Input([6]), new Layers.Dense(12, activation: "relu"), new Layers.Dropout(0.2), new Layers.Dense(4, activation: "softmax"));
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"], stepsPerExecution: stepsPerExecution);
        return model;
    }

    private static string[] Names(string dir) =>
        Directory.EnumerateFiles(dir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    [SkippableFact]
    public void Each_epoch_saves_a_loadable_model_named_by_its_epoch()
    {
        RequireBackend();
        var logDir = Temp.File("epochs");
        var model = CreateModel(stepsPerExecution: 10);
        var modelCheckpointCallback = new Callbacks.ModelCheckpoint(Path.Combine(logDir, "ckpt-{epoch:02d}.keras"));
        Assert.Equal(Path.Combine(logDir, "ckpt-{epoch:02d}.keras"), modelCheckpointCallback.Filepath);
        model.Fit(XTrain, YTrain, epochs: 3, verbose: 0, validationData: (XTrain, YTrain), callbacks: [modelCheckpointCallback]);

        // %ls {model_checkpoint_callback.filepath}: one file per epoch, epochs counted from 1.
        Assert.Equal(["ckpt-01.keras", "ckpt-02.keras", "ckpt-03.keras"], Names(logDir));
        var last = Model.Load(Path.Combine(logDir, "ckpt-03.keras"));
        Assert.Equal(model.Predict(XTrain).ToArray<float>(), last.Predict(XTrain).ToArray<float>());
    }

    [SkippableFact]
    public void Weights_only_names_take_the_logs_in_Python_format_specs()
    {
        RequireBackend();
        var logDir = Temp.File("weights");
        var model = CreateModel();
        var history = model.Fit(XTrain, YTrain, batchSize: 32, epochs: 2, verbose: 0, validationData: (XTrain, YTrain), callbacks:
            [new Callbacks.ModelCheckpoint(Path.Combine(logDir, "w-{epoch:02d}-{val_loss:.2f}-{accuracy:.3f}.weights.h5"), saveWeightsOnly: true)]);
        string Name(int epoch) =>
            FormattableString.Invariant($"w-{epoch + 1:00}-{history["val_loss"][epoch]:F2}-{history["accuracy"][epoch]:F3}.weights.h5");
        Assert.Equal([Name(0), Name(1)], Names(logDir));

        // The weights file takes only weights: a fresh model of the same layers loads the last one.
        var other = CreateModel();
        other.LoadWeights(Path.Combine(logDir, Name(1)));
        Assert.Equal(model.Predict(XTrain).ToArray<float>(), other.Predict(XTrain).ToArray<float>());
    }

    [SkippableFact]
    public void SaveFreq_in_batches_counts_across_epochs_and_names_the_batch_of_its_epoch()
    {
        RequireBackend();
        var logDir = Temp.File("batches");
        var model = CreateModel();
        // 96 examples in batches of 16: 6 batches an epoch; every 4 batches is after batch 4 of epoch 1,
        // batch 2 and batch 6 of epoch 2, batch 4 of epoch 3 (Keras formats batch + 1).
        model.Fit(XTrain, YTrain, batchSize: 16, epochs: 3, verbose: 0, callbacks:
            [new Callbacks.ModelCheckpoint(Path.Combine(logDir, "b-{epoch:02d}-{batch:02d}.weights.h5"), saveWeightsOnly: true, saveFreq: 4)]);
        Assert.Equal(["b-01-04.weights.h5", "b-02-02.weights.h5", "b-02-06.weights.h5", "b-03-04.weights.h5"], Names(logDir));
    }

    [SkippableFact]
    public void SaveBestOnly_saves_only_at_epochs_that_improve_the_monitored_log_in_its_mode()
    {
        RequireBackend();
        var logDir = Temp.File("best");
        var model = CreateModel();
        var history = model.Fit(XTrain, YTrain, batchSize: 8, epochs: 6, verbose: 0, validationData: (XTrain, YTrain), callbacks:
        [
            new Callbacks.ModelCheckpoint(Path.Combine(logDir, "acc-{epoch:02d}.weights.h5"), monitor: "val_accuracy", mode: "max", saveBestOnly: true, saveWeightsOnly: true),
            new Callbacks.ModelCheckpoint(Path.Combine(logDir, "loss-{epoch:02d}.weights.h5"), monitor: "val_loss", saveBestOnly: true, saveWeightsOnly: true),
        ]);
        // What Keras saves: each epoch whose value beats every earlier one (strictly), the first always.
        static IEnumerable<int> Improving(IReadOnlyList<float> values, bool max)
        {
            double best = max ? double.NegativeInfinity : double.PositiveInfinity;
            for (int e = 0; e < values.Count; e++)
                if (max ? values[e] > best : values[e] < best)
                {
                    best = values[e];
                    yield return e + 1;
                }
        }
        var expected = Improving(history["val_accuracy"], max: true).Select(e => $"acc-{e:00}.weights.h5")
            .Concat(Improving(history["val_loss"], max: false).Select(e => $"loss-{e:00}.weights.h5"))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, Names(logDir));
        Assert.Contains("loss-01.weights.h5", expected);
    }

    [SkippableFact]
    public void A_checkpoint_path_that_is_a_directory_is_refused_when_the_callback_is_made()
    {
        RequireBackend();
        // The guide's ModelCheckpoint(filepath=log_dir), log_dir = tempfile.mkdtemp(): Keras 3 refuses the name
        // (it must end in .keras); here it would have failed after the first epoch, writing over a directory.
        var logDir = Temp.File("dir");
        Directory.CreateDirectory(logDir);
        var e = Assert.Throws<ArgumentException>(() => new Callbacks.ModelCheckpoint(logDir));
        Assert.Contains("directory", e.Message);
        Assert.Contains(".keras", e.Message);
        Assert.Equal("filepath", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new Callbacks.ModelCheckpoint(logDir + Path.DirectorySeparatorChar, saveWeightsOnly: true));
        Assert.Contains(".weights.h5", e.Message);
    }

    [SkippableFact]
    public void A_sidecar_loop_evaluates_each_saved_checkpoint()
    {
        RequireBackend();
        var logDir = Temp.File("sidecar");
        var model = CreateModel(stepsPerExecution: 10);
        model.Fit(XTrain, YTrain, epochs: 2, verbose: 0, callbacks:
            [new Callbacks.ModelCheckpoint(Path.Combine(logDir, "ckpt-{epoch}.weights.h5"), saveWeightsOnly: true)]);
        var trained = model.Evaluate(XTrain, YTrain, batchSize: 64);

        // SidecarEvaluator(model=..., data=..., checkpoint_dir=log_dir): the evaluating model is another one.
        var evaluator = CreateModel();
        var results = new List<EvaluationResult>();
        foreach (var file in Names(logDir))
        {
            evaluator.LoadWeights(Path.Combine(logDir, file));
            results.Add(evaluator.Evaluate(XTrain, YTrain, batchSize: 64));
        }
        Assert.Equal(["ckpt-1.weights.h5", "ckpt-2.weights.h5"], Names(logDir));
        Assert.Equal(trained["loss"], results[^1]["loss"], 1e-5f);
        Assert.Equal(trained["accuracy"], results[^1]["accuracy"]);
    }
}

/// <summary>The checkpoint-saving migration guide on the managed backend.</summary>
public sealed class ManagedMigrateCheckpointSaverTests() : MigrateCheckpointSaverTests("managed");

/// <summary>The checkpoint-saving migration guide on the native CPU backend.</summary>
public sealed class NativeCpuMigrateCheckpointSaverTests() : MigrateCheckpointSaverTests("cpu");

/// <summary>The checkpoint-saving migration guide on CUDA.</summary>
public sealed class CudaMigrateCheckpointSaverTests() : MigrateCheckpointSaverTests("cuda");
