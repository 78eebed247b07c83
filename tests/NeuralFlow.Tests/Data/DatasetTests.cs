using NeuralFlow.Data;
using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Tests.Data;

/// <summary>Dataset pipelines: slicing, Map, Filter, Batch, Repeat/Take/Skip/Cache/Zip, ownership.</summary>
public class DatasetTests
{
    internal static Tensor Iota(int n) => NF.Range(n);

    internal static int[] Values(IEnumerable<Tensor> elements) => elements.SelectMany(t => t.ToArray<int>()).ToArray();

    [Fact]
    public void FromTensorSlices_yields_rows_along_the_first_axis_and_restarts()
    {
        var x = NF.Constant(Enumerable.Range(0, 12).ToArray(), [4, 3]);
        var y = NF.Constant(new[] { 10, 11, 12, 13 });
        var ds = Dataset.FromTensorSlices(x, y);
        Assert.Equal(4, ds.Cardinality);
        for (int pass = 0; pass < 2; pass++)
        {
            int i = 0;
            foreach (var (row, label) in ds)
            {
                Assert.Equal(new Shape(3), row.Shape);
                Assert.Equal(Shape.Scalar, label.Shape);
                Assert.Equal([3 * i, 3 * i + 1, 3 * i + 2], row.ToArray<int>());
                Assert.Equal(10 + i, label.Item<int>());
                i++;
            }
            Assert.Equal(4, i);
        }
        Assert.Equal([0, 1, 2], Values(Dataset.FromTensorSlices(Iota(3))));
        var triples = Dataset.FromTensorSlices(Iota(2), Iota(2), Iota(2)).Select(e => e.Item3.Item<int>()).ToArray();
        Assert.Equal([0, 1], triples);
    }

    [Fact]
    public void FromTensorSlices_rejects_mismatched_first_dimensions_and_scalars()
    {
        var e = Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(Iota(3), Iota(4)));
        Assert.Contains(new Shape(3).ToString(), e.Message);
        Assert.Contains(new Shape(4).ToString(), e.Message);
        Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(NF.Constant(1)));
    }

    [Fact]
    public void Map_as_in_the_workshop_and_with_parallel_calls_keeps_order()
    {
        var images = NF.Constant(Enumerable.Range(0, 5 * 4).Select(i => (byte)i).ToArray(), [5, 2, 2]);
        var labels = NF.Constant(new byte[] { 0, 1, 2, 3, 4 });
        var ds = Dataset.FromTensorSlices(images, labels)
            .Map((img, label) => (NF.Cast(NF.Reshape(img, [2 * 2]), DType.Float32) / 255f, label));
        int i = 0;
        foreach (var (x, y) in ds)
        {
            Assert.Equal(DType.Float32, x.DType);
            Assert.Equal(new Shape(4), x.Shape);
            Assert.Equal(Enumerable.Range(4 * i, 4).Select(v => v / 255f).ToArray(), x.ToArray<float>());
            Assert.Equal((byte)i, y.Item<byte>());
            i++;
        }
        Assert.Equal(5, i);

        var slow = Dataset.FromTensorSlices(Iota(40)).Map(t =>
        {
            Thread.Sleep(t.Item<int>() % 3); // uneven work, so out-of-order completion would show
            return t * 2;
        }, parallelism: 4);
        Assert.Equal(Enumerable.Range(0, 40).Select(v => 2 * v).ToArray(), Values(slow));
    }

    [Fact]
    public void Map_disposes_its_temporaries_but_never_a_captured_tensor()
    {
        var created = new List<Tensor>();
        var outside = NF.Constant(7);
        var ds = Dataset.FromTensorSlices(Iota(3)).Map(t =>
        {
            var a = t + 1;
            var b = a * 2;
            created.Add(a);
            created.Add(b);
            return (b, outside);
        });
        foreach (var (b, o) in ds)
        {
            Assert.False(b.IsDisposed);
            o.Dispose(); // the consumer's handle on the captured tensor, not the tensor itself
        }
        Assert.All(created.Where((_, i) => i % 2 == 0), a => Assert.True(a.IsDisposed));
        Assert.All(created.Where((_, i) => i % 2 == 1), b => Assert.False(b.IsDisposed));
        Assert.False(outside.IsDisposed);
        Assert.Equal(7, outside.Item<int>());
    }

    [Fact]
    public void Map_rejects_element_types_that_are_not_tensors()
    {
        var e = Assert.Throws<NotSupportedException>(() => Dataset.FromTensorSlices(Iota(3)).Map(t => (t, 1)));
        Assert.Contains("ValueTuple<Tensor, Int32>", e.Message);
    }

    [Fact]
    public void Filter_keeps_matching_elements_and_disposes_the_rest()
    {
        var ds = Dataset.FromTensorSlices(Iota(10), Iota(10) * 10).Filter((x, y) => x.Item<int>() % 3 == 0);
        Assert.Equal(Dataset.Unknown, ds.Cardinality);
        Assert.Equal([0, 30, 60, 90], ds.Select(e => e.Item2.Item<int>()).ToArray());
    }

    [Fact]
    public void Batch_with_and_without_the_remainder()
    {
        var x = NF.Constant(Enumerable.Range(0, 20).ToArray(), [10, 2]);
        var ds = Dataset.FromTensorSlices(x, Iota(10));
        var batches = ds.Batch(4).ToList();
        Assert.Equal(3, ds.Batch(4).Cardinality);
        Assert.Equal([4, 4, 2], batches.Select(b => b.Item1.Shape[0]).ToArray());
        Assert.Equal(new Shape(4, 2), batches[0].Item1.Shape);
        Assert.Equal(Enumerable.Range(0, 20).ToArray(), batches.SelectMany(b => b.Item1.ToArray<int>()).ToArray());
        Assert.Equal(Enumerable.Range(0, 10).ToArray(), batches.SelectMany(b => b.Item2.ToArray<int>()).ToArray());

        var dropped = ds.Batch(4, dropRemainder: true).ToList();
        Assert.Equal(2, ds.Batch(4, dropRemainder: true).Cardinality);
        Assert.Equal([4, 4], dropped.Select(b => b.Item2.Shape[0]).ToArray());
        Assert.Equal(Enumerable.Range(0, 8).ToArray(), dropped.SelectMany(b => b.Item2.ToArray<int>()).ToArray());
    }

    [Fact]
    public void Batch_of_shuffled_rows_is_one_gather_and_of_mapped_elements_a_stack()
    {
        var x = NF.Constant(Enumerable.Range(0, 64).ToArray(), [32, 2]);
        Dataset<Tensor> Shuffled() => Dataset.FromTensorSlices(x).Shuffle(32, seed: 3);
        var order = Shuffled().Select(r => r[0].Item<int>() / 2).ToArray();
        var rows = Values(Shuffled().Batch(8));
        // Same seed, same first pass: batch i holds rows order[8i .. 8i+8) in that order.
        Assert.Equal(order.SelectMany(r => new[] { 2 * r, 2 * r + 1 }).ToArray(), rows);

        var element = new List<Part[]> { new[] { Part.Row(x, 5) }, new[] { Part.Row(x, 1) } };
        using var gathered = BatchNode.Stack(element, 0);
        Assert.Equal([10, 11, 2, 3], gathered.ToArray<int>());

        var mapped = Dataset.FromTensorSlices(x).Map(r => r + 1).Batch(5).First();
        Assert.Equal(new Shape(5, 2), mapped.Shape);
        Assert.Equal(Enumerable.Range(1, 10).ToArray(), mapped.ToArray<int>());
    }

    [Fact]
    public void Batch_of_different_shapes_names_component_and_shapes()
    {
        var ds = Dataset.FromTensorSlices(Iota(3)).Map(t => NF.Reshape(NF.Range(t.Item<int>() + 1), [-1])).Batch(3);
        var e = Assert.Throws<InvalidOperationException>(() => ds.ToList());
        Assert.Contains("component 0", e.Message);
        Assert.Contains(new Shape(1).ToString(), e.Message);
        Assert.Contains(new Shape(2).ToString(), e.Message);
    }

    [Fact]
    public void Repeat_Take_Skip_Cache_and_Zip()
    {
        var ds = Dataset.FromTensorSlices(Iota(4));
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3], Values(ds.Repeat(2)));
        Assert.Equal(8, ds.Repeat(2).Cardinality);
        Assert.Equal(Dataset.Infinite, ds.Repeat().Cardinality);
        Assert.Equal([0, 1, 2, 3, 0, 1], Values(ds.Repeat().Take(6)));
        Assert.Equal([2, 3], Values(ds.Skip(2)));
        Assert.Equal([1, 2], Values(ds.Skip(1).Take(2)));

        int calls = 0;
        var cached = ds.Map(t => { Interlocked.Increment(ref calls); return t * 3; }).Cache();
        Assert.Equal([0, 3, 6, 9], Values(cached));
        Assert.Equal([0, 3, 6, 9], Values(cached));
        Assert.Equal(4, calls);
        foreach (var t in cached) t.Dispose(); // disposing replayed elements leaves the cache intact
        Assert.Equal([0, 3, 6, 9], Values(cached));

        var zipped = Dataset.Zip(ds, ds.Map(t => t * 10).Take(3)).ToList();
        Assert.Equal(3, zipped.Count);
        Assert.Equal([0, 10, 20], zipped.Select(p => p.Item2.Item<int>()).ToArray());
        var (a, b) = ds.Zip(ds).Last();
        Assert.Equal((3, 3), (a.Item<int>(), b.Item<int>()));
    }

    [Fact]
    public void Yielded_batches_stay_valid_when_stored_and_AutoDispose_frees_them_unless_kept()
    {
        var x = NF.Constant(Enumerable.Range(0, 12).ToArray(), [6, 2]);
        var pipeline = Dataset.FromTensorSlices(x).Shuffle(6, seed: 1).Map(r => r * 2).Batch(2);

        var stored = new List<Tensor>();
        foreach (var batch in pipeline) stored.Add(batch);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.All(stored, b => Assert.False(b.IsDisposed));
        Assert.Equal(Enumerable.Range(0, 12).Select(v => 2 * v).ToArray(), stored.SelectMany(b => b.ToArray<int>()).Order().ToArray());

        var seen = new List<Tensor>();
        var kept = new List<Tensor>();
        foreach (var batch in pipeline.AutoDispose())
        {
            seen.Add(batch);
            kept.Add(batch.Keep());
        }
        Assert.All(seen, b => Assert.True(b.IsDisposed));
        Assert.Equal(stored.SelectMany(b => b.ToArray<int>()).Order(), kept.SelectMany(b => b.ToArray<int>()).Order());
    }

    [Fact]
    public void EnumerateTensors_gives_flat_components_for_model_fit()
    {
        Dataset ds = Dataset.FromTensorSlices(Iota(5), Iota(5) * 2).Batch(2);
        Assert.Equal(2, ds.ComponentCount);
        var firsts = new List<Tensor>();
        foreach (var tensors in ds.EnumerateTensors(disposeEach: true))
        {
            Assert.Equal(2, tensors.Length);
            firsts.Add(tensors[0]);
        }
        Assert.Equal(3, firsts.Count);
        Assert.All(firsts, t => Assert.True(t.IsDisposed));
    }
}
