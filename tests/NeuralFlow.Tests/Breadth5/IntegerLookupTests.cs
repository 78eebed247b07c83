using System.Text.Json.Nodes;
using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// Keras 3's IntegerLookup (keras/src/layers/preprocessing/integer_lookup.py over
/// index_lookup.py) on every backend: the docstring examples (published outputs, used exactly),
/// the index layout with a mask token and several OOV indices (derived by hand from
/// _oov_start_index / _token_start_index and the floormod hashing of integer OOV tokens),
/// adapt's frequency order, Keras' errors (also in a replayed Fit step), Fit and Save/Load.
/// </summary>
public abstract class IntegerLookupTests(string backend) : BackendFileTest(backend)
{
    private static readonly long[] Vocab = [12, 36, 1138, 42];

    private static Tensor Longs(long[] values, params int[] shape) => NF.Constant(values, shape);

    [SkippableFact]
    public void Docstring_examples_give_keras_outputs()
    {
        RequireBackend();
        var data = Longs([12, 1138, 42, 42, 1000, 36], 2, 3);
        var y = new Layers.IntegerLookup(Vocab).Call(data);
        Assert.Equal(DType.Int64, y.DType);
        Assert.Equal([1L, 3, 4, 4, 0, 2], y.ToArray<long>());
        // Adapt: 42 twice, the others once (ties: larger token first), the OOV token -1 at index 0.
        var adapted = new Layers.IntegerLookup();
        adapted.Adapt(data);
        Assert.Equal([-1L, 42, 1138, 1000, 36, 12], adapted.GetVocabulary());
        Assert.Equal([5L, 2, 1, 1, 3, 4], adapted.Call(data).ToArray<long>());
        // Two OOV indices: 37 mod 2 = 1, 1000 mod 2 = 0.
        Assert.Equal([2L, 4, 5, 1, 0, 3], new Layers.IntegerLookup(Vocab, numOovIndices: 2).Call(Longs([12, 1138, 42, 37, 1000, 36], 2, 3)).ToArray<long>());
        // one_hot of [12, 36, 1138, 42, 7].
        var oneHot = new Layers.IntegerLookup(Vocab, outputMode: "one_hot").Call(Longs([12, 36, 1138, 42, 7], 5));
        Assert.Equal(new Shape(5, 5), oneHot.Shape);
        Assert.Equal([0f, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0], oneHot.ToArray<float>());
        var rows = Longs([12, 1138, 42, 42, 42, 7, 36, 7], 2, 4);
        Assert.Equal([0f, 1, 0, 1, 1, 1, 0, 1, 0, 1], new Layers.IntegerLookup(Vocab, outputMode: "multi_hot").Call(rows).ToArray<float>());
        Assert.Equal([0f, 1, 0, 1, 2, 2, 0, 1, 0, 1], new Layers.IntegerLookup(Vocab, outputMode: "count").Call(rows).ToArray<float>());
        // Inverse lookup: index 0 (OOV) gives the OOV token -1.
        Assert.Equal([12L, 1138, 42, 42, -1, 36], new Layers.IntegerLookup(Vocab, invert: true).Call(Longs([1, 3, 4, 4, 0, 2], 2, 3)).ToArray<long>());
    }

    [SkippableFact]
    public void A_mask_token_takes_index_zero_in_int_mode_and_is_dropped_when_encoded()
    {
        RequireBackend();
        var masked = new Layers.IntegerLookup(Vocab, maskToken: 0);
        Assert.Equal([0L, -1, 12, 36, 1138, 42], masked.GetVocabulary());   // the OOV slot shows the OOV token
        Assert.Equal(6, masked.VocabularySize());
        Assert.Equal([2L, 4, 5, 5, 1, 3, 0, 0], masked.Call(Longs([12, 1138, 42, 42, 1000, 36, 0, 0], 8)).ToArray<long>());
        // multi_hot: no mask slot (oov, 12, 36, 1138, 42); the mask token marks nothing.
        var encoded = new Layers.IntegerLookup(Vocab, maskToken: 0, outputMode: "multi_hot");
        Assert.Equal(5, encoded.VocabularySize());
        Assert.Equal([0f, 1, 0, 0, 0, 0, 0, 0, 0, 0], encoded.Call(Longs([12, 0, 0, 0, 0, 0], 2, 3)).ToArray<float>());
        // Inverted with a mask: index 0 is the mask token, 1 the OOV token, out-of-range indices OOV.
        var inverse = new Layers.IntegerLookup(Vocab, maskToken: 0, invert: true);
        Assert.Equal([0L, -1, 12, 42, -1, -1], inverse.Call(Longs([0, 1, 2, 5, 6, -3], 6)).ToArray<long>());
        // A vocabulary given with its special tokens in front is the same vocabulary.
        Assert.Equal(masked.GetVocabulary(), new Layers.IntegerLookup([0, -1, 12, 36, 1138, 42], maskToken: 0).GetVocabulary());
        // Before a vocabulary, every token is OOV (Keras' "int" mode does not refuse the call).
        Assert.Equal([0L, 0], new Layers.IntegerLookup().Call(Longs([5, 6], 2)).ToArray<long>());
        Assert.Equal([2L, 1, 0], new Layers.IntegerLookup(numOovIndices: 2, maskToken: 0).Call(Longs([5, 6, 0], 3)).ToArray<long>());
        // pad_to_max_tokens widens the encoding.
        Assert.Equal(new Shape(1, 8), new Layers.IntegerLookup(Vocab, maxTokens: 8, padToMaxTokens: true, outputMode: "count").Call(Longs([12], 1, 1)).Shape);
    }

    [SkippableFact]
    public void Adapt_counts_datasets_and_honours_max_tokens()
    {
        RequireBackend();
        var tokens = Longs([5, 5, 5, 7, 7, 9, 0, 0, 0, 0, -1, 3], 12, 1);
        var layer = new Layers.IntegerLookup(maxTokens: 4, maskToken: 0);
        layer.Adapt(Dataset.FromTensorSlices(tokens).Batch(5));
        // mask and OOV take 2 of the 4 slots; the mask (0) and OOV (-1) tokens are not counted.
        Assert.Equal([0L, -1, 5, 7], layer.GetVocabulary());
        Assert.Equal([2L, 3, 1, 1, 0], layer.Call(Longs([5, 7, 9, 3, 0], 5)).ToArray<long>());
    }

    [SkippableFact]
    public void A_large_vocabulary_looks_up_on_the_host_with_the_same_indices()
    {
        RequireBackend();
        // 5000 tokens x 4000 inputs = 20M comparisons, over the device limit (16M): the host path.
        long[] vocabulary = Enumerable.Range(0, 5000).Select(i => 7L * i + 3).ToArray();
        long[] tokens = Enumerable.Range(0, 4000).Select(i => (long)(i * 31 % 40000)).ToArray();
        // Keras' layout with one OOV index and no mask: token 7i + 3 is index i + 1, others 0.
        long[] want = tokens.Select(t => t % 7 == 3 && t < 35000 ? (t - 3) / 7 + 1 : 0).ToArray();
        var layer = new Layers.IntegerLookup(vocabulary);
        Assert.Equal(want, layer.Call(Longs(tokens, 4000)).ToArray<long>());
        // The device path (a slice under the limit) agrees.
        Assert.Equal(want[..100], layer.Call(Longs(tokens[..100], 100)).ToArray<long>());
        Assert.Equal(new Shape(2, 5001), new Layers.IntegerLookup(vocabulary, outputMode: "count").Call(Longs(tokens, 2, 2000)).Shape);
    }

    [SkippableFact]
    public void Bad_inputs_and_arguments_raise_keras_errors()
    {
        RequireBackend();
        var strict = new Layers.IntegerLookup(Vocab, numOovIndices: 0);
        Assert.Equal([0L, 2, 3], strict.Call(Longs([12, 1138, 42], 3)).ToArray<long>());
        var oov = Assert.Throws<ArgumentOutOfRangeException>(() => strict.Call(Longs([12, 7, 8], 3)));
        Assert.Contains("when num_oov_indices=0 all inputs should be in vocabulary, found 2 OOV value(s)", oov.Message);
        Assert.Contains("repeated term", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup([1, 2, 1])).Message);
        Assert.Contains("reserved mask token", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup([1, 0, 2], maskToken: 0)).Message);
        Assert.Contains("reserved OOV token", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup([1, -1, 2], invert: true)).Message);
        Assert.Contains("larger than the maximum vocab size", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup(Vocab, maxTokens: 4)).Message);
        Assert.Contains("empty vocabulary", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup([])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.IntegerLookup(maxTokens: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.IntegerLookup(numOovIndices: -1));
        Assert.Contains("must be 'int' when invert", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup(invert: true, outputMode: "count")).Message);
        Assert.Contains("idf_weights", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup(Vocab, outputMode: "tf_idf")).Message);
        Assert.Contains("static vocabulary", Assert.Throws<InvalidOperationException>(() => new Layers.IntegerLookup(Vocab).Adapt(Longs([1], 1))).Message);
        Assert.Contains("set the layer's vocabulary", Assert.Throws<InvalidOperationException>(() => new Layers.IntegerLookup(outputMode: "multi_hot").Call(Longs([1], 1))).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup(Vocab).Call(NF.Zeros([2], DType.Bool))).Message);
    }

    [SkippableFact]
    public void A_lookup_model_trains_refuses_oov_in_a_replayed_step_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var x = NF.Cast(NF.Random.Uniform([32, 3], minval: 0, maxval: 4, dtype: DType.Int32), DType.Int64) * 100L;   // tokens 0, 100, 200, 300
        var y = NF.Cast(NF.ReduceAny(NF.Equal(x, 200L), 1), DType.Float32);
        var lookup = new Layers.IntegerLookup(numOovIndices: 0, outputMode: "multi_hot");
        lookup.Adapt(x);
        var model = new Sequential(lookup, new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.1f), "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 8, epochs: 10, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.7, "the loss falls");
        var bad = NF.Where(NF.Equal(NF.Reshape(NF.Range(0, 96), [32, 3]), 70), 7L, x);
        Assert.Contains("num_oov_indices=0", Assert.ThrowsAny<Exception>(() => model.Fit(bad, y, batchSize: 8, epochs: 1, verbose: 0)).ToString());
        string path = Temp.File("lookup.nfmodel");
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        Assert.Equal(((Layers.IntegerLookup)model.Layers[0]).GetVocabulary(), ((Layers.IntegerLookup)loaded.Layers[0]).GetVocabulary());
        ((Layers.IntegerLookup)loaded.Layers[0]).Adapt(x);   // adapted, not given: it adapts again after loading
    }
}

public sealed class ManagedIntegerLookupTests() : IntegerLookupTests("managed");

public sealed class NativeCpuIntegerLookupTests() : IntegerLookupTests("cpu");

public sealed class CudaIntegerLookupTests() : IntegerLookupTests("cuda");
