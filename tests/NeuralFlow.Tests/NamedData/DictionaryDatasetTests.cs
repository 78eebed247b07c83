using NeuralFlow.Data;

namespace NeuralFlow.Tests.NamedData;

/// <summary>
/// tf.data's dictionary elements (<c>from_tensor_slices({"a": ..., "b": ...})</c> and
/// <c>({...}, labels)</c>) through every combinator. The expected values are the slicing itself:
/// row i of each named tensor, which is what tf.data yields (tf.nest orders a dict by key).
/// Before, a dataset could hold only tensors and tuples of them.
/// </summary>
public abstract class DictionaryDatasetTests(string backend) : BackendTest(backend)
{
    // a: rows [2i, 2i + 1] (float), b: 10 + i (int32), label: i / 10 (float), i = 0..5.
    private static Dictionary<string, Tensor> Features() => new()
    {
        ["b"] = NF.Constant(new[] { 10, 11, 12, 13, 14, 15 }),
        ["a"] = NF.Reshape(NF.Range(0f, 12f, 1f), [6, 2]),
    };

    private static Tensor Labels() => NF.Constant(new[] { 0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f });

    private static int[] Bs(IEnumerable<IReadOnlyDictionary<string, Tensor>> elements) => elements.SelectMany(e => e["b"].ToArray<int>()).ToArray();

    [SkippableFact]
    public void Slices_of_a_dictionary_are_dictionaries_of_rows_in_key_order()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(Features());
        Assert.Equal(6, ds.Cardinality);
        Assert.Equal(2, ds.ComponentCount);
        var elements = ds.ToList();
        Assert.Equal(6, elements.Count);
        Assert.Equal(["b", "a"], elements[0].Keys);   // the dict's own key order, as tf.data builds it (UserProbe24.DatasetDictOrderTests)
        Assert.Equal(new[] { 4f, 5f }, elements[2]["a"].ToArray<float>());
        Assert.Equal(12, elements[2]["b"].Item<int>());
        Assert.Equal(new Shape(2), elements[2]["a"].Shape);

        var pairs = Dataset.FromTensorSlices(Features(), Labels()).ToList();
        Assert.Equal(0.3f, pairs[3].Item2.Item<float>(), 1e-6f);
        Assert.Equal(13, pairs[3].Item1["b"].Item<int>());
        var named = Dataset.FromTensorSlices((Features(), new Dictionary<string, Tensor> { ["y"] = Labels() })).ToList();
        Assert.Equal(0.5f, named[5].Item2["y"].Item<float>(), 1e-6f);
    }

    [SkippableFact]
    public void Batch_drop_remainder_unbatch_and_padded_batch_keep_the_keys()
    {
        RequireBackend();
        var batches = Dataset.FromTensorSlices(Features(), Labels()).Batch(4).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(new Shape(4, 2), batches[0].Item1["a"].Shape);
        Assert.Equal(new Shape(2), batches[1].Item1["b"].Shape);
        Assert.Equal(new[] { 14, 15 }, batches[1].Item1["b"].ToArray<int>());
        Assert.Equal(new Shape(2), batches[1].Item2.Shape);
        Assert.Single(Dataset.FromTensorSlices(Features(), Labels()).Batch(4, dropRemainder: true));
        Assert.Equal(new[] { 10, 11, 12, 13, 14, 15 }, Bs(Dataset.FromTensorSlices(Features()).Batch(4).Unbatch()));

        // Sequences of different lengths, padded per key to the longest of the batch.
        var ragged = Dataset.FromGenerator<IReadOnlyDictionary<string, Tensor>>(() => Enumerable.Range(1, 3).Select(n =>
            (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor> { ["seq"] = NF.Fill([n], n, DType.Float32), ["id"] = NF.Constant(new[] { n }) }));
        var padded = Assert.Single(ragged.PaddedBatch(3));
        Assert.Equal(new[] { 1f, 0, 0, 2, 2, 0, 3, 3, 3 }, padded["seq"].ToArray<float>());
        Assert.Equal(new Shape(3, 1), padded["id"].Shape);
    }

    [SkippableFact]
    public void Shuffle_repeat_take_skip_prefetch_cache_and_shard_move_whole_dictionaries()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(Features(), Labels());
        // The same seeded permutation as the shuffle of the b tensor alone, and every key follows it.
        var order = Dataset.FromTensorSlices(Features()["b"]).Shuffle(6, seed: 5).Select(t => t.Item<int>()).ToArray();
        var shuffled = ds.Shuffle(6, seed: 5).ToList();
        Assert.Equal(order, shuffled.Select(e => e.Item1["b"].Item<int>()));
        foreach (var (features, label) in shuffled)
        {
            int i = features["b"].Item<int>() - 10;
            Assert.Equal(new[] { 2f * i, 2f * i + 1 }, features["a"].ToArray<float>());
            Assert.Equal(i / 10f, label.Item<float>(), 1e-6f);
        }
        var single = Dataset.FromTensorSlices(Features());
        Assert.Equal(new[] { 10, 11, 12, 13, 14, 15, 10, 11 }, Bs(single.Repeat().Take(8)));
        Assert.Equal(new[] { 14, 15 }, Bs(single.Skip(4)));
        Assert.Equal(new[] { 10, 11, 12, 13, 14, 15 }, Bs(single.Prefetch(2)));
        Assert.Equal(new[] { 10, 11, 12, 13, 14, 15 }, Bs(single.Prefetch(Dataset.Autotune)));
        var cached = single.Map(e => (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor> { ["b"] = e["b"] + 1 }).Cache();
        Assert.Equal(new[] { 11, 12, 13, 14, 15, 16 }, Bs(cached));
        Assert.Equal(new[] { 11, 12, 13, 14, 15, 16 }, Bs(cached));   // replayed
        Assert.Equal(new[] { 11, 13, 15 }, Bs(single.Shard(2, 1)));
        Assert.Equal(new[] { 12, 14 }, Bs(single.Filter(e => e["b"].Item<int>() % 2 == 0).Skip(1).Take(2)));
    }

    [SkippableFact]
    public void Map_over_features_and_label_adds_a_key_and_fuses_with_batch()
    {
        RequireBackend();
        // ds.map(lambda feats, label: ({**feats, "x2": feats["a"] * 2}, label)).batch(4)
        Dataset<(Dictionary<string, Tensor>, Tensor)> Mapped(Dataset<(IReadOnlyDictionary<string, Tensor>, Tensor)> ds) =>
            ds.Map((features, label) => (new Dictionary<string, Tensor>(features) { ["x2"] = features["a"] * 2f }, label));
        var fused = Mapped(Dataset.FromTensorSlices(Features(), Labels())).Batch(4);
        var batches = fused.ToList();
        Assert.True(fused.MapBatchFusion!.IsFused, fused.MapBatchFusion.ToString());
        Assert.Equal(["b", "a", "x2"], batches[0].Item1.Keys);   // {**feats, "x2": ...}: feats' order, then x2
        Assert.Equal(new[] { 0f, 2, 4, 6, 8, 10, 12, 14 }, batches[0].Item1["x2"].ToArray<float>());
        Assert.Equal(new[] { 16f, 18, 20, 22 }, batches[1].Item1["x2"].ToArray<float>());
        Assert.Equal(new[] { 14, 15 }, batches[1].Item1["b"].ToArray<int>());
        var unfused = Mapped(Dataset.FromTensorSlices(Features(), Labels())).Batch(4, fuseMap: false).ToList();
        Assert.Equal(unfused[1].Item1["x2"].ToArray<float>(), batches[1].Item1["x2"].ToArray<float>());
        Assert.Equal(unfused[1].Item2.ToArray<float>(), batches[1].Item2.ToArray<float>());
        // Four threads at once, results in order.
        var parallel = Dataset.FromTensorSlices(Features())
            .Map(e => (IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor> { ["b"] = e["b"] * 3 }, parallelism: 4);
        Assert.Equal(new[] { 30, 33, 36, 39, 42, 45 }, Bs(parallel));
        Assert.Equal(1, parallel.ComponentCount);
    }

    [SkippableFact]
    public void Zip_concatenate_and_enumerate_combine_dictionary_datasets()
    {
        RequireBackend();
        var features = Dataset.FromTensorSlices(Features());
        var zipped = features.Zip(Dataset.FromTensorSlices(Labels())).Batch(6).Single();
        Assert.Equal(new[] { 10, 11, 12, 13, 14, 15 }, zipped.Item1["b"].ToArray<int>());
        Assert.Equal(6, zipped.Item2.Shape[0]);
        Assert.Equal(new[] { 10, 11, 12, 13, 14, 15, 10, 11, 12, 13, 14, 15 }, Bs(features.Concatenate(features)));
        var (index, element) = features.Enumerate(start: 7).Skip(2).First();
        Assert.Equal(9L, index.Item<long>());
        Assert.Equal(12, element["b"].Item<int>());
        // Keys from a Map are checked as its elements arrive.
        IReadOnlyDictionary<string, Tensor> Renamed(IReadOnlyDictionary<string, Tensor> e) => new Dictionary<string, Tensor> { ["c"] = e["a"], ["b"] = e["b"] };
        var other = features.Map(Renamed);
        var e = Assert.Throws<InvalidOperationException>(() => features.Concatenate(other).ToList());
        Assert.Contains("'b', 'c'", e.Message);
        Assert.Contains("'a', 'b'", e.Message);
        var known = Dataset.FromTensorSlices(new Dictionary<string, Tensor> { ["a"] = Labels(), ["z"] = Labels() });
        Assert.Contains("same keys", Assert.Throws<ArgumentException>(() => features.Concatenate(known)).Message);
    }

    [SkippableFact]
    public void Bad_dictionaries_are_refused_with_their_keys()
    {
        RequireBackend();
        var features = Features();
        features["short"] = NF.Range(4);
        Assert.Contains("same first dimension", Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(features)).Message);
        Assert.Throws<ArgumentNullException>(() => Dataset.FromTensorSlices((IReadOnlyDictionary<string, Tensor>)null!));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(new Dictionary<string, Tensor>())).Message);
        // A Map whose dictionaries change keys from one element to the next.
        var flaky = Dataset.FromTensorSlices(Features()).Map(e => (IReadOnlyDictionary<string, Tensor>)(e["b"].Item<int>() < 12
            ? new Dictionary<string, Tensor> { ["x"] = e["a"] }
            : new Dictionary<string, Tensor> { ["y"] = e["a"] }));
        var error = Assert.Throws<InvalidOperationException>(() => flaky.ToList());
        Assert.Contains("{'y'}", error.Message);
        Assert.Contains("{'x'}", error.Message);
        // Before its first element, a Map's key count is unknown, and says so.
        var fresh = Dataset.FromTensorSlices(Features()).Map(e => e);
        Assert.Contains("first element", Assert.Throws<InvalidOperationException>(() => fresh.ComponentCount).Message);
        Assert.Single(fresh.Take(1));
        Assert.Equal(2, fresh.ComponentCount);
    }
}

public sealed class ManagedDictionaryDatasetTests() : DictionaryDatasetTests("managed");

public sealed class NativeCpuDictionaryDatasetTests() : DictionaryDatasetTests("cpu");

public sealed class CudaDictionaryDatasetTests() : DictionaryDatasetTests("cuda");
