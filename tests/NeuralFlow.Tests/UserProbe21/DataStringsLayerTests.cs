using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// The text layers over string datasets, as the TensorFlow tutorials write them:
/// <c>vectorize.adapt(ds.map(lambda x, y: x))</c>, <c>ds.map(lambda x, y: (vectorize(x), y))</c>,
/// then <c>model.fit</c>; StringLookup and Hashing called on tf.string tensors; and the clear refusal
/// when strings reach a model or a numeric layer. The vocabulary and ids are computed by
/// text_lines_references.py (its second part) and by hand (Keras: count descending, ties token descending).
/// </summary>
public abstract class DataStringsLayerTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Texts = ["the cat", "a dog", "the bird", "one fish", "two fish"];
    private static readonly long[] Labels = [0, 1, 0, 1, 1];

    // text_lines_references.py, part 2.
    private static readonly string[] Vocabulary = ["", "[UNK]", "the", "fish", "two", "one", "dog", "cat", "bird", "a"];
    private static readonly long[][] Ids =
    [
        [2, 7, 0, 0, 0, 0, 0, 0], [9, 6, 0, 0, 0, 0, 0, 0], [2, 8, 0, 0, 0, 0, 0, 0], [5, 3, 0, 0, 0, 0, 0, 0], [4, 3, 0, 0, 0, 0, 0, 0],
    ];

    private static Dataset<(StringTensor, Tensor)> Pairs() => Dataset.FromTensorSlices(Texts, NF.Constant(Labels));

    [SkippableFact]
    public void Text_vectorization_adapts_to_a_dataset_of_batches_and_maps_it_to_ids_that_fit_trains_on()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var ds = Pairs().Shuffle(100, seed: 1).Batch(2);
        var vectorize = new Layers.TextVectorization(maxTokens: 1000, outputSequenceLength: 8);
        vectorize.Adapt(ds.Map((x, y) => x));
        Assert.Equal(Vocabulary, vectorize.GetVocabulary());

        var train = ds.Map((x, y) => (vectorize.Call(x), y));
        Assert.Equal("(TensorSpec(shape=(None, 8), dtype=tf.int64, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))", train.ElementSpec.ToString());
        var seen = new Dictionary<long, long[]>();
        foreach (var (index, (ids, labels)) in Pairs().Batch(2).Map((x, y) => (vectorize.Call(x), y)).Unbatch().Enumerate())
            using (index) using (ids) using (labels) seen[index.Item<long>()] = ids.ToArray<long>();
        Assert.Equal(Ids, Enumerable.Range(0, 5).Select(i => seen[i]).ToArray());

        var model = new Sequential(Layers.Input([8], dtype: DType.Int64), new Layers.Embedding(Vocabulary.Length, 4), new Layers.GlobalAveragePooling1D(), new Layers.Dense(2));
        model.Compile(optimizer: new Optimizers.Adam(0.05f), loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var history = model.Fit(train, epochs: 20, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        using var scores = model.Predict(train.Map((x, y) => x));
        Assert.Equal(new[] { 5, 2 }, scores.Shape.ToArray());
    }

    [SkippableFact]
    public void Text_vectorization_takes_one_text_a_vector_or_a_column_as_keras_does()
    {
        RequireBackend();
        var vectorize = new Layers.TextVectorization(outputSequenceLength: 8);
        vectorize.Adapt(new StringTensor(Texts));
        Assert.Equal(Vocabulary, vectorize.GetVocabulary());
        // One text (an unbatched element) gives [length], as Keras does for a scalar tf.string.
        using var one = vectorize.Call(new StringTensor("two fish"));
        Assert.Equal(new[] { 8 }, one.Shape.ToArray());
        Assert.Equal(Ids[4], one.ToArray<long>());
        using var vector = vectorize.Call(new StringTensor(Texts));
        Assert.Equal(new[] { 5, 8 }, vector.Shape.ToArray());
        Assert.Equal(Ids.SelectMany(r => r), vector.ToArray<long>());
        using var column = vectorize.Call(new StringTensor(Texts, new Shape(5, 1)));
        Assert.Equal(new[] { 5, 8 }, column.Shape.ToArray());
        // Unbatched elements vectorize one by one; multi_hot gives [depth] per text.
        var perText = Dataset.FromTensorSlices(Texts).Map(t => vectorize.Call(t));
        Assert.Equal("TensorSpec(shape=(8,), dtype=tf.int64, name=None)", perText.ElementSpec.ToString());
        var multiHot = new Layers.TextVectorization(outputMode: "multi_hot", vocabulary: Vocabulary[2..]);
        using var bag = multiHot.Call(new StringTensor("the fish the"));
        Assert.Equal(new float[] { 0, 1, 1, 0, 0, 0, 0, 0, 0 }, bag.ToArray<float>());
        Assert.Contains("Received: inputs.shape=(2, 2)",
            Assert.Throws<ArgumentException>(() => vectorize.Call(new StringTensor(["a", "b", "c", "d"], new Shape(2, 2)))).Message);
    }

    [SkippableFact]
    public void String_lookup_and_hashing_take_string_tensors_and_adapt_to_string_datasets()
    {
        RequireBackend();
        var words = Dataset.FromTensorSlices(Texts).Map(t => new StringTensor(t.Item().Split(' ')));
        var lookup = new Layers.StringLookup();
        lookup.Adapt(words.Unbatch().Batch(3));
        // Tokens the, fish twice; the others once, larger first: two, one, dog, cat, bird, a.
        Assert.Equal(["[UNK]", "the", "fish", "two", "one", "dog", "cat", "bird", "a"], lookup.GetVocabulary());
        using var ids = lookup.Call(new StringTensor(["the", "zebra", "fish", "a"], new Shape(2, 2)));
        Assert.Equal(new[] { 2, 2 }, ids.Shape.ToArray());
        Assert.Equal(new long[] { 1, 0, 2, 8 }, ids.ToArray<long>());
        using var scalar = lookup.Call(new StringTensor("dog"));
        Assert.Equal(0, scalar.Rank);
        Assert.Equal(5L, scalar.Item<long>());
        // Keras' adapt(dataset, steps): only the first batches.
        var firstBatch = new Layers.StringLookup();
        firstBatch.Adapt(words.Unbatch().Batch(3).Repeat(), steps: 1);
        Assert.Equal(["[UNK]", "the", "cat", "a"], firstBatch.GetVocabulary());
        Assert.Contains("infinite", Assert.Throws<ArgumentException>(() => new Layers.StringLookup().Adapt(words.Repeat())).Message);

        var hashing = new Layers.Hashing(numBins: 7);
        using var fromArray = hashing.Call(["the", "cat", "dog"]);
        using var fromTensor = hashing.Call(new StringTensor(["the", "cat", "dog"], new Shape(3, 1)));
        Assert.Equal(new[] { 3, 1 }, fromTensor.Shape.ToArray());
        Assert.Equal(fromArray.ToArray<long>(), fromTensor.ToArray<long>());
    }

    [SkippableFact]
    public void A_text_directory_dataset_is_also_a_dataset_of_string_tensors_for_adapt_and_map()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        foreach (var (cls, texts) in new[] { ("neg", new[] { "bad film", "awful" }), ("pos", new[] { "good film", "great" }) })
        {
            Directory.CreateDirectory(Path.Combine(temp.Path, cls));
            for (int i = 0; i < texts.Length; i++) File.WriteAllText(Path.Combine(temp.Path, cls, $"{i}.txt"), texts[i]);
        }
        var raw = Utils.TextDatasetFromDirectory(temp.Path, batchSize: 3, shuffle: false, verbose: false);
        var ds = raw.AsDataset();
        Assert.Equal("(TensorSpec(shape=(None,), dtype=tf.string, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))", ds.ElementSpec.ToString());
        // Keras' order without shuffle: classes sorted, then files sorted.
        var batches = ds.ToList();
        Assert.Equal(new[] { "bad film", "awful", "good film" }, batches[0].Texts.ToArray());
        Assert.Equal(new[] { 0, 0, 1 }, batches[0].Labels.ToArray<int>());
        Assert.Equal(new[] { "great" }, batches[1].Texts.ToArray());
        Assert.Equal(new[] { "bad film", "awful", "good film", "great" }, raw.AsTextDataset().SelectMany(b => b.ToArray()));

        var vectorize = new Layers.TextVectorization(outputSequenceLength: 2);
        vectorize.Adapt(raw.AsTextDataset());
        Assert.Equal(["", "[UNK]", "film", "great", "good", "bad", "awful"], vectorize.GetVocabulary());
        var (ids, labels) = ds.Map((x, y) => (vectorize.Call(x), y)).First();
        using (ids) using (labels) Assert.Equal(new long[] { 5, 2, 6, 0, 4, 2 }, ids.ToArray<long>());
        var unbatched = Utils.TextDatasetFromDirectory(temp.Path, batchSize: null, shuffle: false, verbose: false).AsDataset();
        Assert.Equal("TensorSpec(shape=(), dtype=tf.string, name=None)", unbatched.ElementSpec.Components[0].ToString());
        Assert.Equal("awful", unbatched.Skip(1).First().Texts.Item());
    }

    [SkippableFact]
    public void Strings_passed_where_numbers_are_expected_are_refused_naming_the_consumer_and_component()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([1]), new Layers.Dense(1));
        model.Compile(optimizer: "sgd", loss: "mse");
        var fit = Assert.Throws<ArgumentException>(() => model.Fit(Pairs().Batch(2), epochs: 1, verbose: 0));
        Assert.StartsWith("Fit:", fit.Message);
        Assert.Contains("(StringTensor, Tensor) hold text (StringTensor, tf.string) in component 0 (the model's input '", fit.Message);
        Assert.Contains("vectorize.Call(x)", fit.Message);
        var predict = Assert.Throws<ArgumentException>(() => model.Predict(Dataset.FromTensorSlices(Texts).Batch(2)));
        Assert.StartsWith("Predict:", predict.Message);
        // A label that is text, in component 1.
        var textLabels = Dataset.Zip(Dataset.FromTensorSlices(NF.Zeros([5, 1])), Dataset.FromTensorSlices(Texts)).Batch(5);
        Assert.Contains("in component 1 (the targets)", Assert.Throws<ArgumentException>(() => model.Evaluate(textLabels, verbose: 0)).Message);
        // Keras' predict reads the inputs alone: text targets are left unread.
        using (var predictions = model.Predict(textLabels)) Assert.Equal(new[] { 5, 1 }, predictions.Shape.ToArray());
        // A numeric layer's Adapt names itself.
        var norm = new Layers.Normalization(name: "norm");
        Assert.StartsWith("norm.Adapt:", Assert.Throws<ArgumentException>(() => norm.Adapt(Dataset.FromTensorSlices(Texts).Batch(2))).Message);
        // A text layer called with a null string tensor, and the string layers' own refusal of tensors.
        var vectorize = new Layers.TextVectorization();
        Assert.Throws<ArgumentNullException>(() => vectorize.Call((StringTensor)null!));
        Assert.Throws<ArgumentNullException>(() => vectorize.Adapt((Dataset<StringTensor>)null!));
    }
}

/// <summary>Text layers over string datasets on the managed backend.</summary>
public sealed class ManagedDataStringsLayerTests() : DataStringsLayerTests("managed");

/// <summary>Text layers over string datasets on the native CPU backend.</summary>
public sealed class NativeCpuDataStringsLayerTests() : DataStringsLayerTests("cpu");

/// <summary>Text layers over string datasets on CUDA.</summary>
public sealed class CudaDataStringsLayerTests() : DataStringsLayerTests("cuda");
