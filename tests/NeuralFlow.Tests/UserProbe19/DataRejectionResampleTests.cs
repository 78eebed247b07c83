using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// tf.data's <c>rejection_resample</c> (missing before), as the tf.data guide balances its
/// credit-card data: elements come out as (class, element) with their classes in the target
/// distribution. The mixing weight and acceptance probabilities are TensorFlow's
/// (rejection_resample_reference.py prints them); the tests check the distribution they give.
/// </summary>
public abstract class DataRejectionResampleTests(string backend) : BackendTest(backend)
{
    // 1 class-1 element in 20, as the guide's fraud data is rare (there 0.2%).
    private static Dataset<(Tensor, Tensor)> Rare(int n)
    {
        var labels = Enumerable.Range(0, n).Select(i => i % 20 == 7 ? 1L : 0L).ToArray();
        var features = NF.Reshape(NF.Cast(NF.Range(n * 2), DType.Float32), [n, 2]);
        return Dataset.FromTensorSlices(features, NF.Constant(labels));
    }

    [SkippableFact]
    public void The_guides_resampling_balances_a_rare_class()
    {
        RequireBackend();
        var creditcard = Rare(4000).Batch(1024);
        var resampled = creditcard.Unbatch()
            .RejectionResample((features, label) => label, targetDist: [0.5, 0.5], initialDist: [0.95, 0.05], seed: 3)
            .Batch(10);
        // The guide drops the extra class value: map(lambda extra_label, features_and_label: features_and_label)
        var balanced = resampled.Map((extraLabel, featuresAndLabel) => featuresAndLabel);
        var labels = balanced.SelectMany(b => b.Item2.ToArray<long>()).ToArray();
        // It ends when the accepting stream has used up the 200 class-1 elements: about 420 elements, half of each class.
        Assert.InRange(labels.Length, 330, 520);
        Assert.InRange(labels.Average(), 0.42, 0.58);
        // Each element keeps its features (feature 0 is twice the row, and the row says the class).
        foreach (var (features, label) in balanced.Unbatch().Take(50))
        {
            long row = (long)features.ToArray<float>()[0] / 2;
            Assert.Equal(row % 20 == 7 ? 1L : 0L, label.Item<long>());
        }
        // The class value that comes first is the class function's.
        foreach (var (cls, (_, label)) in resampled.Unbatch().Take(20))
            Assert.Equal(label.Item<long>(), cls.Item<long>());
    }

    [SkippableFact]
    public void Three_classes_reach_the_target_distribution()
    {
        RequireBackend();
        // Classes 0, 1, 2 in 6 : 3 : 1, resampled to 0.2 : 0.3 : 0.5, an infinite stream as the guide's repeat().
        var classes = Enumerable.Range(0, 10).Select(i => i < 6 ? 0 : i < 9 ? 1 : 2).ToArray();
        Dataset<Tensor> Data() => Dataset.FromTensorSlices(NF.Constant(classes)).Shuffle(10, seed: 1).Repeat();
        var outputs = Data().RejectionResample(x => x, [0.2, 0.3, 0.5], [0.6, 0.3, 0.1], seed: 5).Take(6000)
            .Select(p => p.Item2.Item<int>()).ToArray();
        Assert.InRange(outputs.Count(c => c == 0) / 6000.0, 0.17, 0.23);
        Assert.InRange(outputs.Count(c => c == 1) / 6000.0, 0.27, 0.33);
        Assert.InRange(outputs.Count(c => c == 2) / 6000.0, 0.47, 0.53);
        // A seed gives the same outputs every run (the same pipeline built again: its shuffles start from their first pass).
        var again = Data().RejectionResample(x => x, [0.2, 0.3, 0.5], [0.6, 0.3, 0.1], seed: 5).Take(200).Select(p => p.Item2.Item<int>());
        Assert.Equal(outputs.Take(200), again);
    }

    [SkippableFact]
    public void Without_an_initial_distribution_the_classes_are_counted_and_a_met_target_keeps_the_data()
    {
        RequireBackend();
        // Counted from the data (1 in 20), the guide's call without initial_dist balances as well.
        var labels = Rare(4000).RejectionResample((f, l) => l, [0.5, 0.5], seed: 2).Select(p => p.Item1.Item<long>()).ToArray();
        Assert.InRange(labels.Average(), 0.42, 0.58);
        // Data already in the target distribution comes out whole, in order.
        var same = Dataset.Range(6).RejectionResample(x => NF.FloorMod(x, 2L), [0.5, 0.5]).Select(p => p.Item2.Item<long>());
        Assert.Equal([0L, 1, 2, 3, 4, 5], same);
    }

    [SkippableFact]
    public void Bad_classes_and_distributions_are_named()
    {
        RequireBackend();
        var outside = Dataset.Range(5).RejectionResample(x => x, [0.5, 0.5], [0.5, 0.5]);
        Assert.Contains("returned 2, but targetDist has 2 classes", Assert.Throws<InvalidOperationException>(() => outside.ToList()).Message);
        var floats = Dataset.FromTensorSlices(NF.Constant(new[] { 0f, 1f })).RejectionResample(x => x, [0.5, 0.5], [0.9, 0.1]);
        Assert.Contains("scalar integer", Assert.Throws<InvalidOperationException>(() => floats.ToList()).Message);
        Assert.Contains("one probability per class in both",
            Assert.Throws<ArgumentException>(() => Dataset.Range(4).RejectionResample(x => x, [0.5, 0.5], [0.2, 0.3, 0.5])).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => Dataset.Range(4).RejectionResample(x => x, [1.5, -0.5])).Message);
        Assert.Contains("give initialDist", Assert.Throws<ArgumentException>(() => Dataset.Range(4).Repeat().RejectionResample(x => x, [0.5, 0.5])).Message);
    }
}

/// <summary>Rejection resampling, on the managed backend.</summary>
public sealed class ManagedDataRejectionResampleTests() : DataRejectionResampleTests("managed");

/// <summary>Rejection resampling, on the native CPU backend.</summary>
public sealed class NativeCpuDataRejectionResampleTests() : DataRejectionResampleTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaDataRejectionResampleTests() : DataRejectionResampleTests("cuda");
