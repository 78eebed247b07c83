using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// The ragged guide's "Datasets" cells: from_tensor_slices of a RaggedTensor (rows as dense tensors, a
/// RaggedTensorSpec of ragged rank 0), ragged batching of them and of variable-length tensors (cell 73's
/// dense_to_ragged_batch), batch of ragged batches, unbatch back, Map over ragged batches, PaddedBatch
/// unchanged, and the refusals. Expected rows from ragged2_references.py.
/// </summary>
public abstract class Ragged2DatasetTests(string backend) : BackendTest(backend)
{
    private static RaggedTensor Digits() => NF.Ragged.Constant(new[] { new[] { 3, 1, 4, 1 }, [], [5, 9, 2], [6], [] });

    [SkippableFact]
    public void Slices_of_a_ragged_tensor_are_its_rows()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(Digits());
        Assert.Equal("RaggedTensorSpec(TensorShape([None]), tf.int32, 0, tf.int64)", ds.ElementSpec.ToString());
        Assert.Equal(0, ((TensorSpec)ds.ElementSpec).RaggedRank);
        Assert.StartsWith("<_TensorSliceDataset element_spec=RaggedTensorSpec", ds.ToString());
        Assert.Equal(5, ds.Cardinality);
        var rows = ds.Select(t => t.ToArray<int>()).ToList();
        Assert.Equal(new[] { new[] { 3, 1, 4, 1 }, [], [5, 9, 2], [6], [] }, rows);
        Assert.All(ds, t => Assert.Equal(DType.Int32, t.DType));

        // PaddedBatch of the rows is unchanged: zeros to each batch's longest row.
        var padded = ds.PaddedBatch(2).Select(t => (string.Join("x", t.Shape.ToArray()), string.Join(",", t.ToArray<int>()))).ToList();
        Assert.Equal([("2x4", "3,1,4,1,0,0,0,0"), ("2x3", "5,9,2,6,0,0"), ("1x0", "")], padded);

        // Uniform inner axes travel with each row.
        var pairs = RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } }), [0, 1, 3]);
        var pairRows = Dataset.FromTensorSlices(pairs);
        Assert.Equal("RaggedTensorSpec(TensorShape([None, 2]), tf.float32, 0, tf.int64)", pairRows.ElementSpec.ToString());
        Assert.Equal(new[] { "1x2", "2x2" }, pairRows.Select(t => string.Join("x", t.Shape.ToArray())).ToArray());
    }

    [SkippableFact]
    public void Ragged_batches_unbatch_and_batch_again()
    {
        RequireBackend();
        var rows = Dataset.FromTensorSlices(Digits());
        var batched = rows.RaggedBatch(2);
        Assert.Equal("RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)", batched.ElementSpec.ToString());
        Assert.Equal(3, batched.Cardinality);
        var batches = new List<RaggedTensor>();
        foreach (RaggedTensor rt in batched) batches.Add(rt);
        Assert.Equal(new[] { "<tf.RaggedTensor [[3, 1, 4, 1], []]>", "<tf.RaggedTensor [[5, 9, 2], [6]]>", "<tf.RaggedTensor [[]]>" }, batches.Select(b => b.ToString()));
        Assert.Equal("RaggedTensorSpec(TensorShape([2, None]), tf.int32, 1, tf.int64)", rows.RaggedBatch(2, dropRemainder: true).ElementSpec.ToString());
        Assert.Equal(2, rows.RaggedBatch(2, dropRemainder: true).Count());

        // Unbatch of a ragged-rank-1 batch gives the rows back, with their spec.
        var unbatched = batched.UnbatchRows();
        Assert.Equal("RaggedTensorSpec(TensorShape([None]), tf.int32, 0, tf.int64)", unbatched.ElementSpec.ToString());
        Assert.Equal(new[] { new[] { 3, 1, 4, 1 }, [], [5, 9, 2], [6], [] }, unbatched.Select(t => t.ToArray<int>()).ToList());

        // Batch of ragged batches: one more ragged axis; Unbatch gives the ragged batches back.
        var twice = batched.Batch(2);
        Assert.Equal("RaggedTensorSpec(TensorShape([None, None, None]), tf.int32, 2, tf.int64)", twice.ElementSpec.ToString());
        Assert.Equal(new[] { "<tf.RaggedTensor [[[3, 1, 4, 1], []], [[5, 9, 2], [6]]]>", "<tf.RaggedTensor [[[]]]>" }, twice.Select(b => b.ToString()));
        Assert.Equal(batches.Select(b => b.ToString()), twice.Unbatch().Select(b => b.ToString()));

        // Steps that only move elements carry ragged ones: shuffle, take, skip, repeat, prefetch, cache, zip.
        Assert.Equal(batches.Select(b => b.ToString()).Order(), batched.Shuffle(10, seed: 3).Select(b => b.ToString()).Order());
        Assert.Equal(new[] { batches[1].ToString() }, batched.Skip(1).Take(1).Repeat(2).Prefetch(2).Cache().Take(1).Select(b => b.ToString()));
        var numbered = Dataset.Zip(batched, Dataset.Range(3)).Select(e => $"{e.Item2.Item<long>()}:{e.Item1}").ToList();
        Assert.Equal("2:<tf.RaggedTensor [[]]>", numbered[2]);
    }

    [SkippableFact]
    public void Variable_length_tensors_batch_raggedly_and_map()
    {
        RequireBackend();
        // Guide cell 73: from_tensor_slices([1, 5, 3, 2, 8]).map(tf.range), dense_to_ragged_batch(2).
        var ranges = Dataset.FromTensorSlices(NF.Constant(new[] { 1, 5, 3, 2, 8 })).Map(n => NF.Range(n.Item<int>()));
        Assert.Equal(new[] { "<tf.RaggedTensor [[0], [0, 1, 2, 3, 4]]>", "<tf.RaggedTensor [[0, 1, 2], [0, 1]]>", "<tf.RaggedTensor [[0, 1, 2, 3, 4, 5, 6, 7]]>" },
            ranges.RaggedBatch(2).Select(b => b.ToString()));
        // Batch (dense stacking) of them names the ragged way.
        var e = Assert.Throws<InvalidOperationException>(() => ranges.Batch(2).First());
        Assert.Contains("RaggedBatch", e.Message);

        // Map over ragged batches: the function takes and may return RaggedTensors (guide cell 75's transform).
        var batched = Dataset.FromTensorSlices(Digits()).RaggedBatch(2);
        var doubled = batched.Map(rt => rt.WithFlatValues(rt.FlatValues * 2));
        Assert.Equal("<tf.RaggedTensor [[6, 2, 8, 2], []]>", doubled.First().ToString());
        Assert.Equal(1, ((TensorSpec)doubled.ElementSpec).RaggedRank);
        var sums = batched.Map(rt => rt.ReduceSum(1)).Select(t => t.ToArray<int>()).ToList();
        Assert.Equal(new[] { new[] { 9, 0 }, [16, 6], [0] }, sums);
        Assert.Equal("TensorSpec(shape=(None,), dtype=tf.int32, name=None)", batched.Map(rt => rt.ReduceSum(1)).ElementSpec.ToString());

        // Rows with labels: the features ragged, the labels stacked.
        var labelled = Dataset.FromTensorSlices(Digits(), NF.Constant(new[] { 1f, 0f, 1f, 1f, 0f })).RaggedBatch(2);
        Assert.Equal("(RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64), TensorSpec(shape=(None,), dtype=tf.float32, name=None))",
            labelled.ElementSpec.ToString());
        var (x, y) = labelled.Skip(1).First();
        Assert.Equal("<tf.RaggedTensor [[5, 9, 2], [6]]>", x.ToString());
        Assert.Equal(new[] { 1f, 1f }, y.ToArray<float>());
    }

    [SkippableFact]
    public void Bad_ragged_input_is_refused_by_name()
    {
        RequireBackend();
        var ints = Dataset.FromTensorSlices(Digits());
        var floats = Dataset.FromTensorSlices(NF.Ragged.Constant(new[] { new[] { 1f }, [2f, 3f] }));
        Assert.Contains("different dtypes", Assert.Throws<InvalidOperationException>(() => ints.Concatenate(floats).RaggedBatch(10).First()).Message);
        // Rows of different ranks.
        var ranks = Dataset.FromGenerator(() => new[] { NF.Constant(new[] { 1, 2 }), NF.Constant(new[,] { { 1, 2 } }) });
        Assert.Contains("may differ only in their first axis", Assert.Throws<InvalidOperationException>(() => ranks.RaggedBatch(2).First()).Message);
        Assert.Contains("scalar", Assert.Throws<InvalidOperationException>(() => Dataset.Range(3).RaggedBatch(2).First()).Message);
        // Ragged elements of different ragged ranks in one batch.
        var mixed = Dataset.FromGenerator(() => new[] { Digits(), NF.Ragged.Constant(new[] { new[] { new[] { 1 } } }) });
        Assert.Contains("ragged rank", Assert.Throws<InvalidOperationException>(() => mixed.Batch(2).First()).Message);

        // The wrong unbatch for the batch's ragged rank says which one to use.
        var batched = ints.RaggedBatch(2);
        Assert.Contains("UnbatchRows()", Assert.Throws<InvalidOperationException>(() => batched.Unbatch().First()).Message);
        Assert.Contains("Unbatch()", Assert.Throws<InvalidOperationException>(() => batched.Batch(2).UnbatchRows().First()).Message);
        Assert.Contains("ragged axes", Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(NF.Ragged.Constant(new[] { new[] { new[] { 1 } } }))).Message);
        Assert.Contains("one row of y per row", Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(Digits(), NF.Zeros([4]))).Message);
        Assert.Contains("ToTensor()", Assert.Throws<InvalidOperationException>(() => batched.PaddedBatch(2).First()).Message);

        // A model takes dense tensors: a ragged batch is refused, naming the way to pad it.
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(), new Losses.MeanSquaredError());
        var labelled = Dataset.FromTensorSlices(Digits(), NF.Zeros([5])).RaggedBatch(2);
        Assert.Contains("RaggedTensor", Assert.Throws<ArgumentException>(() => model.Fit(labelled, epochs: 1, verbose: 0)).Message);
    }
}

/// <summary>Ragged datasets on the managed backend.</summary>
public sealed class ManagedRagged2DatasetTests() : Ragged2DatasetTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuRagged2DatasetTests() : Ragged2DatasetTests("cpu");

/// <summary>On the emulated CUDA backend.</summary>
public sealed class CudaRagged2DatasetTests() : Ragged2DatasetTests("cuda");
