using NeuralFlow.Data;
using static NeuralFlow.Tests.UserProbe9.ScalarElements;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>
/// tf.data's edges that the probe found right, kept so they stay right: empty datasets, a batch
/// larger than the data, drop_remainder on an exact multiple, Take(0), Skip past the end,
/// Repeat(0), Filter removing everything, shuffles (a permutation; the same seed the same order;
/// a new order each pass unless told otherwise; a buffer of 1 keeps the order and a buffer of 2
/// can only start with one of the first two), cardinalities (INFINITE after Repeat(), UNKNOWN
/// after Filter, tf.data's batch and window counts), ragged elements into Batch, PaddedBatch's
/// pad values, a pass restarting, and the user's exception surfacing from Map, parallel Map and
/// Prefetch. Expected values are tf.data's documented results, or counted by hand.
/// </summary>
public abstract class PipelineEdgeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Empty_and_exhausted_datasets_yield_nothing_with_cardinality_zero()
    {
        RequireBackend();
        var empty = Dataset.FromTensorSlices(NF.Zeros([0, 3]));
        Assert.Equal(0, empty.Cardinality);
        Assert.Empty(empty);
        Assert.Empty(empty.Batch(4));
        var ten = Dataset.Range(10);
        foreach (var ds in new[] { ten.Take(0), ten.Skip(20), ten.Repeat(0), ten.Skip(-1) })
        {
            Assert.Equal(0, ds.Cardinality);
            Assert.Empty(ds);
        }
        var none = ten.Filter(_ => false);
        Assert.Equal(Dataset.Unknown, none.Cardinality);
        Assert.Empty(none.Batch(3));
    }

    [SkippableFact]
    public void Batch_counts_follow_tf_data_for_remainders_and_oversized_batches()
    {
        RequireBackend();
        var ten = Dataset.Range(10);
        // tf.data: n / b + (n % b == 0 || drop_remainder ? 0 : 1).
        var big = ten.Batch(32).ToList();
        Assert.Single(big);
        Assert.Equal(new[] { 10 }, big[0].Shape.ToArray());
        Assert.Equal(0, ten.Batch(32, dropRemainder: true).Cardinality);
        Assert.Empty(ten.Batch(32, dropRemainder: true));
        var exact = ten.Batch(5, dropRemainder: true).ToList();
        Assert.Equal(2, exact.Count);
        Assert.Equal(new long[] { 5, 6, 7, 8, 9 }, exact[1].ToArray<long>());
        Assert.Equal(4, ten.Batch(3).Cardinality);
        Assert.Equal(3, ten.Batch(3, dropRemainder: true).Cardinality);
        Assert.Equal(new long[] { 9 }, ten.Batch(3).Last().ToArray<long>());
    }

    [SkippableFact]
    public void Cardinality_is_infinite_after_repeat_and_unknown_after_filter()
    {
        RequireBackend();
        var ten = Dataset.Range(10);
        Assert.Equal(Dataset.Infinite, ten.Repeat().Cardinality);
        Assert.Equal(5, ten.Repeat().Take(5).Cardinality);
        Assert.Equal(Dataset.Infinite, ten.Repeat().Filter(_ => true).Cardinality);
        Assert.Equal(Dataset.Unknown, ten.Filter(_ => true).Batch(2).Cardinality);
        Assert.Equal(3, Dataset.Zip(ten.Repeat(), Dataset.Range(3)).Cardinality);
        // range(7).window(3, shift=2): [0,1,2] [2,3,4] [4,5,6] [6]; with drop_remainder the first three.
        Assert.Equal(4, Dataset.Range(7).Window(3, 2).Cardinality);
        Assert.Equal(3, Dataset.Range(7).Window(3, 2, dropRemainder: true).Cardinality);
        Assert.Equal(new long[] { 6 }, Dataset.Range(7).Window(3, 2).Last().ToArray<long>());
    }

    [SkippableFact]
    public void Shuffle_is_a_seeded_permutation_that_changes_each_pass_by_default()
    {
        RequireBackend();
        var x = Dataset.Range(10);
        var shuffled = x.Shuffle(100, seed: 5);
        var first = Longs(shuffled);
        var second = Longs(shuffled);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), first.Order());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), second.Order());
        Assert.NotEqual(first, second);                                // reshuffle_each_iteration=True
        Assert.Equal(first, Longs(x.Shuffle(100, seed: 5)));           // the same seed, the same first order
        var fixedOrder = x.Shuffle(100, seed: 5, reshuffleEachIteration: false);
        Assert.Equal(Longs(fixedOrder), Longs(fixedOrder));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Longs(x.Shuffle(1, seed: 3)));
        // A buffer of 2 holds elements 0 and 1 when the first is drawn.
        for (int seed = 0; seed < 20; seed++)
            Assert.InRange(Longs(x.Shuffle(2, seed: seed))[0], 0, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Shuffle(0));
    }

    [SkippableFact]
    public void Map_may_return_a_tuple_of_different_dtypes_and_batches_keep_them()
    {
        RequireBackend();
        var ds = Dataset.Range(5).Map(t => (NF.Cast(t, DType.Int32), NF.Cast(t, DType.Float32) * 0.5f)).Batch(4);
        var (ints, halves) = ds.First();
        Assert.Equal(DType.Int32, ints.DType);
        Assert.Equal(DType.Float32, halves.DType);
        Assert.Equal(new[] { 0, 1, 2, 3 }, ints.ToArray<int>());
        Assert.Equal(new[] { 0f, 0.5f, 1f, 1.5f }, halves.ToArray<float>());
    }

    [SkippableFact]
    public void Ragged_elements_into_batch_fail_naming_the_shapes_and_padded_batch_pads()
    {
        RequireBackend();
        var ragged = Dataset.Range(1, 4).Map(t => NF.Ones([(int)t.ToArray<long>()[0]]));
        var e = Assert.Throws<InvalidOperationException>(() => ragged.Batch(3).ToList());
        Assert.Contains("(1,)", e.Message);
        Assert.Contains("(2,)", e.Message);
        // padded_batch pads each batch to its longest element with the padding value.
        var padded = ragged.PaddedBatch(2, paddingValue: -1).ToList();
        Assert.Equal(new[] { 2, 2 }, padded[0].Shape.ToArray());
        Assert.Equal(new[] { 1f, -1f, 1f, 1f }, padded[0].ToArray<float>());
        Assert.Equal(new[] { 1, 3 }, padded[1].Shape.ToArray());
        var fixedShape = ragged.PaddedBatch(2, [[5]], paddingValue: 7).First();
        Assert.Equal(new[] { 1f, 7, 7, 7, 7, 1, 1, 7, 7, 7 }, fixedShape.ToArray<float>());
        Assert.Throws<InvalidOperationException>(() => ragged.PaddedBatch(3, [[2]]).ToList());
    }

    [SkippableFact]
    public void Every_pass_restarts_from_the_first_element()
    {
        RequireBackend();
        var ds = Dataset.Range(10).Map(t => t + 1L).Batch(4);
        var one = ds.Select(t => string.Join(",", t.ToArray<long>())).ToList();
        var two = ds.Select(t => string.Join(",", t.ToArray<long>())).ToList();
        Assert.Equal(["1,2,3,4", "5,6,7,8", "9,10"], one);
        Assert.Equal(one, two);
    }

    public static TheoryData<string> Throwers => ["sequential", "parallel", "prefetch", "parallel+prefetch", "autotune batch"];

    [SkippableTheory]
    [MemberData(nameof(Throwers))]
    public void A_map_that_throws_surfaces_the_users_exception(string how)
    {
        RequireBackend();
        Func<Tensor, Tensor> fn = t => t.ToArray<long>()[0] == 6 ? throw new FormatException("bad record 6") : t + 0L;
        var ds = Dataset.Range(10);
        var mapped = how switch
        {
            "sequential" => ds.Map(fn),
            "parallel" => ds.Map(fn, 4),
            "prefetch" => ds.Map(fn).Prefetch(2),
            "parallel+prefetch" => ds.Map(fn, 3).Prefetch(2),
            _ => ds.Map(fn).Batch(2).Unbatch().Prefetch(Dataset.Autotune),
        };
        var seen = new List<long>();
        // A hang would be a failure, not a stuck test run.
        var run = Task.Run(() => { foreach (var t in mapped) seen.Add(t.ToArray<long>()[0]); });
        Assert.True(Task.WaitAny([run], TimeSpan.FromSeconds(60)) == 0, "the pass hung");
        var e = Assert.IsType<FormatException>(run.Exception?.InnerException);
        Assert.Equal("bad record 6", e.Message);
        // The elements before the bad one arrive first (batches [0, 1], [2, 3], [4, 5] are whole).
        Assert.Equal([0L, 1, 2, 3, 4, 5], seen);
    }
}

/// <summary>The edges on the managed backend.</summary>
public sealed class ManagedPipelineEdgeTests() : PipelineEdgeTests("managed");

/// <summary>The edges on the native CPU backend.</summary>
public sealed class NativeCpuPipelineEdgeTests() : PipelineEdgeTests("cpu");

/// <summary>The edges on CUDA.</summary>
public sealed class CudaPipelineEdgeTests() : PipelineEdgeTests("cuda");
