using NeuralFlow.Backends;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Keras16.MetricData;

namespace NeuralFlow.Tests.Keras16;

/// <summary>
/// The Keras metrics on every backend, against the values of Keras' own tests (each test names
/// its source: keras/src/metrics/*_test.py, class and method), with sample weights, several
/// updates, ResetState, use as a function, names and Get by name.
/// </summary>
public abstract class MetricTests(string backend) : BackendTest(backend)
{
    // confusion_metrics_test.py PrecisionTest
    [SkippableFact]
    public void Precision_matches_keras()
    {
        RequireBackend();
        Near(0.5, new Metrics.Precision().Call(T([0, 1, 1, 0]), T([1, 0, 1, 0])));                             // test_unweighted
        Near((3.0 + 4) / (1 + 3 + 4 + 2), new Metrics.Precision().Call(T([0, 1, 1, 0, 1, 0, 0, 1], 2, 4),
            T([1, 0, 1, 0, 1, 0, 1, 0], 2, 4), T([1, 2, 3, 4, 4, 3, 2, 1], 2, 4)));                            // test_weighted
        Assert.Equal(0f, new Metrics.Precision().Call(T([0, 0, 0, 0]), T([0, 0, 0, 0])));                      // test_div_by_zero
        var two = new Metrics.Precision([0.5, 0.7]);
        two.UpdateState(T([0, 1, 1, 0]), T([1, 0, 0.6, 0]));
        Near([0.5, 0.0], two.ResultValues(), 0.5);                                                              // test_unweighted_with_threshold
        var weighted = new Metrics.Precision([0.5, 1.0]);
        for (int i = 0; i < 2; i++) weighted.UpdateState(T([0, 1, 1, 0], 2, 2), T([1, 0, 0.6, 0], 2, 2), T([4, 0, 3, 1], 2, 2));
        Near([6.0 / 14, 0], weighted.ResultValues());                                                           // test_multiple_updates
        Near(1.0 / 3, new Metrics.Precision(topK: 3).Call(T([0, 1, 1, 0, 0]), T([0.2, 0.1, 0.5, 0, 0.2])));     // test_unweighted_top_k
        var topK = new Metrics.Precision(topK: 3);
        topK.UpdateState(T([0, 1, 1, 0, 1], 1, 5), T([0.2, 0.1, 0.4, 0, 0.2], 1, 5), T([1, 4, 2, 3, 5], 1, 5));
        Near((2.0 + 5 + 3 + 3) / (1 + 2 + 5 + 3 + 3 + 3),
            topK.Call(T([1, 0, 1, 1, 1]), T([0.2, 0.6, 0.4, 0.2, 0.2]), NF.Constant(3f)));                      // test_weighted_top_k (ties go to the lower index)
        var classId = new Metrics.Precision(classId: 1);
        Near(1.0, classId.Call(T([0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1], 5, 3),
            T([0.1, 0.2, 0.7, 0.5, 0.3, 0.2, 0.2, 0.6, 0.2, 0.7, 0.2, 0.1, 0.1, 0.1, 0.8], 5, 3)));             // test_unweighted_class_id_multiclass
        Near(1.0, new Metrics.Precision(0.7, topK: 2).Call(T([0, 1, 1, 0, 1]), T([0.2, 0.8, 0.6, 0, 0.2])));    // test_unweighted_top_k_and_threshold
        Assert.Throws<ArgumentException>(() => new Metrics.Precision(classId: 2).UpdateState(T([0, 1, 1, 0, 0]), T([0.2, 0.1, 0.6, 0, 0.2])));
    }

    // confusion_metrics_test.py RecallTest
    [SkippableFact]
    public void Recall_matches_keras()
    {
        RequireBackend();
        Near(0.5, new Metrics.Recall().Call(T([0, 1, 1, 0]), T([1, 0, 1, 0])));                                // test_unweighted
        Near((3.0 + 1) / (2 + 3 + 4 + 1), new Metrics.Recall().Call(T([0, 1, 1, 0, 1, 0, 0, 1], 2, 4),
            T([1, 0, 1, 0, 0, 1, 0, 1], 2, 4), T([1, 2, 3, 4, 4, 3, 2, 1], 2, 4)));                            // test_weighted
        Assert.Equal(0f, new Metrics.Recall().Call(T([0, 0, 0, 0]), T([0, 0, 0, 0])));                         // test_div_by_zero
        var weighted = new Metrics.Recall([0.5, 1.0]);
        for (int i = 0; i < 2; i++) weighted.UpdateState(T([0, 1, 1, 0], 2, 2), T([1, 0, 0.6, 0], 2, 2), T([1, 4, 3, 2], 2, 2));
        Near([6.0 / 14, 0], weighted.ResultValues());                                                           // test_multiple_updates
        Near(0.5, new Metrics.Recall(topK: 3).Call(T([0, 1, 1, 0, 0]), T([0.2, 0.1, 0.5, 0, 0.2])));          // test_unweighted_top_k
        var topK = new Metrics.Recall(topK: 3);
        topK.UpdateState(T([0, 1, 1, 0, 1], 1, 5), T([0.2, 0.1, 0.4, 0, 0.2], 1, 5), T([1, 4, 2, 3, 5], 1, 5));
        Near((2.0 + 5 + 3 + 3) / (4 + 2 + 5 + 3 + 3 + 3 + 3),
            topK.Call(T([1, 0, 1, 1, 1]), T([0.2, 0.6, 0.4, 0.2, 0.2]), NF.Constant(3f)));                      // test_weighted_top_k
        Near(0.25, new Metrics.Recall(0.7, topK: 2).Call(T([1, 1, 1, 0, 1]), T([0.2, 0.8, 0.6, 0, 0.2])));     // test_unweighted_top_k_and_threshold
    }

    // confusion_metrics_test.py AUCTest: thresholds [-1e-7, 0.5, 1 + 1e-7]; tp = [7, 4, 0], fp = [3, 0, 0], fn = [0, 3, 7], tn = [0, 3, 3] weighted.
    [SkippableFact]
    public void AUC_matches_keras()
    {
        RequireBackend();
        var yTrue = T([0, 0, 1, 1]);
        var yPred = T([0, 0.5, 0.3, 0.9]);
        var weight = T([1, 2, 3, 4]);
        Assert.Equal(1f, new Metrics.AUC().Call(yTrue, yTrue));                                                 // test_unweighted_all_correct
        Near(0.75, new Metrics.AUC(3).Call(yTrue, yPred));                                                      // test_unweighted
        var logits = T(new[] { 0, 0.5, 0.3, 0.9 }.Select(p => -Math.Log(1 / (p + 1e-12) - 1)).ToArray());
        Near(0.75, new Metrics.AUC(3, fromLogits: true).Call(yTrue, logits));                                   // test_unweighted_from_logits
        var manual = new Metrics.AUC(2, thresholds: [0.5]);
        Assert.Equal(3, manual.NumThresholds);
        Near(0.75, manual.Call(yTrue, yPred));                                                                  // test_manual_thresholds
        Near(0.7855, new Metrics.AUC(3).Call(yTrue, yPred, weight));                                            // test_weighted_roc_interpolation
        Near(1.0, new Metrics.AUC(3, summationMethod: "majoring").Call(yTrue, yPred, weight));                  // test_weighted_roc_majoring
        Near(0.571, new Metrics.AUC(3, summationMethod: "minoring").Call(yTrue, yPred, weight));                // test_weighted_roc_minoring
        Near(1 * 0.429 + 1 * 0.571, new Metrics.AUC(3, "PR", "majoring").Call(yTrue, yPred, weight));           // test_weighted_pr_majoring
        Near(0.7 * 0.429, new Metrics.AUC(3, "PR", "minoring").Call(yTrue, yPred, weight));                     // test_weighted_pr_minoring
        Near(2.416 / 7 + 4.0 / 7, new Metrics.AUC(3, "PR").Call(yTrue, yPred, weight));                         // test_weighted_pr_interpolation
        Near(0.0, new Metrics.AUC(3, "PR").Call(yTrue, yPred, T([-1, -2, -3, -4])));                            // test_weighted_pr_interpolation_negative_weights
        Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.AUC(1));                                   // test_invalid_num_thresholds
        Assert.Throws<ArgumentException>(() => new Metrics.AUC(curve: "Invalid"));                              // test_invalid_curve
        Assert.Throws<ArgumentException>(() => new Metrics.AUC(summationMethod: "Invalid"));                    // test_invalid_summation_method
        // 200 thresholds by default; a well separated ranking scores near 1.
        var auc = new Metrics.AUC();
        Assert.Equal(200, auc.NumThresholds);
        Near(1.0, auc.Call(T([0, 0, 1, 1]), T([0.1, 0.2, 0.8, 0.9])), 1e-6);
    }

    // confusion_metrics_test.py MultiAUCTest: 5 thresholds; two labels, predictions [[0, 0.5, 0.3, 0.9], [0.1, 0.2, 0.3, 0.4]] transposed.
    [SkippableFact]
    public void Multi_label_AUC_matches_keras()
    {
        RequireBackend();
        var yPred = T([0, 0.1, 0.5, 0.2, 0.3, 0.3, 0.9, 0.4], 4, 2);
        var good = T([0, 0, 0, 0, 1, 1, 1, 1], 4, 2);
        Assert.Equal(1f, new Metrics.AUC(multiLabel: true).Call(good, good));                                   // test_unweighted_all_correct
        Assert.Equal(1f, new Metrics.AUC().Call(good, good));                                                   // test_unweighted_all_correct_flat
        Near((0.875 + 1.0) / 2, new Metrics.AUC(5, multiLabel: true).Call(good, yPred));                        // test_unweighted
        var logits = T(new[] { 0, 0.1, 0.5, 0.2, 0.3, 0.3, 0.9, 0.4 }.Select(p => -Math.Log(1 / (p + 1e-12) - 1)).ToArray(), 4, 2);
        Near((0.875 + 1.0) / 2, new Metrics.AUC(5, multiLabel: true, fromLogits: true).Call(good, logits));     // test_unweighted_from_logits
        Near(1.0 - 0.3333 * (1.0 - 0.2857) / 2.0, new Metrics.AUC(5).Call(good, yPred, T([1, 2, 3, 4])));       // test_sample_weight_flat
        Near(1.0 - 0.3333 * (1.0 - 0.2727) / 2.0, new Metrics.AUC(5).Call(good, yPred, T([0, 1, 2, 3, 4, 5, 6, 7], 4, 2))); // test_full_sample_weight_flat
        Near((0.875 * 0.75 + 1.0 * 0.25) / (0.75 + 0.25), new Metrics.AUC(5, multiLabel: true, labelWeights: [0.75, 0.25]).Call(good, yPred)); // test_label_weights
        Near(1.0 - (1.0 - 0.375) * 0.375 / 2.0, new Metrics.AUC(5, labelWeights: [0.75, 0.25]).Call(good, yPred), 1e-2); // test_label_weights_flat
        Near(1.0 - 3.0 / 32.0, new Metrics.AUC(5).Call(good, yPred));                                           // test_unweighted_flat
        var multi = new Metrics.AUC(5, multiLabel: true);
        multi.UpdateState(good, yPred);
        Assert.Throws<ArgumentException>(() => multi.UpdateState(T([0, 1, 1]), T([0.2, 0.4, 0.9]))); // 1 label after 2
    }

    [SkippableFact]
    public void Confusion_counts_of_a_large_batch_are_made_in_slices_with_the_same_result()
    {
        RequireBackend();
        // 200 thresholds x 30000 predictions is 6M cells: two slices.
        var values = Reference.RandomValues(30000, 41, 0, 1);
        var yPred = T(values);
        var yTrue = T(values.Select((v, i) => (v + (i % 7) * 0.1) > 0.6 ? 1.0 : 0.0).ToArray());
        var whole = new Metrics.AUC();
        whole.UpdateState(yTrue, yPred);
        var parts = new Metrics.AUC();
        for (int start = 0; start < 30000; start += 10000)
            parts.UpdateState(yTrue[start..(start + 10000)], yPred[start..(start + 10000)]);
        Assert.Equal(parts.Result(), whole.Result(), 5);
        Assert.InRange(whole.Result(), 0.5, 1.0);
    }

    // accuracy_metrics_test.py
    [SkippableFact]
    public void Accuracies_match_keras()
    {
        RequireBackend();
        Near(0.75, new Metrics.Accuracy().Call(T([1, 2, 3, 4], 4, 1), T([0, 2, 3, 4], 4, 1)));                 // AccuracyTest.test_unweighted
        Near(0.5, new Metrics.Accuracy().Call(T([1, 2, 3, 4], 4, 1), T([0, 2, 3, 4], 4, 1), T([1, 1, 0, 0])));  // AccuracyTest.test_weighted
        Near(0.5, new Metrics.Accuracy().Call(T([1, 2, 3, 4]), T([0, 2, 3, 4]), T([1, 1, 0, 0])));              // AccuracyTest.test_weighted_rank_1
        Near(0.5, new Metrics.Accuracy().Call(T([1, 2, 3, 4], 2, 2), T([0, 2, 3, 4], 2, 2), T([1, 0, 0, 1], 2, 2))); // test_weighted_nd_weights
        Near(0.5, new Metrics.Accuracy().Call(T([1, 2, 3, 4], 2, 2), T([0, 2, 3, 4], 2, 2), T([1, 0], 1, 2)));  // test_weighted_nd_broadcast_weights
        Near(0.75, new Metrics.BinaryAccuracy().Call(T([1, 1, 0, 0]), T([0.98, 1, 0, 0.6], 4, 1)));             // BinaryAccuracyTest.test_unweighted_rank_1
        Near(0.5, new Metrics.BinaryAccuracy().Call(T([1, 1, 0, 0], 4, 1), T([0.98, 1, 0, 0.6], 4, 1), T([1, 0, 0, 1]))); // BinaryAccuracyTest.test_weighted
        Near(0.5, new Metrics.BinaryAccuracy().Call(T([1, 1, 0, 0], 2, 2), T([0.98, 1, 0, 0.6], 2, 2), T([1, 0, 0, 1], 2, 2))); // test_weighted_nd_weights
        var oneHot = T([0, 0, 1, 0, 1, 0], 2, 3);
        var scores = T([0.1, 0.9, 0.8, 0.05, 0.95, 0], 2, 3);
        Near(0.5, new Metrics.TopKCategoricalAccuracy(1).Call(oneHot, scores));                                 // TopKCategoricalAccuracyTest.test_unweighted
        Near(0.3, new Metrics.TopKCategoricalAccuracy(1).Call(oneHot, scores, T([0.7, 0.3])));                 // TopKCategoricalAccuracyTest.test_weighted
        Near(0.5, new Metrics.SparseTopKCategoricalAccuracy(1).Call(T([2, 1]), scores));                        // SparseTopKCategoricalAccuracyTest.test_unweighted
        Near(0.3, new Metrics.SparseTopKCategoricalAccuracy(1).Call(T([2, 1]), scores, T([0.7, 0.3])));        // SparseTopKCategoricalAccuracyTest.test_weighted
        Near(1.0, new Metrics.SparseTopKCategoricalAccuracy(2).Call(T([2, 1]), scores));
        Near(1.0, new Metrics.TopKCategoricalAccuracy().Call(oneHot, scores)); // k = 5 covers all 3 classes
        Near(0.5, new Metrics.CategoricalAccuracy().Call(oneHot, scores));
        Near(0.3, new Metrics.SparseCategoricalAccuracy().Call(T([2, 1]), scores, T([0.7, 0.3]))); // only row 2 is right: weight 0.3 of 1
    }

    // regression_metrics_test.py and reduction_metrics_test.py
    [SkippableFact]
    public void Regression_and_reduction_metrics_match_keras()
    {
        RequireBackend();
        Near(Math.Sqrt(6), new Metrics.RootMeanSquaredError().Call(T([2, 4, 6]), T([1, 3, 2])));                // RootMeanSquaredErrorTest.test_unweighted
        Near(Math.Sqrt(13), new Metrics.RootMeanSquaredError().Call(T([2, 4, 6, 8]), T([1, 3, 2, 3]), T([0, 1, 0, 1]))); // test_weighted
        var yTrue = T([0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1], 4, 5);
        var yPred = T([0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1], 4, 5);
        Near(0.5, new Metrics.MeanSquaredError().Call(yTrue, yPred), 1e-5);                                     // MeanSquaredErrorTest.test_unweighted
        Near(0.54285, new Metrics.MeanSquaredError().Call(yTrue, yPred, T([1.0, 1.5, 2.0, 2.5])), 1e-5);        // MeanSquaredErrorTest.test_weighted
        Near(0.5, new Metrics.MeanAbsoluteError().Call(yTrue, yPred), 1e-5);                                    // MeanAbsoluteErrorTest.test_unweighted
        Near(0.54285, new Metrics.MeanAbsoluteError().Call(yTrue, yPred, T([1.0, 1.5, 2.0, 2.5])), 1e-5);       // MeanAbsoluteErrorTest.test_weighted
        Near(16, new Metrics.Sum().Call(T([1, 3, 5, 7])));                                                      // SumTest.test_unweighted
        Near(4, new Metrics.Sum().Call(T([1, 3, 5, 7]), T([1, 1, 0, 0])));                                      // SumTest.test_weighted
        Near(9, new Metrics.Sum().Call(T([1, 3, 5, 7], 2, 2), T([1, 1, 1, 0], 2, 2)));                          // SumTest.test_weighted_nd
        Near(6, new Metrics.Sum().Call(T([1, 3, 5, 7], 2, 2), T([1, 0], 1, 2)));                                // SumTest.test_weighted_nd_broadcast
        Near(4, new Metrics.Mean().Call(T([1, 3, 5, 7])));                                                      // MeanTest.test_unweighted
        Near(2, new Metrics.Mean().Call(T([1, 3, 5, 7]), T([1, 1, 0, 0])));                                     // MeanTest.test_weighted
        Near(2, new Metrics.Mean().Call(T([1, 3, 5, 7]), T([-1, -1, 0, 0])));                                   // MeanTest.test_weighted_negative_weights
        Near(3, new Metrics.Mean().Call(T([1, 3, 5, 7], 2, 2), T([1, 1, 1, 0], 2, 2)));                         // MeanTest.test_weighted_nd
        Near(3, new Metrics.Mean().Call(T([1, 3, 5, 7], 2, 2), T([1, 0], 1, 2)));                               // MeanTest.test_weighted_nd_broadcast
    }

    // iou_metrics_test.py MeanIoUTest
    [SkippableFact]
    public void MeanIoU_matches_keras()
    {
        RequireBackend();
        Near((1 / 3.0 + 1 / 3.0) / 2, new Metrics.MeanIoU(2).Call(T([0, 0, 1, 1]), T([0, 1, 0, 1])));          // test_unweighted
        double ignored = (1 / 1.0 + 1 / 2.0 + 0) / 3;
        Near(ignored, new Metrics.MeanIoU(3, ignoreClass: 255).Call(T([0, 1, 2, 255]), T([0, 1, 1, 1])));      // test_unweighted_ignore_class_255
        Near(ignored, new Metrics.MeanIoU(3, ignoreClass: -1).Call(T([0, 1, 2, -1]), T([0, 1, 1, 1])));        // test_unweighted_ignore_class_1
        double weighted = (0.2 / (0.6 + 0.5 - 0.2) + 0.1 / (0.4 + 0.5 - 0.1)) / 2;
        Near(weighted, new Metrics.MeanIoU(2).Call(T([0, 0, 1, 1]), T([0, 1, 0, 1]), T([0.2, 0.3, 0.4, 0.1]))); // test_weighted
        Near((0.2 / (0.6 + 0.5 - 0.2) + 0) / 2,
            new Metrics.MeanIoU(2, ignoreClass: -1).Call(T([0, 0, 1, -1]), T([0, 1, 0, 1]), T([0.2, 0.3, 0.4, 0.1]))); // test_weighted_ignore_class_1
        Near(weighted, new Metrics.MeanIoU(2).Call(T([0, 0, 1, 1], 2, 2), T([0, 1, 0, 1], 2, 2), T([0.2, 0.3, 0.4, 0.1], 2, 2))); // test_multi_dim_input
        Assert.Equal(0f, new Metrics.MeanIoU(2).Result());                                                     // test_zero_valid_entries
        // Scores instead of ids: the arg-max is taken.
        Near((1 / 3.0 + 1 / 3.0) / 2, new Metrics.MeanIoU(2, sparseYPred: false).Call(T([0, 0, 1, 1]), T([0.9, 0.1, 0.2, 0.8, 0.7, 0.3, 0.4, 0.6], 4, 2)));
        Assert.Throws<ArgumentException>(() => new Metrics.MeanIoU(2).UpdateState(T([0, 3]), T([0, 1]))); // a class id out of range
    }

    // f_score_metrics_test.py FBetaScoreTest (threshold 0.66 in test_fbeta_random_score; none in test_fbeta_random_score_none)
    [SkippableFact]
    public void FBetaScore_matches_keras()
    {
        RequireBackend();
        var yPred = T([0.7, 0.7, 0.7, 1, 0, 0, 0.9, 0.8, 0], 3, 3);
        var yTrue = T([0, 0, 1, 1, 1, 0, 1, 1, 1], 3, 3);
        double[] Score(string? average, double beta, double? threshold, Tensor t, Tensor p, Tensor? w = null)
        {
            var m = new Metrics.FBetaScore(average, beta, threshold);
            m.UpdateState(t, p, w);
            return m.ResultValues();
        }
        Near([0.71428573, 0.5, 0.833334], Score(null, 0.5, 0.66, yTrue, yPred), 1e-5);
        Near([0.8, 0.5, 0.6666667], Score(null, 1.0, 0.66, yTrue, yPred), 1e-5);
        Near([0.6666667], Score("micro", 2.0, 0.66, yTrue, yPred), 1e-5);
        Near([0.6825397], Score("macro", 0.5, 0.66, yTrue, yPred), 1e-5);
        Near([0.6548822], Score("weighted", 2.0, 0.66, yTrue, yPred), 1e-5);
        Near([1.0], Score("micro", 1.0, 0.66, T([1, 1, 1, 1, 0, 0, 1, 1, 0], 3, 3), yPred), 1e-5);             // test_fbeta_perfect_score
        Near([0.0], Score("weighted", 1.0, 0.66, T([0, 0, 0, 0, 1, 0, 0, 0, 1], 3, 3), yPred), 1e-5);          // test_fbeta_worst_score
        var t6 = T([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1], 6, 3);
        var p6 = T([0.9, 0.1, 0, 0.2, 0.6, 0.2, 0, 0, 1, 0.4, 0.3, 0.3, 0, 0.9, 0.1, 0, 0, 1], 6, 3);
        Near([0.8, 0.6666667, 1.0], Score(null, 1.0, null, t6, p6), 1e-5);
        Near([0.821549], Score("macro", 0.5, null, t6, p6), 1e-5);
        Near([0.880471], Score("weighted", 0.5, null, t6, p6), 1e-5);
        Near([0.883929], Score("macro", 0.5, null, t6, p6, T([0.5, 1.0, 1.0, 1.0, 0.5, 1.0])), 1e-5);          // test_fbeta_weighted_random_score_none
        Near([0.902857], Score("weighted", 1.0, null, t6, p6, T([0.5, 1.0, 1.0, 1.0, 0.5, 1.0])), 1e-5);
        Near([1.0], Score("weighted", 2.0, null, t6, p6, T([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])), 1e-5);
        Near([0.0, 0.6666665], Score(null, 1.0, 0.5, T([1, 1, 1, 0], 2, 2), T([0.2, 0.6, 0.2, 0.6], 2, 2), NF.Constant(0.5f)), 1e-5); // test_fbeta_scalar_weight
        Near(0.6666667, new Metrics.F1Score("micro", 0.66).Call(yTrue, yPred), 1e-5);
        var perClass = new Metrics.F1Score();
        perClass.UpdateState(yTrue, yPred);
        Assert.Throws<InvalidOperationException>(() => perClass.Result()); // a vector in Keras: ResultValues
        Assert.Throws<ArgumentException>(() => new Metrics.FBetaScore("invalid_average"));                     // test_invalid_average_raises_value_error
        Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.FBetaScore("macro", 0.0));                 // test_beta_zero_raises_value_error
        Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.FBetaScore("macro", 1.0, 1.5));            // test_threshold_above_one_raises_value_error
        Assert.Throws<ArgumentException>(() => new Metrics.F1Score().UpdateState(T([1, 0, 1]), T([1, 0, 1])));  // test_non_2d_input_shapes_raises_value_error
    }

    [SkippableFact]
    public void Metrics_update_accumulate_reset_and_are_named_as_keras()
    {
        RequireBackend();
        var m = new Metrics.BinaryAccuracy();
        Assert.Equal("binary_accuracy", m.Name);
        Assert.Equal(1f, m.Call(T([1, 0]), T([0.9, 0.1])));
        Assert.Equal(0.5f, m.Call(T([1, 0]), T([0.1, 0.9])));       // a call adds to what came before
        m.ResetState();
        Assert.Equal(0f, m.Result());
        Assert.Equal(0f, m.Call(T([1]), T([0.2])));
        var precision = new Metrics.Precision();
        precision.UpdateState(T([1, 0]), T([0.9, 0.8]));
        precision.ResetState();
        Assert.Equal(1f, precision.Call(T([1, 0]), T([0.9, 0.1])));
        string[] names = ["accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy", "top_k_categorical_accuracy",
            "sparse_top_k_categorical_accuracy", "precision", "recall", "auc", "mean_squared_error", "mean_absolute_error",
            "root_mean_squared_error", "f1_score", "fbeta_score"];
        foreach (var name in names) Assert.Equal(name, Metrics.Get(name).Name);
        // Keras 3's compile_utils.get_metric names a metric given by a string by that string.
        Assert.Equal("mse", Metrics.Get("mse").Name);
        Assert.Equal("mean_squared_error", new Metrics.MeanSquaredError().Name);
        Assert.IsType<Metrics.BinaryAccuracy>(Metrics.Get("accuracy", new Losses.BinaryFocalCrossentropy()));
        Assert.Equal("mean_io_u", new Metrics.MeanIoU(3).Name);
        Assert.Throws<ArgumentException>(() => Metrics.Get("precison"));
    }

    [SkippableFact]
    public void Metric_state_lives_in_variables_on_the_device_of_the_data()
    {
        RequireBackend();
        var precision = new Metrics.Precision();
        Assert.Empty(precision.Variables); // made by the first update, where the data is
        precision.UpdateState(T([1, 0, 1]), T([0.9, 0.8, 0.2]));
        Assert.Equal(["true_positives", "false_positives"], precision.Variables.Select(v => v.Name));  // PrecisionTest.test_config
        var recall = new Metrics.Recall();
        recall.UpdateState(T([1]), T([1]));
        Assert.Equal(["true_positives", "false_negatives"], recall.Variables.Select(v => v.Name));                    // RecallTest.test_config
        var accuracy = new Metrics.Accuracy();
        accuracy.UpdateState(T([1]), T([1]));
        Assert.Equal(["total", "count"], accuracy.Variables.Select(v => v.Name));
        foreach (var v in precision.Variables)
        {
            Assert.False(v.Trainable);
            Assert.Same(NF.Zeros([1]).Backend, v.Backend);
        }
        Assert.Equal(new[] { 1.0 }, precision.Variables[0].ToArray<double>()); // one true positive
        precision.ResetState();
        Assert.Equal(new[] { 0.0 }, precision.Variables[0].ToArray<double>());
        if (BackendName == "managed") return;
        // A metric whose data moves to another device moves its state along.
        var moving = new Metrics.Mean();
        moving.UpdateState(T([2, 4]));
        using (NF.UseBackend("managed")) moving.UpdateState(NF.Constant(new[] { 6f }));
        Assert.Same(BackendRegistry.Get("managed"), moving.Variables[0].Backend);
        Assert.Equal(4f, moving.Result());
    }

    [SkippableFact]
    public void Wrong_sample_weight_shapes_get_an_error_naming_the_metric()
    {
        RequireBackend();
        var yTrue = T([1, 0, 1, 1]);
        var yPred = T([0.9, 0.2, 0.4, 0.7]);
        Metrics.PredictionMetric[] metrics = [new Metrics.BinaryAccuracy(), new Metrics.Precision(), new Metrics.AUC(), new Metrics.MeanSquaredError()];
        foreach (var m in metrics)
        {
            var e = Assert.Throws<ArgumentException>(() => m.UpdateState(yTrue, yPred, T([1, 2, 3])));
            Assert.Contains(m.Name, e.Message);
            Assert.Contains("(3,)", e.Message);
        }
        var iou = Assert.Throws<ArgumentException>(() => new Metrics.MeanIoU(2).UpdateState(T([0, 1]), T([0, 1]), T([1, 2, 3])));
        Assert.Contains("mean_io_u", iou.Message);
        var several = new Metrics.Precision([0.3, 0.6]);
        several.UpdateState(yTrue, yPred);
        Assert.Throws<InvalidOperationException>(() => several.Result()); // a vector in Keras: ResultValues
    }
}

public sealed class ManagedMetricTests() : MetricTests("managed");

public sealed class NativeCpuMetricTests() : MetricTests("cpu");

public sealed class CudaMetricTests() : MetricTests("cuda");
