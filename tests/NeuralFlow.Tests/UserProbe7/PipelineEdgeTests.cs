using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe7;

/// <summary>
/// tf.data pipelines of the workshop with the inputs that trip them: empty sources, a last
/// partial batch dropped, sequences padded with a negative value in int64, windows with a
/// stride, shuffles that must be reproducible, repeat/skip/take chains, zips of unequal length,
/// interleave (TensorFlow's own docstring example) and cache. Expected values are TensorFlow's
/// documented results, worked by hand beside each assertion.
/// </summary>
public abstract class PipelineEdgeTests(string backend) : BackendTest(backend)
{
    private static long[][] Longs(IEnumerable<Tensor> elements) => elements.Select(t => t.ToArray<long>()).ToArray();

    private static long[] Scalars(IEnumerable<Tensor> elements) => elements.Select(t => t.ToArray<long>()[0]).ToArray();

    [SkippableFact]
    public void Batch_window_and_padded_batch_follow_tensorflow()
    {
        RequireBackend();
        Assert.Equal([[0L, 1, 2], [3L, 4, 5]], Longs(Dataset.Range(7).Batch(3, dropRemainder: true)));
        Assert.Equal([[0L, 1, 2], [1L, 2, 3], [2L, 3, 4]], Longs(Dataset.Range(5).Window(3, shift: 1, dropRemainder: true)));
        // size 2, shift 2, stride 2: window k holds 2k and 2k + 2 (the last only 4).
        Assert.Equal([[0L, 2], [2L, 4], [4L]], Longs(Dataset.Range(5).Window(2, shift: 2, stride: 2)));
        var ragged = Dataset.FromGenerator(() => new[] { new long[] { 1 }, [2, 3], [4, 5, 6] }.Select(v => NF.Constant(v)));
        var padded = ragged.PaddedBatch(2, paddingValue: -1).ToList();
        Assert.Equal(DType.Int64, padded[0].DType);
        Assert.Equal(new Shape(2, 2), padded[0].Shape);
        Assert.Equal([1L, -1, 2, 3], padded[0].ToArray<long>());
        Assert.Equal(new Shape(1, 3), padded[1].Shape);
        Assert.Equal([4L, 5, 6], padded[1].ToArray<long>());
        Assert.Equal([0L, 1, 2, 3], Scalars(Dataset.Range(4).Batch(3).Unbatch()));
    }

    [SkippableFact]
    public void Repeat_skip_take_zip_enumerate_and_interleave_follow_tensorflow()
    {
        RequireBackend();
        Assert.Equal([1L, 2, 0, 1], Scalars(Dataset.Range(3).Repeat(2).Skip(1).Take(4)));
        var zipped = Dataset.Zip(Dataset.Range(3), Dataset.Range(10, 15)).ToList();
        Assert.Equal(3, zipped.Count);
        Assert.Equal([10L, 11, 12], zipped.Select(p => p.Item2.ToArray<long>()[0]));
        var numbered = Dataset.FromTensorSlices(NF.Constant(new[] { 0.5, 1.5 })).Enumerate(start: 5).ToList();
        Assert.Equal([5L, 6], numbered.Select(p => p.Item1.ToArray<long>()[0]));
        Assert.Equal([0.5, 1.5], numbered.Select(p => p.Item2.ToArray<double>()[0]));
        // tf.data.Dataset.interleave's docstring: range(1, 6), each repeated 6 times, cycle 2, block 4.
        var interleaved = Scalars(Dataset.Range(1, 6).Interleave(x => Dataset.FromTensors(x).Repeat(6), cycleLength: 2, blockLength: 4));
        Assert.Equal([1L, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5], interleaved);
    }

    [SkippableFact]
    public void Seeded_shuffles_repeat_and_cache_maps_once()
    {
        RequireBackend();
        var fixedOrder = Dataset.Range(20).Shuffle(8, seed: 3, reshuffleEachIteration: false);
        var first = Scalars(fixedOrder);
        Assert.Equal(first, Scalars(fixedOrder));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), first.Order());
        Assert.Equal(first, Scalars(Dataset.Range(20).Shuffle(8, seed: 3, reshuffleEachIteration: false)));
        int calls = 0;
        var cached = Dataset.Range(4).Map(x => { Interlocked.Increment(ref calls); return x * 2L; }).Cache();
        Assert.Equal([0L, 2, 4, 6], Scalars(cached));
        Assert.Equal([0L, 2, 4, 6], Scalars(cached));
        Assert.Equal(4, calls);
    }

    [SkippableFact]
    public void Dictionaries_batch_per_key_and_oversized_batches_and_buffers_take_everything()
    {
        RequireBackend();
        var features = new Dictionary<string, Tensor>
        {
            ["a"] = NF.Constant(new[,] { { 1.0, 2.0 }, { 3.0, 4.0 }, { 5.0, 6.0 }, { 7.0, 8.0 } }),
            ["b"] = NF.Constant(new long[] { 10, 20, 30, 40 }),
        };
        var batches = Dataset.FromTensorSlices(features, NF.Constant(new byte[] { 0, 1, 1, 0 })).Batch(3).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(new Shape(3, 2), batches[0].Item1["a"].Shape);
        Assert.Equal(DType.Float64, batches[0].Item1["a"].DType);
        Assert.Equal([10L, 20, 30], batches[0].Item1["b"].ToArray<long>());
        Assert.Equal(new Shape(1, 2), batches[1].Item1["a"].Shape);
        Assert.Equal([7.0, 8.0], batches[1].Item1["a"].ToArray<double>());
        Assert.Equal(DType.UInt8, batches[1].Item2.DType);
        Assert.Equal(new byte[] { 0 }, batches[1].Item2.ToArray<byte>());
        // A batch larger than the data is one short batch, or nothing with dropRemainder.
        Assert.Equal([[0L, 1, 2]], Longs(Dataset.Range(3).Batch(10)));
        Assert.Empty(Dataset.Range(3).Batch(10, dropRemainder: true).ToList());
        // A shuffle buffer larger than the data is a full permutation.
        Assert.Equal([0L, 1, 2, 3, 4], Scalars(Dataset.Range(5).Shuffle(1000, seed: 7)).Order());
    }

    [SkippableFact]
    public void Empty_sources_give_empty_pipelines()
    {
        RequireBackend();
        var empty = Dataset.FromTensorSlices(NF.Zeros([0, 3], DType.Float64));
        Assert.Empty(empty.Batch(2).ToList());
        Assert.Empty(empty.Map(x => x * 2.0).Shuffle(4, seed: 1).Batch(2, dropRemainder: true).Cache().ToList());
        Assert.Empty(Dataset.Range(5).Filter(x => x.ToArray<long>()[0] > 10).Batch(2).ToList());
        Assert.Empty(Dataset.Range(0).PaddedBatch(3).ToList());
        Assert.Empty(Dataset.Range(0).Window(2).ToList());
        Assert.Empty(Dataset.Range(3).Take(0).Repeat(5).ToList());
    }
}

public sealed class ManagedPipelineEdgeTests() : PipelineEdgeTests("managed");

public sealed class NativeCpuPipelineEdgeTests() : PipelineEdgeTests("cpu");

public sealed class CudaPipelineEdgeTests() : PipelineEdgeTests("cuda");
