using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Keras16.MetricData;

namespace NeuralFlow.Tests.Breadth4;

/// <summary>
/// Keras 3's PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity and
/// SpecificityAtSensitivity (keras/src/metrics/confusion_metrics.py) on every backend. The
/// "docstring" numbers are the published ones of each class's example, used exactly; the others
/// were computed with numpy at /usr/bin/python3 from Keras' formula (confusion cells at the
/// thresholds 0, 1/(n-1), ..., 1 with a strict "prediction > threshold", then the largest
/// dependent rate over the thresholds whose constrained rate is >= the target, 0 if none), as
/// each line says. Closeness is Keras' metric-test tolerance, 1e-3.
/// </summary>
public abstract class RateAtRateMetricTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Y5 => T([0, 0, 0, 1, 1]);
    private static Tensor P5 => T([0, 0.3, 0.8, 0.3, 0.8]);

    [SkippableFact]
    public void Docstring_examples_give_keras_numbers()
    {
        RequireBackend();
        var sensitivity = new Metrics.SensitivityAtSpecificity(0.5);
        Near(0.5, sensitivity.Call(Y5, P5));
        sensitivity.ResetState();
        Near(0.333333, sensitivity.Call(Y5, P5, T([1, 1, 2, 2, 1])));

        var specificity = new Metrics.SpecificityAtSensitivity(0.5);
        Near(0.66666667, specificity.Call(Y5, P5));
        specificity.ResetState();
        Near(0.5, specificity.Call(Y5, P5, T([1, 1, 2, 2, 2])));

        var precision = new Metrics.PrecisionAtRecall(0.5);
        Near(0.5, precision.Call(Y5, P5));
        precision.ResetState();
        Near(0.33333333, precision.Call(Y5, P5, T([2, 2, 2, 1, 1])));

        var recall = new Metrics.RecallAtPrecision(0.8);
        Near(0.5, recall.Call(T([0, 0, 1, 1]), T([0, 0.5, 0.3, 0.9])));
        recall.ResetState();
        Near(1.0, recall.Call(T([0, 0, 1, 1]), T([0, 0.5, 0.3, 0.9]), T([1, 0, 0, 1])));
    }

    [SkippableFact]
    public void Class_id_thresholds_and_streaming_follow_keras_formula()
    {
        RequireBackend();
        // class_id 1 of six 3-class rows: targets [1, 0, 1, 0, 1, 0], predictions [.7, .3, .4, .5, .2, .6] (numpy).
        var yTrue = T([0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0], 6, 3);
        var yPred = T([.1, .7, .2, .6, .3, .1, .3, .4, .3, .2, .5, .3, .5, .2, .3, .2, .6, .2], 6, 3);
        Near(1 / 3.0, new Metrics.SensitivityAtSpecificity(0.6, classId: 1).Call(yTrue, yPred));
        Near(1 / 3.0, new Metrics.SpecificityAtSensitivity(0.6, classId: 1).Call(yTrue, yPred));
        Near(0.5, new Metrics.PrecisionAtRecall(0.6, classId: 1).Call(yTrue, yPred));
        Near(1 / 3.0, new Metrics.RecallAtPrecision(0.6, classId: 1).Call(yTrue, yPred));

        // One threshold is 0.5; three are 0, 0.5, 1 (numpy): [sas, sps, par, rap] at target 0.5.
        double[] Four(int n) =>
        [
            new Metrics.SensitivityAtSpecificity(0.5, n).Call(Y5, P5), new Metrics.SpecificityAtSensitivity(0.5, n).Call(Y5, P5),
            new Metrics.PrecisionAtRecall(0.5, n).Call(Y5, P5), new Metrics.RecallAtPrecision(0.5, n).Call(Y5, P5),
        ];
        Near([0.5, 0.6666667, 0.5, 0.5], Four(1));
        Near([0.5, 0.6666667, 0.5, 1.0], Four(3));
        Assert.Equal([0.5], new Metrics.PrecisionAtRecall(0.5, 1).Thresholds);
        Assert.Equal([0, 0.5, 1], new Metrics.PrecisionAtRecall(0.5, 3).Thresholds);
        Assert.Equal(200, new Metrics.RecallAtPrecision(0.5).Thresholds.Count);

        // An unreachable precision gives recall 0 (the docstring's "might not be achievable").
        Assert.Equal(0f, new Metrics.RecallAtPrecision(1.0).Call(T([0, 1]), T([0.9, 0.1])));
        Assert.Equal(0f, new Metrics.PrecisionAtRecall(0.5).Result());

        // Two batches count as their concatenation; the state is Keras' four variables.
        var streamed = new Metrics.SensitivityAtSpecificity(0.5);
        streamed.UpdateState(Y5[..2], P5[..2], T([1, 1]));
        streamed.UpdateState(Y5[2..], P5[2..], T([2, 2, 1]));
        Near(0.333333, streamed.Result());
        Assert.Equal(["true_positives", "false_positives", "true_negatives", "false_negatives"], streamed.Variables.Select(v => v.Name));
    }

    [SkippableFact]
    public void Bad_arguments_are_named()
    {
        RequireBackend();
        Assert.Equal("recall", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.PrecisionAtRecall(1.5)).ParamName);
        Assert.Equal("precision", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.RecallAtPrecision(-0.1)).ParamName);
        Assert.Equal("specificity", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.SensitivityAtSpecificity(double.NaN)).ParamName);
        var sensitivity = Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.SpecificityAtSensitivity(2));
        Assert.Equal("sensitivity", sensitivity.ParamName);
        Assert.Contains("sensitivity must be in [0, 1]", sensitivity.Message);
        Assert.Equal("numThresholds", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.PrecisionAtRecall(0.5, 0)).ParamName);
        Assert.Equal("numThresholds", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.RecallAtPrecision(0.5, -3)).ParamName);
        Assert.Equal("classId", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.SensitivityAtSpecificity(0.5, classId: -1)).ParamName);
        var range = Assert.Throws<ArgumentException>(() => new Metrics.PrecisionAtRecall(0.5, classId: 3).UpdateState(T([0, 1, 0], 1, 3), T([0.2, 0.5, 0.3], 1, 3)));
        Assert.Contains("classId 3 is out of range", range.Message);
        var weights = Assert.Throws<ArgumentException>(() => new Metrics.RecallAtPrecision(0.5).UpdateState(Y5, P5, T([1, 2])));
        Assert.Equal("sampleWeight", weights.ParamName);
    }

    [SkippableFact]
    public void Names_configs_and_compile_strings()
    {
        RequireBackend();
        Metrics.SensitivitySpecificityBase[] all =
        [
            new Metrics.PrecisionAtRecall(0.7), new Metrics.RecallAtPrecision(0.6, 50), new Metrics.SensitivityAtSpecificity(0.4, 1, 2),
            new Metrics.SpecificityAtSensitivity(0.3, 7, name: "spec"),
        ];
        Assert.Equal(["precision_at_recall", "recall_at_precision", "sensitivity_at_specificity", "spec"], all.Select(m => m.Name));
        // Keras' get_config keys: name, class_id, num_thresholds and the target under its own name.
        Assert.Equal(new Dictionary<string, object?> { ["name"] = "sensitivity_at_specificity", ["class_id"] = 2, ["num_thresholds"] = 1, ["specificity"] = 0.4 },
            all[2].GetConfig());
        foreach (var m in all)
        {
            var json = JsonSerializer.Serialize(m.GetConfig());
            var back = Metrics.FromConfig(m.GetType().Name, JsonNode.Parse(json)!.AsObject());
            Assert.IsType(m.GetType(), back);
            Assert.Equal(json, JsonSerializer.Serialize(((Metrics.PredictionMetric)back).GetConfig()));
        }
        // Keras' compile resolves these names to classes whose target has no default, and fails: so does Get, naming it.
        foreach (var (name, argument, type) in new[]
        {
            ("precision_at_recall", "recall", "PrecisionAtRecall"), ("recall_at_precision", "precision", "RecallAtPrecision"),
            ("sensitivity_at_specificity", "specificity", "SensitivityAtSpecificity"), ("specificity_at_sensitivity", "sensitivity", "SpecificityAtSensitivity"),
        })
        {
            var e = Assert.Throws<ArgumentException>(() => Metrics.Get(name));
            Assert.Contains($"Keras' {argument} argument", e.Message);
            Assert.Contains($"new Metrics.{type}(", e.Message);
            var model = new Sequential(new Layers.Dense(1, activation: "sigmoid"));
            Assert.Throws<ArgumentException>(() => model.Compile("sgd", "binary_crossentropy", [name]));
        }
    }

    [SkippableFact]
    public void Compile_and_Fit_log_them_and_save_load_resumes_identically()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var x = NF.Random.Uniform([40, 3]);
        var y = NF.Cast(NF.Greater(NF.ReduceSum(x, -1, keepDims: true), 1.5), DType.Float32);
        var model = new Sequential(new Layers.Dense(4, activation: "relu"), new Layers.Dense(1, activation: "sigmoid"));
        // Learning rate 0: the weights stay, so the epoch's value is the metric over Predict of all of x.
        model.Compile(new Optimizers.SGD(0f), "binary_crossentropy",
        [
            new Metrics.PrecisionAtRecall(0.8), new Metrics.RecallAtPrecision(0.7, 50), new Metrics.SensitivityAtSpecificity(0.6),
            new Metrics.SpecificityAtSensitivity(0.9, name: "spec_at_90"),
        ]);
        var history = model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false, validationData: (x, y));
        var predicted = model.Predict(x);
        Near(new Metrics.PrecisionAtRecall(0.8).Call(y, predicted), history["precision_at_recall"][0]);
        Near(new Metrics.RecallAtPrecision(0.7, 50).Call(y, predicted), history["val_recall_at_precision"][0]);
        Near(new Metrics.SensitivityAtSpecificity(0.6).Call(y, predicted), history["sensitivity_at_specificity"][0]);
        Near(new Metrics.SpecificityAtSensitivity(0.9).Call(y, predicted), history["spec_at_90"][0]);

        model.Compile(new Optimizers.Adam(0.05f), "binary_crossentropy",
            [new Metrics.PrecisionAtRecall(0.8, 20), new Metrics.SpecificityAtSensitivity(0.9, name: "spec_at_90")]);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        var loaded = Model.Load(SaveTo(model, "rates.nfmodel"));
        NF.Random.SetSeed(3);
        var h1 = model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        NF.Random.SetSeed(3);
        var h2 = loaded.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        Assert.Equal(h1.Keys.Order(), h2.Keys.Order());
        Assert.Contains("spec_at_90", h2.Keys);
        foreach (var key in h1.Keys) Assert.True(h1[key].SequenceEqual(h2[key]), $"{key}: {string.Join(",", h1[key])} vs {string.Join(",", h2[key])}");
    }
}

public sealed class ManagedRateAtRateMetricTests() : RateAtRateMetricTests("managed");

public sealed class NativeCpuRateAtRateMetricTests() : RateAtRateMetricTests("cpu");

public sealed class CudaRateAtRateMetricTests() : RateAtRateMetricTests("cuda");
