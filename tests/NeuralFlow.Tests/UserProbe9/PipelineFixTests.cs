using NeuralFlow.Data;
using static NeuralFlow.Tests.UserProbe9.ScalarElements;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>
/// What the tf.data probe found wrong or missing, each checked against tf.data's documented
/// behaviour: Repeat(0) of a dataset of unknown length has cardinality 0 (RepeatDataset's rule)
/// and Unbatch of batches of a known size n * size (both said unknown); Batch and PaddedBatch of
/// elements whose dtypes differ name the dtypes (they failed as a "Concat" the user never
/// called); Concatenate of datasets of other dtypes is
/// refused (tf.data's concatenate raises TypeError), when made where the types are known and
/// at the first mismatching element otherwise; padded_batch's per-component padding values; and
/// take_while and unique, which did not exist.
/// </summary>
public abstract class PipelineFixTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Repeat_zero_is_empty_even_when_the_upstream_count_is_unknown()
    {
        RequireBackend();
        var filtered = Dataset.Range(10).Filter(t => t.ToArray<long>()[0] % 2 == 0);
        Assert.Equal(Dataset.Unknown, filtered.Cardinality);
        // tf.data: count 0 gives 0; forever gives INFINITE whatever the upstream (unless it is empty).
        Assert.Equal(0, filtered.Repeat(0).Cardinality);
        Assert.Empty(filtered.Repeat(0));
        Assert.Equal(Dataset.Infinite, filtered.Repeat().Cardinality);
        Assert.Equal(0, Dataset.Range(0).Repeat().Cardinality);
        Assert.Equal(Dataset.Unknown, filtered.Repeat(3).Cardinality);
    }

    [SkippableFact]
    public void Unbatch_of_batches_of_a_known_size_has_a_known_cardinality()
    {
        RequireBackend();
        // tf.data: range(10).batch(5, drop_remainder=True).unbatch().cardinality() == 10, and
        // from_tensor_slices of a (4, 3, 2) tensor unbatches to 4 * 3; a ragged last batch makes it unknown.
        Assert.Equal(10, Dataset.Range(10).Batch(5, dropRemainder: true).Unbatch().Cardinality);
        Assert.Equal(8, Dataset.Range(10).Batch(4, dropRemainder: true).Prefetch(2).Unbatch().Cardinality);
        Assert.Equal(12, Dataset.FromTensorSlices(NF.Zeros([4, 3, 2])).Unbatch().Cardinality);
        Assert.Equal(12, Dataset.FromTensorSlices(NF.Zeros([4, 3, 2])).Unbatch().Count());
        Assert.Equal(Dataset.Unknown, Dataset.Range(10).Batch(4).Unbatch().Cardinality);
        Assert.Equal(Dataset.Infinite, Dataset.Range(10).Batch(5, dropRemainder: true).Repeat().Unbatch().Cardinality);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, Longs(Dataset.Range(10).Batch(4, dropRemainder: true).Unbatch()));
    }

    [SkippableFact]
    public void Batch_of_elements_with_different_dtypes_names_the_dtypes()
    {
        RequireBackend();
        var mixed = Dataset.FromGenerator(() => new[] { NF.Constant(1f), NF.Constant(2L) });
        var e = Assert.Throws<InvalidOperationException>(() => mixed.Batch(2).ToList());
        Assert.StartsWith("Batch:", e.Message);
        Assert.Contains("float32", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("int64", e.Message, StringComparison.OrdinalIgnoreCase);
        var p = Assert.Throws<InvalidOperationException>(() => mixed.PaddedBatch(2).ToList());
        Assert.StartsWith("PaddedBatch:", p.Message);
        Assert.Contains("int64", p.Message, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public void Concatenate_refuses_datasets_of_other_dtypes_when_made()
    {
        RequireBackend();
        var floats = Dataset.FromTensorSlices(NF.Constant(new float[] { 1, 2 }, [2]));
        var longs = Dataset.FromTensorSlices(NF.Constant(new long[] { 3, 4 }, [2]));
        var e = Assert.Throws<ArgumentException>(() => floats.Concatenate(longs));
        Assert.Contains("component 0", e.Message);
        Assert.Contains("int64", e.Message, StringComparison.OrdinalIgnoreCase);
        // Other shapes are fine, as tf.data relaxes them.
        var rows = Dataset.FromTensorSlices(NF.Constant(new float[] { 5, 6, 7, 8 }, [1, 4]));
        Assert.Equal(3, floats.Concatenate(rows).Count());
    }

    [SkippableFact]
    public void Concatenate_of_datasets_whose_types_show_only_when_run_fails_at_the_first_mismatch()
    {
        RequireBackend();
        var floats = Dataset.FromTensorSlices(NF.Constant(new float[] { 1, 2 }, [2])).Map(t => t * 2f);
        var joined = floats.Concatenate(Dataset.Range(3));
        using var pass = joined.GetEnumerator();
        Assert.True(pass.MoveNext());
        Assert.True(pass.MoveNext());
        var e = Assert.Throws<InvalidOperationException>(() => pass.MoveNext());
        Assert.StartsWith("Concatenate:", e.Message);
        // The same types pass.
        Assert.Equal(new long[] { 0, 1, 2, 0, 1 }, Longs(Dataset.Range(3).Concatenate(Dataset.Range(2))));
    }

    [SkippableFact]
    public void Padded_batch_takes_one_padding_value_per_component()
    {
        RequireBackend();
        // tf.data: padded_batch(2, padding_values=(0, -1)) over (token ids, per-token labels) of lengths 1 and 3.
        var seqs = Dataset.Range(1, 4, 2).Map(t =>
        {
            int n = (int)t.ToArray<long>()[0];
            return (NF.Fill(Shape.Create([n]), 5, DType.Int32), NF.Fill(Shape.Create([n]), 2, DType.Int64));
        });
        var (ids, labels) = seqs.PaddedBatch(2, paddedShapes: null, paddingValues: [0, -1]).Single();
        Assert.Equal(new[] { 5, 0, 0, 5, 5, 5 }, ids.ToArray<int>());
        Assert.Equal(new long[] { 2, -1, -1, 2, 2, 2 }, labels.ToArray<long>());
        var e = Assert.Throws<ArgumentException>(() => seqs.PaddedBatch(2, null, [0, -1, 3]));
        Assert.Contains("one per component", e.Message);
    }

    [SkippableFact]
    public void Take_while_stops_at_the_first_rejected_element()
    {
        RequireBackend();
        // tf.data's example: range(10).take_while(lambda x: x < 5) gives 0..4.
        var ds = Dataset.Range(10).TakeWhile(t => t.ToArray<long>()[0] < 5);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, Longs(ds));
        Assert.Equal(Dataset.Unknown, ds.Cardinality);
        // Later elements that would pass do not come back; an infinite input ends too.
        var dips = Dataset.FromTensorSlices(NF.Constant(new long[] { 1, 2, 9, 1, 2 }, [5])).TakeWhile(t => t.ToArray<long>()[0] < 5);
        Assert.Equal(new long[] { 1, 2 }, Longs(dips));
        Assert.Equal(new long[] { 0, 1, 2 }, Longs(Dataset.Range(0, 1000).Repeat().TakeWhile(t => t.ToArray<long>()[0] < 3)));
        Assert.Empty(Dataset.Range(5).TakeWhile(_ => false));
        Assert.Equal(0, Dataset.Range(0).TakeWhile(_ => true).Cardinality);
        var thrown = Assert.Throws<FormatException>(() => Dataset.Range(3).TakeWhile((Func<Tensor, bool>)(_ => throw new FormatException("user predicate"))).ToList());
        Assert.Equal("user predicate", thrown.Message);
    }

    [SkippableFact]
    public void Unique_keeps_the_first_of_each_value_in_order()
    {
        RequireBackend();
        // tf.data's example: [1, 37, 2, 37, 2, 1] gives 1, 37, 2.
        var ds = Dataset.FromTensorSlices(NF.Constant(new long[] { 1, 37, 2, 37, 2, 1 }, [6])).Unique();
        Assert.Equal(new long[] { 1, 37, 2 }, Longs(ds));
        Assert.Equal(new long[] { 1, 37, 2 }, Longs(ds)); // a second pass starts afresh
        Assert.Equal(Dataset.Unknown, ds.Cardinality);
        // Rows compare by shape and values; int32 works as tf.data's does.
        var rows = Dataset.FromTensorSlices(NF.Constant(new int[] { 1, 2, 1, 2, 2, 1 }, [3, 2])).Unique();
        var kept = rows.Select(t => t.ToArray<int>()).ToList();
        Assert.Equal(2, kept.Count);
        Assert.Equal(new[] { 1, 2 }, kept[0]);
        Assert.Equal(new[] { 2, 1 }, kept[1]);
    }

    [SkippableFact]
    public void Unique_refuses_floats_and_tuples_as_tf_data_does()
    {
        RequireBackend();
        var floats = Dataset.FromTensorSlices(NF.Constant(new float[] { 1, 1 }, [2]));
        Assert.Contains("float32", Assert.Throws<NotSupportedException>(() => floats.Unique()).Message, StringComparison.OrdinalIgnoreCase);
        var pairs = Dataset.FromTensorSlices(NF.Constant(new long[] { 1, 1 }, [2]), NF.Constant(new long[] { 1, 1 }, [2]));
        Assert.Throws<NotSupportedException>(() => pairs.Unique());
        // A Map's output dtype shows only when run: the first element names it.
        var mapped = Dataset.Range(3).Map(t => NF.Cast(t, DType.Float32)).Unique();
        Assert.Throws<NotSupportedException>(() => mapped.ToList());
    }
}

/// <summary>The fixes on the managed backend.</summary>
public sealed class ManagedPipelineFixTests() : PipelineFixTests("managed");

/// <summary>The fixes on the native CPU backend.</summary>
public sealed class NativeCpuPipelineFixTests() : PipelineFixTests("cpu");

/// <summary>The fixes on CUDA.</summary>
public sealed class CudaPipelineFixTests() : PipelineFixTests("cuda");
