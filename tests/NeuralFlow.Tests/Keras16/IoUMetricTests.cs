using NeuralFlow.Keras;
using static NeuralFlow.Tests.Keras16.MetricData;

namespace NeuralFlow.Tests.Keras16;

/// <summary>
/// The IoU family (Metrics.IoU, BinaryIoU, OneHotIoU, OneHotMeanIoU beside MeanIoU) against
/// Keras 3: the numbers of keras/src/metrics/iou_metrics.py's docstrings and iou_metrics_test.py
/// (each test names its source); other reference values were computed with numpy from Keras'
/// formula (a weighted confusion matrix, TP / (row + column - TP) per class, the mean over
/// target classes with a nonzero denominator), as each test says. Closeness is Keras' own
/// tolerance for these tests, 1e-3.
/// </summary>
public abstract class IoUMetricTests(string backend) : BackendFileTest(backend)
{
    // OneHotIoU's docstring data: targets [2, 0, 1, 0], predictions' arg-max [2, 2, 0, 2].
    private static Tensor OneHotTrue => T([0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0], 4, 3);
    private static Tensor OneHotPred => T([0.2, 0.3, 0.5, 0.1, 0.2, 0.7, 0.5, 0.3, 0.1, 0.1, 0.4, 0.5], 4, 3);
    private static Tensor OneHotWeights => T([0.1, 0.2, 0.3, 0.4]);

    [SkippableFact]
    public void IoU_matches_keras()
    {
        RequireBackend();
        var m = new Metrics.IoU(2, [0]);
        Near(0.33333334, m.Call(T([0, 0, 1, 1]), T([0, 1, 0, 1])));                                              // docstring
        m.ResetState();
        Near(0.33333334, m.Call(T([0, 0, 1, 1]), T([0, 1, 0, 1]), T([0.3, 0.3, 0.3, 0.1])));                     // docstring, weighted
        Near((1 / 3.0 + 1 / 3.0) / 2, new Metrics.IoU(2, [0, 1]).Call(T([0, 0, 1, 1]), T([0, 1, 0, 1])));       // test_unweighted
        Near((0.1 / (0.4 + 0.5 - 0.1) + 0.2 / (0.6 + 0.5 - 0.2)) / 2,
            new Metrics.IoU(2, [1, 0]).Call(T([0, 0, 1, 1]), T([0, 1, 0, 1]), T([0.2, 0.3, 0.4, 0.1])));       // test_weighted
        Near((0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2,
            new Metrics.IoU(2, [0, 1]).Call(T([0, 0, 1, 1], 2, 2), T([0, 1, 0, 1], 2, 2), T([0.2, 0.3, 0.4, 0.1], 2, 2))); // test_multi_dim_input
        Assert.Equal(0f, new Metrics.IoU(2, [0, 1]).Result());                                                 // test_zero_valid_entries
        Near(1.0, new Metrics.IoU(2, [0, 1]).Call(T([1]), T([1])));                                             // test_zero_and_non_zero_entries: class 0 left out
        Near(0.33333334, new Metrics.MeanIoU(2).Call(T([0, 0, 1, 1]), T([0, 1, 0, 1])));                        // MeanIoU docstring
        Near(0.23809525, new Metrics.MeanIoU(2).Call(T([0, 0, 1, 1]), T([0, 1, 0, 1]), T([0.3, 0.3, 0.3, 0.1]))); // MeanIoU docstring, weighted
        var perClass = new Metrics.IoU(2, [0]);
        perClass.UpdateState(T([0, 0, 1, 1]), T([0, 1, 0, 1]));
        Assert.Equal(new[] { 1 / 3.0, 1 / 3.0 }, perClass.ClassIoUs());
    }

    [SkippableFact]
    public void BinaryIoU_matches_keras()
    {
        RequireBackend();
        var m = new Metrics.BinaryIoU([0, 1], 0.3);
        Near(0.33333334, m.Call(T([0, 1, 0, 1]), T([0.1, 0.2, 0.4, 0.7])));                                      // docstring
        m.ResetState();
        Near(0.17361112, m.Call(T([0, 1, 0, 1]), T([0.1, 0.2, 0.4, 0.7]), T([0.2, 0.3, 0.4, 0.1])));             // docstring, weighted
        Near((0.5 / (0.5 + 0.7 - 0.5) + 0.3 / (0.5 + 0.3 - 0.3)) / 2,
            new Metrics.BinaryIoU().Call(T([0, 1, 0, 1]), T([0.1, 0.2, 0.4, 0.7]), T([0.1, 0.2, 0.4, 0.3])));  // test_different_thresholds_weighted
        Near((2 / 3.0 + 1 / 2.0) / 2, new Metrics.BinaryIoU().Call(T([0, 1, 0, 1]), T([0.1, 0.2, 0.4, 0.7])));  // test_different_thresholds_unweighted
        Near((0.2 / (0.6 + 0.3 - 0.2) + 0.3 / (0.4 + 0.7 - 0.3)) / 2, new Metrics.BinaryIoU(threshold: 0.4)
            .Call(T([0, 1, 0, 1], 2, 2), T([0.1, 0.7, 0.9, 0.3], 2, 2), T([0.2, 0.3, 0.4, 0.1], 2, 2)));        // test_multi_dim_input
        Near(1.0, new Metrics.BinaryIoU().Call(T([1]), T([0.6])));                                              // test_zero_and_non_zero_entries
        // A prediction equal to the threshold is class 1, compared in float32 as Keras does (0.7f < 0.7 in double).
        Near(1.0, new Metrics.BinaryIoU([1], 0.7).Call(T([1]), T([0.7])));
        Near(1 / 3.0, new Metrics.BinaryIoU([1]).Call(T([0, 0, 1, 1]), T([0.2, 0.6, 0.6, 0.1])));               // Keras' formula by hand: tp 1, fp 1, fn 1
    }

    [SkippableFact]
    public void OneHot_IoUs_match_keras()
    {
        RequireBackend();
        Near((0 / (0.3 + 0.6) + 0.1 / (0.7 + 0.1 - 0.1)) / 2,
            new Metrics.OneHotIoU(3, [0, 2]).Call(OneHotTrue, OneHotPred, OneHotWeights));                       // docstring (0.071), test_weighted
        Near((0 / 3.0 + 1 / 3.0) / 2, new Metrics.OneHotIoU(3, [0, 2]).Call(OneHotTrue, OneHotPred));            // test_unweighted
        Near(0.1 / 0.7 / 3, new Metrics.OneHotMeanIoU(3).Call(OneHotTrue, OneHotPred, OneHotWeights));          // docstring (0.048)
        Near((0 + 0 + 1 / 3.0) / 3, new Metrics.OneHotMeanIoU(3).Call(OneHotTrue, OneHotPred));                 // OneHotMeanIoUTest.test_unweighted
        // Predictions given as ids, and the class axis first: Keras' sparse_y_pred and axis.
        Near(0.1 / 0.7 / 3, new Metrics.OneHotMeanIoU(3, sparseYPred: true).Call(OneHotTrue, T([2, 2, 0, 2]), OneHotWeights));
        Near(0.1 / 0.7 / 3, new Metrics.OneHotMeanIoU(3, axis: 0).Call(NF.Transpose(OneHotTrue), NF.Transpose(OneHotPred), OneHotWeights));
        // ignore_class on one-hot targets: the pixel of class 1 is left out, and so is class 1 (Keras' formula by hand).
        Near((0 + 0.1 / 0.7) / 2, new Metrics.OneHotMeanIoU(3, ignoreClass: 1).Call(OneHotTrue, OneHotPred, OneHotWeights));
    }

    [SkippableFact]
    public void Segmentation_maps_stream_as_their_concatenation_and_reset()
    {
        RequireBackend();
        // Two 2x3 maps of 4 classes (class 3 in neither, so left out); weights 1 and 0.5 per map. numpy, Keras' formula.
        var yTrue = T([0, 0, 1, 1, 2, 2, 0, 1, 1, 2, 2, 0], 2, 2, 3);
        var yPred = T([0, 1, 1, 1, 2, 0, 0, 1, 2, 2, 2, 0], 2, 2, 3);
        var w = T([1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 2, 2, 3);
        Metrics.IoU[] metrics = [new Metrics.MeanIoU(4), new Metrics.IoU(4, [1, 3]), new Metrics.IoU(4, [2]),
            new Metrics.OneHotMeanIoU(4, sparseYPred: true)];
        double[] weighted = [0.5654761904761905, 0.625, 0.5714285714285714, 0.5654761904761905];
        double[] unweighted = [0.6, 0.6, 0.6, 0.6];
        Tensor Targets(Metrics.IoU m, Tensor t) => m is Metrics.OneHotMeanIoU ? NF.OneHot(NF.Cast(t, DType.Int64), 4) : t;
        for (int i = 0; i < metrics.Length; i++)
        {
            var m = metrics[i];
            m.UpdateState(Targets(m, yTrue[..1]), yPred[..1], w[..1]);
            m.UpdateState(Targets(m, yTrue[1..]), yPred[1..], w[1..]);
            Near(weighted[i], m.Result());
            m.ResetState();
            Assert.Equal(0f, m.Result());
            Near(unweighted[i], m.Call(Targets(m, yTrue), yPred));
            Assert.Equal(["total_confusion_matrix"], m.Variables.Select(v => v.Name));
        }
    }

    [SkippableFact]
    public void Bad_arguments_are_named()
    {
        RequireBackend();
        Assert.Equal("numClasses", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.IoU(0, [0])).ParamName);
        Assert.Equal("numClasses", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.MeanIoU(0)).ParamName);
        Assert.Equal("numClasses", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.OneHotMeanIoU(-2)).ParamName);
        var range = Assert.Throws<ArgumentException>(() => new Metrics.IoU(2, [0, 2]));
        Assert.Equal("targetClassIds", range.ParamName);
        Assert.Contains("target class id 2 is out of range", range.Message);
        Assert.Equal("targetClassIds", Assert.Throws<ArgumentException>(() => new Metrics.IoU(2, [])).ParamName);
        Assert.Equal("targetClassIds", Assert.Throws<ArgumentException>(() => new Metrics.OneHotIoU(3, [-1])).ParamName);
        Assert.Equal("targetClassIds", Assert.Throws<ArgumentException>(() => new Metrics.BinaryIoU([0, 2])).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentException>(() => new Metrics.BinaryIoU(threshold: double.NaN)).ParamName);
        var label = Assert.Throws<ArgumentException>(() => new Metrics.IoU(2, [0]).UpdateState(T([0, 3]), T([0, 1])));
        Assert.Contains("io_u (yTrue)", label.Message);
        Assert.Contains("binary_io_u (yTrue)", Assert.Throws<ArgumentException>(() => new Metrics.BinaryIoU().UpdateState(T([0, 2]), T([0.1, 0.9]))).Message);
        Assert.Throws<ArgumentException>(() => new Metrics.OneHotIoU(2, [0]).UpdateState(OneHotTrue, OneHotPred));     // 3 classes in data, 2 declared
        Assert.Throws<ArgumentException>(() => new Metrics.IoU(2, [0]).UpdateState(T([0, 1, 1]), T([0, 1])));         // different counts
        var weights = Assert.Throws<ArgumentException>(() => new Metrics.OneHotMeanIoU(3).UpdateState(OneHotTrue, OneHotPred, T([1, 2])));
        Assert.Equal("sampleWeight", weights.ParamName);
        Assert.Contains("one_hot_mean_io_u", weights.Message);
    }

    [SkippableFact]
    public void Compile_and_Fit_log_them_under_keras_names_and_save_them()
    {
        RequireBackend();
        Assert.Equal(["io_u", "binary_io_u", "one_hot_io_u", "one_hot_mean_io_u", "mean_io_u"],
            new Metrics.PredictionMetric[] { new Metrics.IoU(2, [0]), new Metrics.BinaryIoU(), new Metrics.OneHotIoU(2, [0]), new Metrics.OneHotMeanIoU(2), new Metrics.MeanIoU(2) }
                .Select(m => m.Name));
        NF.Random.SetSeed(3);
        var x = NF.Random.Uniform([12, 3]);
        var labels = NF.ArgMax(x, -1);
        var oneHot = NF.OneHot(labels, 3);
        var model = new Sequential(new Layers.Dense(3, activation: "softmax", name: "iou_dense"));
        // Learning rate 0: the weights stay, so each epoch's value is the metric over Predict of all of x.
        model.Compile(new Optimizers.SGD(0f), "categorical_crossentropy",
            [new Metrics.OneHotMeanIoU(3), new Metrics.OneHotIoU(3, [0, 2]), new Metrics.IoU(3, [1], name: "iou_1", sparseYTrue: false, sparseYPred: false)]);
        var history = model.Fit(x, oneHot, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        var predicted = model.Predict(x);
        Near(new Metrics.OneHotMeanIoU(3).Call(oneHot, predicted), history["one_hot_mean_io_u"][0]);
        Near(new Metrics.OneHotIoU(3, [0, 2]).Call(oneHot, predicted), history["one_hot_io_u"][0]);
        Near(new Metrics.IoU(3, [1]).Call(labels, NF.ArgMax(predicted, -1)), history["iou_1"][0]);
        string file = Temp.File("iou.nfmodel");
        model.Save(file);
        var loaded = Model.Load(file);
        Assert.Equal(model.Fit(x, oneHot, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)["one_hot_io_u"],
                     loaded.Fit(x, oneHot, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)["one_hot_io_u"]);

        var binary = new Sequential(new Layers.Dense(1, activation: "sigmoid", name: "biou_dense"));
        binary.Compile(new Optimizers.SGD(0f), "binary_crossentropy", [new Metrics.BinaryIoU([1], 0.4)]);
        var y = NF.Cast(NF.Greater(NF.ReduceSum(x, -1, keepDims: true), 1.5), DType.Float32);
        var binaryHistory = binary.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false, validationData: (x, y));
        double expected = new Metrics.BinaryIoU([1], 0.4).Call(y, binary.Predict(x));
        Near(expected, binaryHistory["binary_io_u"][0]);
        Near(expected, binaryHistory["val_binary_io_u"][0]);
        foreach (var m in new Metrics.PredictionMetric[] { new Metrics.BinaryIoU([1], 0.4, "b"), new Metrics.OneHotMeanIoU(3, "o", 2, true, 0), new Metrics.IoU(4, [3, 1], "i", 0, false, true, 1) })
        {
            var config = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(m.GetConfig()))!.AsObject();
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(m.GetConfig()),
                System.Text.Json.JsonSerializer.Serialize(Metrics.FromConfig(m.GetType().Name, config).GetConfig()));
        }
    }
}

public sealed class ManagedIoUMetricTests() : IoUMetricTests("managed");

public sealed class NativeCpuIoUMetricTests() : IoUMetricTests("cpu");

public sealed class CudaIoUMetricTests() : IoUMetricTests("cuda");
