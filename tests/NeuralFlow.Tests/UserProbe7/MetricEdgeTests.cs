using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe7;

/// <summary>
/// Keras metrics fed what a TF2 user's pipeline gives them: float64 predictions, uint8 and int64
/// class ids of rank 1 and rank 2, weights with zeros, several outputs, and reset between uses.
/// References: metric_edge_references.py beside this file (Keras 3's formulas at the mirrored
/// HEAD in NumPy) and hand counts written beside each assertion.
/// </summary>
public abstract class MetricEdgeTests(string backend) : BackendTest(backend)
{
    private static readonly double[,] R2True = { { 1.0, 2.0 }, { 2.0, 1.5 }, { 3.0, 4.0 }, { 4.0, 3.0 }, { 5.0, 7.0 } };
    private static readonly double[,] R2Pred = { { 1.1, 2.5 }, { 1.9, 1.0 }, { 3.2, 3.5 }, { 3.7, 3.1 }, { 5.5, 6.0 } };

    private static void Near(double expected, double actual, double tol = 1e-6) =>
        Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    // Before, n of the adjusted score was the number of target values (5 x 2 = 10, zero weights
    // included) where Keras counts examples with a weight (5, or 4 with one weight 0).
    [SkippableFact]
    public void Adjusted_r2_counts_weighted_examples_not_target_values()
    {
        RequireBackend();
        var (t, p) = (NF.Constant(R2True), NF.Constant(R2Pred));
        Near(0.911578947368421, new Metrics.R2Score(numRegressors: 1).Call(t, p));
        var w = NF.Constant(new[] { 1.0, 0.0, 1.0, 1.0, 1.0 });
        Near(0.7713571428571426, new Metrics.R2Score(numRegressors: 2).Call(t, p, w));
        Near(0.9237857142857142, new Metrics.R2Score().Call(t, p, w));
        // Streamed over two batches (one of a single example): the same n and score.
        var streamed = new Metrics.R2Score(numRegressors: 2);
        streamed.UpdateState(NF.Constant(new double[,] { { 1.0, 2.0 } }), NF.Constant(new double[,] { { 1.1, 2.5 } }), NF.Constant(new[] { 1.0 }));
        streamed.UpdateState(t[1..], p[1..], w[1..]);
        Near(0.7713571428571426, streamed.Result());
    }

    [SkippableFact]
    public void Accuracy_metrics_take_uint8_and_int64_ids_of_either_rank_with_float64_scores()
    {
        RequireBackend();
        var scores = NF.Constant(new double[,] { { 0.1, 0.7, 0.2 }, { 0.5, 0.4, 0.1 }, { 0.2, 0.2, 0.6 }, { 0.3, 0.3, 0.4 } });
        // Argmax 1, 0, 2, 2 against labels 1, 1, 2, 0: two of four.
        Near(0.5, new Metrics.SparseCategoricalAccuracy().Call(NF.Constant(new byte[] { 1, 1, 2, 0 }), scores));
        Near(0.5, new Metrics.SparseCategoricalAccuracy().Call(NF.Constant(new long[,] { { 1 }, { 1 }, { 2 }, { 0 } }), scores));
        // Top 2: row 1 has 0.5, 0.4 (label 1 in), row 4 ties 0.3, 0.3 under 0.4 (label 0 in, as in_top_k): all four.
        Near(1.0, new Metrics.SparseTopKCategoricalAccuracy(k: 2).Call(NF.Constant(new byte[] { 1, 1, 2, 0 }), scores));
        // Weights 0 on the two hits: 0 of 2 counted.
        Near(0.0, new Metrics.SparseCategoricalAccuracy().Call(NF.Constant(new long[] { 1, 1, 2, 0 }), scores, NF.Constant(new[] { 0.0, 1.0, 0.0, 1.0 })));
        // Binary accuracy of int64 labels against float64 probabilities of shape (N, 1).
        Near(2.0 / 3, new Metrics.BinaryAccuracy().Call(NF.Constant(new long[] { 1, 0, 1 }), NF.Constant(new double[,] { { 0.9 }, { 0.2 }, { 0.4 } })));
    }

    [SkippableFact]
    public void Precision_and_recall_skip_zero_weights_and_reset()
    {
        RequireBackend();
        var y = NF.Constant(new byte[] { 1, 0, 1, 1, 0 });
        var s = NF.Constant(new[] { 0.9, 0.8, 0.3, 0.6, 0.1 });
        var precision = new Metrics.Precision(thresholds: [0.5, 0.7, 0.95]);
        precision.UpdateState(y, s, NF.Constant(new[] { 1.0, 0.0, 1.0, 1.0, 1.0 }));
        // > 0.5: examples 1 and 4 (both positive; the false positive weighs 0) -> 1; > 0.7: 1 -> 1; > 0.95: none -> 0.
        Assert.Equal([1.0, 1.0, 0.0], precision.ResultValues());
        precision.ResetState();
        Assert.Equal([0.0, 0.0, 0.0], precision.ResultValues());
        precision.UpdateState(y, s);
        Assert.Equal([2.0 / 3, 0.5, 0.0], precision.ResultValues());
        var recall = new Metrics.Recall(0.5);
        // Positives 1, 3, 4; above 0.5: 1 and 4.
        Near(2.0 / 3, recall.Call(y, s));
    }

    [SkippableFact]
    public void Top_k_with_class_id_iou_of_probabilities_and_auc_without_negatives()
    {
        RequireBackend();
        var probs = NF.Constant(new double[,] { { 0.2, 0.3, 0.5 }, { 0.6, 0.1, 0.3 }, { 0.1, 0.1, 0.8 } });
        var onehot = NF.Constant(new byte[,] { { 0, 0, 1 }, { 0, 0, 1 }, { 1, 0, 0 } });
        // Class 2 in the top 1: row 1 a hit, row 2 missed (0.6 ranks first), row 3 a false alarm.
        Near(0.5, new Metrics.Precision(topK: 1, classId: 2).Call(onehot, probs));
        Near(0.5, new Metrics.Recall(topK: 1, classId: 2).Call(onehot, probs));
        // Arg-maxes 0, 2, 2, 1 against ids 0, 1, 2, 2: IoUs 1, 0 and 1/3.
        var iou = new Metrics.MeanIoU(3, sparseYPred: false);
        var scores = NF.Constant(new float[,] { { 0.9f, 0.05f, 0.05f }, { 0.1f, 0.2f, 0.7f }, { 0.2f, 0.2f, 0.6f }, { 0.1f, 0.8f, 0.1f } });
        Near(4.0 / 9, iou.Call(NF.Constant(new long[,] { { 0 }, { 1 }, { 2 }, { 2 } }), scores));
        // No negatives: the false-positive rate is 0 at every threshold, so Keras' ROC area is 0.
        Near(0.0, new Metrics.AUC().Call(NF.Constant(new[] { 1.0, 1.0, 1.0 }), NF.Constant(new[] { 0.2, 0.6, 0.9 })));
    }
}

public sealed class ManagedMetricEdgeTests() : MetricEdgeTests("managed");

public sealed class NativeCpuMetricEdgeTests() : MetricEdgeTests("cpu");

public sealed class CudaMetricEdgeTests() : MetricEdgeTests("cuda");
