using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// Dictionaries of columns that mix text and numbers, as tf.data's
/// <c>from_tensor_slices({"title": titles, "year": years})</c> in the "load CSV" and "classify
/// structured data" tutorials: each element a dict whose text columns are tf.string scalars
/// (StringTensor) and numeric ones tensors, carried through Map, Batch and Shuffle, then turned into
/// numbers by a preprocessing Map for a two-input functional model. Before, such a dictionary
/// could not be a dataset element at all (only IReadOnlyDictionary&lt;string, Tensor&gt;).
/// Expected values worked out by hand (the steps only move the rows; the vocabulary is the
/// adapted one, by count then by token, as Keras orders it).
/// </summary>
public abstract class DataStringColumnsTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Titles = ["the cat sat", "a dog ran", "the dog sat", "a cat ran"];

    private static IReadOnlyDictionary<string, object> Columns() => new Dictionary<string, object>
    {
        ["title"] = Titles,
        ["year"] = NF.Constant(new float[] { 1990, 2000, 2010, 2020 }),
    };

    [SkippableFact]
    public void A_dictionary_of_text_and_numeric_columns_slices_into_rows_with_a_tf_string_spec()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(Columns());
        Assert.Equal("{'title': TensorSpec(shape=(), dtype=tf.string, name=None), 'year': TensorSpec(shape=(), dtype=tf.float32, name=None)}",
                     ds.ElementSpec.ToString());
        Assert.Equal(4, ds.Cardinality);
        var rows = ds.ToList();
        Assert.Equal(Titles, rows.Select(r => ((StringTensor)r["title"]).Item()));
        Assert.Equal(new float[] { 1990, 2000, 2010, 2020 }, rows.Select(r => ((Tensor)r["year"]).Item<float>()));

        // Batch: a [n] vector of texts next to a [n] tensor; Shuffle and Map keep the rows together.
        var batched = ds.Batch(3);
        Assert.Equal("{'title': TensorSpec(shape=(None,), dtype=tf.string, name=None), 'year': TensorSpec(shape=(None,), dtype=tf.float32, name=None)}",
                     batched.ElementSpec.ToString());
        var first = batched.First();
        Assert.Equal(Titles[..3], ((StringTensor)first["title"]).ToArray());
        Assert.Equal(new float[] { 1990, 2000, 2010 }, ((Tensor)first["year"]).ToArray<float>());
        var shuffled = ds.Shuffle(4, seed: 7).ToList();
        var byYear = shuffled.ToDictionary(r => ((Tensor)r["year"]).Item<float>(), r => ((StringTensor)r["title"]).Item());
        Assert.Equal(Titles, new float[] { 1990, 2000, 2010, 2020 }.Select(y => byYear[y]));

        // A Map over the dictionary (upper-case the text, age from the year) makes a new mixed dictionary.
        var mapped = ds.Map(row => (IReadOnlyDictionary<string, object>)new Dictionary<string, object>
        {
            ["title"] = ((StringTensor)row["title"]).Apply(s => s.ToUpperInvariant()),
            ["age"] = 2024f - (Tensor)row["year"],
        });
        // The Map's dictionary keeps its key order (title, age), as tf.data prints a dict (UserProbe24.DatasetDictOrderTests).
        Assert.Equal("{'title': TensorSpec(shape=(), dtype=tf.string, name=None), 'age': TensorSpec(shape=(), dtype=tf.float32, name=None)}",
                     mapped.ElementSpec.ToString());
        var out0 = mapped.Batch(4).Single();
        Assert.Equal(Titles.Select(t => t.ToUpperInvariant()), ((StringTensor)out0["title"]).ToArray());
        Assert.Equal(new float[] { 34, 24, 14, 4 }, ((Tensor)out0["age"]).ToArray<float>());

        // With labels: (features, label) pairs, and a cache in memory replays the strings.
        using var labels = NF.Constant(new long[] { 1, 0, 1, 0 });
        var pairs = Dataset.FromTensorSlices(Columns(), labels).Cache();
        Assert.Equal(2, pairs.Repeat(2).Count(p => ((StringTensor)p.Item1["title"]).Item() == "the cat sat"));
    }

    [SkippableFact]
    public void Bad_columns_are_refused_naming_the_column()
    {
        RequireBackend();
        // (A numeric array is a column since UserProbe24.DatasetDictOrderTests; a List is not.)
        var wrongType = new Dictionary<string, object> { ["title"] = Titles, ["year"] = new List<int> { 1, 2, 3, 4 } };
        var e = Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(wrongType));
        Assert.Contains("column 'year' is a List`1", e.Message);
        var shortColumn = new Dictionary<string, object> { ["title"] = Titles, ["year"] = NF.Constant(new float[] { 1, 2 }) };
        Assert.Contains("same first dimension", Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(shortColumn)).Message);
        // A Map that puts something else in a dictionary fails naming the key.
        var bad = Dataset.FromTensorSlices(Columns()).Map(r => (IReadOnlyDictionary<string, object>)new Dictionary<string, object> { ["n"] = 3 });
        Assert.Contains("under 'n'", Assert.ThrowsAny<Exception>(() => bad.ToList()).ToString());
    }

    [SkippableFact]
    public void A_preprocessing_map_feeds_text_and_numbers_to_a_two_input_model()
    {
        RequireBackend();
        using var labels = NF.Constant(new float[] { 1, 0, 0, 1 });
        var raw = Dataset.FromTensorSlices(Columns(), labels);
        var vectorize = new Layers.TextVectorization(outputSequenceLength: 3);
        vectorize.Adapt(raw.Map((row, y) => (StringTensor)row["title"]).Batch(2));
        // Counts: a 2, cat 2, dog 2, ran 2, sat 2, the 2: ties ordered by token, descending.
        Assert.Equal(new[] { "", "[UNK]", "the", "sat", "ran", "dog", "cat", "a" }, vectorize.GetVocabulary());

        // A model user's Fit never sees a string: the Map turns the title into ids and scales the year.
        var ds = raw.Shuffle(4, seed: 1).Batch(2).Map((row, y) => ((IReadOnlyDictionary<string, Tensor>)new Dictionary<string, Tensor>
        {
            ["title"] = vectorize.Call((StringTensor)row["title"]),
            // [batch, 1], as the structured-data tutorial's value[:, tf.newaxis] columns for Input(shape=(1,)).
            ["year"] = NF.Reshape(((Tensor)row["year"] - 2000f) / 10f, [-1, 1]),
        }, y));
        Assert.Equal("({'title': TensorSpec(shape=(None, 3), dtype=tf.int64, name=None), 'year': TensorSpec(shape=(None, 1), dtype=tf.float32, name=None)}, " +
                     "TensorSpec(shape=(None,), dtype=tf.float32, name=None))", ds.ElementSpec.ToString());
        var ids = raw.Batch(4).Map((row, y) => vectorize.Call((StringTensor)row["title"])).Single();
        Assert.Equal(new long[] { 2, 6, 3, 7, 5, 4, 2, 5, 3, 7, 6, 4 }, ids.ToArray<long>());

        var title = Layers.Input([3], dtype: DType.Int64, name: "title");
        var year = Layers.Input([1], name: "year");
        var words = new Layers.GlobalAveragePooling1D().Call(new Layers.Embedding(8, 4).Call(title));
        var output = new Layers.Dense(1, activation: "sigmoid").Call(new Layers.Concatenate().Call([words, year]));
        var model = new Model([title, year], output);
        model.Compile(new Keras.Optimizers.Adam(0.05f), new Keras.Losses.BinaryCrossentropy(), metrics: ["accuracy"]);
        var history = model.Fit(ds, epochs: 30, verbose: 0);
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], string.Join(", ", history["loss"]));
        // "cat"/"dog" alone tell the label (cat: 1): the model learns it.
        Assert.Equal(1.0, model.Evaluate(ds, verbose: 0)["accuracy"], 6);

        // The raw dictionary itself is refused by Fit, naming the text column.
        var refused = Assert.Throws<ArgumentException>(() => model.Fit(raw.Batch(2), epochs: 1, verbose: 0));
        Assert.Contains("hold text (StringTensor, tf.string) in component 0", refused.Message);
    }

    [SkippableFact]
    public void A_model_with_a_string_input_and_a_string_lookup_takes_the_columns_as_they_are()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        // Keras 3's structured-data example: Input(shape=(1,), dtype="string", name="thal") into
        // StringLookup(output_mode="one_hot"), joined with a numeric input; the dataset's dictionary
        // of raw columns is fed as it is, the lookup run on each batch's strings.
        string[] thal = ["fixed", "normal", "reversible", "normal", "fixed", "reversible"];
        using var age = NF.Constant(new float[] { 0.1f, 0.5f, 0.9f, 0.4f, 0.2f, 0.8f }, [6, 1]);
        using var target = NF.Constant(new float[] { 1, 0, 1, 0, 1, 1 });
        var raw = Dataset.FromTensorSlices(new Dictionary<string, object> { ["thal"] = thal, ["age"] = age }, target).Batch(4);

        var lookup = new Layers.StringLookup(vocabulary: ["fixed", "normal", "reversible"], outputMode: "one_hot");
        var thalInput = Layers.Input([1], dtype: DType.String, name: "thal");
        var ageInput = Layers.Input([1], name: "age");
        var encoded = lookup.Call(thalInput);
        Assert.Equal(new int?[] { null, 4 }, encoded.Shape.ToArray());   // [UNK], fixed, normal, reversible
        var output = new Layers.Dense(1, activation: "sigmoid").Call(new Layers.Concatenate().Call([encoded, ageInput]));
        var model = new Model([thalInput, ageInput], output);
        model.Compile(new Keras.Optimizers.Adam(0.1f), new Keras.Losses.BinaryCrossentropy(), metrics: ["accuracy"]);
        var history = model.Fit(raw, epochs: 40, verbose: 0);
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], string.Join(", ", history["loss"]));
        // "normal" alone is 0: one-hot features separate the classes.
        Assert.Equal(1.0, model.Evaluate(raw, verbose: 0)["accuracy"], 6);

        // Predict on a dictionary of named columns: the strings as a StringTensor column of the batch.
        using var probabilities = model.Predict(raw);
        Assert.Equal(new[] { 6, 1 }, probabilities.Shape.ToArray());
        Assert.Equal(new float[] { 1, 0, 1, 0, 1, 1 }, probabilities.ToArray<float>().Select(p => p > 0.5f ? 1f : 0f));
    }
}

/// <summary>Text and numeric columns on the managed backend.</summary>
public sealed class ManagedDataStringColumnsTests() : DataStringColumnsTests("managed");

/// <summary>Text and numeric columns on the native CPU backend.</summary>
public sealed class NativeCpuDataStringColumnsTests() : DataStringColumnsTests("cpu");

/// <summary>Text and numeric columns on CUDA.</summary>
public sealed class CudaDataStringColumnsTests() : DataStringColumnsTests("cuda");
