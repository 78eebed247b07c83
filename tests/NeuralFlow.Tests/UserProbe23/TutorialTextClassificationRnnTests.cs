using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe21;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Text classification with an RNN" tutorial (tensorflow/text docs/tutorials/text_classification_rnn.ipynb)
/// cell by cell on a few synthetic reviews: TextVectorization(max_tokens) adapted on the texts, the vocabulary and
/// its round trip, the Sequential model encoder / Embedding(mask_zero=True) / Bidirectional(LSTM) / Dense / Dense and
/// its layers' supports_masking, predict on raw text alone and beside a long padding text giving the same number
/// (the mask), fit with validation_data and validation_steps, evaluate, and the stacked model of two Bidirectional
/// LSTMs (the first with return_sequences). The model after the encoder is compared with PyTorch on fixed
/// weights (text_rnn_references.py): a padded sequence gives what the unpadded one gives.
/// </summary>
public abstract class TutorialTextClassificationRnnTests(string backend) : BackendTest(backend)
{
    private static readonly string[] PositiveWords = ["great", "wonderful", "loved", "brilliant", "fun"];
    private static readonly string[] NegativeWords = ["awful", "boring", "hated", "terrible", "dull"];
    private static readonly string[] Filler = ["the", "movie", "was", "and", "plot", "a", "story", "acting", "it", "really"];

    // Reviews of filler words with one or two words of their sentiment; label 1 for positive.
    private static (string[] Texts, float[] Labels) Reviews(int count, int seed)
    {
        var random = new Random(seed);
        var texts = new string[count];
        var labels = new float[count];
        for (int n = 0; n < count; n++)
        {
            bool positive = n % 2 == 0;
            var words = Enumerable.Range(0, 4 + random.Next(5)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
            var sentiment = positive ? PositiveWords : NegativeWords;
            for (int k = 0; k < 1 + random.Next(2); k++)
                words.Insert(random.Next(words.Count + 1), sentiment[random.Next(sentiment.Length)]);
            texts[n] = string.Join(' ', words);
            labels[n] = positive ? 1 : 0;
        }
        return (texts, labels);
    }

    private const string SampleText = "The movie was cool. The animation and the graphics were out of this world. I would recommend this movie.";

    [SkippableFact]
    public void The_bidirectional_lstm_classifier_reads_raw_text_and_ignores_padding()
    {
        RequireBackend();
        NF.Random.SetSeed(2341);
        var (trainTexts, trainLabels) = Reviews(96, seed: 1);
        var (testTexts, testLabels) = Reviews(48, seed: 2);
        // train_dataset = train_dataset.shuffle(BUFFER_SIZE).batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)
        var trainDataset = Dataset.FromTensorSlices(trainTexts, NF.Constant(trainLabels)).Shuffle(1000).Batch(16).Prefetch(Dataset.Autotune);
        var testDataset = Dataset.FromTensorSlices(testTexts, NF.Constant(testLabels)).Batch(16).Prefetch(Dataset.Autotune);

        // encoder = tf.keras.layers.TextVectorization(max_tokens=VOCAB_SIZE); encoder.adapt(train_dataset.map(lambda text, label: text))
        const int VocabSize = 1000;
        var encoder = new Layers.TextVectorization(maxTokens: VocabSize);
        encoder.Adapt(trainDataset.Map((text, label) => text));
        var vocab = encoder.GetVocabulary();
        // Every word of the reviews, after the padding and OOV tokens.
        Assert.Equal(2 + PositiveWords.Length + NegativeWords.Length + Filler.Length, vocab.Length);
        Assert.Equal(["", "[UNK]"], vocab[..2]);

        // encoded_example = encoder(example)[:3]; " ".join(vocab[encoded_example[n]]): the text back, padding
        // ("") at the end of the shorter ones.
        var example = trainTexts[..3];
        var encodedExample = encoder.Call(example);
        Assert.Equal(3, encodedExample.Shape[0]);
        var ids = encodedExample.ToArray<long>();
        int length = encodedExample.Shape[1];
        for (int n = 0; n < 3; n++)
        {
            var roundTrip = string.Join(' ', ids.Skip(n * length).Take(length).Select(i => vocab[i])).TrimEnd();
            Assert.Equal(example[n], roundTrip);
        }

        var model = new Sequential(
            encoder,
            new Layers.Embedding(inputDim: vocab.Length, outputDim: 16, maskZero: true),
            new Layers.Bidirectional(new Layers.LSTM(16)),
            new Layers.Dense(16, activation: "relu"),
            new Layers.Dense(1));
        // print([layer.supports_masking for layer in model.layers])
        Assert.Equal(new[] { false, true, true, true, true }, model.Layers.Select(l => l.SupportsMasking));

        // predictions = model.predict(np.array([sample_text])), then beside a padding text ("the " * 2000 in the
        // tutorial, 300 here): the mask keeps the padding out, so the first prediction is the same.
        var alone = model.Predict(new[] { SampleText });
        Assert.Equal(new Shape(1, 1), alone.Shape);
        var padding = string.Concat(Enumerable.Repeat("the ", 300));
        var padded = model.Predict(new[] { SampleText, padding });
        Assert.Equal(new Shape(2, 1), padded.Shape);
        Assert.Equal(alone.Item<float>(), padded[0].Item<float>(), 5);

        model.Compile(loss: new Losses.BinaryCrossentropy(fromLogits: true), optimizer: new Optimizers.Adam(1e-2), metrics: ["accuracy"]);
        var history = model.Fit(trainDataset, epochs: 6, validationData: testDataset, validationSteps: 2, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys);
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], string.Join(", ", history["loss"]));
        var (testLoss, testAcc) = model.Evaluate(testDataset, verbose: 0);
        Assert.True(testAcc >= 0.9, $"test accuracy {testAcc}, loss {testLoss}");
        // validation_steps=2: the last epoch's validation read the first 32 test reviews only.
        var firstTwo = model.Evaluate(testDataset.Take(2), verbose: 0);
        Assert.Equal(firstTwo["loss"], history["val_loss"][^1], 4);

        // After training the padding still changes nothing.
        Assert.Equal(model.Predict(new[] { SampleText }).Item<float>(), model.Predict(new[] { SampleText, padding })[0].Item<float>(), 5);
        var sentiment = model.Predict(new[] { "a wonderful brilliant movie", "an awful boring movie" }).ToArray<float>();
        Assert.True(sentiment[0] > 0 && sentiment[1] < 0, string.Join(", ", sentiment));
    }

    [SkippableFact]
    public void The_stacked_bidirectional_lstms_train_and_keep_the_mask()
    {
        RequireBackend();
        NF.Random.SetSeed(2342);
        var (trainTexts, trainLabels) = Reviews(64, seed: 3);
        var trainDataset = Dataset.FromTensorSlices(trainTexts, NF.Constant(trainLabels)).Shuffle(1000).Batch(16);
        var encoder = new Layers.TextVectorization(maxTokens: 1000);
        encoder.Adapt(trainDataset.Map((text, label) => text));

        var first = new Layers.Bidirectional(new Layers.LSTM(8, returnSequences: true));
        var model = new Sequential(
            encoder,
            new Layers.Embedding(encoder.GetVocabulary().Length, 8, maskZero: true),
            first,
            new Layers.Bidirectional(new Layers.LSTM(4)),
            new Layers.Dense(8, activation: "relu"),
            new Layers.Dropout(0.5),
            new Layers.Dense(1));
        model.Compile(loss: new Losses.BinaryCrossentropy(fromLogits: true), optimizer: new Optimizers.Adam(1e-2), metrics: ["accuracy"]);
        var history = model.Fit(trainDataset, epochs: 5, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        // return_sequences: the first Bidirectional gives one 16-vector (8 each way) per token.
        Assert.Equal(new Shape(2, 7, 16), first.Call(NF.Zeros([2, 7, 8])).Shape);

        var padding = string.Concat(Enumerable.Repeat("the ", 100));
        var alone = model.Predict(new[] { SampleText });
        var padded = model.Predict(new[] { SampleText, padding });
        Assert.Equal(alone.Item<float>(), padded[0].Item<float>(), 5);
    }

    [SkippableFact]
    public void The_model_after_the_encoder_matches_pytorch_on_fixed_weights()
    {
        RequireBackend();
        var model = new Sequential(
            Layers.Input([5], dtype: DType.Int64),
            new Layers.Embedding(20, 4, maskZero: true),
            new Layers.Bidirectional(new Layers.LSTM(3)),
            new Layers.Dense(5, activation: "relu"),
            new Layers.Dense(1));
        SineWeights.Write(model.Layers);
        var ids = NF.Constant(new long[,] { { 3, 7, 1, 12, 5 }, { 9, 2, 0, 0, 0 } });
        var logits = model.Predict(ids).ToArray<float>();
        // text_rnn_references.py (PyTorch 1.13, float64; the padded row run at its true length).
        Assert.Equal(-0.05780100755878735, logits[0], 5);
        Assert.Equal(-0.05732593378667919, logits[1], 5);
    }
}

/// <summary>The RNN text classification tutorial on the managed backend.</summary>
public sealed class ManagedTutorialTextClassificationRnnTests() : TutorialTextClassificationRnnTests("managed");

/// <summary>The RNN text classification tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialTextClassificationRnnTests() : TutorialTextClassificationRnnTests("cpu");

/// <summary>The RNN text classification tutorial on CUDA.</summary>
public sealed class CudaTutorialTextClassificationRnnTests() : TutorialTextClassificationRnnTests("cuda");
