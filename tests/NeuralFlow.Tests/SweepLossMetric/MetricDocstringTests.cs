using NeuralFlow.Keras;
using static NeuralFlow.Tests.Keras16.MetricData;
using static NeuralFlow.Tests.SweepLossMetric.Published;

namespace NeuralFlow.Tests.SweepLossMetric;

/// <summary>
/// The numbered examples of the docstrings of keras/src/metrics/*.py (Keras 3, at
/// /work/.mirror/keras-team+keras HEAD 3422977a) that no other suite checks, to the printed
/// precision on every engine. Each runs as the docstring does: update_state, result(),
/// reset_state(), update_state with sample_weight, result() on one metric object, so the reset
/// is checked too. Examples already covered elsewhere (Accuracy, BinaryAccuracy,
/// TopKCategoricalAccuracy, the unweighted SparseTopKCategoricalAccuracy, Sum, Mean, R2Score,
/// the four confusion counts, the four rate-at-rate metrics, the IoU family, the correlation
/// classes, the unweighted loss-twin metrics) are not repeated.
/// </summary>
public abstract class MetricDocstringTests(string backend) : BackendTest(backend)
{
    private static Tensor Y01 => T([0, 1, 0, 0], 2, 2);
    private static Tensor P64 => T([0.6, 0.4, 0.4, 0.6], 2, 2);
    private static Tensor P11 => T([1, 1, 0, 0], 2, 2);
    private static Tensor Keep1 => T([1, 0]);

    // The docstrings' usual pair: the result of one update, then, after reset_state, of one
    // weighted update. A null printed value skips the first (an example already checked elsewhere).
    private static void ResetThenWeighted(Metrics.PredictionMetric m, Tensor yTrue, Tensor yPred, Tensor weight, string? unweighted, string weighted)
    {
        m.UpdateState(yTrue, yPred);
        if (unweighted is not null) Is(unweighted, m.Result(), m.GetType().Name);
        m.ResetState();
        m.UpdateState(yTrue, yPred, weight);
        Is(weighted, m.Result(), $"{m.GetType().Name} after reset_state, weighted");
    }

    [SkippableFact]
    public void Accuracies_give_their_weighted_examples()
    {
        RequireBackend();
        var oneHot = T([0, 0, 1, 0, 1, 0], 2, 3);
        var scores = T([0.1, 0.9, 0.8, 0.05, 0.95, 0], 2, 3);
        ResetThenWeighted(new Metrics.CategoricalAccuracy(), oneHot, scores, T([0.7, 0.3]), "0.5", "0.3");
        ResetThenWeighted(new Metrics.SparseCategoricalAccuracy(), T([2, 1], 2, 1), T([0.1, 0.6, 0.3, 0.05, 0.95, 0], 2, 3), T([0.7, 0.3]), "0.5", "0.3");
        // from_sorted_ids: the predictions are already each row's top class ids, best first.
        var sorted = new Metrics.SparseTopKCategoricalAccuracy(k: 1, fromSortedIds: true);
        sorted.UpdateState(T([2, 1]), NF.Constant(new long[] { 1, 0, 3, 1, 2, 3 }, [2, 3]));
        Is("0.5", sorted.Result(), "SparseTopKCategoricalAccuracy(k=1, from_sorted_ids=True)");
        // The option is saved as Keras saves it (only when set) and read back.
        var config = System.Text.Json.JsonSerializer.SerializeToNode(sorted.GetConfig())!.AsObject();
        Assert.True(config["from_sorted_ids"]!.GetValue<bool>());
        Assert.True(Assert.IsType<Metrics.SparseTopKCategoricalAccuracy>(Metrics.FromConfig("SparseTopKCategoricalAccuracy", config)).FromSortedIds);
        Assert.False(new Metrics.SparseTopKCategoricalAccuracy().GetConfig().ContainsKey("from_sorted_ids"));
        // Fewer ids per row than k is a mistake, named.
        var e = Assert.Throws<ArgumentException>(() => new Metrics.SparseTopKCategoricalAccuracy(k: 4, fromSortedIds: true)
            .UpdateState(T([2, 1]), NF.Constant(new long[] { 1, 0, 3, 1, 2, 3 }, [2, 3])));
        Assert.Contains("k = 4", e.Message);
    }

    [SkippableFact]
    public void Hinge_metrics_give_their_weighted_examples()
    {
        RequireBackend();
        ResetThenWeighted(new Metrics.Hinge(), Y01, P64, Keep1, null, "1.1");
        ResetThenWeighted(new Metrics.SquaredHinge(), Y01, P64, Keep1, null, "1.46");
        ResetThenWeighted(new Metrics.CategoricalHinge(), Y01, P64, Keep1, null, "1.2");
    }

    [SkippableFact]
    public void Probabilistic_metrics_give_their_weighted_examples()
    {
        RequireBackend();
        ResetThenWeighted(new Metrics.KLDivergence(), Y01, P64, Keep1, null, "0.9162892");
        ResetThenWeighted(new Metrics.Poisson(), Y01, P11, Keep1, null, "0.99999994");
        var oneHot = T([0, 1, 0, 0, 0, 1], 2, 3);
        var probabilities = T([0.05, 0.95, 0, 0.1, 0.8, 0.1], 2, 3);
        ResetThenWeighted(new Metrics.CategoricalCrossentropy(), oneHot, probabilities, T([0.3, 0.7]), null, "1.6271976");
        ResetThenWeighted(new Metrics.SparseCategoricalCrossentropy(), T([1, 2]), probabilities, T([0.3, 0.7]), null, "1.6271976");
    }

    [SkippableFact]
    public void Regression_metrics_give_their_examples()
    {
        RequireBackend();
        var mse = new Metrics.MeanSquaredError();
        mse.UpdateState(Y01, P11);
        Is("0.25", mse.Result(), "MeanSquaredError");
        ResetThenWeighted(new Metrics.MeanAbsoluteError(), Y01, P11, Keep1, "0.25", "0.5");
        ResetThenWeighted(new Metrics.MeanAbsolutePercentageError(), Y01, P11, Keep1, null, "500000000.0");
        ResetThenWeighted(new Metrics.MeanSquaredLogarithmicError(), Y01, P11, Keep1, null, "0.24022643");
        ResetThenWeighted(new Metrics.RootMeanSquaredError(), Y01, P11, Keep1, "0.5", "0.70710677");
        ResetThenWeighted(new Metrics.CosineSimilarity(axis: 1), T([0, 1, 1, 1], 2, 2), T([1, 0, 1, 1], 2, 2), T([0.3, 0.7]), null, "0.6999999");
        ResetThenWeighted(new Metrics.LogCoshError(), Y01, P11, Keep1, null, "0.21689045");
    }

    [SkippableFact]
    public void Metric_function_forms_give_their_examples()
    {
        RequireBackend();
        // keras.metrics.cosine_similarity is the similarity (the loss's is its negative).
        Are(["0.", "0.99999994", "-0.99999994"],
            Values(Metrics.CosineSimilarity.PerExample(T([0, 1, 1, 1, 1, 1], 3, 2), T([1, 0, 1, 1, -1, -1], 3, 2), axis: -1)), "cosine_similarity");
        var yTrue = T([0, 1, 0.5, 1, 1, 0.2], 2, 3);
        var yPred = T([0.1, 0.9, 0.5, 1, 0.9, 0.2], 2, 3);
        // Both docstrings call "concordance_correlation" in their example; pearson_correlation's prints its own values.
        Are(["1.", "0.99339927"], Values(Metrics.PearsonCorrelation.PerExample(yTrue, yPred, axis: -1)), "pearson_correlation");
        // The docstring prints the exact 40/41 and 80/81; Keras' code adds epsilon (1e-7) to the
        // divisor, so Keras itself gives 0.9756094 and 0.98765396 (its formula in NumPy float64): 1e-6.
        Are(["0.97560976", "0.98765432"], Values(Metrics.ConcordanceCorrelation.PerExample(yTrue, yPred, axis: -1)), "concordance_correlation", atol: 1e-6);
    }

    [SkippableFact]
    public void F_scores_give_their_examples()
    {
        RequireBackend();
        var yTrue = NF.Constant(new[] { 1, 1, 1, 1, 0, 0, 1, 1, 0 }, [3, 3]);
        var yPred = T([0.2, 0.6, 0.7, 0.2, 0.6, 0.6, 0.6, 0.8, 0.0], 3, 3);
        var fbeta = new Metrics.FBetaScore(beta: 2.0, threshold: 0.5);
        fbeta.UpdateState(yTrue, yPred);
        Are(["0.3846154", "0.90909094", "0.8333334"], fbeta.ResultValues(), "FBetaScore(beta=2.0, threshold=0.5)");
        var f1 = new Metrics.F1Score(threshold: 0.5);
        f1.UpdateState(yTrue, yPred);
        Are(["0.5", "0.8", "0.6666667"], f1.ResultValues(), "F1Score(threshold=0.5)");
    }

    [SkippableFact]
    public void Precision_recall_and_auc_give_their_examples()
    {
        RequireBackend();
        var yTrue = T([0, 1, 1, 1]);
        var yPred = T([1, 0, 1, 1]);
        var weight = T([0, 0, 1, 0]);
        ResetThenWeighted(new Metrics.Precision(), yTrue, yPred, weight, "0.6666667", "1.0");
        ResetThenWeighted(new Metrics.Recall(), yTrue, yPred, weight, "0.6666667", "1.0");
        // top_k counts only the k highest predictions; equal predictions go to the lower index.
        Is("0.0", new Metrics.Precision(topK: 2).Call(T([0, 0, 1, 1]), T([1, 1, 1, 1])), "Precision(top_k=2)");
        Is("0.5", new Metrics.Precision(topK: 4).Call(T([0, 0, 1, 1]), T([1, 1, 1, 1])), "Precision(top_k=4)");
        ResetThenWeighted(new Metrics.AUC(numThresholds: 3), T([0, 0, 1, 1]), T([0, 0.5, 0.3, 0.9]), T([1, 0, 0, 1]), "0.75", "1.0");
    }
}

public sealed class ManagedMetricDocstringTests() : MetricDocstringTests("managed");

public sealed class NativeCpuMetricDocstringTests() : MetricDocstringTests("cpu");

public sealed class CudaMetricDocstringTests() : MetricDocstringTests("cuda");
