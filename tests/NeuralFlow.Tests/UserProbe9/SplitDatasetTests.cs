using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>
/// Utils.SplitDataset (keras.utils.split_dataset), which was missing. Expected splits follow
/// Keras 3's _rescale_dataset_split_sizes: a float size is round(size * total) with Python's
/// half-to-even rounding, the missing side is the rest, left is the first elements and right the
/// last (a middle the sizes do not cover is dropped), and an empty side is an error.
/// </summary>
public abstract class SplitDatasetTests(string backend) : BackendTest(backend)
{
    private static int[] Values(Dataset<Tensor> d) => d.Select(t => t.ToArray<int>()[0]).ToArray();

    [SkippableFact]
    public void Sizes_follow_keras_rounding_and_ends()
    {
        RequireBackend();
        var x = NF.Range(10);
        var (l, r) = Utils.SplitDataset(x, leftSize: 0.25);   // round(2.5) = 2
        Assert.Equal([0, 1], Values(l));
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9], Values(r));
        (l, r) = Utils.SplitDataset(x, leftSize: 0.35);        // round(3.5) = 4
        Assert.Equal(4, Values(l).Length);
        (l, r) = Utils.SplitDataset(x, leftSize: 3, rightSize: 4);
        Assert.Equal([0, 1, 2], Values(l));
        Assert.Equal([6, 7, 8, 9], Values(r));
        (l, r) = Utils.SplitDataset(x, rightSize: 0.2);
        Assert.Equal(8, l.Cardinality);
        Assert.Equal([8, 9], Values(r));
    }

    [SkippableFact]
    public void Shuffled_sides_partition_the_elements_and_pairs_stay_together()
    {
        RequireBackend();
        var x = NF.Range(20);
        var y = x * 10;
        var (l, r) = Utils.SplitDataset(x, y, leftSize: 0.75, shuffle: true, seed: 7);
        var left = l.Select(p => (p.Item1.ToArray<int>()[0], p.Item2.ToArray<int>()[0])).ToArray();
        var right = r.Select(p => (p.Item1.ToArray<int>()[0], p.Item2.ToArray<int>()[0])).ToArray();
        Assert.Equal(15, left.Length);
        Assert.Equal(5, right.Length);
        Assert.All(left.Concat(right), p => Assert.Equal(p.Item1 * 10, p.Item2));
        Assert.Equal(Enumerable.Range(0, 20), left.Concat(right).Select(p => p.Item1).Order());
        Assert.NotEqual(Enumerable.Range(0, 15), left.Select(p => p.Item1));   // shuffled
        // The same seed, the same split; a second pass over a side sees the same elements.
        Assert.Equal(left, Utils.SplitDataset(x, y, leftSize: 0.75, shuffle: true, seed: 7).Left
            .Select(p => (p.Item1.ToArray<int>()[0], p.Item2.ToArray<int>()[0])));
        Assert.Equal(right.Select(p => p.Item1), r.Select(p => p.Item1.ToArray<int>()[0]));
    }

    [SkippableFact]
    public void A_filtered_dataset_is_counted_and_an_infinite_one_refused()
    {
        RequireBackend();
        var evens = Dataset.FromTensorSlices(NF.Range(10)).Filter(t => t.ToArray<int>()[0] % 2 == 0);
        Assert.Equal(Dataset.Unknown, evens.Cardinality);
        var (l, r) = Utils.SplitDataset(evens, leftSize: 2);
        Assert.Equal([0, 2], Values(l));
        Assert.Equal([4, 6, 8], Values(r));
        var e = Assert.Throws<ArgumentException>(() => Utils.SplitDataset(Dataset.FromTensorSlices(NF.Range(4)).Repeat(), leftSize: 0.5));
        Assert.Contains("infinite", e.Message);
    }

    [SkippableFact]
    public void Bad_sizes_fail_naming_them()
    {
        RequireBackend();
        var x = NF.Range(10);
        Assert.Contains("leftSize, rightSize or both", Assert.Throws<ArgumentException>(() => Utils.SplitDataset(x)).Message);
        Assert.Equal("leftSize", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.SplitDataset(x, leftSize: 11)).ParamName);
        Assert.Equal("leftSize", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.SplitDataset(x, leftSize: 2.5)).ParamName);
        Assert.Equal("rightSize", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.SplitDataset(x, leftSize: 2, rightSize: -1)).ParamName);
        Assert.Contains("more than the 10", Assert.Throws<ArgumentException>(() => Utils.SplitDataset(x, leftSize: 6, rightSize: 5)).Message);
        var empty = Assert.Throws<ArgumentException>(() => Utils.SplitDataset(x, leftSize: 0.04));   // round(0.4) = 0
        Assert.Equal("leftSize", empty.ParamName);
        Assert.Contains("empty", empty.Message);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedSplitDatasetTests() : SplitDatasetTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuSplitDatasetTests() : SplitDatasetTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaSplitDatasetTests() : SplitDatasetTests("cuda");
