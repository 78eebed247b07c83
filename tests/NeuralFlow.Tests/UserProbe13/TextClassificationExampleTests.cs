using System.Text.RegularExpressions;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's "Text classification from scratch" (IMDB reviews from a folder, TextVectorization with
/// a custom standardization that strips "&lt;br /&gt;" and punctuation, adapt on the texts, Embedding,
/// strided Conv1D, GlobalMaxPooling1D, a sigmoid head, then raw strings scored through the layer) and
/// "Bidirectional LSTM on IMDB" (pad_sequences maxlen 200, two Bidirectional LSTMs; Keras' published
/// 2,757,761 parameters), in C#. NeuralFlow tensors hold no strings, so the end-to-end model of
/// the example is the vectorizer followed by the model, as README says.
/// </summary>
public abstract class TextClassificationExampleTests(string backend) : BackendFileTest(backend)
{
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";   // Python's string.punctuation

    // The example's custom_standardization: lower, "<br />" to a space, punctuation removed (re.escape
    // escapes every character; .NET's Regex.Escape leaves ']' and '-', so each is written as \uXXXX here).
    private static string CustomStandardization(string inputData)
    {
        var lowercase = inputData.ToLowerInvariant();
        var strippedHtml = lowercase.Replace("<br />", " ");
        return Regex.Replace(strippedHtml, "[" + string.Concat(Punctuation.Select(c => $"\\u{(int)c:X4}")) + "]", "");
    }

    private string WriteReviews(int perClass)
    {
        string[] good = ["great", "wonderful", "loved", "superb"], bad = ["awful", "boring", "hated", "terrible"];
        var rng = new Random(4);
        string root = Temp.File("aclImdb");
        foreach (var (cls, words) in new[] { ("neg", bad), ("pos", good) })
        {
            Directory.CreateDirectory(Path.Combine(root, "train", cls));
            for (int i = 0; i < perClass; i++)
                File.WriteAllText(Path.Combine(root, "train", cls, $"{i}_{1 + i % 10}.txt"),
                    $"This movie was {words[rng.Next(4)]}.<br /><br />I {words[rng.Next(4)]} it, really {words[rng.Next(4)]}!");
        }
        return root;
    }

    [SkippableFact]
    public void Vectorized_reviews_train_a_conv1d_classifier_that_scores_raw_strings()
    {
        RequireBackend();
        NF.Random.SetSeed(31);
        string root = WriteReviews(BackendName == "cuda" ? 8 : 20);
        int batchSize = 8;
        var rawTrainDs = Utils.TextDatasetFromDirectory(Path.Combine(root, "train"), batchSize: batchSize, validationSplit: 0.2, subset: "training", seed: 1337, verbose: false);
        var rawValDs = Utils.TextDatasetFromDirectory(Path.Combine(root, "train"), batchSize: batchSize, validationSplit: 0.2, subset: "validation", seed: 1337, verbose: false);
        int maxFeatures = 200, embeddingDim = 16, sequenceLength = 20;
        var vectorizeLayer = new Layers.TextVectorization(standardizeFunction: CustomStandardization, maxTokens: maxFeatures,
            outputMode: "int", outputSequenceLength: sequenceLength);
        vectorizeLayer.Adapt(rawTrainDs.Texts());
        var vocabulary = vectorizeLayer.GetVocabulary();
        Assert.Equal(["", "[UNK]"], vocabulary[..2]);
        Assert.Contains("it", vocabulary);
        Assert.DoesNotContain(vocabulary, t => t.Contains('<') || t.Contains(',') || t.Contains('!') || t.Contains('.'));
        var ids = vectorizeLayer.Call(["This movie was great.<br /><br />"]);
        Assert.Equal(new[] { 1, sequenceLength }, ids.Shape.ToArray());
        Assert.Equal(DType.Int64, ids.DType);
        Assert.Equal(4, ids.ToArray<long>().Count(v => v != 0));   // this movie was great

        (Tensor, Tensor) VectorizeText(string[] text, Tensor label) => (vectorizeLayer.Call(text), label);
        var trainDs = rawTrainDs.Map(VectorizeText).Cache().Prefetch(10);
        var valDs = rawValDs.Map(VectorizeText).Cache().Prefetch(10);

        var inputs = Layers.Input([null], dtype: DType.Int64);
        var x = new Layers.Embedding(maxFeatures, embeddingDim).Call(inputs);
        x = new Layers.Dropout(0.5).Call(x);
        x = new Layers.Conv1D(16, 3, padding: "valid", activation: "relu", strides: 2).Call(x);
        x = new Layers.Conv1D(16, 3, padding: "valid", activation: "relu", strides: 2).Call(x);
        x = new Layers.GlobalMaxPooling1D().Call(x);
        x = new Layers.Dense(16, activation: "relu").Call(x);
        x = new Layers.Dropout(0.5).Call(x);
        var predictions = new Layers.Dense(1, activation: "sigmoid", name: "predictions").Call(x);
        var model = new Model(inputs, predictions);
        model.Compile(loss: "binary_crossentropy", optimizer: new Optimizers.Adam(0.01f), metrics: ["accuracy"]);
        var history = model.Fit(trainDs, validationData: valDs, epochs: BackendName == "cuda" ? 2 : 10, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var (loss, accuracy) = model.Evaluate(valDs);
        Assert.True(float.IsFinite(loss));
        Assert.InRange(accuracy, 0f, 1f);
        // The example's end_to_end_model: strings in, probabilities out.
        Tensor EndToEnd(string[] texts) => model.Predict(vectorizeLayer.Call(texts));
        var scores = EndToEnd(["I loved it, wonderful!", "Boring.<br />Awful."]);
        Assert.Equal(new[] { 2, 1 }, scores.Shape.ToArray());
        Assert.All(scores.ToArray<float>(), s => Assert.InRange(s, 0f, 1f));
    }

    private static Model BidirectionalLstm(int maxFeatures)
    {
        var inputs = Layers.Input([null], dtype: DType.Int32);
        var x = new Layers.Embedding(maxFeatures, 128).Call(inputs);
        x = new Layers.Bidirectional(new Layers.LSTM(64, returnSequences: true)).Call(x);
        x = new Layers.Bidirectional(new Layers.LSTM(64)).Call(x);
        var outputs = new Layers.Dense(1, activation: "sigmoid").Call(x);
        return new Model(inputs, outputs);
    }

    [SkippableFact]
    public void Bidirectional_lstm_has_keras_count_and_trains_on_padded_sequences()
    {
        RequireBackend();
        NF.Random.SetSeed(32);
        // 20000 * 128 + 2 * (2 * 4 * 64 * (128 + 64 + 1)) + 129, keras.io's published summary.
        Assert.Equal(2_757_761, BidirectionalLstm(20000).CountParams());
        int count = BackendName == "cuda" ? 4 : 16, maxlen = BackendName == "cuda" ? 12 : 200;
        // Reviews of different lengths, the longer ones cut to their last maxlen ids (Keras' "pre").
        var reviews = Enumerable.Range(0, count).Select(i => Enumerable.Range(0, 3 + i * 15).Select(j => 1 + (i + j) % 99).ToArray()).ToArray();
        var xTrain = Utils.PadSequences(reviews, maxlen: maxlen);
        Assert.Equal(new[] { count, maxlen }, xTrain.Shape.ToArray());
        Assert.Equal(0, xTrain[0, 0].Item<int>());                      // padded before the short review
        Assert.Equal(reviews[0][^1], xTrain[0, maxlen - 1].Item<int>());
        var yTrain = NF.Constant(Enumerable.Range(0, count).Select(i => (float)(i % 2)).ToArray(), [count]);
        var model = BidirectionalLstm(100);
        model.Compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(xTrain, yTrain, batchSize: 32, epochs: 1, validationData: (xTrain, yTrain), verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys.ToArray());
        Assert.True(float.IsFinite(history["loss"][0]));
    }
}

/// <summary>The text classification examples on the managed backend.</summary>
public sealed class ManagedTextClassificationExampleTests() : TextClassificationExampleTests("managed");

/// <summary>The text classification examples on the native CPU backend.</summary>
public sealed class NativeCpuTextClassificationExampleTests() : TextClassificationExampleTests("cpu");

/// <summary>The text classification examples on CUDA.</summary>
public sealed class CudaTextClassificationExampleTests() : TextClassificationExampleTests("cuda");
