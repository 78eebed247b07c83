using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// Models on ragged input, as tf.keras 2 builds them: <c>keras.Input(shape=(None,), dtype=tf.int64, ragged=True)</c> →
/// Embedding → pooling or an RNN → Dense, fed RaggedTensors (Fit slices their rows into ragged batches) or a dataset of
/// ragged batches; TextVectorization(ragged: true) gives ragged ids; the Input's ragged flag saves and loads (Keras'
/// <c>"ragged": true</c> of InputLayer). Predictions equal the same layers on the padded batch with a mask.
/// </summary>
public abstract class RaggedInputModelTests(string backend) : BackendTest(backend)
{
    // Token ids of a toy task: label 1 when a row holds id 5 or 6.
    private static (RaggedTensor X, Tensor Y) Toy()
    {
        long[][] rows = [[1, 5, 2], [3, 4], [6], [2, 2, 3, 1], [5, 1], [4, 3, 2], [1, 6, 4, 2, 3], [3]];
        return (NF.Ragged.Constant(rows), NF.Constant(new float[] { 1, 0, 1, 0, 1, 0, 1, 0 }, new Shape(8, 1)));
    }

    private static Model Classifier(Func<KerasTensor, KerasTensor> middle)
    {
        var ids = Layers.Input([null], DType.Int64, name: "ids", ragged: true);
        var vectors = new Layers.Embedding(8, 4, name: "embedding").Call(ids);
        var output = new Layers.Dense(1, activation: "sigmoid", name: "out").Call(middle(vectors));
        var model = new Model(ids, output);
        model.Compile(new Optimizers.Adam(0.05), new Losses.BinaryCrossentropy(), metrics: ["accuracy"]);
        return model;
    }

    [SkippableFact]
    public void A_text_classifier_on_ragged_ids_trains_and_its_loss_falls()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var (x, y) = Toy();
        var model = Classifier(v => new Layers.GlobalAveragePooling1D().Call(v));
        var before = model.Evaluate(x, y, batchSize: 4)["loss"];
        var history = model.Fit(x, y, batchSize: 3, epochs: 25, verbose: 0);
        var losses = history["loss"];
        Assert.Equal(25, losses.Count);
        Assert.True(losses[^1] < losses[0] * 0.5, $"loss {losses[0]} -> {losses[^1]}");
        Assert.True(model.Evaluate(x, y, batchSize: 4)["loss"] < before);
        var predicted = model.Predict(x, batchSize: 3);
        Assert.Equal([8, 1], predicted.Shape.ToArray());
        // Each prediction is the model on its own row: the same layers on the padded batch with the mask.
        var (padded, mask) = RaggedInputLayerTests.PaddedWithMask(x);
        var embedded = model.GetLayer("embedding").Call(padded);
        var pooled = new Layers.GlobalAveragePooling1D().Call(embedded, mask);
        var expected = model.GetLayer("out").Call(pooled).ToArray<float>();
        var actual = predicted.ToArray<float>();
        for (int i = 0; i < 8; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5f, $"row {i}: {expected[i]} vs {actual[i]}");
        Assert.Equal(actual, model.Call(x).ToArray<float>());
    }

    [SkippableFact]
    public void An_LSTM_model_trains_on_a_dataset_of_ragged_batches_and_predicts_each_row_alone()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var (x, y) = Toy();
        var model = Classifier(v => new Layers.Bidirectional(new Layers.LSTM(4, name: "lstm")).Call(v));
        var batches = Dataset.FromTensorSlices(x, y).RaggedBatch(4);
        var history = model.Fit(batches, epochs: 20, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var all = model.Predict(Dataset.FromTensorSlices(x).RaggedBatch(5)).ToArray<float>();
        // A row's prediction does not depend on the rows it is batched with (their padding never reaches it).
        for (int i = 0; i < x.NRows; i++)
            Assert.True(Math.Abs(all[i] - model.Call(x.Slice(i, i + 1)).Item<float>()) < 1e-5f, $"row {i}");
        Assert.True(model.Evaluate(batches)["accuracy"] >= 0.5);
    }

    [SkippableFact]
    public void Text_vectorization_gives_ragged_ids_and_a_model_after_it_reads_the_rows()
    {
        RequireBackend();
        var vectorize = new Layers.TextVectorization(ragged: true);
        vectorize.SetVocabulary(["the", "cat", "sat", "dog"]);
        // Keras: ids 0 padding, 1 [UNK], then the vocabulary; each text its own length.
        var ids = vectorize.CallRagged(["the cat sat", "dog", "", "a cat"]);
        Assert.Equal("<tf.RaggedTensor [[2, 3, 4], [5], [], [1, 3]]>", ids.ToString());
        Assert.Equal(DType.Int64, ids.DType);
        Assert.Equal("<tf.RaggedTensor [[2, 3], [5], [], [1, 3]]>", new Layers.TextVectorization(vocabulary: ["the", "cat", "sat", "dog"], outputSequenceLength: 2, ragged: true)
            .CallRagged(["the cat sat", "dog", "", "a cat"]).ToString());   // output_sequence_length still cuts, as Keras' ragged output
        Assert.Equal([4, 3], vectorize.Call(["the cat sat", "dog", "", "a cat"]).Shape.ToArray());   // Call: padded with 0
        Assert.Contains("ragged", Assert.Throws<ArgumentException>(() => new Layers.TextVectorization(outputMode: "multi_hot", ragged: true)).Message);
        Assert.Contains("ragged: true", Assert.Throws<InvalidOperationException>(() => new Layers.TextVectorization().CallRagged(["a"])).Message);

        // A model on text: Input(string) -> TextVectorization(ragged) -> Embedding -> GlobalMaxPooling1D: each text's own max.
        var text = Layers.Input([1], DType.String);
        var embedding = new Layers.Embedding(6, 3);
        var model = new Model(text, new Layers.GlobalMaxPooling1D().Call(embedding.Call(vectorize.Call(text))));
        var output = model.Predict(new StringTensor(["the cat sat", "dog", "a cat"], new Shape(3, 1))).ToArray<float>();
        var table = embedding.Variables[0].ToArray<float>();
        long[][] rows = [[2, 3, 4], [5], [1, 3]];
        for (int r = 0; r < 3; r++)
            for (int d = 0; d < 3; d++)
                Assert.Equal(rows[r].Max(id => table[id * 3 + d]), output[r * 3 + d], 5);
    }

    [SkippableFact]
    public void A_model_with_a_ragged_input_saves_and_loads_its_flag()
    {
        RequireBackend();
        var (x, y) = Toy();
        var model = Classifier(v => new Layers.GRU(3).Call(v));
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
        Assert.Contains("\"ragged\":true", model.ToJson());
        var path = Path.Combine(Path.GetTempPath(), $"ragged-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var loaded = Models.LoadModel(path);
            Assert.True(((Layers.InputLayer)loaded.Inputs[0].Layer).Ragged);
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        }
        finally { File.Delete(path); }
    }

    [SkippableFact]
    public void Ragged_data_for_dense_inputs_and_misshapen_ragged_inputs_are_refused_by_name()
    {
        RequireBackend();
        var (x, y) = Toy();
        var plain = Layers.Input([null], DType.Int64, name: "plain");
        var padded = new Model(plain, new Layers.GlobalAveragePooling1D().Call(new Layers.Embedding(8, 2).Call(plain)));
        padded.Compile(new Optimizers.Adam(), new Losses.MeanSquaredError());
        Assert.Contains("none of its inputs is ragged", Assert.Throws<ArgumentException>(() => padded.Predict(x)).Message);
        Assert.Contains("'plain'", Assert.Throws<ArgumentException>(() => padded.Fit(Dataset.FromTensorSlices(x, y).RaggedBatch(4), verbose: 0)).Message);
        Assert.Contains("unknown (null) first axis", Assert.Throws<ArgumentException>(() => Layers.Input([3], ragged: true)).Message);
        var model = Classifier(v => new Layers.Flatten(name: "flat").Call(new Layers.GlobalAveragePooling1D().Call(v)));
        Assert.Equal([8, 1], model.Predict(x).Shape.ToArray());   // Flatten after pooling sees a dense tensor
        var ragged = Layers.Input([null], DType.Int64, ragged: true);
        var conv = new Model(ragged, new Layers.Conv1D(2, 2, name: "conv").Call(new Layers.Embedding(8, 2).Call(ragged)));
        Assert.Contains("conv (Conv1D) does not take ragged input", Assert.Throws<NotSupportedException>(() => conv.Predict(x)).Message);
    }
}

/// <summary>Ragged-input models on the managed backend.</summary>
public sealed class ManagedRaggedInputModelTests() : RaggedInputModelTests("managed");

/// <summary>Ragged-input models on the native CPU backend.</summary>
public sealed class NativeCpuRaggedInputModelTests() : RaggedInputModelTests("cpu");

/// <summary>Ragged-input models on CUDA.</summary>
public sealed class CudaRaggedInputModelTests() : RaggedInputModelTests("cuda");
