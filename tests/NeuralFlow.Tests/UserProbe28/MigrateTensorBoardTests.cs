using System.Text.Json;
using NeuralFlow.Keras;
using NeuralFlow.Tests.CallbackTests;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The TF2 half of TensorFlow's "Migrate TensorBoard" guide (guide/migrate/tensorboard.ipynb) in C#: the TensorBoard
/// callback with histogramFreq 1 in a Fit compiled with stepsPerExecution 10, on the guide's named layers. The event
/// files are read back by the independent reader (CallbackTests/read_tfevents.py), and what they hold is what Keras
/// writes, tag for tag and step for step: in train/, epoch_loss, epoch_accuracy and epoch_learning_rate at the epoch,
/// the "&lt;layer&gt;/&lt;weight&gt;/histogram" of each layer weight (Keras 3's weight.path), the model summary; in
/// validation/, epoch_loss and epoch_accuracy at the epoch, and evaluation_loss_vs_iterations and
/// evaluation_accuracy_vs_iterations at the optimizer's step count after each validation (Keras' on_test_end), also
/// from an Evaluate given the callback.
/// </summary>
public abstract class MigrateTensorBoardTests(string backend) : BackendFileTest(backend)
{
    private static Tensor XTrain => NF.Sin(NF.Reshape(NF.Range(0f, 40 * 4 * 4), [40, 4, 4]) * 0.29f);
    private static Tensor YTrain => NF.Constant(Enumerable.Range(0, 40).Select(i => i % 3).ToArray());

    private static Sequential CreateModel() => new(
        Layers.Input([4, 4]),
        new Layers.Flatten(name: "layers_flatten"),
        new Layers.Dense(8, activation: "relu", name: "layers_dense"),
        new Layers.Dropout(0.2, name: "layers_dropout"),
        new Layers.Dense(3, activation: "softmax", name: "layers_dense_2"));

    private static List<(long Step, string Tag, JsonElement Value)> Values(string file) =>
        TensorBoardTests.Read("/usr/bin/python3", file)
            .SelectMany(e => e.TryGetProperty("values", out var vs)
                ? vs.EnumerateArray().Select(v => (e.TryGetProperty("step", out var s) ? s.GetInt64() : 0, v.GetProperty("tag").GetString()!, v))
                : [])
            .ToList();

    private static float[] Scalars(List<(long Step, string Tag, JsonElement Value)> values, string tag, out long[] steps)
    {
        var picked = values.Where(v => v.Tag == tag).OrderBy(v => v.Step).ToList();
        steps = picked.Select(v => v.Step).ToArray();
        return picked.Select(v => v.Value.GetProperty("simple_value").GetSingle()).ToArray();
    }

    [SkippableFact]
    public void Fit_writes_the_tags_and_steps_Keras_writes()
    {
        RequireBackend();
        var model = CreateModel();
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"], stepsPerExecution: 10);
        var logDir = Temp.File("logs");
        var tensorboardCallback = new Callbacks.TensorBoard(logDir: logDir, histogramFreq: 1);
        Assert.Equal(logDir, tensorboardCallback.LogDir);
        // 40 examples in batches of 8: 5 steps an epoch.
        var history = model.Fit(XTrain, YTrain, batchSize: 8, epochs: 3, verbose: 0, validationData: (XTrain, YTrain), callbacks: [tensorboardCallback]);

        var train = Values(tensorboardCallback.TrainEventFile!);
        var weightTags = new[] { "layers_dense/kernel", "layers_dense/bias", "layers_dense_2/kernel", "layers_dense_2/bias" }.Select(w => w + "/histogram");
        Assert.Equal(new[] { "epoch_accuracy", "epoch_learning_rate", "epoch_loss", "keras_model_summary" }.Concat(weightTags).Order(StringComparer.Ordinal),
                     train.Select(v => v.Tag).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(history["loss"], Scalars(train, "epoch_loss", out var steps));
        Assert.Equal([0L, 1, 2], steps);
        Assert.Equal(history["accuracy"], Scalars(train, "epoch_accuracy", out steps));
        Assert.Equal([0.001f, 0.001f, 0.001f], Scalars(train, "epoch_learning_rate", out _));
        foreach (var tag in weightTags) Assert.Equal([0L, 1, 2], train.Where(v => v.Tag == tag).Select(v => v.Step).Order());

        var validation = Values(tensorboardCallback.ValidationEventFile!);
        Assert.Equal(new[] { "epoch_accuracy", "epoch_loss", "evaluation_accuracy_vs_iterations", "evaluation_loss_vs_iterations" },
                     validation.Select(v => v.Tag).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(history["val_loss"], Scalars(validation, "epoch_loss", out steps));
        Assert.Equal([0L, 1, 2], steps);
        Assert.Equal(history["val_loss"], Scalars(validation, "evaluation_loss_vs_iterations", out steps));
        Assert.Equal([5L, 10, 15], steps);
        Assert.Equal(history["val_accuracy"], Scalars(validation, "evaluation_accuracy_vs_iterations", out _));
    }

    [SkippableFact]
    public void Evaluate_given_the_callback_writes_its_values_at_the_optimizer_step()
    {
        RequireBackend();
        var model = CreateModel();
        model.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        model.Fit(XTrain, YTrain, batchSize: 10, epochs: 2, verbose: 0);
        var board = new Callbacks.TensorBoard(Temp.File("eval"));
        var result = model.Evaluate(XTrain, YTrain, batchSize: 20, callbacks: [board]);

        var validation = Values(board.ValidationEventFile!);
        Assert.Equal([result["loss"]], Scalars(validation, "evaluation_loss_vs_iterations", out var steps));
        Assert.Equal([8L], steps);
        Assert.Equal([result["accuracy"]], Scalars(validation, "evaluation_accuracy_vs_iterations", out _));
        Assert.Null(board.TrainEventFile);
    }
}

/// <summary>The TensorBoard migration guide on the managed backend.</summary>
public sealed class ManagedMigrateTensorBoardTests() : MigrateTensorBoardTests("managed");

/// <summary>The TensorBoard migration guide on the native CPU backend.</summary>
public sealed class NativeCpuMigrateTensorBoardTests() : MigrateTensorBoardTests("cpu");

/// <summary>The TensorBoard migration guide on CUDA.</summary>
public sealed class CudaMigrateTensorBoardTests() : MigrateTensorBoardTests("cuda");
