using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// Inputs of unknown lengths, Keras' <c>keras.Input(shape=(None,))</c> for token ids and
/// <c>(None, 8)</c> for sequences or <c>(None, None, 3)</c> for images of any size: the symbolic
/// shapes keep None where a length follows the input's, models take batches of any length, save
/// and load with the None in batch_input_shape, and a layer that needs the length says so.
/// </summary>
public abstract class UnknownLengthTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Token_ids_of_any_length_flow_through_embedding_and_rnn()
    {
        RequireBackend();
        NF.Random.SetSeed(61);
        var ids = Layers.Input([null], DType.Int32, name: "ids");
        var embedded = new Layers.Embedding(20, 8, name: "embed").Call(ids);
        var sequence = new Layers.LSTM(4, returnSequences: true, name: "lstm").Call(embedded);
        var pooled = new Layers.GlobalAveragePooling1D(name: "pool").Call(sequence);
        var output = new Layers.Dense(2, activation: "softmax", name: "out").Call(pooled);
        Assert.Equal([null, null], ids.Shape);
        Assert.Equal([null, null, 8], embedded.Shape);
        Assert.Equal([null, null, 4], sequence.Shape);
        Assert.Equal([null, 4], pooled.Shape);
        var model = new Model(ids, output, name: "reader");
        var text = model.SummaryText();
        Assert.Equal("(None, None)", SummaryCells.Row(text, "ids (InputLayer)")[1]);
        Assert.Equal(["embed (Embedding)", "(None, None, 8)", "160"], SummaryCells.Row(text, "embed (Embedding)"));
        Assert.Equal("(None, None, 4)", SummaryCells.Row(text, "lstm (LSTM)")[1]);

        model.Compile("adam", "sparse_categorical_crossentropy");
        foreach (int length in new[] { 3, 9, 5 })
        {
            using var x = NF.Random.Uniform([6, length], 0, 20, DType.Int32);
            using var y = NF.Random.Uniform([6], 0, 2, DType.Int32);
            model.Fit(x, y, batchSize: 3, epochs: 1, verbose: 0);
            Assert.Equal(new Shape(6, 2), model.Predict(x).Shape);
        }
        // The lengths trained on do not replace None (the totals gain Adam's variables, as Keras' summary after fit).
        static string Table(string summary) => summary[..summary.IndexOf(" Total params", StringComparison.Ordinal)];
        Assert.Equal(Table(text), Table(model.SummaryText()));

        var path = Temp.File("reader.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal([null, null], loaded.Inputs[0].Shape);
        using var probe = NF.Random.Uniform([2, 11], 0, 20, DType.Int32);
        Assert.Equal(model.Predict(probe).ToArray<float>(), loaded.Predict(probe).ToArray<float>());
        var input = Assert.IsType<Layers.InputLayer>(loaded.GetLayer("ids"));
        Assert.Equal([-1], input.ExampleShape);
        Assert.True(JsonNode.DeepEquals(new JsonArray(null, null), input.GetConfig()["batch_input_shape"]));

        // The exported graph keeps the length symbolic: ONNX Runtime reads sequences of any length as Predict does.
        string onnx = Temp.File("reader.onnx");
        model.ExportOnnx(onnx);
        using var session = new InferenceSession(onnx);
        Assert.Equal([-1, -1], session.InputMetadata["ids"].Dimensions);
        foreach (int length in new[] { 1, 7, 13 })
        {
            using var tokens = NF.Random.Uniform([3, length], 0, 20, DType.Int32);
            var want = model.Predict(tokens).ToArray<float>();
            // Fed as the int32 its Input declares (as tf2onnx declares it); before, the graph took floats.
            using var value = OrtValue.CreateTensorValueFromMemory(tokens.ToArray<int>(), [3, length]);
            using var options = new RunOptions();
            using var outputs = session.Run(options, ["ids"], [value], ["out"]);
            Reference.AssertClose(want.Select(v => (double)v).ToArray(), outputs[0].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);
        }
    }

    [SkippableFact]
    public void Bidirectional_text_classifier_of_any_length_exports()
    {
        RequireBackend();
        NF.Random.SetSeed(62);
        // keras.io's bidirectional LSTM IMDB example, small: Input(shape=(None,)), Embedding, two Bidirectional LSTMs, Dense.
        var model = new Sequential(Layers.Input([null], DType.Int32), new Layers.Embedding(30, 6),
            new Layers.Bidirectional(new Layers.LSTM(4, returnSequences: true)), new Layers.Bidirectional(new Layers.GRU(3)),
            new Layers.Dense(1, activation: "sigmoid"));
        model.Compile("adam", "binary_crossentropy");
        using (var x = NF.Random.Uniform([12, 5], 0, 30, DType.Int32))
            model.Fit(x, NF.Random.Uniform([12, 1]), batchSize: 4, epochs: 1, verbose: 0);
        string onnx = Temp.File("imdb.onnx");
        model.ExportOnnx(onnx);
        using var session = new InferenceSession(onnx);
        foreach (int length in new[] { 2, 9 })
        {
            using var ids = NF.Random.Uniform([4, length], 0, 30, DType.Int32);
            using var value = OrtValue.CreateTensorValueFromMemory(ids.ToArray<int>(), [4, length]);
            using var options = new RunOptions();
            using var outputs = session.Run(options, ["input"], [value], ["output"]);
            Reference.AssertClose(model.Predict(ids).ToArray<float>().Select(v => (double)v).ToArray(),
                outputs[0].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);
        }
    }

    [SkippableFact]
    public void A_sequential_from_an_input_of_any_length_shows_none()
    {
        RequireBackend();
        NF.Random.SetSeed(67);
        var model = new Sequential(Layers.Input([null, 3]),
            new Layers.Conv1D(4, 3, name: "valid"),
            new Layers.Conv1D(4, 3, strides: 2, padding: "same", name: "strided"),
            new Layers.GlobalMaxPooling1D(name: "max"),
            new Layers.Dense(1, name: "out"));
        var text = model.SummaryText();
        Assert.Matches(@"(?m)^│ valid \(Conv1D\)\s+│ \(None, None, 4\)\s+│\s+40 │", text);
        Assert.Matches(@"(?m)^│ strided \(Conv1D\)\s+│ \(None, None, 4\)\s+│", text);
        Assert.Matches(@"(?m)^│ max \(GlobalMaxPooling1D\)\s+│ \(None, 4\)\s+│", text);
        using var x = NF.Random.Uniform([2, 10, 3]);
        Assert.Equal(new Shape(2, 1), model.Predict(x).Shape);
        using var longer = NF.Random.Uniform([2, 30, 3]);
        Assert.Equal(new Shape(2, 1), model.Predict(longer).Shape);
        Assert.Equal(text, model.SummaryText());
        // The stride-2 "same" window's pads depend on the length: that layer is refused by name; the valid one exported.
        var refusal = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Temp.File("conv.onnx"))).Message;
        Assert.Contains("strided (Conv1D) needs known lengths", refusal);
        Assert.Contains("(None, 4)", refusal);
    }

    [SkippableFact]
    public void Images_of_any_size_go_down_and_back_up()
    {
        RequireBackend();
        NF.Random.SetSeed(71);
        var image = Layers.Input([null, null, 3], name: "image");
        var skip = new Layers.Conv2D(4, 3, padding: "same", name: "skip").Call(image);
        var down = new Layers.MaxPooling2D(2, name: "down").Call(skip);
        var up = new Layers.UpSampling2D(2, name: "up").Call(down);
        var joined = new Layers.Concatenate(name: "join").Call([skip, up]);
        var mask = new Layers.Conv2D(1, 1, activation: "sigmoid", name: "mask").Call(joined);
        Assert.Equal([null, null, null, 8], joined.Shape);
        var model = new Model(image, mask);
        using var x = NF.Random.Uniform([1, 12, 16, 3]);
        Assert.Equal(new Shape(1, 12, 16, 1), model.Predict(x).Shape);
    }

    [SkippableFact]
    public void A_layer_that_needs_the_length_says_so()
    {
        RequireBackend();
        var sequence = Layers.Input([null, 4], name: "sequence");
        var flat = new Layers.Flatten(name: "flat").Call(sequence);
        Assert.Equal([null, null], flat.Shape);
        var e = Assert.Throws<ArgumentException>(() => new Layers.Dense(2, name: "head").Call(flat));
        Assert.Contains("head", e.Message);
        Assert.Contains("(None, None)", e.Message);
        Assert.Contains("known", e.Message);
        Assert.Contains("-2", Assert.Throws<ArgumentException>(() => Layers.Input([null, -2])).Message);
    }
}

public sealed class ManagedUnknownLengthTests() : UnknownLengthTests("managed");

public sealed class NativeCpuUnknownLengthTests() : UnknownLengthTests("cpu");

public sealed class CudaUnknownLengthTests() : UnknownLengthTests("cuda");
