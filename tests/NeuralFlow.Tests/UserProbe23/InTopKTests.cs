using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// NF.InTopK (tf.math.in_top_k(targets, predictions, k), keras.ops.in_top_k), which was missing (the top-k metrics
/// had a private copy): ties at the boundary all in, a non-finite target score and an out-of-range target out (TF's
/// kernel), k = 0; and the top-k metrics on a row holding an infinite score, which the old one-hot product turned
/// into NaN and counted as a hit.
/// </summary>
public abstract class InTopKTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Follows_tensorflows_rules_for_ties_non_finite_scores_and_bad_targets()
    {
        RequireBackend();
        var predictions = NF.Constant(new float[,]
        {
            { 0.1f, 0.8f, 0.1f, 0.0f },   // target 1: the best
            { 0.3f, 0.3f, 0.3f, 0.1f },   // target 2: tied with two others at the top: in for k = 1 (TF's tie rule)
            { 0.5f, 0.2f, 0.9f, 0.4f },   // target 3: third
            { float.PositiveInfinity, 1f, 2f, 0f },   // target 2: below an infinite score
            { float.NaN, 1f, 2f, 0f },    // target 0: a NaN score is never in
            { 0.1f, 0.2f, 0.3f, 0.4f },   // target 4: out of range, never in
        });
        var targets = NF.Constant(new[] { 1, 2, 3, 2, 0, 4 });
        var k1 = NF.InTopK(targets, predictions, 1);
        Assert.Equal(DType.Bool, k1.DType);
        Assert.Equal(new[] { true, true, false, false, false, false }, k1.ToArray<bool>());
        Assert.Equal(new[] { true, true, false, true, false, false }, NF.InTopK(targets, predictions, 2).ToArray<bool>());
        Assert.Equal(new[] { true, true, true, true, false, false }, NF.InTopK(targets, predictions, 3).ToArray<bool>());
        Assert.Equal(new bool[6], NF.InTopK(targets, predictions, 0).ToArray<bool>());
        Assert.Equal(new[] { true, true, true, true, false, false }, NF.InTopK(NF.Cast(targets, DType.Int64), predictions, 3).ToArray<bool>());

        Assert.Throws<ArgumentOutOfRangeException>(() => NF.InTopK(targets, predictions, -1));
        Assert.Contains("integer class ids", Assert.Throws<ArgumentException>(() => NF.InTopK(NF.Cast(targets, DType.Float32), predictions, 1)).Message);
        Assert.Contains("one row per target", Assert.Throws<ArgumentException>(() => NF.InTopK(targets[..3], predictions, 1)).Message);
    }

    [SkippableFact]
    public void Top_k_metrics_do_not_count_a_target_below_an_infinite_score()
    {
        RequireBackend();
        var yPred = NF.Constant(new float[,] { { float.PositiveInfinity, 1f, 2f }, { 0.1f, 0.7f, 0.2f } });
        var sparse = new Metrics.SparseTopKCategoricalAccuracy(k: 1);
        sparse.UpdateState(NF.Constant(new[] { 2, 1 }), yPred);
        Assert.Equal(0.5f, sparse.Result());
        var dense = new Metrics.TopKCategoricalAccuracy(k: 1);
        dense.UpdateState(NF.Constant(new float[,] { { 0, 0, 1 }, { 0, 1, 0 } }), yPred);
        Assert.Equal(0.5f, dense.Result());
        // Sequence outputs: (batch, time, classes) with (batch, time) labels, every step a row.
        var seq = new Metrics.SparseTopKCategoricalAccuracy(k: 2);
        seq.UpdateState(NF.Constant(new[,] { { 0, 2 }, { 1, 1 } }),
                        NF.Constant(new float[,,] { { { 0.5f, 0.3f, 0.2f }, { 0.6f, 0.3f, 0.1f } }, { { 0.2f, 0.7f, 0.1f }, { 0.1f, 0.1f, 0.8f } } }));
        Assert.Equal(0.75f, seq.Result());
    }
}

/// <summary>InTopK on the managed backend.</summary>
public sealed class ManagedInTopKTests() : InTopKTests("managed");

/// <summary>InTopK on the native CPU backend.</summary>
public sealed class NativeCpuInTopKTests() : InTopKTests("cpu");

/// <summary>InTopK on CUDA.</summary>
public sealed class CudaInTopKTests() : InTopKTests("cuda");
