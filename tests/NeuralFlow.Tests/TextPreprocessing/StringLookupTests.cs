using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.TextPreprocessing;

/// <summary>
/// Keras 3's StringLookup (keras/src/layers/preprocessing/string_lookup.py over index_lookup.py)
/// on every backend: every docstring example with its printed output, adapt's order (count, then
/// the larger token), tf_idf weights learned as log(1 + documents / (1 + documents holding the
/// token)) (index_lookup.py's finalize_state), Keras' errors, and the config round trip. Also
/// IntegerLookup's adapt of a rank 1 array, whose documents Keras counts one per token.
/// </summary>
public abstract class StringLookupTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Vocab = ["a", "b", "c", "d"];
    private static readonly string[,] Data = { { "a", "c", "d" }, { "d", "z", "b" } };
    private static readonly string[,] Data4 = { { "a", "c", "d", "d" }, { "d", "z", "b", "z" } };

    private static void Near(float[] expected, Tensor actual)
    {
        var got = actual.ToArray<float>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) < 1e-6, $"at {i}: expected {expected[i]}, got {got[i]}");
    }

    [SkippableFact]
    public void Docstring_lookups_give_keras_outputs()
    {
        RequireBackend();
        var known = new Layers.StringLookup(Vocab).Call(Data);
        Assert.Equal(DType.Int64, known.DType);
        Assert.Equal(new Shape(2, 3), known.Shape);
        Assert.Equal([1L, 3, 4, 4, 0, 2], known.ToArray<long>());
        var adapted = new Layers.StringLookup();
        adapted.Adapt(Data);
        Assert.Equal(["[UNK]", "d", "z", "c", "b", "a"], adapted.GetVocabulary());
        Assert.Equal([5L, 3, 1, 1, 2, 4], adapted.Call(Data).ToArray<long>());
        // Two OOV indices: 'm' and 'z' hash (FarmHash64 mod 2) to 0 and 1.
        Assert.Equal([2L, 4, 5, 0, 1, 3], new Layers.StringLookup(Vocab, numOovIndices: 2).Call(new[,] { { "a", "c", "d" }, { "m", "z", "b" } }).ToArray<long>());
        Near([0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
             new Layers.StringLookup(Vocab, outputMode: "one_hot").Call(["a", "b", "c", "d", "z"]));
        Near([0, 1, 0, 1, 1, 1, 0, 1, 0, 1], new Layers.StringLookup(Vocab, outputMode: "multi_hot").Call(Data4));
        Near([0, 1, 0, 1, 2, 2, 0, 1, 0, 1], new Layers.StringLookup(Vocab, outputMode: "count").Call(Data4));
        var tfidf = new Layers.StringLookup(outputMode: "tf_idf");
        tfidf.SetVocabulary(Vocab, [0.25, 0.75, 0.6, 0.4]);
        Near([0, 0.25f, 0, 0.6f, 0.8f, 1.0f, 0, 0.75f, 0, 0.4f], tfidf.Call(Data4));
        var withOov = new Layers.StringLookup(outputMode: "tf_idf");
        withOov.SetVocabulary(["[UNK]", "a", "b", "c", "d"], [0.9, 0.25, 0.75, 0.6, 0.4]);
        Near([0, 0.25f, 0, 0.6f, 0.8f, 1.8f, 0, 0.75f, 0, 0.4f], withOov.Call(Data4));
        var inverse = new Layers.StringLookup(Vocab, invert: true);
        Assert.Equal(new[,] { { "a", "c", "d" }, { "d", "[UNK]", "b" } }, inverse.CallInverted(new long[,] { { 1, 3, 4 }, { 4, 0, 2 } }));
        Assert.Equal(["a", "c", "d", "d", "[UNK]", "b"], inverse.CallInverted(new Layers.StringLookup(Vocab).Call(Data)).ToArray());
    }

    [SkippableFact]
    public void Masks_oov_buckets_salt_and_tf_idf_adapt_follow_keras()
    {
        RequireBackend();
        // A mask token: index 0 in "int" mode and in the vocabulary; dropped (no slot) when encoded.
        var masked = new Layers.StringLookup(Vocab, maskToken: "");
        Assert.Equal(["", "[UNK]", "a", "b", "c", "d"], masked.GetVocabulary());
        Assert.Equal([2L, 0, 1], masked.Call(["a", "", "q"]).ToArray<long>());
        Assert.Equal([1f, 1, 0, 0, 0], new Layers.StringLookup(Vocab, maskToken: "", outputMode: "multi_hot").Call(["a", "", "q"]).ToArray<float>());
        Assert.Equal(["", "a", "[UNK]"], new Layers.StringLookup(Vocab, maskToken: "", invert: true).CallInverted(NF.Constant(new long[] { 0, 2, 9 }, [3])).ToArray());
        // Salted OOV buckets: SipHash with the key, the Hashing layer's bins.
        var salted = new Layers.StringLookup(Vocab, numOovIndices: 3, salt: [133, 137]).Call(["omar", "stringer", "a"]).ToArray<long>();
        Assert.Equal(new Layers.Hashing(3, salt: [133, 137]).Call(["omar", "stringer"]).ToArray<long>().Append(3L), salted);
        // Adapt: max_tokens keeps the most frequent; ties go to the larger token (in UTF-8 byte order).
        var capped = new Layers.StringLookup(maxTokens: 3);
        capped.Adapt(["x", "y", "y", "\uFF41", "\U0001F600", "\U0001F600"]);
        Assert.Equal(["[UNK]", "\U0001F600", "y"], capped.GetVocabulary());
        var all = new Layers.StringLookup();
        all.Adapt(["\uFF41", "\U0001F600"]);
        Assert.Equal(["[UNK]", "\U0001F600", "\uFF41"], all.GetVocabulary());   // UTF-16 order would put U+FF41 first
        // tf_idf adapt over documents of any lengths: idf = log(1 + 3 / (1 + df)), the OOV slot their mean.
        var learned = new Layers.StringLookup(outputMode: "tf_idf");
        learned.Adapt(new[] { new[] { "a", "b", "a" }, new[] { "a" }, new[] { "b", "c" } });
        Assert.Equal(["[UNK]", "a", "b", "c"], learned.GetVocabulary());
        double ia = Math.Log(1 + 3.0 / 3), ib = Math.Log(1 + 3.0 / 3), ic = Math.Log(1 + 3.0 / 2);
        Assert.Equal([(ia + ib + ic) / 3, ia, ib, ic], learned.IdfWeights!);
        Near([(float)((ia + ib + ic) / 3), (float)(2 * ia), 0, (float)ic], learned.Call(["a", "q", "a", "c"]));
        Assert.Equal(new Shape(1, 8), new Layers.StringLookup(Vocab, maxTokens: 8, padToMaxTokens: true, outputMode: "count").Call(new[,] { { "a" } }).Shape);
    }

    [SkippableFact]
    public void Adapt_of_a_rank_1_array_counts_one_document_per_token_in_both_lookups()
    {
        RequireBackend();
        // Keras' adapt expands a rank 1 array to a column (index_lookup.py): 4 documents, "2" in two of them.
        double mean(params double[] w) => w.Average();
        double i1 = Math.Log(1 + 4.0 / 2), i2 = Math.Log(1 + 4.0 / 3), i3 = Math.Log(1 + 4.0 / 2);
        var integers = new Layers.IntegerLookup(outputMode: "tf_idf");
        integers.Adapt(NF.Constant(new long[] { 1, 2, 2, 3 }, [4]));
        Assert.Equal([2L, 3, 1], integers.GetVocabulary(includeSpecialTokens: false));
        Assert.Equal([mean(i2, i3, i1), i2, i3, i1], integers.IdfWeights!);
        var strings = new Layers.StringLookup(outputMode: "tf_idf");
        strings.Adapt(["1", "2", "2", "3"]);
        Assert.Equal([mean(i2, i3, i1), i2, i3, i1], strings.IdfWeights!);
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_errors()
    {
        RequireBackend();
        var strict = new Layers.StringLookup(Vocab, numOovIndices: 0);
        Assert.Equal([0L, 2], strict.Call(["a", "c"]).ToArray<long>());
        Assert.Contains("found 2 OOV value(s)", Assert.Throws<ArgumentOutOfRangeException>(() => strict.Call(["a", "x", "y"])).Message);
        Assert.Contains("repeated term", Assert.Throws<ArgumentException>(() => new Layers.StringLookup(["a", "b", "a"])).Message);
        Assert.Contains("reserved mask token", Assert.Throws<ArgumentException>(() => new Layers.StringLookup(["a", "", "b"], maskToken: "")).Message);
        Assert.Contains("reserved OOV token", Assert.Throws<ArgumentException>(() => new Layers.StringLookup(["a", "[UNK]"], invert: true)).Message);
        Assert.Contains("larger than the maximum vocab size", Assert.Throws<ArgumentException>(() => new Layers.StringLookup(Vocab, maxTokens: 4)).Message);
        Assert.Contains("unknown output_mode 'binary'", Assert.Throws<ArgumentException>(() => new Layers.StringLookup(outputMode: "binary")).Message);
        Assert.Contains("idf_weights", Assert.Throws<ArgumentException>(() => new Layers.StringLookup(Vocab, outputMode: "tf_idf")).Message);
        Assert.Contains("static vocabulary", Assert.Throws<InvalidOperationException>(() => new Layers.StringLookup(Vocab).Adapt(["a"])).Message);
        Assert.Contains("set the layer's vocabulary", Assert.Throws<InvalidOperationException>(() => new Layers.StringLookup(outputMode: "count").Call(["a"])).Message);
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => new Layers.StringLookup(Vocab).Call(["a", null!])).Message);
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => new Layers.StringLookup(["a", null!])).Message);
        Assert.Contains("CallInverted", Assert.Throws<InvalidOperationException>(() => new Layers.StringLookup(Vocab, invert: true).Call(["a"])).Message);
        Assert.Contains("invert: true", Assert.Throws<InvalidOperationException>(() => new Layers.StringLookup(Vocab).CallInverted(new long[,] { { 1 } })).Message);
        Assert.Contains("host strings", Assert.Throws<NotSupportedException>(() => new Layers.StringLookup(Vocab).Call(NF.Zeros([2], DType.Int64))).Message);
    }

    [SkippableFact]
    public void The_config_round_trips_with_the_vocabulary()
    {
        RequireBackend();
        var adapted = new Layers.StringLookup(numOovIndices: 2, maskToken: "", name: "words");
        adapted.Adapt(Data);
        var tfidf = new Layers.StringLookup(outputMode: "tf_idf", salt: [7]);
        tfidf.SetVocabulary(["[UNK]", "a", "b"], [0.9, 0.25, 0.75]);
        foreach (var layer in new[] { adapted, tfidf, new Layers.StringLookup(Vocab, invert: true, oovToken: "?") })
        {
            var loaded = Layers.StringLookup.FromConfig(JsonNode.Parse(layer.GetConfig().ToJsonString())!.AsObject());
            Assert.True(JsonNode.DeepEquals(layer.GetConfig(), loaded.GetConfig()), $"{layer.GetConfig()} vs {loaded.GetConfig()}");
            Assert.Equal(layer.GetVocabulary(), loaded.GetVocabulary());
            if (!layer.Invert) Assert.Equal(NF.Cast(layer.Call(Data), DType.Float64).ToArray<double>(), NF.Cast(loaded.Call(Data), DType.Float64).ToArray<double>());
        }
        var reloaded = Layers.StringLookup.FromConfig(adapted.GetConfig());
        reloaded.Adapt(Data);   // adapted, not given: it adapts again after loading
        Assert.Throws<InvalidOperationException>(() => Layers.StringLookup.FromConfig(tfidf.GetConfig()).Adapt(["a"]));
    }
}

public sealed class ManagedStringLookupTests() : StringLookupTests("managed");

public sealed class NativeCpuStringLookupTests() : StringLookupTests("cpu");

public sealed class CudaStringLookupTests() : StringLookupTests("cuda");
