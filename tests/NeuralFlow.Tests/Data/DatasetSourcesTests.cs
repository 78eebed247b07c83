using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// tf.data's other sources and reshapers: Range, FromGenerator, FromTensors, Concatenate,
/// Enumerate, Unbatch, PaddedBatch. Expected values are TensorFlow's documented ones
/// (the tf.data.Dataset docstrings), written out by hand.
/// </summary>
public class DatasetSourcesTests
{
    private static long[] Longs(IEnumerable<Tensor> elements) => elements.Select(t => t.Item<long>()).ToArray();

    [Fact]
    public void Range_follows_pythons_range_as_int64_scalars()
    {
        Assert.Equal([0L, 1, 2, 3, 4], Longs(Dataset.Range(5)));
        Assert.Equal([2L, 3, 4], Longs(Dataset.Range(2, 5)));
        Assert.Equal([1L, 3], Longs(Dataset.Range(1, 5, 2)));
        Assert.Equal([1L, 3, 5], Longs(Dataset.Range(1, 6, 2)));
        Assert.Equal([], Longs(Dataset.Range(1, 5, -2)));
        Assert.Equal([5L, 3], Longs(Dataset.Range(5, 1, -2)));
        Assert.Equal(2, Dataset.Range(5, 1, -2).Cardinality);
        Assert.Equal(0, Dataset.Range(3, 3).Cardinality);
        var first = Dataset.Range(3).First();
        Assert.Equal(DType.Int64, first.DType);
        Assert.Equal(Shape.Scalar, first.Shape);
        Assert.Equal([1f, 2f], Dataset.Range(1, 3, dtype: DType.Float32).Select(t => t.Item<float>()).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.Range(0, 5, 0));
        Assert.Equal(3, Dataset.Range(long.MaxValue - 3, long.MaxValue).Count()); // no overflow at the end of int64
    }

    [Fact]
    public void FromGenerator_restarts_each_pass_and_leaves_the_generators_tensors_alive()
    {
        var kept = NF.Constant(new[] { 7f, 8f });
        int calls = 0;
        IEnumerable<(Tensor, Tensor)> Pairs()
        {
            calls++;
            for (int i = 0; i < 3; i++) yield return (kept, NF.Constant(i));
        }
        var ds = Dataset.FromGenerator(Pairs);
        Assert.Equal(Dataset.Unknown, ds.Cardinality);
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var (x, y) in ds.Batch(2).AutoDispose())
                Assert.Equal(x.Shape[0], y.Shape[0]);
        }
        Assert.Equal(2, calls);
        Assert.False(kept.IsDisposed);
        Assert.Equal([7f, 8f], kept.ToArray<float>());
        var labels = ds.Batch(3).Select(e => e.Item2.ToArray<int>()).Single();
        Assert.Equal([0, 1, 2], labels);
    }

    [Fact]
    public void FromGenerator_reports_a_null_sequence_and_passes_on_the_generators_exception()
    {
        var none = Dataset.FromGenerator<Tensor>(() => null!);
        Assert.Contains("returned null", Assert.Throws<InvalidOperationException>(() => none.ToList()).Message);
        IEnumerable<Tensor> Failing()
        {
            yield return NF.Constant(1f);
            throw new FormatException("bad record 2");
        }
        Assert.Equal("bad record 2", Assert.Throws<FormatException>(() => Dataset.FromGenerator(Failing).Batch(4).ToList()).Message);
    }

    [Fact]
    public void FromTensors_is_one_element_of_the_whole_tensors()
    {
        var x = NF.Constant(new[,] { { 1, 2 }, { 3, 4 } });
        var ds = Dataset.FromTensors(x);
        Assert.Equal(1, ds.Cardinality);
        var only = Assert.Single(ds);
        Assert.Equal(new Shape(2, 2), only.Shape);
        Assert.Equal([1, 2, 3, 4], only.ToArray<int>());
        var (a, b) = Assert.Single(Dataset.FromTensors(x, NF.Constant(5)));
        Assert.Equal(new Shape(2, 2), a.Shape);
        Assert.Equal(5, b.Item<int>());
        only.Dispose();
        Assert.False(x.IsDisposed);
    }

    [Fact]
    public void Concatenate_and_Enumerate_as_tf_data()
    {
        var a = Dataset.Range(1, 4);
        var b = Dataset.Range(4, 8);
        var both = a.Concatenate(b);
        Assert.Equal(7, both.Cardinality);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], Longs(both));
        Assert.Equal(Dataset.Unknown, a.Concatenate(b.Filter(_ => true)).Cardinality);
        Assert.Equal(Dataset.Infinite, a.Repeat().Concatenate(b).Cardinality);

        var pairs = Dataset.FromTensorSlices(NF.Constant(new[] { 10, 20, 30 })).Enumerate(start: 5)
            .Select(e => (e.Item1.Item<long>(), e.Item2.Item<int>())).ToArray();
        Assert.Equal([(5L, 10), (6L, 20), (7L, 30)], pairs);
        Assert.Equal(3, Dataset.Range(3).Enumerate().Cardinality);
    }

    [Fact]
    public void Unbatch_inverts_Batch_and_checks_first_dimensions()
    {
        var x = NF.Constant(Enumerable.Range(0, 10).ToArray(), [5, 2]);
        var y = NF.Constant(new[] { 0, 1, 2, 3, 4 });
        var rows = Dataset.FromTensorSlices(x, y).Batch(2).Unbatch().ToList();
        Assert.Equal(5, rows.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal([2 * i, 2 * i + 1], rows[i].Item1.ToArray<int>());
            Assert.Equal(i, rows[i].Item2.Item<int>());
        }
        var mismatched = Dataset.FromTensors(NF.Zeros([2, 3]), NF.Zeros([3]));
        Assert.Contains("first dimensions", Assert.Throws<InvalidOperationException>(() => mismatched.Unbatch().ToList()).Message);
        Assert.Contains("scalar", Assert.Throws<InvalidOperationException>(() => Dataset.Range(2).Unbatch().ToList()).Message);
    }

    [Fact]
    public void PaddedBatch_pads_to_the_longest_element_as_the_tf_docstring()
    {
        // tf.data docstring: Dataset.range(1, 6).map(lambda x: tf.fill([x], x)).padded_batch(2)
        //   -> [[1 0] [2 2]], [[3 3 3 0] [4 4 4 4]], [[5 5 5 5 5]]
        IEnumerable<Tensor> Fills()
        {
            for (long n = 1; n < 6; n++) yield return NF.Fill([(int)n], n, DType.Int64);
        }
        var batches = Dataset.FromGenerator(Fills).PaddedBatch(2).Select(t => (t.Shape, t.ToArray<long>())).ToArray();
        Assert.Equal(3, batches.Length);
        Assert.Equal([new Shape(2, 2), new Shape(2, 4), new Shape(1, 5)], batches.Select(b => b.Shape));
        Assert.Equal([1L, 0, 2, 2], batches[0].Item2);
        Assert.Equal([3L, 3, 3, 0, 4, 4, 4, 4], batches[1].Item2);
        Assert.Equal([5L, 5, 5, 5, 5], batches[2].Item2);

        // padded_shapes=[5] and padding_value=-1: -> [[1 -1 -1 -1 -1] [2 2 -1 -1 -1]], ...
        var fixedLength = Dataset.FromGenerator(Fills).PaddedBatch(2, paddedShapes: [[5]], paddingValue: -1, dropRemainder: true)
            .Select(t => t.ToArray<long>()).ToArray();
        Assert.Equal(2, fixedLength.Length);
        Assert.Equal([1L, -1, -1, -1, -1, 2, 2, -1, -1, -1], fixedLength[0]);

        var tooShort = Dataset.FromGenerator(Fills).PaddedBatch(2, paddedShapes: [[3]]);
        Assert.Contains("longer than its padded shape", Assert.Throws<InvalidOperationException>(() => tooShort.ToList()).Message);
        Assert.Throws<ArgumentException>(() => Dataset.FromGenerator(Fills).PaddedBatch(2, paddedShapes: [[3], [3]]));
    }

    [Fact]
    public void PaddedBatch_pads_each_component_and_feeds_Fit()
    {
        // Sequences of 1..4 two-feature steps with a label each; padded per batch, then a
        // model that pools over time trains on them.
        IEnumerable<(Tensor, Tensor)> Sequences()
        {
            for (int n = 1; n <= 8; n++)
                yield return (NF.Fill([1 + n % 4, 2], n % 2 == 0 ? 1f : -1f), NF.Constant(n % 2 == 0 ? 1f : 0f));
        }
        var ds = Dataset.FromGenerator(Sequences).PaddedBatch(4);
        var first = ds.First();
        Assert.Equal(new Shape(4, 4, 2), first.Item1.Shape);
        Assert.Equal(new Shape(4), first.Item2.Shape);
        var row0 = first.Item1.ToArray<float>()[..8];
        Assert.Equal([-1f, -1f, -1f, -1f, 0f, 0f, 0f, 0f], row0); // n = 1: two steps, then padding

        var model = new Sequential(new Layers.GlobalAveragePooling1D(), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(optimizer: new Optimizers.SGD(0.5f), loss: "binary_crossentropy");
        var history = model.Fit(ds, epochs: 5, verbose: 0);
        var losses = history["loss"];
        Assert.True(losses[^1] < losses[0], $"loss did not fall: {string.Join(", ", losses)}");
    }
}
