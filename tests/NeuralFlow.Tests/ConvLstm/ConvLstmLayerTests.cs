using NeuralFlow.Keras;

namespace NeuralFlow.Tests.ConvLstm;

/// <summary>
/// ConvLSTM1D/2D/3D and ConvLSTMCell as layers: Keras' names, weight shapes and defaults,
/// output shapes of every padding, stride and data format, masks, initial and stateful states,
/// dropout, the cell on its own and stacked, Bidirectional, the functional API with
/// return_state, save / load round trips, and Fit on Keras' next-frame video prediction model
/// (ConvLSTM2D + BatchNormalization + Conv3D). The numbers are ConvLstmReferenceTests'.
/// </summary>
public abstract class ConvLstmLayerTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Uniform(params int[] shape) => NF.Random.Uniform(shape, -1, 1);

    [SkippableFact]
    public void Layers_have_keras_names_weights_defaults_and_shapes()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        using var x = Uniform(2, 3, 6, 5, 2);
        var layer = new Layers.ConvLSTM2D(4, [3]);
        Assert.StartsWith("conv_lstm2d", layer.Name);
        Assert.Equal(new Shape(2, 4, 3, 4), layer.Call(x).Shape); // "valid": 6 - 2, 5 - 2
        Assert.Equal(new Shape(3, 3, 2, 16), layer.Kernel!.Shape);
        Assert.Equal(new Shape(3, 3, 4, 16), layer.RecurrentKernel!.Shape);
        // unit_forget_bias: zeros with ones in the forget block (the second of i, f, c, o).
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i is >= 4 and < 8 ? 1f : 0f).ToArray(), layer.Bias!.ToArray<float>());
        Assert.Equal(new Variable[] { layer.Kernel, layer.RecurrentKernel, layer.Bias }, layer.Variables);
        Assert.Equal(("tanh", "sigmoid", "valid", "channels_last"), (layer.Activation.Name, layer.RecurrentActivation.Name, layer.Padding, layer.DataFormat));
        Assert.Equal([1, 1], layer.Strides);
        Assert.Equal([3, 3], layer.KernelSize);

        Assert.Equal(new Shape(2, 3, 6, 5, 4), new Layers.ConvLSTM2D(4, [3], padding: "same", returnSequences: true).Call(x).Shape);
        Assert.Equal(new Shape(2, 3, 3, 4), new Layers.ConvLSTM2D(4, [3, 2], strides: [2], padding: "same").Call(x).Shape);
        Assert.Equal(new Shape(2, 4, 2, 1), new Layers.ConvLSTM2D(4, [3], dilationRate: [2], dataFormat: "channels_first").Call(NF.Random.Uniform([2, 3, 2, 6, 5])).Shape);
        var one = new Layers.ConvLSTM1D(3, 2, strides: 2, returnSequences: true);
        Assert.StartsWith("conv_lstm1d", one.Name);
        Assert.Equal(new Shape(2, 4, 3, 3), one.Call(Uniform(2, 4, 7, 5)).Shape); // (7 - 2) / 2 + 1
        Assert.Equal(new Shape(2, 5, 12), one.Kernel!.Shape);
        var three = new Layers.ConvLSTM3D(2, [2], padding: "same", useBias: false);
        Assert.StartsWith("conv_lstm3d", three.Name);
        Assert.Equal(new Shape(1, 3, 4, 2, 2), three.Call(Uniform(1, 2, 3, 4, 2, 3)).Shape);
        Assert.Equal(new Shape(2, 2, 2, 3, 8), three.Kernel!.Shape);
        Assert.Null(three.Bias);
        Assert.Equal(2, three.Variables.Count);
    }

    [SkippableFact]
    public void Configs_hold_keras_keys_and_rebuild_the_layer()
    {
        RequireBackend();
        var layer = new Layers.ConvLSTM2D(3, [3, 2], strides: [2, 1], padding: "same", dataFormat: "channels_first", recurrentDropout: 0.25,
                                          seed: 7, unitForgetBias: false, kernelRegularizer: new Regularizers.L2(0.01), returnSequences: true, goBackwards: true,
                                          name: "frames");
        var c = layer.GetConfig();
        Assert.Equal(3, c["filters"]!.GetValue<int>());
        Assert.Equal("[3,2]", c["kernel_size"]!.ToJsonString());
        Assert.Equal("[2,1]", c["strides"]!.ToJsonString());
        Assert.Equal("[1,1]", c["dilation_rate"]!.ToJsonString());
        Assert.Equal("same", c["padding"]!.GetValue<string>());
        Assert.Equal("channels_first", c["data_format"]!.GetValue<string>());
        Assert.Equal("sigmoid", c["recurrent_activation"]!.GetValue<string>());
        Assert.False(c["unit_forget_bias"]!.GetValue<bool>());
        Assert.Equal(0.25, c["recurrent_dropout"]!.GetValue<double>());
        Assert.Equal(7, c["seed"]!.GetValue<int>());
        Assert.True(c["return_sequences"]!.GetValue<bool>() && c["go_backwards"]!.GetValue<bool>());
        Assert.True(c.ContainsKey("kernel_constraint") && c["kernel_constraint"] is null);
        Assert.False(c.ContainsKey("cell")); // Keras' ConvLSTM2D config is flat
        Assert.NotNull(c["kernel_regularizer"]);
        var copy = KerasSerialization.FromConfig<Layers.ConvLSTM2D>(c);
        Assert.Equal(c.ToJsonString(), copy.GetConfig().ToJsonString());
        Assert.NotNull(copy.KernelRegularizer);

        // Keras' own config of a ConvLSTM1D (kernel_size as a list of one) loads, a constraint with it (refused before ConvLSTM had them).
        var keras = System.Text.Json.Nodes.JsonNode.Parse(
            """{"name": "c1", "filters": 2, "kernel_size": [3], "strides": [1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1], "return_sequences": false, "kernel_constraint": null}""")!.AsObject();
        Assert.Equal([3], KerasSerialization.FromConfig<Layers.ConvLSTM1D>(keras).KernelSize);
        keras["kernel_constraint"] = System.Text.Json.Nodes.JsonNode.Parse("""{"class_name": "NonNeg", "config": {}}""");
        Assert.IsType<Constraints.NonNeg>(KerasSerialization.FromConfig<Layers.ConvLSTM1D>(keras).KernelConstraint);
    }

    [SkippableFact]
    public void Bad_arguments_and_inputs_are_refused_by_name()
    {
        RequireBackend();
        Assert.Equal("filters", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.ConvLSTM2D(0, [3])).ParamName);
        Assert.Contains("ConvLSTM2D: kernelSize must be one or two positive integers", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM2D(2, [3, 3, 3])).Message);
        Assert.Contains("ConvLSTM3D: strides must be one or three positive integers", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM3D(2, [3], strides: [0])).Message);
        Assert.Contains("ConvLSTM1D: kernelSize must be a positive integer", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM1D(2, 0)).Message);
        Assert.Contains("strides > 1 cannot go with dilationRate > 1", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM2D(2, [3], strides: [2], dilationRate: [2])).Message);
        Assert.Contains("padding must be \"valid\" or \"same\"", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM1D(2, 3, padding: "causal")).Message);
        Assert.Contains("dataFormat must be", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM2D(2, [3], dataFormat: "nhwc")).Message);
        Assert.Equal("dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.ConvLSTM2D(2, [3], dropout: 1)).ParamName);
        Assert.Equal("recurrentDropout", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.ConvLSTM3D(2, [3], recurrentDropout: -0.5)).ParamName);
        Assert.Equal("rank", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.ConvLSTMCell(4, 2, [3])).ParamName);

        var layer = new Layers.ConvLSTM2D(2, [3], name: "video");
        var e = Assert.Throws<ArgumentException>(() => layer.Call(NF.Zeros([2, 3, 4, 4])));
        Assert.Contains("video: ConvLSTM2D needs inputs [batch, timesteps, rows, cols, channels]", e.Message);
        // "valid" needs the window to fit.
        e = Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM2D(2, [3]).Call(NF.Zeros([1, 2, 2, 5, 1])));
        Assert.Contains("the window spans 3 along the height but the input has only 2", e.Message);
        // The states' size follows the built spatial size: another size is refused, naming it.
        layer.Call(NF.Zeros([2, 3, 5, 5, 1]));
        e = Assert.Throws<ArgumentException>(() => layer.Call(NF.Zeros([2, 3, 6, 5, 1])));
        Assert.Contains("video: was built for steps of shape (5, 5, 1)", e.Message);
        e = Assert.Throws<ArgumentException>(() => layer.CallWithStates(NF.Zeros([2, 3, 5, 5, 1]), [NF.Zeros([2, 3, 3, 2]), NF.Zeros([2, 2])]));
        Assert.Contains("initial state 1 must be [batch, spatial..., filters] = (2, 3, 3, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => layer.CallWithStates(NF.Zeros([2, 3, 5, 5, 1]), [NF.Zeros([2, 3, 3, 2])]));
        Assert.Contains("has 2 state(s), but initialState holds 1", e.Message);
        Assert.Throws<InvalidOperationException>(() => new Layers.ConvLSTM2D(2, [3], returnState: true).Call(NF.Zeros([1, 2, 3, 3, 1])));
        // A time axis of no steps.
        Assert.Contains("at least one timestep", Assert.Throws<ArgumentException>(() => new Layers.ConvLSTM1D(2, 1).Call(NF.Zeros([1, 0, 3, 1]))).Message);
    }

    [SkippableFact]
    public void Masked_steps_keep_the_states_and_initial_states_are_used()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        using var x = Uniform(2, 4, 3, 3, 2);
        var layer = new Layers.ConvLSTM2D(2, [2], padding: "same", returnState: true);
        // Post-padding: sample 0's last two steps masked leave its states as after two steps.
        using var mask = NF.Constant(new[,] { { true, true, false, false }, { true, true, true, true } });
        var masked = layer.CallWithStates(x, mask: mask);
        var firstTwo = layer.CallWithStates(NF.Slice(x, [0, 0, 0, 0, 0], [1, 2, 3, 3, 2]));
        var whole = layer.CallWithStates(x);
        for (int s = 0; s < 3; s++)
        {
            Reference.AssertClose(firstTwo[s].ToArray<float>().Select(v => (double)v).ToArray(),
                NF.Slice(masked[s], [0, 0, 0, 0], [1, 3, 3, 2]).ToArray<float>().Select(v => (double)v).ToArray(), 1e-6, 1e-7, $"masked sample, result {s}");
            Assert.Equal(NF.Slice(whole[s], [1, 0, 0, 0], [1, 3, 3, 2]).ToArray<float>(), NF.Slice(masked[s], [1, 0, 0, 0], [1, 3, 3, 2]).ToArray<float>());
        }
        // Starting from the states after two steps, the last two steps give the whole sequence's states.
        var start = layer.CallWithStates(NF.Slice(x, [0, 0, 0, 0, 0], [2, 2, 3, 3, 2]));
        var rest = layer.CallWithStates(NF.Slice(x, [0, 2, 0, 0, 0], [2, 2, 3, 3, 2]), [start[1], start[2]]);
        for (int s = 1; s < 3; s++)
            Reference.AssertClose(whole[s].ToArray<float>().Select(v => (double)v).ToArray(), rest[s].ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6, $"continued state {s}");
    }

    [SkippableFact]
    public void A_stateful_layer_continues_across_calls_and_resets()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        using var x = Uniform(2, 4, 4, 3);
        var whole = new Layers.ConvLSTM1D(2, 3, padding: "same");
        var stateful = new Layers.ConvLSTM1D(2, 3, padding: "same", stateful: true);
        stateful.EnsureBuilt(x.Shape);
        whole.EnsureBuilt(x.Shape);
        stateful.SetWeights(whole.GetWeights());
        var expected = whole.Call(x).ToArray<float>();
        stateful.Call(NF.Slice(x, [0, 0, 0, 0], [2, 2, 4, 3]));
        var continued = stateful.Call(NF.Slice(x, [0, 2, 0, 0], [2, 2, 4, 3])).ToArray<float>();
        Reference.AssertClose(expected.Select(v => (double)v).ToArray(), continued.Select(v => (double)v).ToArray(), 1e-5, 1e-6, "stateful halves");
        Assert.Equal(new Shape(2, 4, 2), stateful.States![0].Shape);
        stateful.ResetStates();
        Assert.All(stateful.States![1].ToArray<float>(), v => Assert.Equal(0f, v));
        var e = Assert.Throws<InvalidOperationException>(() => stateful.Call(NF.Zeros([3, 2, 4, 3])));
        Assert.Contains("keeps states for batches of 2 samples", e.Message);
    }

    [SkippableFact]
    public void Dropout_acts_only_while_training_and_the_seed_fixes_it()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        using var x = Uniform(2, 3, 4, 4, 2);
        Layers.ConvLSTM2D Make() => new(3, [3], padding: "same", dropout: 0.5, recurrentDropout: 0.3, seed: 12, kernelInitializer: Initializer.Constant(0.3));
        var a = Make();
        var inference = a.Call(x).ToArray<float>();
        Assert.Equal(inference, a.Call(x, training: false).ToArray<float>());
        var trained = a.Call(x, training: true).ToArray<float>();
        Assert.NotEqual(inference, trained);
        var b = Make();
        b.EnsureBuilt(x.Shape);
        b.SetWeights(a.GetWeights());
        // The same seed draws the same masks, whatever NF.Random does in between.
        var twin = Make();
        twin.EnsureBuilt(x.Shape);
        twin.SetWeights(a.GetWeights());
        NF.Random.SetSeed(100);
        var first = b.Call(x, training: true).ToArray<float>();
        NF.Random.SetSeed(200);
        Assert.Equal(first, twin.Call(x, training: true).ToArray<float>());
    }

    [SkippableFact]
    public void The_cell_runs_alone_stacked_and_in_rnn()
    {
        RequireBackend();
        NF.Random.SetSeed(10);
        using var x = Uniform(2, 3, 5, 2);
        var cell = new Layers.ConvLSTMCell(1, 3, [3], padding: "same", name: "cell");
        var rnn = new Layers.RNN(cell, returnSequences: true);
        var seq = rnn.Call(x);
        Assert.Equal(new Shape(2, 3, 5, 3), seq.Shape);
        // One step by hand from zeros equals the RNN's first output.
        var zeros = cell.GetInitialState(2);
        Assert.Equal(new Shape(2, 5, 3), zeros[0].Shape);
        var (h, states) = cell.Call(NF.Reshape(NF.Slice(x, [0, 0, 0, 0], [2, 1, 5, 2]), [2, 5, 2]), zeros);
        Assert.Equal(2, states.Length);
        Reference.AssertClose(NF.Slice(seq, [0, 0, 0, 0], [2, 1, 5, 3]).ToArray<float>().Select(v => (double)v).ToArray(),
            h.ToArray<float>().Select(v => (double)v).ToArray(), 1e-6, 1e-7, "first step");
        Assert.Contains("takes one step's input sequences [batch, steps, channels]", Assert.Throws<ArgumentException>(() => cell.Call(NF.Zeros([2, 5]), zeros)).Message);
        // Two stacked cells: the second reads the first's feature maps ("valid" shrinks them).
        var stacked = new Layers.RNN([new Layers.ConvLSTMCell(1, 4, [2]), new Layers.ConvLSTMCell(1, 2, [2])], returnState: true);
        var result = stacked.CallWithStates(x);
        Assert.Equal(new Shape(2, 3, 2), result[0].Shape);
        Assert.Equal([new Shape(2, 4, 4), new Shape(2, 4, 4), new Shape(2, 3, 2), new Shape(2, 3, 2)], result.Skip(1).Select(s => s.Shape));
        Assert.Equal(result[0].ToArray<float>(), result[3].ToArray<float>());
        // A cell of the generic RNN saves nested, as Keras' RNN config does.
        var model = new Sequential(Layers.Input([3, 5, 2]), rnn);
        var path = Temp.File("cell.nfmodel");
        model.Save(path);
        Assert.Equal(model.Predict(x).ToArray<float>(), Model.Load(path).Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void Bidirectional_and_the_functional_api_with_states_work()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var input = Layers.Input([3, 4, 4, 1], name: "clips");
        var outs = new Layers.ConvLSTM2D(2, [3], padding: "same", returnState: true, returnSequences: true, name: "enc").CallWithStates(input);
        Assert.Equal([null, 3, 4, 4, 2], outs[0].Shape);
        Assert.Equal([null, 4, 4, 2], outs[1].Shape);
        var decoded = new Layers.ConvLSTM2D(2, [3], padding: "same", name: "dec").Call(outs[0], [outs[1], outs[2]]);
        var both = new Layers.Bidirectional(new Layers.ConvLSTM2D(3, [3], padding: "same"), name: "bi").Call(outs[0]);
        Assert.Equal([null, 4, 4, 6], both.Shape);
        var model = new Model(input, new Layers.Concatenate(name: "cat").Call([decoded, both]));
        using var x = Uniform(2, 3, 4, 4, 1);
        var y = model.Predict(x);
        Assert.Equal(new Shape(2, 4, 4, 8), y.Shape);
        var path = Temp.File("functional.nfmodel");
        model.Save(path);
        Assert.Equal(y.ToArray<float>(), Model.Load(path).Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void The_next_frame_model_fits_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        // Keras' next-frame video prediction example, small: (batch, time, H, W, C) frames in, the next frames out.
        var model = new Sequential(
            Layers.Input([null, 6, 6, 1]), // any number of frames, as the example's Input(shape=(None, *frame))
            new Layers.ConvLSTM2D(4, [3], padding: "same", returnSequences: true, activation: "relu"),
            new Layers.BatchNormalization(),
            new Layers.ConvLSTM2D(4, [1], padding: "same", returnSequences: true, activation: "relu"),
            new Layers.Conv3D(1, [3], padding: "same", activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.02), "binary_crossentropy");
        // A bright square moving one pixel right per frame: the target is the input one frame on.
        var frames = new float[8 * 5 * 36];
        for (int n = 0; n < 8; n++)
            for (int t = 0; t < 5; t++)
                for (int r = n % 3; r < n % 3 + 2; r++)
                    for (int col = t; col < t + 2; col++) frames[((n * 5 + t) * 6 + r) * 6 + col] = 1;
        using var video = NF.Constant(frames, [8, 5, 6, 6, 1]);
        var x = NF.Slice(video, [0, 0, 0, 0, 0], [8, 4, 6, 6, 1]);
        var y = NF.Slice(video, [0, 1, 0, 0, 0], [8, 4, 6, 6, 1]);
        var losses = model.Fit(x, y, batchSize: 4, epochs: 12, verbose: 0)["loss"];
        Assert.True(losses[^1] < 0.7 * losses[0], $"loss {losses[0]} -> {losses[^1]}");
        var path = Temp.File("next_frame.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.IsType<Layers.ConvLSTM2D>(((Sequential)loaded).Layers[0]);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }
}

public sealed class ManagedConvLstmLayerTests() : ConvLstmLayerTests("managed");

public sealed class NativeCpuConvLstmLayerTests() : ConvLstmLayerTests("cpu");

public sealed class CudaConvLstmLayerTests() : ConvLstmLayerTests("cuda");
