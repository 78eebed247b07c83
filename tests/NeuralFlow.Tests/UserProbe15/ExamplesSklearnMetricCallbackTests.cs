using NeuralFlow.IO;
using NeuralFlow.Keras;
using NeuralFlow.Tests.CallbackTests;
using NeuralFlow.Tests.UserProbe13;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Evaluating and exporting scikit-learn metrics in a Keras callback" in C#: a callback
/// predicts the test set after each epoch, computes the mean per-class Jaccard score, and writes it
/// with <see cref="SummaryWriter"/> (tf.summary.create_file_writer / scalar), which the independent
/// event-file reader decodes at steps 1, 2, ... with the value the callback computed.
/// </summary>
public abstract class ExamplesSklearnMetricCallbackTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Jaccard_scores_are_sklearns()
    {
        RequireBackend();
        // Labels 0, 1, 2: {0}/{0} = 1, {}/{1, 3} = 0, {2}/{1, 2, 3} = 1/3.
        Assert.Equal(new[] { 1, 0, 1 / 3.0 }, JaccardScoreCallback.JaccardScores([0, 2, 2, 1], [0, 1, 2, 2]));
        // A label in neither is not scored.
        Assert.Equal(new[] { 1.0, 1.0 }, JaccardScoreCallback.JaccardScores([3, 5], [3, 5]));
    }

    [SkippableFact]
    public void Callback_writes_the_mean_jaccard_score_each_epoch()
    {
        RequireBackend();
        NF.Random.SetSeed(157);
        var (images, labels) = ExampleData.Digits(BackendName == "cuda" ? 30 : 60, seed: 8);
        var (testImages, testLabels) = ExampleData.Digits(20, seed: 9);
        var xTrain = NF.ExpandDims(images, -1);
        var xTest = NF.ExpandDims(testImages, -1);
        var yTrain = Utils.ToCategorical(labels, 10);
        var model = new Sequential(Layers.Input([28, 28, 1]), [
            new Layers.Conv2D(4, [3, 3], activation: "relu"),
            new Layers.MaxPooling2D([2, 2]),
            new Layers.Conv2D(8, [3, 3], activation: "relu"),
            new Layers.MaxPooling2D([2, 2]),
            new Layers.Flatten(),
            new Layers.Dropout(0.5),
            new Layers.Dense(10, activation: "softmax")], name: "sequential");
        model.Compile(loss: "categorical_crossentropy", optimizer: "adam", metrics: ["accuracy"]);
        var yTest = testLabels.ToArray<int>();
        using var callback = new JaccardScoreCallback(model.Name, xTest, yTest, Temp.File("logs"));
        var history = model.Fit(xTrain, yTrain, batchSize: 16, epochs: 2, validationSplit: 0.1, callbacks: [callback], verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys.ToArray());

        Assert.StartsWith(Path.Combine(Temp.File("logs"), "sequential", "events.out.tfevents."), callback.EventFile);
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var events = TensorBoardTests.Read(python, callback.EventFile);
        var scalars = events.Where(e => e.TryGetProperty("values", out _))
            .SelectMany(e => e.GetProperty("values").EnumerateArray().Select(v => (Step: e.GetProperty("step").GetInt64(), Tag: v.GetProperty("tag").GetString(), Value: v.GetProperty("simple_value").GetSingle())))
            .ToList();
        Assert.Equal(new long[] { 1, 2 }, scalars.Select(s => s.Step));
        Assert.All(scalars, s => Assert.Equal("jaccard_score", s.Tag));
        // The last epoch's value is the mean Jaccard score of the trained model's predictions.
        var predicted = NF.ArgMax(model.Predict(xTest, verbose: 0), -1).ToArray<long>().Select(v => (int)v).ToArray();
        Assert.Equal(JaccardScoreCallback.JaccardScores(predicted, yTest).Average(), scalars[^1].Value, 5);
    }

    [SkippableFact]
    public void Summary_writer_refuses_what_tensorboard_cannot_read()
    {
        RequireBackend();
        Assert.Throws<ArgumentException>(() => SummaryWriter.Create(" "));
        var writer = SummaryWriter.Create(Temp.File("plain"));
        Assert.Throws<ArgumentException>(() => writer.Scalar("", 1, 0));
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Scalar("x", 1, 0));
    }
}

/// <summary>The scikit-learn metric callback example on the managed backend.</summary>
public sealed class ManagedExamplesSklearnMetricCallbackTests() : ExamplesSklearnMetricCallbackTests("managed");

/// <summary>The scikit-learn metric callback example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesSklearnMetricCallbackTests() : ExamplesSklearnMetricCallbackTests("cpu");

/// <summary>The scikit-learn metric callback example on CUDA.</summary>
public sealed class CudaExamplesSklearnMetricCallbackTests() : ExamplesSklearnMetricCallbackTests("cuda");
