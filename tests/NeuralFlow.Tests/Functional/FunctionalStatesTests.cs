using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// Layer calls of several outputs and recurrent initial states in the functional API, as Keras'
/// seq2seq guide writes them (<c>encoder_outputs, state_h, state_c = LSTM(..., return_state=True)(x)</c>;
/// <c>LSTM(...)(y, initial_state=[state_h, state_c])</c>), and a nested model of several outputs
/// (<c>a, b = submodel(x)</c>): shapes, values equal to the eager calls, Fit, save/load, Summary.
/// </summary>
public abstract class FunctionalStatesTests(string backend) : BackendFileTest(backend)
{
    private static (Model Model, Layers.LSTM Encoder, Layers.LSTM Decoder, Layers.Dense Head) Seq2Seq()
    {
        var source = Layers.Input([5, 3], name: "source");
        var target = Layers.Input([4, 2], name: "target");
        var encoder = new Layers.LSTM(6, returnState: true, name: "encoder");
        var encoded = encoder.CallWithStates(source);                       // [output, h, c]
        var decoder = new Layers.LSTM(6, returnSequences: true, returnState: true, name: "decoder");
        var decoded = decoder.CallWithStates(target, [encoded[1], encoded[2]]);
        var head = new Layers.Dense(3, activation: "softmax", name: "head");
        return (new Model([source, target], head.Call(decoded[0]), name: "seq2seq"), encoder, decoder, head);
    }

    [SkippableFact]
    public void An_encoders_states_start_the_decoder_as_in_eager_code()
    {
        RequireBackend();
        NF.Random.SetSeed(41);
        var (model, encoder, decoder, head) = Seq2Seq();
        Assert.Equal(["decoder", "encoder", "head", "source", "target"], model.SubLayers.Select(l => l.Name).Order());
        var states = encoder.InboundNodes[0].Outputs;
        Assert.Equal([[null, 6], [null, 6], [null, 6]], states.Select(s => s.Shape.ToArray()));
        Assert.Equal([0, 1, 2], states.Select(s => s.Index));

        using var x = NF.Random.Uniform([2, 5, 3], -1, 1);
        using var y = NF.Random.Uniform([2, 4, 2], -1, 1);
        var eagerEncoded = encoder.CallWithStates(x);
        var eagerDecoded = decoder.CallWithStates(y, [eagerEncoded[1], eagerEncoded[2]]);
        using var expected = head.Call(eagerDecoded[0]);
        using var predicted = model.Predict([x, y]);
        Assert.Equal(new Shape(2, 4, 3), predicted.Shape);
        Assert.Equal(expected.ToArray<float>(), predicted.ToArray<float>());
        // Starting from the encoder's states is not starting from zeros.
        using var fromZeros = head.Call(decoder.CallWithStates(y)[0]);
        Assert.NotEqual(fromZeros.ToArray<float>(), predicted.ToArray<float>());

        // Keras' summary: the encoder's three outputs and the decoder reading tensors 1 and 2 of encoder[0].
        var text = model.SummaryText();
        Assert.Equal(["encoder (LSTM)", "[(None, 6), (None, 6), (None, 6)]", "240", "source[0][0]"], SummaryCells.Row(text, "encoder (LSTM)")); // 4 * 6 * (3 + 6 + 1)
        Assert.Equal(["decoder (LSTM)", "[(None, 4, 6), (None, 6), (None, 6)]", "216", "target[0][0], encoder[0][1], encoder[0][2]"],
            SummaryCells.Row(text, "decoder (LSTM)"));
    }

    [SkippableFact]
    public void A_seq2seq_model_trains_through_the_states_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(43);
        var (model, encoder, _, _) = Seq2Seq();
        using var x = NF.Random.Uniform([12, 5, 3], -1, 1);
        using var y = NF.Random.Uniform([12, 4, 2], -1, 1);
        // The target at each step is the sign pattern of the source's first step: only the states carry it.
        var xv = x.ToArray<float>();
        using var labels = NF.Constant(Enumerable.Range(0, 12).SelectMany(i => Enumerable.Repeat(xv[i * 15] > 0 ? (xv[i * 15 + 1] > 0 ? 2L : 1L) : 0L, 4)).ToArray(), [12, 4]);
        model.Compile("adam", "sparse_categorical_crossentropy");
        var encoderKernel = encoder.Kernel!.ToArray<float>();
        var history = model.Fit([x, y], labels, batchSize: 4, epochs: 8, verbose: 0);
        var losses = history["loss"];
        Assert.True(losses[^1] < losses[0], $"loss {losses[0]} -> {losses[^1]}");
        // The encoder learns only through the states it hands the decoder.
        Assert.NotEqual(encoderKernel, encoder.Kernel!.ToArray<float>());

        var path = Temp.File("seq2seq.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Predict([x, y]).ToArray<float>(), loaded.Predict([x, y]).ToArray<float>());
        var decoderNode = loaded.GetLayer("decoder").InboundNodes[0];
        Assert.Equal(["initial_state", "initial_state"], decoderNode.Args.Keywords);
        Assert.Equal([1, 2], decoderNode.Inputs.Skip(1).Select(t => t.Index));
        Assert.Equal(model.SummaryText(), loaded.SummaryText());
    }

    [SkippableFact]
    public void An_inference_encoder_returns_the_states_of_one_layer()
    {
        RequireBackend();
        NF.Random.SetSeed(47);
        var source = Layers.Input([5, 3], name: "source");
        var gru = new Layers.GRU(4, returnState: true, name: "gru");
        var outs = gru.CallWithStates(source);
        var encoderModel = new Model(source, [outs[0], outs[1]], name: "encoder_model");
        using var x = NF.Random.Uniform([3, 5, 3]);
        var predicted = encoderModel.PredictOutputs(x);
        var eager = gru.CallWithStates(x);
        Assert.Equal(eager[0].ToArray<float>(), predicted[0].ToArray<float>());
        Assert.Equal(eager[1].ToArray<float>(), predicted[1].ToArray<float>()); // a GRU's output is its state
        var path = Temp.File("encoder_model.nfmodel");
        encoderModel.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(predicted[1].ToArray<float>(), loaded.PredictOutputs(x)[1].ToArray<float>());
    }

    [SkippableFact]
    public void An_initial_state_from_a_dense_layer_gets_its_gradient()
    {
        RequireBackend();
        NF.Random.SetSeed(53);
        var series = Layers.Input([6, 2], name: "series");
        var context = Layers.Input([3], name: "context");
        var start = new Layers.Dense(5, activation: "tanh", name: "start").Call(context);
        var rnn = new Layers.SimpleRNN(5, name: "rnn");
        var output = new Layers.Dense(1, name: "out").Call(rnn.Call(series, [start]));
        var model = new Model([series, context], output);
        using var x = NF.Random.Uniform([8, 6, 2]);
        using var c = NF.Random.Uniform([8, 3], -1, 1);
        using var target = NF.ReduceSum(c, 1, keepDims: true);
        model.Compile("sgd", "mse");
        var startLayer = (Layers.Dense)model.GetLayer("start");
        var before = startLayer.Kernel!.ToArray<float>();
        model.Fit([x, c], target, batchSize: 8, epochs: 1, verbose: 0);
        Assert.NotEqual(before, startLayer.Kernel!.ToArray<float>());
        var loaded = Model.Load(SaveTo(model, "rnn_state.nfmodel"));
        Assert.Equal(model.Predict([x, c]).ToArray<float>(), loaded.Predict([x, c]).ToArray<float>());
    }

    [SkippableFact]
    public void A_nested_model_of_two_outputs_gives_both()
    {
        RequireBackend();
        NF.Random.SetSeed(59);
        var inner = Layers.Input([4], name: "inner_in");
        var split = new Model(inner, [new Layers.Dense(3, name: "a").Call(inner), new Layers.Dense(3, name: "b").Call(inner)], name: "split");
        var outer = Layers.Input([4], name: "outer_in");
        var parts = split.CallOutputs(outer);
        Assert.Equal(2, parts.Count);
        var model = new Model(outer, new Layers.Multiply(name: "product").Call([parts[0], parts[1]]), name: "outer");
        using var x = NF.Random.Uniform([5, 4]);
        var both = split.PredictOutputs(x);
        Assert.Equal((both[0] * both[1]).ToArray<float>(), model.Predict(x).ToArray<float>());
        Assert.Equal("split[0][0], split[0][1]", SummaryCells.Row(model.SummaryText(), "product (Multiply)")[3]);
        var loaded = Model.Load(SaveTo(model, "nested_outputs.nfmodel"));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void Calls_that_cannot_hold_their_outputs_say_what_to_call()
    {
        RequireBackend();
        var source = Layers.Input([5, 3], name: "source");
        var lstm = new Layers.LSTM(4, returnState: true, name: "enc");
        var e = Assert.Throws<InvalidOperationException>(() => lstm.Call(source));
        Assert.Contains("CallWithStates", e.Message);
        Assert.Contains("3 tensors", e.Message);
        var plain = new Layers.LSTM(4, name: "plain");
        Assert.Contains("returnState: true", Assert.Throws<InvalidOperationException>(() => plain.CallWithStates(source)).Message);
        var h = new Layers.Dense(4).Call(Layers.Input([2]));
        Assert.Equal("initialState", Assert.Throws<ArgumentException>(() => plain.Call(source, [h])).ParamName);
        var wrongWidth = new Layers.Dense(3).Call(Layers.Input([2]));
        var shape = Assert.Throws<ArgumentException>(() => new Layers.GRU(4).Call(source, [wrongWidth]));
        Assert.Contains("(1, 4)", shape.Message); // [batch, units] at the probe's batch of 1
        Assert.Contains("CallWithStates", Assert.Throws<InvalidOperationException>(() => lstm.Call(source, [h, h])).Message);

        var outs = lstm.CallWithStates(source);
        var model = new Model(source, new Layers.Dense(1).Call(outs[2]));
        var onnx = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Temp.File("states.onnx")));
        Assert.Contains("enc", onnx.Message);
    }
}

public sealed class ManagedFunctionalStatesTests() : FunctionalStatesTests("managed");

public sealed class NativeCpuFunctionalStatesTests() : FunctionalStatesTests("cpu");

public sealed class CudaFunctionalStatesTests() : FunctionalStatesTests("cuda");
