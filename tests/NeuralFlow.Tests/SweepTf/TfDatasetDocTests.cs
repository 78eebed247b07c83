using NeuralFlow.Data;

namespace NeuralFlow.Tests.SweepTf;

/// <summary>
/// The examples of tf.data.Dataset's docstrings (tensorflow/python/data/ops/dataset_ops.py: the
/// TF 1.x copy at 641ebc96 for range, zip and concatenate, the TF 2.x copy for the <c>&gt;&gt;&gt;</c>
/// examples of flat_map, interleave, window, scan, reduce, batch, padded_batch, enumerate, ...),
/// ported to NeuralFlow.Data.Dataset; each list is the docstring's printed
/// <c>list(ds.as_numpy_iterator())</c>. FlatMap, Interleave, Window, Rebatch, Scan and Reduce
/// were missing before (added with these tests).
/// </summary>
public abstract class TfDatasetDocTests(string backend) : BackendTest(backend)
{
    private static long[] Scalars(Dataset<Tensor> ds) => ds.Select(t =>
    {
        Assert.Equal(0, t.Rank);
        return Convert.ToInt64(NF.Cast(t, DType.Int64).Item<long>());
    }).ToArray();

    private static long[][] Rows(Dataset<Tensor> ds) => ds.Select(t => NF.Cast(t, DType.Int64).ToArray<long>()).ToArray();

    [SkippableFact]
    public void Range_zip_and_concatenate_of_the_docstrings()
    {
        RequireBackend();
        // Dataset.range: int64, Python's range rules
        Assert.Equal([0L, 1, 2, 3, 4], Scalars(Dataset.Range(5)));
        Assert.Equal([2L, 3, 4], Scalars(Dataset.Range(2, 5)));
        Assert.Equal([1L, 3], Scalars(Dataset.Range(1, 5, 2)));
        Assert.Empty(Scalars(Dataset.Range(1, 5, -2)));
        Assert.Empty(Scalars(Dataset.Range(5, 1)));
        Assert.Equal([5L, 3], Scalars(Dataset.Range(5, 1, -2)));
        Assert.Equal(DType.Int64, Dataset.Range(5).First().DType);
        Assert.Equal(DType.Int32, Dataset.Range(2, 5, dtype: DType.Int32).First().DType);
        // Dataset.zip((a, b)), zip((b, a)), zip((a, d)): the shorter one ends it
        var a = Dataset.Range(1, 4);
        var b = Dataset.Range(4, 7);
        var d = Dataset.Range(13, 15);
        Assert.Equal([(1L, 4L), (2, 5), (3, 6)], Dataset.Zip(a, b).Select(p => (p.Item1.Item<long>(), p.Item2.Item<long>())).ToArray());
        Assert.Equal([(4L, 1L), (5, 2), (6, 3)], Dataset.Zip(b, a).Select(p => (p.Item1.Item<long>(), p.Item2.Item<long>())).ToArray());
        Assert.Equal([(1L, 13L), (2, 14)], a.Zip(d).Select(p => (p.Item1.Item<long>(), p.Item2.Item<long>())).ToArray());
        // a.concatenate(b) with b = { 4, 5, 6, 7 }
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], Scalars(a.Concatenate(Dataset.Range(4, 8))));
    }

    [SkippableFact]
    public void Map_filter_take_skip_repeat_and_enumerate()
    {
        RequireBackend();
        // dataset.map(lambda x: x + 1) over range(1, 6)
        Assert.Equal([2L, 3, 4, 5, 6], Scalars(Dataset.Range(1, 6).Map(x => x + 1)));
        // from_tensor_slices([1, 2, 3]).filter(lambda x: x < 3), and tf.math.equal(x, 1)
        var s = Dataset.FromTensorSlices(NF.Constant(new[] { 1, 2, 3 }));
        Assert.Equal([1L, 2], Scalars(s.Filter(x => NF.Less(x, 3).Item<bool>())));
        Assert.Equal([1L], Scalars(s.Filter(x => NF.Equal(x, 1).Item<bool>())));
        // repeat(3), take(3), skip(7)
        Assert.Equal([1L, 2, 3, 1, 2, 3, 1, 2, 3], Scalars(s.Repeat(3)));
        Assert.Equal([0L, 1, 2], Scalars(Dataset.Range(10).Take(3)));
        Assert.Equal([7L, 8, 9], Scalars(Dataset.Range(10).Skip(7)));
        // from_tensor_slices([1, 2, 3]).enumerate(start=5): (5, 1), (6, 2), (7, 3), the count int64
        var e = s.Enumerate(start: 5).Select(p => (p.Item1.DType, p.Item1.Item<long>(), p.Item2.Item<int>())).ToArray();
        Assert.Equal([(DType.Int64, 5L, 1), (DType.Int64, 6L, 2), (DType.Int64, 7L, 3)], e);
        // from_tensor_slices([(7, 8), (9, 10)]).enumerate(): (0, [7, 8]), (1, [9, 10])
        var rows = Dataset.FromTensorSlices(NF.Constant(new[,] { { 7, 8 }, { 9, 10 } })).Enumerate()
            .Select(p => (p.Item1.Item<long>(), p.Item2.ToArray<int>())).ToArray();
        Assert.Equal(0L, rows[0].Item1);
        Assert.Equal([7, 8], rows[0].Item2);
        Assert.Equal(1L, rows[1].Item1);
        Assert.Equal([9, 10], rows[1].Item2);
        // shuffle(3, reshuffle_each_iteration=True) over range(3): random, so only a permutation
        Assert.Equal([0L, 1, 2], Scalars(Dataset.Range(3).Shuffle(3, seed: 7)).Order().ToArray());
    }

    [SkippableFact]
    public void Batch_and_padded_batch()
    {
        RequireBackend();
        // range(8).batch(3) and batch(3, drop_remainder=True)
        Assert.Equal([[0L, 1, 2], [3, 4, 5], [6, 7]], Rows(Dataset.Range(8).Batch(3)));
        Assert.Equal([[0L, 1, 2], [3, 4, 5]], Rows(Dataset.Range(8).Batch(3, dropRemainder: true)));
        // A = range(1, 5, int32).map(lambda x: tf.fill([x], x)); A.padded_batch(2)
        var filled = Dataset.Range(1, 5, dtype: DType.Int32).Map(x => NF.Fill([x.Item<int>()], x.Item<int>(), DType.Int32));
        var b = filled.PaddedBatch(2).Select(t => (t.Shape.ToArray(), t.ToArray<int>())).ToArray();
        Assert.Equal([2, 2], b[0].Item1);
        Assert.Equal([1, 0, 2, 2], b[0].Item2);
        Assert.Equal([2, 4], b[1].Item1);
        Assert.Equal([3, 3, 3, 0, 4, 4, 4, 4], b[1].Item2);
        // padded_shapes=5, and padding_values=-1
        var c = filled.PaddedBatch(2, paddedShapes: [[5]]).Select(t => t.ToArray<int>()).ToArray();
        Assert.Equal([1, 0, 0, 0, 0, 2, 2, 0, 0, 0], c[0]);
        Assert.Equal([3, 3, 3, 0, 0, 4, 4, 4, 4, 0], c[1]);
        var dd = filled.PaddedBatch(2, paddedShapes: [[5]], paddingValue: -1).Select(t => t.ToArray<int>()).ToArray();
        Assert.Equal([1, -1, -1, -1, -1, 2, 2, -1, -1, -1], dd[0]);
        Assert.Equal([3, 3, 3, -1, -1, 4, 4, 4, 4, -1], dd[1]);
    }

    [SkippableFact]
    public void Flat_map_and_interleave()
    {
        RequireBackend();
        // from_tensor_slices([[1, 2, 3], [4, 5, 6], [7, 8, 9]]).flat_map(from_tensor_slices)
        var m = Dataset.FromTensorSlices(NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } }));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8, 9], Scalars(m.FlatMap(Dataset.FromTensorSlices)));
        // range(1, 6).interleave(lambda x: from_tensors(x).repeat(6), cycle_length=2, block_length=4)
        var interleaved = Dataset.Range(1, 6).Interleave(x => Dataset.FromTensors(x).Repeat(6), cycleLength: 2, blockLength: 4);
        Assert.Equal([1L, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5], Scalars(interleaved));
        // A second pass is the same (every pass restarts), and bad arguments name themselves.
        Assert.Equal(30, Scalars(interleaved).Length);
        Assert.Contains("cycleLength", Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Range(3).Interleave(Dataset.FromTensors, cycleLength: 0)).Message);
    }

    [SkippableFact]
    public void Window_gives_the_docstring_windows_stacked()
    {
        RequireBackend();
        // range(7).window(3) / window(2): the last window is short
        Assert.Equal([[0L, 1, 2], [3, 4, 5], [6]], Rows(Dataset.Range(7).Window(3)));
        Assert.Equal([[0L, 1], [2, 3], [4, 5], [6]], Rows(Dataset.Range(7).Window(2)));
        // window(3, shift=1, drop_remainder=True)
        Assert.Equal([[0L, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]], Rows(Dataset.Range(7).Window(3, shift: 1, dropRemainder: true)));
        // window(3, 2, 1, True) and window(3, 1, 2, True)
        Assert.Equal([[0L, 1, 2], [2, 3, 4], [4, 5, 6]], Rows(Dataset.Range(7).Window(3, 2, 1, true)));
        Assert.Equal([[0L, 2, 4], [1, 3, 5], [2, 4, 6]], Rows(Dataset.Range(7).Window(3, 1, 2, true)));
        // nested = ([1, 2, 3, 4], [5, 6, 7, 8]); from_tensor_slices(nested).window(2)
        var nested = Dataset.FromTensorSlices(NF.Constant(new[] { 1, 2, 3, 4 }), NF.Constant(new[] { 5, 6, 7, 8 })).Window(2)
            .Select(p => (p.Item1.ToArray<int>(), p.Item2.ToArray<int>())).ToArray();
        Assert.Equal([1, 2], nested[0].Item1);
        Assert.Equal([5, 6], nested[0].Item2);
        Assert.Equal([3, 4], nested[1].Item1);
        Assert.Equal([7, 8], nested[1].Item2);
        // Windows apart (shift > size) skip the elements between them; the count is known ahead.
        Assert.Equal([[0L, 1], [5, 6]], Rows(Dataset.Range(8).Window(2, shift: 5)));
        Assert.Equal(5, Dataset.Range(7).Window(3, shift: 1, dropRemainder: true).Cardinality);
        Assert.Equal(4, Dataset.Range(7).Window(2).Cardinality);
    }

    [SkippableFact]
    public void Rebatch_scan_and_reduce()
    {
        RequireBackend();
        // range(8).batch(4).rebatch(batch_size=2), and rebatch(batch_size=[2, 1, 1])
        Assert.Equal([[0L, 1], [2, 3], [4, 5], [6, 7]], Rows(Dataset.Range(8).Batch(4).Rebatch(2)));
        Assert.Equal([[0L, 1], [2], [3], [4, 5], [6], [7]], Rows(Dataset.Range(8).Batch(4).Rebatch([2, 1, 1])));
        // range(10).scan(tf.constant(0, int64), lambda state, i: (state + i, state + i))
        var scanned = Dataset.Range(10).Scan(NF.Constant(0L), (state, i) => (state + i, state + i));
        Assert.Equal([0L, 1, 3, 6, 10, 15, 21, 28, 36, 45], Scalars(scanned));
        Assert.Equal(45L, Scalars(scanned)[^1]);
        // range(5).reduce(np.int64(0), lambda x, _: x + 1) and lambda x, y: x + y
        Assert.Equal(5L, Dataset.Range(5).Reduce(NF.Constant(0L), (x, _) => x + 1).Item<long>());
        Assert.Equal(10L, Dataset.Range(5).Reduce(NF.Constant(0L), (x, y) => x + y).Item<long>());
        Assert.Throws<InvalidOperationException>(() => Dataset.Range(5).Scan(NF.Constant(0L), (s, x) => (NF.Cast(s, DType.Float32), x)).ToArray());
    }
}

public sealed class ManagedTfDatasetDocTests() : TfDatasetDocTests("managed");
public sealed class NativeCpuTfDatasetDocTests() : TfDatasetDocTests("cpu");
public sealed class CudaTfDatasetDocTests() : TfDatasetDocTests("cuda");
