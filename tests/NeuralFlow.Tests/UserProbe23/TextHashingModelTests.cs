using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// keras.layers.Hashing as a model's text-taking first layer, as TextVectorization and StringLookup
/// already are: <c>Sequential([Hashing(3), ...])</c> given raw strings, and a functional
/// <c>Input(shape=(), dtype="string")</c> feeding a Hashing, Fit, Evaluate and Predict take a string[],
/// a StringTensor or a dataset of texts, the layer running on the host before each step (FarmHash's
/// Fingerprint64, Keras' bins). The bins are read through an Embedding whose row k holds k, so the
/// model's output is the bin: Keras' Hashing docstring gives <c>Hashing(num_bins=3)</c> of
/// [['A'], ['B'], ['C'], ['D'], ['E']] as [[1], [0], [1], [1], [2]], and keras' hashing_test.py the
/// integers 0..4 as [1, 0, 1, 0, 2]. A Hashing first still hashes numbers. Before, a model starting
/// with a Hashing refused text ("takes numbers") and a string Input could not feed one.
/// </summary>
public abstract class TextHashingModelTests(string backend) : BackendFileTest(backend)
{
    private static readonly string[] AToE = ["A", "B", "C", "D", "E"];
    private static readonly float[] AToEBins = [1, 0, 1, 1, 2];

    // Row k of the table is k: the output of Embedding(bin) is the bin itself.
    private static Layers.Embedding BinReader() => new(3, 1, embeddingsInitializer: Initializer.Constant(new float[,] { { 0 }, { 1 }, { 2 } }));

    [SkippableFact]
    public void A_sequential_that_starts_with_hashing_predicts_on_texts_with_kerass_bins()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Hashing(3), BinReader(), new Layers.Flatten());
        using var fromArray = model.Predict(AToE);
        Assert.Equal(new[] { 5, 1 }, fromArray.Shape.ToArray());
        Assert.Equal(AToEBins, fromArray.ToArray<float>());
        using var fromColumn = model.Predict(new StringTensor(AToE, new Shape(5, 1)));
        Assert.Equal(AToEBins, fromColumn.ToArray<float>());
        using var fromDataset = model.Predict(Dataset.FromTensorSlices(AToE).Batch(2));
        Assert.Equal(AToEBins, fromDataset.ToArray<float>());
        // Given text, its Hashing runs on the host, and numbers are still hashed (as their decimal strings).
        using var numbers = model.Predict(NF.Constant(new long[] { 0, 1, 2, 3, 4 }));
        Assert.Equal(new float[] { 1, 0, 1, 0, 2 }, numbers.ToArray<float>());

        // Saved and loaded, the model takes texts again.
        var loaded = Models.LoadModel(SaveTo(model, "hashing.keras"));
        using var again = loaded.Predict(AToE);
        Assert.Equal(AToEBins, again.ToArray<float>());
    }

    [SkippableFact]
    public void A_hashing_first_still_hashes_numbers_and_refuses_text_after_a_numeric_input()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Hashing(3), BinReader(), new Layers.Flatten());
        using var numbers = model.Predict(NF.Constant(new long[] { 0, 1, 2, 3, 4 }));
        Assert.Equal(new float[] { 1, 0, 1, 0, 2 }, numbers.ToArray<float>());
        // The same model, given text after numbers, hashes the text (its steps are made again).
        using var texts = model.Predict(AToE);
        Assert.Equal(AToEBins, texts.ToArray<float>());

        var numeric = new Sequential(Layers.Input([], dtype: DType.Int64), new Layers.Hashing(3), BinReader(), new Layers.Flatten());
        using var ints = numeric.Predict(NF.Constant(new long[] { 0, 1, 2, 3, 4 }));
        Assert.Equal(new float[] { 1, 0, 1, 0, 2 }, ints.ToArray<float>());
        var ex = Assert.Throws<ArgumentException>(() => numeric.Predict(AToE));
        Assert.Contains("x holds text (StringTensor, tf.string)", ex.Message);
        Assert.Contains("takes numbers", ex.Message);

        // After a string Input the Hashing takes text from the start.
        var text = new Sequential(Layers.Input([], dtype: DType.String), new Layers.Hashing(3), BinReader(), new Layers.Flatten());
        using var fromText = text.Predict(AToE);
        Assert.Equal(AToEBins, fromText.ToArray<float>());
    }

    [SkippableFact]
    public void A_functional_string_input_feeds_a_hashing_and_trains_on_texts()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var text = Layers.Input([], dtype: DType.String, name: "word");
        var bins = new Layers.Hashing(3).Call(text);
        Assert.Equal(DType.Int64, bins.DType);
        Assert.Equal(new int?[] { null }, bins.Shape.ToArray());
        var readBins = new Model(text, new Layers.Flatten().Call(BinReader().Call(bins)));
        using var predicted = readBins.Predict(AToE);
        Assert.Equal(AToEBins, predicted.ToArray<float>());

        // Trains on raw words: positive words against negative ones, in 64 bins.
        string[] words = ["good", "great", "fine", "bad", "awful", "poor"];
        float[] labels = [1, 1, 1, 0, 0, 0];
        var word = Layers.Input([], dtype: DType.String, name: "word");
        var embedded = new Layers.Embedding(64, 4).Call(new Layers.Hashing(64).Call(word));
        var model = new Model(word, new Layers.Dense(1, activation: "sigmoid").Call(embedded));
        model.Compile(new Keras.Optimizers.Adam(0.1f), new Keras.Losses.BinaryCrossentropy(), metrics: ["accuracy"]);
        var history = model.Fit(words, NF.Constant(labels), batchSize: 3, epochs: 30, verbose: 0);
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], string.Join(", ", history["loss"]));
        var inMemory = model.Evaluate(new StringTensor(words), NF.Constant(labels), verbose: 0);
        Assert.Equal(1.0, inMemory["accuracy"], 6);
        var fromDataset = model.Evaluate(Dataset.FromTensorSlices(words, NF.Constant(labels)).Batch(4), verbose: 0);
        Assert.Equal(inMemory["loss"], fromDataset["loss"], 5);
        model.Fit(Dataset.FromTensorSlices(words, NF.Constant(labels)).Batch(2), epochs: 1, verbose: 0);
    }
}

/// <summary>Hashing models of raw strings on the managed backend.</summary>
public sealed class ManagedTextHashingModelTests() : TextHashingModelTests("managed");

/// <summary>Hashing models of raw strings on the native CPU backend.</summary>
public sealed class NativeCpuTextHashingModelTests() : TextHashingModelTests("cpu");

/// <summary>Hashing models of raw strings on CUDA.</summary>
public sealed class CudaTextHashingModelTests() : TextHashingModelTests("cuda");
