using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// Text given in memory (a string[] or StringTensor) to Fit, Evaluate and Predict of a model that
/// starts with a TextVectorization without output_sequence_length is vectorized batch by batch, as
/// Keras does (its trainers slice the arrays into batches and the layer runs in each step, padding a
/// batch to its own longest text), and as a dataset of texts already was. Before, the whole array was
/// vectorized at once, so every batch was padded to the longest text of all, which changes what an
/// unmasked layer computes. The numbers are by hand: every known token's embedding is 1 and the pad's 0,
/// so GlobalAveragePooling1D (no mask) gives (tokens in the text) / (longest text in its batch).
/// </summary>
public abstract class TextBatchPaddingTests(string backend) : BackendTest(backend)
{
    // 1, 2, 4 and 6 tokens.
    private static readonly string[] Texts = ["a", "a b", "a b c d", "a b c d e f"];
    private static readonly float[] Zeros = [0, 0, 0, 0];

    // Batches of 2: [1/2, 2/2] and [4/6, 6/6]. (All at once would give 1/6, 2/6, 4/6, 6/6.)
    private static readonly double[] PerBatchOfTwo = [0.5, 1, 4.0 / 6, 1];

    // vocabulary: "" (0, the pad), "[UNK]" (1), then a..f (2..7); embedding 0 for the pad, 1 for the rest.
    private static Sequential TokenShareModel()
    {
        var vectorize = new Layers.TextVectorization(vocabulary: ["a", "b", "c", "d", "e", "f"]);
        var table = new float[8, 1];
        for (int i = 1; i < 8; i++) table[i, 0] = 1;
        var model = new Sequential(vectorize, new Layers.Embedding(8, 1, embeddingsInitializer: Initializer.Constant(table)), new Layers.GlobalAveragePooling1D());
        model.Compile(new Keras.Optimizers.SGD(0f), "mse");
        return model;
    }

    private static double MeanSquare(IEnumerable<double> values) => values.Average(v => v * v);

    private static void AssertClose(double[] expected, Tensor actual)
    {
        var values = actual.ToArray<float>();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 5);
    }

    [SkippableFact]
    public void Predict_and_evaluate_pad_each_batch_of_in_memory_texts_to_its_own_longest()
    {
        RequireBackend();
        var model = TokenShareModel();
        using var fromArray = model.Predict(Texts, batchSize: 2);
        Assert.Equal(new[] { 4, 1 }, fromArray.Shape.ToArray());
        AssertClose(PerBatchOfTwo, fromArray);
        using var fromTensor = model.Predict(new StringTensor(Texts), batchSize: 2);
        Assert.Equal(fromArray.ToArray<float>(), fromTensor.ToArray<float>());
        // The same as a dataset of the texts in batches of 2.
        using var fromDataset = model.Predict(Dataset.FromTensorSlices(Texts).Batch(2));
        Assert.Equal(fromArray.ToArray<float>(), fromDataset.ToArray<float>());
        // One batch of all four: padded to 6.
        using var oneBatch = model.Predict(Texts, batchSize: 4);
        AssertClose([1 / 6.0, 2 / 6.0, 4 / 6.0, 1], oneBatch);

        // mse against 0: (0.25 + 1 + 4/9 + 1) / 4.
        var evaluated = model.Evaluate(Texts, NF.Constant(Zeros), batchSize: 2, verbose: 0);
        Assert.Equal(MeanSquare(PerBatchOfTwo), evaluated["loss"], 5);
        Assert.Equal(evaluated["loss"], model.Evaluate(Dataset.FromTensorSlices(Texts, NF.Constant(Zeros)).Batch(2), verbose: 0)["loss"], 5);
        // test_on_batch of the two longest: one batch, padded to 6.
        Assert.Equal(MeanSquare([4 / 6.0, 1]), model.TestOnBatch(Texts[2..], NF.Constant(Zeros[2..]))["loss"], 5);
    }

    [SkippableFact]
    public void Fit_pads_each_batch_in_order_and_shuffled()
    {
        RequireBackend();
        var model = TokenShareModel();   // SGD(0): the weights stay, so the epoch's loss is the batches' mean
        var inOrder = model.Fit(Texts, NF.Constant(Zeros), batchSize: 2, epochs: 1, shuffle: false, verbose: 0);
        Assert.Equal(MeanSquare(PerBatchOfTwo), inOrder["loss"][0], 5);
        // Shuffled one text a batch: each text is its own longest, so each output is 1 whatever the order.
        var single = model.Fit(new StringTensor(Texts), NF.Constant(Zeros), batchSize: 1, epochs: 2, shuffle: true, verbose: 0);
        Assert.All(single["loss"], loss => Assert.Equal(1.0, loss, 5));
        // Shuffled in one batch of all four: padded to 6 whatever the order.
        var whole = model.Fit(Texts, NF.Constant(Zeros), batchSize: 4, epochs: 1, shuffle: true, verbose: 0);
        Assert.Equal(MeanSquare([1 / 6.0, 2 / 6.0, 4 / 6.0, 1]), whole["loss"][0], 5);
        // validationSplit 0.5: the last two texts validate, as one batch of their own (padded to 6).
        var split = model.Fit(Texts, NF.Constant(Zeros), batchSize: 2, epochs: 1, validationSplit: 0.5, shuffle: false, verbose: 0);
        Assert.Equal(MeanSquare([0.5, 1]), split["loss"][0], 5);
        Assert.Equal(MeanSquare([4 / 6.0, 1]), split["val_loss"][0], 5);
    }
}

/// <summary>Per-batch text padding on the managed backend.</summary>
public sealed class ManagedTextBatchPaddingTests() : TextBatchPaddingTests("managed");

/// <summary>Per-batch text padding on the native CPU backend.</summary>
public sealed class NativeCpuTextBatchPaddingTests() : TextBatchPaddingTests("cpu");

/// <summary>Per-batch text padding on CUDA.</summary>
public sealed class CudaTextBatchPaddingTests() : TextBatchPaddingTests("cuda");
