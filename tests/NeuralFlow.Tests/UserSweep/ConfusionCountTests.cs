using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// keras.metrics.TruePositives, FalsePositives, TrueNegatives, FalseNegatives on every engine, as
/// Keras' imbalanced-data tutorial compiles them next to Precision, Recall and AUC. They did not
/// exist.
/// </summary>
public abstract class ConfusionCountTests(string backend) : BackendFileTest(backend)
{
    private static Tensor T(params float[] values) => NF.Constant(values);

    // The docstring examples of keras/src/metrics/confusion_metrics.py: each count is 2 unweighted
    // and 1 with sample_weight [0, 0, 1, 0].
    [SkippableFact]
    public void Counts_give_their_keras_docstring_values()
    {
        RequireBackend();
        (Metrics.ConfusionCount Metric, float[] YTrue, float[] YPred)[] cases =
        [
            (new Metrics.TruePositives(), [0, 1, 1, 1], [1, 0, 1, 1]),
            (new Metrics.FalsePositives(), [0, 1, 0, 0], [0, 0, 1, 1]),
            (new Metrics.TrueNegatives(), [0, 1, 0, 0], [1, 1, 0, 0]),
            (new Metrics.FalseNegatives(), [0, 1, 1, 1], [0, 1, 0, 0]),
        ];
        foreach (var (metric, yTrue, yPred) in cases)
        {
            metric.UpdateState(T(yTrue), T(yPred));
            Assert.Equal(2f, metric.Result());
            metric.ResetState();
            metric.UpdateState(T(yTrue), T(yPred), T(0, 0, 1, 0));
            Assert.Equal(1f, metric.Result());
        }
        // Several thresholds give one count each: predictions 0.2, 0.6, 0.9 of positives at 0.5 and 0.7.
        var tp = new Metrics.TruePositives([0.5, 0.7]);
        tp.UpdateState(T(1, 1, 1), T(0.2f, 0.6f, 0.9f));
        Assert.Equal([2.0, 1.0], tp.ResultValues());
    }

    [SkippableFact]
    public void Counts_log_in_fit_and_survive_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var x = NF.Random.Normal([20, 3]);
        var y = NF.Cast(NF.Random.Uniform([20, 1]) > 0.5f, DType.Float32);
        var model = new Sequential(new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.SGD(0.1), "binary_crossentropy",
            [new Metrics.TruePositives(name: "tp"), new Metrics.FalsePositives(name: "fp"), new Metrics.TrueNegatives(name: "tn"), new Metrics.FalseNegatives(0.3, name: "fn")]);
        model.Fit(x, y, batchSize: 6, epochs: 1, verbose: 0);
        var result = model.Evaluate(x, y, batchSize: 6);
        // At threshold 0.5 the four cells of 20 examples add up to 20.
        Assert.Equal(20f, result["tp"] + result["fp"] + result["tn"] + new Metrics.FalseNegatives().Call(y, model.Predict(x)));
        model.Save(Temp.File("m.keras"));
        var loaded = Model.Load(Temp.File("m.keras")).Evaluate(x, y, batchSize: 6);
        Assert.Equal(result.Values, loaded.Values);
    }
}

public sealed class ManagedConfusionCountTests() : ConfusionCountTests("managed");

public sealed class NativeCpuConfusionCountTests() : ConfusionCountTests("cpu");

public sealed class CudaConfusionCountTests() : ConfusionCountTests("cuda");
