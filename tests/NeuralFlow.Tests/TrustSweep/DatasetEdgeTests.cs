using NeuralFlow.Data;

namespace NeuralFlow.Tests.TrustSweep;

/// <summary>
/// User programs with edge arguments for the cross-element Dataset combinators (Interleave,
/// Window, Rebatch, Scan, Reduce). References: tf.data's documented behaviour (dataset_ops.py).
/// </summary>
public abstract class DatasetEdgeTests(string backend) : BackendTest(backend)
{
    private static long[] Values(IEnumerable<Tensor> ds) => ds.Select(t => t.Item<long>()).ToArray();

    // Before: cycleLength int.MaxValue threw OutOfMemoryException (a slot array of that length
    // was allocated up front); tf.data takes any cycle length and opens only what exists.
    [SkippableFact]
    public void Interleave_takes_a_cycle_longer_than_its_inputs()
    {
        RequireBackend();
        var ds = Dataset.Range(1, 4).Interleave(x => Dataset.FromTensors(x).Repeat(2), cycleLength: int.MaxValue);
        Assert.Equal([1L, 2, 3, 1, 2, 3], Values(ds));
        Assert.Equal([1L, 2, 3, 1, 2, 3], Values(ds));   // a second pass, the same order
        // dataset_ops.py's order with a shorter cycle is unchanged: cycle 2 of [1, 2, 3] repeated twice.
        Assert.Equal([1L, 2, 1, 2, 3, 3], Values(Dataset.Range(1, 4).Interleave(x => Dataset.FromTensors(x).Repeat(2), cycleLength: 2)));
        // Uneven inner lengths with blocks of 2: a finished slot takes the next input on its next turn.
        var uneven = Dataset.Range(1, 5).Interleave(x => Dataset.Range(0, 3).Map(y => y + x * 10), cycleLength: 2, blockLength: 2);
        Assert.Equal([10L, 11, 20, 21, 12, 22, 30, 31, 40, 41, 32, 42], Values(uneven));
        Assert.Equal([0L, 0, 1, 1, 2], Values(Dataset.Range(1, 4).Interleave(x => Dataset.Range(100).Repeat(), cycleLength: 2).Take(5)));
    }

    // Pinned: tf.data's edge answers (windows longer than the data, empty inputs, the state rules).
    [SkippableFact]
    public void Window_rebatch_scan_and_reduce_edges_are_tf_datas()
    {
        RequireBackend();
        Assert.Equal([0L, 1, 2], Dataset.Range(3).Window(5).Single().ToArray<long>());
        Assert.Empty(Dataset.Range(3).Window(5, dropRemainder: true));
        Assert.Empty(Dataset.Range(0).Window(2));
        Assert.Equal(4, Dataset.Range(10).Window(3, 1, 3, dropRemainder: true).Cardinality);
        Assert.Equal(4, Dataset.Range(10).Window(3, 1, 3, dropRemainder: true).Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Range(5).Batch(2).Rebatch([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Range(5).Batch(2).Rebatch([0, 2]));
        Assert.Equal([3, 2], Dataset.Range(5).Batch(2).Rebatch(3).Select(b => b.Shape[0]).ToArray());
        Assert.Empty(Dataset.Range(0).Scan(NF.Constant(0L), (s, x) => (s + x, s)));
        var e = Assert.Throws<InvalidOperationException>(() => Dataset.Range(3).Scan(NF.Constant(0L), (s, x) => (NF.Stack([s, x]), s)).ToList());
        Assert.Contains("changed from", e.Message);
        Assert.Equal(5L, Dataset.Range(0).Reduce(NF.Constant(5L), (s, x) => s + x).Item<long>());
        Assert.Throws<InvalidOperationException>(() => Dataset.Range(3).Repeat().Reduce(NF.Constant(0L), (s, x) => s + x));
        var init = NF.Constant(7L);
        Assert.Equal(7L, Dataset.Range(3).Reduce(init, (s, x) => init).Item<long>());
        Assert.Equal(7L, init.Item<long>());   // the caller's initial state is not freed
    }
}

public sealed class ManagedDatasetEdgeTests() : DatasetEdgeTests("managed");

public sealed class NativeCpuDatasetEdgeTests() : DatasetEdgeTests("cpu");

public sealed class CudaDatasetEdgeTests() : DatasetEdgeTests("cuda");
