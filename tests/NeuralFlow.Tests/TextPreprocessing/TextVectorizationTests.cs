using System.Text.Json.Nodes;
using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.TextPreprocessing;

/// <summary>
/// Keras 3's TextVectorization (keras/src/layers/preprocessing/text_vectorization.py) on every
/// backend: the docstring examples and text_vectorization_test.py's outputs; the steps derived by
/// hand from _preprocess (tf.strings.lower, which lowercases ASCII only; the regex of the 32 ASCII
/// punctuation marks; tf.strings.split on whitespace; unicode_split; tf.strings.ngrams, widths in
/// turn joined by a space); the encodings and tf_idf weights (StringLookup's); Keras' errors; the
/// config round trip; and the input pipeline Keras recommends, feeding an Embedding model that trains.
/// </summary>
public abstract class TextVectorizationTests(string backend) : BackendFileTest(backend)
{
    private static readonly string[] Corpus = ["foo bar", "bar baz", "baz bada boom"];
    private static readonly string[,] Input = { { "foo qux bar" }, { "qux baz" } };

    [SkippableFact]
    public void Docstring_and_keras_test_examples_give_their_outputs()
    {
        RequireBackend();
        var adapted = new Layers.TextVectorization(maxTokens: 5000, outputMode: "int", outputSequenceLength: 4);
        adapted.Adapt(Corpus);
        var ids = adapted.Call(Input);
        Assert.Equal(DType.Int64, ids.DType);
        Assert.Equal(new Shape(2, 4), ids.Shape);
        Assert.Equal([4L, 1, 3, 0, 1, 2, 0, 0], ids.ToArray<long>());
        Assert.Equal(["", "[UNK]", "baz", "bar", "foo", "boom", "bada"], adapted.GetVocabulary());
        var given = new Layers.TextVectorization(maxTokens: 5000, outputMode: "int", outputSequenceLength: 4, vocabulary: ["earth", "wind", "and", "fire"]);
        Assert.Equal(["", "[UNK]", "earth", "wind", "and", "fire"], given.GetVocabulary());
        // text_vectorization_test.py: a fixed vocabulary, and one set later, give the adapted output.
        Assert.Equal([4L, 1, 3, 0, 1, 2, 0, 0], new Layers.TextVectorization(outputSequenceLength: 4, vocabulary: ["baz", "bar", "foo"]).Call(Input).ToArray<long>());
        var set = new Layers.TextVectorization(maxTokens: 5000, outputSequenceLength: 4);
        set.SetVocabulary(["baz", "bar", "foo"]);
        Assert.Equal([4L, 1, 3, 0, 1, 2, 0, 0], set.Call(Input).ToArray<long>());
        // Without output_sequence_length the batch pads to its longest text (the ragged test's [[4, 1, 3], [1, 2], [4]]).
        var padded = new Layers.TextVectorization(vocabulary: ["baz", "bar", "foo"]).Call(["foo qux bar", "qux baz", "foo"]);
        Assert.Equal(new Shape(3, 3), padded.Shape);
        Assert.Equal([4L, 1, 3, 1, 2, 0, 4, 0, 0], padded.ToArray<long>());
        Assert.Equal([4L, 1, 1, 2, 4, 0], new Layers.TextVectorization(vocabulary: ["baz", "bar", "foo"], outputSequenceLength: 2).Call(["foo qux bar", "qux baz", "foo"]).ToArray<long>());
    }

    [SkippableFact]
    public void Standardize_split_and_ngrams_follow_the_tensorflow_ops()
    {
        RequireBackend();
        string[] Vocabulary(Layers.TextVectorization layer, params string[] texts)
        {
            layer.Adapt(texts);
            return layer.GetVocabulary(includeSpecialTokens: false).Order(StringComparer.Ordinal).ToArray();
        }
        // The 32 ASCII punctuation marks go; ASCII letters lower (tf.strings.lower), others stay.
        Assert.Equal(["its", "world", "Éc", "ñ"], Vocabulary(new Layers.TextVectorization(), "It's, \"World\"!  (ÉC) ñ\t[world]"));
        Assert.Equal(["(éc)", "it's,", "world!"], Vocabulary(new Layers.TextVectorization(standardize: "lower"), "It's, World! (éC)"));
        Assert.Equal(["Its", "World"], Vocabulary(new Layers.TextVectorization(standardize: "strip_punctuation"), "It's, World!"));
        Assert.Equal(["A.b"], Vocabulary(new Layers.TextVectorization(standardize: null), "A.b"));
        Assert.Equal([" ", "a", "b", "😀"], Vocabulary(new Layers.TextVectorization(split: "character"), "ab a😀"));
        Assert.Equal(["a b c"], Vocabulary(new Layers.TextVectorization(split: null), "A b, c"));
        Assert.Equal(["a", "a b", "b", "b c", "c"], Vocabulary(new Layers.TextVectorization(ngrams: 2), "a b c"));
        Assert.Equal(["a b", "a b c", "b c"], Vocabulary(new Layers.TextVectorization(ngramWidths: [2, 3]), "a b c"));
        Assert.Equal(["x-y", "z"], Vocabulary(new Layers.TextVectorization(standardizeFunction: s => s.Replace("!", ""), splitFunction: s => s.Split('+')), "x-y!+z"));
        // ngrams order: each width in turn (tf.strings.ngrams), so unigrams come before bigrams in a row.
        var ngrams = new Layers.TextVectorization(ngrams: 2, vocabulary: ["a", "b", "a b"]);
        Assert.Equal([2L, 3, 4], ngrams.Call(["a b"]).ToArray<long>());
        // Without a split each text is one token, in the input's shape.
        var whole = new Layers.TextVectorization(split: null, vocabulary: ["foo", "baz"]);
        Assert.Equal(new Shape(2, 1), whole.Call(new[,] { { "foo" }, { "Baz" } }).Shape);
        Assert.Equal([2L, 3], whole.Call(["foo", "Baz"]).ToArray<long>());
    }

    [SkippableFact]
    public void Encoded_modes_give_one_vector_per_text()
    {
        RequireBackend();
        string[] texts = ["foo qux bar foo", "", "baz"];
        var multi = new Layers.TextVectorization(outputMode: "multi_hot", vocabulary: ["baz", "bar", "foo"]);
        Assert.Equal(new Shape(3, 4), multi.Call(texts).Shape);
        Assert.Equal([1f, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0], multi.Call(texts).ToArray<float>());
        Assert.Equal(["[UNK]", "baz", "bar", "foo"], multi.GetVocabulary());   // no padding token outside "int" mode
        Assert.Equal([1f, 0, 1, 2, 0, 0, 0, 0, 0, 1, 0, 0], new Layers.TextVectorization(outputMode: "count", vocabulary: ["baz", "bar", "foo"]).Call(texts).ToArray<float>());
        Assert.Equal(new Shape(3, 10), new Layers.TextVectorization(maxTokens: 10, padToMaxTokens: true, outputMode: "count", vocabulary: ["baz"]).Call(texts).Shape);
        // tf_idf adapt: each text a document; idf = log(1 + 3 / (1 + df)), the OOV slot their mean.
        var tfidf = new Layers.TextVectorization(outputMode: "tf_idf");
        tfidf.Adapt(Corpus);
        Assert.Equal(["[UNK]", "baz", "bar", "foo", "boom", "bada"], tfidf.GetVocabulary());
        double two = Math.Log(1 + 3.0 / 3), one = Math.Log(1 + 3.0 / 2), mean = new[] { two, two, one, one, one }.Average();
        Assert.Equal([mean, two, two, one, one, one], tfidf.IdfWeights!);
        var y = tfidf.Call(["bar bar qux"]).ToArray<float>();
        Assert.Equal([(float)mean, 0, (float)(2 * two), 0, 0, 0], y);
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_errors()
    {
        RequireBackend();
        Assert.Contains("unknown standardize 'upper'", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(standardize: "upper")).Message);
        Assert.Contains("unknown split 'comma'", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(split: "comma")).Message);
        Assert.Contains("unknown output_mode 'ints'", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(outputMode: "ints")).Message);
        Assert.Contains("output_sequence_length must not be set", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(outputMode: "count", outputSequenceLength: 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.TextVectorization(outputSequenceLength: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.TextVectorization(ngrams: 0));
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(ngrams: 2, ngramWidths: [1])).Message);
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(split: "character", splitFunction: s => [s])).Message);
        Assert.Contains("ragged=True and output_mode=count", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(outputMode: "count", ragged: true)).Message);   // ragged ids: "int" mode only, as Keras
        Assert.Contains("reserved mask token '' at unexpected location", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(vocabulary: ["a", ""])).Message);
        Assert.Contains("null (at 1)", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(vocabulary: ["a", null!])).Message);
        Assert.Contains("static vocabulary", Assert.Throws<InvalidOperationException>(() => new Layers.TextVectorization(vocabulary: ["a"]).Adapt(["a"])).Message);
        Assert.Contains("last shape dimension must be 1", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(vocabulary: ["a"]).Call(new[,] { { "a", "b" } })).Message);
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(vocabulary: ["a"]).Call(["a", null!])).Message);
        Assert.Contains("set the layer's vocabulary", Assert.Throws<InvalidOperationException>(() => new Layers.TextVectorization(outputMode: "multi_hot").Call(["a"])).Message);
        Assert.Contains("dataset.map", Assert.Throws<NotSupportedException>(() => new Layers.TextVectorization(vocabulary: ["a"]).Call(NF.Zeros([2], DType.Int64))).Message);
        Assert.Contains("C# function", Assert.Throws<NotSupportedException>(() => new Layers.TextVectorization(splitFunction: s => [s]).GetConfig()).Message);
    }

    [SkippableFact]
    public void The_config_round_trips_with_the_vocabulary()
    {
        RequireBackend();
        var adapted = new Layers.TextVectorization(maxTokens: 50, ngrams: 2, outputSequenceLength: 6, name: "vectorize");
        adapted.Adapt(Corpus);
        var tfidf = new Layers.TextVectorization(outputMode: "tf_idf", standardize: "lower", split: "character", ngramWidths: [1, 3]);
        tfidf.Adapt(Corpus);
        foreach (var layer in new[] { adapted, tfidf, new Layers.TextVectorization(vocabulary: ["baz", "bar"], standardize: null, split: null) })
        {
            var loaded = Layers.TextVectorization.FromConfig(JsonNode.Parse(layer.GetConfig().ToJsonString())!.AsObject());
            Assert.True(JsonNode.DeepEquals(layer.GetConfig(), loaded.GetConfig()), $"{layer.GetConfig()} vs {loaded.GetConfig()}");
            Assert.Equal(layer.GetVocabulary(), loaded.GetVocabulary());
            Assert.Equal(NF.Cast(layer.Call(Corpus), DType.Float64).ToArray<double>(), NF.Cast(loaded.Call(Corpus), DType.Float64).ToArray<double>());
        }
        Layers.TextVectorization.FromConfig(adapted.GetConfig()).Adapt(Corpus);   // adaptable again
        Assert.Contains("unknown standardize 'upper'", Assert.Throws<InvalidDataException>(() => Layers.TextVectorization.FromConfig(new JsonObject { ["name"] = "t", ["standardize"] = "upper" })).Message);
    }

    // Keras' text classification recipe: adapt on the training texts, vectorize in the input
    // pipeline, and train Embedding -> pooling -> Dense on the indices; then save and load the model.
    [SkippableFact]
    public void Vectorized_texts_train_an_embedding_model_through_a_dataset()
    {
        RequireBackend();
        string[] good = ["a great film", "great acting and a fine story", "i loved it", "fine and great", "loved the story"];
        string[] bad = ["a bad film", "awful acting and a dull story", "i hated it", "dull and bad", "hated the story"];
        var texts = good.Concat(bad).ToArray();
        var labels = NF.Constant(good.Select(_ => 1f).Concat(bad.Select(_ => 0f)).ToArray(), [texts.Length, 1]);
        var vectorize = new Layers.TextVectorization(maxTokens: 40, outputSequenceLength: 6);
        vectorize.Adapt(texts);
        // The pipeline: vectorized batches of a generator (Keras' dataset.map(vectorize_layer)), shuffled.
        var batches = Dataset.FromGenerator(() => texts.Chunk(4).Select((chunk, i) => (vectorize.Call(chunk), NF.Slice(labels, [i * 4, 0], [chunk.Length, 1]))));
        var ds = Dataset.FromTensorSlices(vectorize.Call(texts), labels).Shuffle(10, seed: 1).Batch(4);
        var model = new Sequential(new Layers.Embedding(vectorize.VocabularySize(), 8), new Layers.GlobalAveragePooling1D(), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.05f), "binary_crossentropy", metrics: ["accuracy"]);
        NF.Random.SetSeed(3);
        model.Fit(batches, epochs: 2, verbose: 0);
        var history = model.Fit(ds, epochs: 30, verbose: 0);
        Assert.True(history["loss"][^1] < 0.2, $"the loss falls: {history["loss"][0]} -> {history["loss"][^1]}");
        var unseen = vectorize.Call(["a great story", "a dull film"]);
        var p = model.Predict(unseen).ToArray<float>();
        Assert.True(p[0] > 0.5 && p[1] < 0.5, $"predictions {p[0]}, {p[1]}");
        string path = Temp.File("text.nfmodel");
        model.Save(path);
        Assert.Equal(p, Model.Load(path).Predict(unseen).ToArray<float>());
    }
}

public sealed class ManagedTextVectorizationTests() : TextVectorizationTests("managed");

public sealed class NativeCpuTextVectorizationTests() : TextVectorizationTests("cpu");

public sealed class CudaTextVectorizationTests() : TextVectorizationTests("cuda");
