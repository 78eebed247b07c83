using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// A model that takes raw strings end to end, as the text classification tutorial's export model
/// (<c>export_model = Sequential([vectorize_layer, model, Activation("sigmoid")])</c>, compiled, then
/// <c>evaluate(raw_test_ds)</c> and <c>predict(examples)</c> on strings) and a functional model whose
/// <c>Input(shape=(1,), dtype="string")</c> (or <c>shape=()</c>) feeds a TextVectorization: Fit,
/// Evaluate and Predict take a StringTensor, a string[] or a dataset of texts; a model that takes
/// numbers keeps refusing text, naming it. Before, every one of these refused strings (or could not
/// be built). The expected numbers are the model's own: the export model must give exactly
/// sigmoid(model(vectorize(texts))), which is how Keras defines it.
/// </summary>
public abstract class DataStringModelTests(string backend) : BackendFileTest(backend)
{
    private static readonly string[] Reviews =
    [
        "a great movie", "great acting and a great story", "the worst film", "bad plot and worse acting",
        "loved it great fun", "boring and bad", "great great great", "awful worst bad",
    ];

    private static readonly float[] Positive = [1, 1, 0, 0, 1, 0, 1, 0];

    private static Dataset<(StringTensor, Tensor)> RawTrain() => Dataset.FromTensorSlices(Reviews, NF.Constant(Positive)).Batch(3);

    private static Layers.TextVectorization AdaptedVectorizer()
    {
        var vectorize = new Layers.TextVectorization(maxTokens: 30, outputMode: "int", outputSequenceLength: 5);
        vectorize.Adapt(RawTrain().Map((text, label) => text));
        return vectorize;
    }

    [SkippableFact]
    public void The_export_model_takes_raw_strings_and_gives_the_sigmoid_of_the_trained_model()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var vectorize = AdaptedVectorizer();
        var trainDs = RawTrain().Map((text, label) => (vectorize.Call(text), label));
        var model = new Sequential(new Layers.Embedding(30, 8), new Layers.GlobalAveragePooling1D(), new Layers.Dense(1));
        model.Compile(new Keras.Optimizers.Adam(0.05f), new Keras.Losses.BinaryCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        model.Fit(trainDs, epochs: 20, verbose: 0);
        var trained = model.Evaluate(trainDs, verbose: 0);

        var exportModel = new Sequential(vectorize, model, new Layers.Activation("sigmoid"));
        exportModel.Compile(new Keras.Optimizers.Adam(), new Keras.Losses.BinaryCrossentropy(fromLogits: false), metrics: ["accuracy"]);
        // export_model.evaluate(raw_test_ds): the same loss and accuracy as the model on the vectorized data.
        var exported = exportModel.Evaluate(RawTrain(), verbose: 0);
        Assert.Equal(trained["accuracy"], exported["accuracy"], 6);
        Assert.Equal(trained["loss"], exported["loss"], 4);

        // In memory (x a StringTensor): the same numbers as the dataset's batches.
        var inMemory = exportModel.Evaluate(new StringTensor(Reviews), NF.Constant(Positive), verbose: 0);
        Assert.Equal(exported["loss"], inMemory["loss"], 4);
        Assert.Equal(exported["accuracy"], inMemory["accuracy"], 6);

        // export_model.predict(examples) on a string array, a StringTensor and a dataset of texts.
        string[] examples = ["The movie was great!", "The movie was okay.", "The movie was terrible..."];
        using var ids = vectorize.Call(examples);
        using var logits = model.Predict(ids);
        using var expected = NF.Sigmoid(logits);
        using var fromArray = exportModel.Predict(examples);
        Assert.Equal(new[] { 3, 1 }, fromArray.Shape.ToArray());
        Assert.Equal(expected.ToArray<float>(), fromArray.ToArray<float>());
        using var fromTensor = exportModel.Predict(new StringTensor(examples));
        Assert.Equal(expected.ToArray<float>(), fromTensor.ToArray<float>());
        using var fromDataset = exportModel.Predict(Dataset.FromTensorSlices(examples).Batch(2));
        Assert.Equal(expected.ToArray<float>(), fromDataset.ToArray<float>());

        // Fit on raw strings trains the model inside it (its Dense kernel moves).
        var before = model.Layers[2].Variables[0].ToArray<float>();
        exportModel.Fit(RawTrain(), epochs: 1, verbose: 0);
        var afterDataset = model.Layers[2].Variables[0].ToArray<float>();
        Assert.NotEqual(before, afterDataset);
        exportModel.Fit(Reviews, NF.Constant(Positive), batchSize: 4, epochs: 1, verbose: 0);
        Assert.NotEqual(afterDataset, model.Layers[2].Variables[0].ToArray<float>());
    }

    [SkippableFact]
    public void A_model_that_takes_numbers_keeps_refusing_text_naming_it()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([5], dtype: DType.Int64), new Layers.Embedding(30, 4), new Layers.GlobalAveragePooling1D(), new Layers.Dense(1));
        model.Compile(new Keras.Optimizers.Adam(), new Keras.Losses.BinaryCrossentropy(fromLogits: true));
        var fit = Assert.Throws<ArgumentException>(() => model.Fit(RawTrain(), epochs: 1, verbose: 0));
        Assert.Contains("hold text (StringTensor, tf.string) in component 0", fit.Message);
        var predict = Assert.Throws<ArgumentException>(() => model.Predict(new[] { "a great movie" }));
        Assert.Contains("x holds text (StringTensor, tf.string)", predict.Message);
        Assert.Contains("takes numbers", predict.Message);
        Assert.Throws<ArgumentException>(() => model.Evaluate(new StringTensor(Reviews), NF.Constant(Positive), verbose: 0));
    }

    [SkippableFact]
    public void A_functional_model_with_a_string_input_trains_and_predicts_on_texts()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        foreach (var exampleShape in new[] { new[] { 1 }, Array.Empty<int>() })
        {
            var vectorize = AdaptedVectorizer();
            var text = Layers.Input(exampleShape, dtype: DType.String, name: "text");
            var ids = vectorize.Call(text);
            Assert.Equal(DType.Int64, ids.DType);
            Assert.Equal(new int?[] { null, 5 }, ids.Shape.ToArray());
            var embedded = new Layers.GlobalAveragePooling1D().Call(new Layers.Embedding(30, 8).Call(ids));
            var output = new Layers.Dense(1, activation: "sigmoid").Call(embedded);
            var model = new Model(text, output);
            var summary = new StringWriter();
            model.Summary(summary);
            Assert.Contains(vectorize.Name, summary.ToString());
            model.Compile(new Keras.Optimizers.Adam(0.05f), new Keras.Losses.BinaryCrossentropy(), metrics: ["accuracy"]);
            var history = model.Fit(RawTrain(), epochs: 25, verbose: 0);
            Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], string.Join(", ", history["loss"]));
            Assert.Equal(1.0, model.Evaluate(RawTrain(), verbose: 0)["accuracy"], 6);

            // Predict on texts equals the graph after the vectorizer run on its ids.
            using var probabilities = model.Predict(Reviews);
            Assert.Equal(new[] { 8, 1 }, probabilities.Shape.ToArray());
            Assert.Equal(Positive, probabilities.ToArray<float>().Select(p => p > 0.5f ? 1f : 0f));
            // A dictionary dataset keyed by the input's name works too.
            var named = Dataset.FromTensorSlices(new Dictionary<string, object> { ["text"] = Reviews }, NF.Constant(Positive)).Batch(4);
            Assert.Equal(1.0, model.Evaluate(named, verbose: 0)["accuracy"], 6);
        }
    }

    // A text Input of shape () whose vectorizer gives one id per text, (N, 1): Keras 3's input-rank adjustment
    // compares what is fed with that (N, 1), not with the string input's (N,), so nothing is squeezed away
    // (before, the ids lost their axis and the model refused its own vectorizer's output).
    [SkippableFact]
    public void A_scalar_text_input_with_one_token_per_text_keeps_its_token_axis()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var vectorize = new Layers.TextVectorization(maxTokens: 30, outputMode: "int", outputSequenceLength: 1);
        vectorize.Adapt(RawTrain().Map((text, label) => text));
        var text = Layers.Input([], dtype: DType.String, name: "text");
        var embedded = new Layers.Flatten().Call(new Layers.Embedding(30, 4).Call(vectorize.Call(text)));
        var model = new Model(text, new Layers.Dense(1).Call(embedded));
        using var predicted = model.Predict(Reviews);
        Assert.Equal(new[] { 8, 1 }, predicted.Shape.ToArray());
        using var ids = vectorize.Call(Reviews);
        Assert.Equal(new[] { 8, 1 }, ids.Shape.ToArray());
        using var direct = model.Predict(ids);
        Assert.Equal(direct.ToArray<float>(), predicted.ToArray<float>());
    }

    [SkippableFact]
    public void The_export_model_saves_and_loads_with_its_vocabulary()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var vectorize = AdaptedVectorizer();
        var inner = new Sequential(Layers.Input([5], dtype: DType.Int64), new Layers.Embedding(30, 4), new Layers.GlobalAveragePooling1D(), new Layers.Dense(1));
        var exportModel = new Sequential(vectorize, inner, new Layers.Activation("sigmoid"));
        using var expected = exportModel.Predict(Reviews);
        var path = SaveTo(exportModel, "export.keras");
        var loaded = Models.LoadModel(path);
        Assert.Equal(vectorize.GetVocabulary(), ((Layers.TextVectorization)loaded.Layers[0]).GetVocabulary());
        using var again = loaded.Predict(Reviews);
        Assert.Equal(expected.ToArray<float>(), again.ToArray<float>());
    }
}

/// <summary>Models of raw strings on the managed backend.</summary>
public sealed class ManagedDataStringModelTests() : DataStringModelTests("managed");

/// <summary>Models of raw strings on the native CPU backend.</summary>
public sealed class NativeCpuDataStringModelTests() : DataStringModelTests("cpu");

/// <summary>Models of raw strings on CUDA.</summary>
public sealed class CudaDataStringModelTests() : DataStringModelTests("cuda");
