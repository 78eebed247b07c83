using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras 3's generic RNN layer on every backend: RNN(LSTMCell) is the LSTM layer bit for bit,
/// stacked cells equal stacked layers, the Keras guide's MinimalRNNCell runs in Sequential and
/// functional models, Fit (replayed as eager), masks, initial states and Bidirectional, and
/// models of cells save and load (Keras 3's nested {"class_name": "RNN", "config": {"cell": ...}}).
/// </summary>
public abstract class RnnLayerTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Sequence(int batch, int steps, int features, double phase = 0) =>
        NF.Constant(Enumerable.Range(0, batch * steps * features).Select(j => (float)Math.Sin(0.29 * j + phase)).ToArray(), new Shape(batch, steps, features));

    [SkippableTheory]
    [InlineData("simple")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void An_rnn_of_a_builtin_cell_is_its_layer_bit_for_bit(string kind)
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        using var x = Sequence(3, 5, 2);
        Layers.Recurrent layer = kind switch
        {
            "simple" => new Layers.SimpleRNN(4, returnSequences: true, returnState: true),
            "lstm" => new Layers.LSTM(4, returnSequences: true, returnState: true),
            _ => new Layers.GRU(4, returnSequences: true, returnState: true, resetAfter: false),
        };
        Layers.RNNCell cell = kind switch
        {
            "simple" => new Layers.SimpleRNNCell(4),
            "lstm" => new Layers.LSTMCell(4),
            _ => new Layers.GRUCell(4, resetAfter: false),
        };
        var rnn = new Layers.RNN(cell, returnSequences: true, returnState: true);
        var expected = layer.CallWithStates(x);
        rnn.EnsureBuilt(x.Shape);
        rnn.SetWeights(layer.GetWeights());
        var actual = rnn.CallWithStates(x);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].ToArray<float>(), actual[i].ToArray<float>());
        // The layer's weights are its cell's, named after the layer as before cells existed.
        Assert.Same(layer.Cell.Variables[0], layer.Kernel);
        Assert.Equal($"{layer.Name}/kernel", layer.Kernel!.Name);
    }

    [SkippableFact]
    public void Stacked_cells_equal_stacked_layers()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        using var x = Sequence(2, 6, 3);
        var first = new Layers.LSTM(5, returnSequences: true);
        var second = new Layers.GRU(4, returnState: true);
        var layers = second.CallWithStates(first.Call(x));
        var stacked = new Layers.RNN([new Layers.LSTMCell(5), new Layers.GRUCell(4)], returnState: true);
        stacked.EnsureBuilt(x.Shape);
        Assert.IsType<Layers.StackedRNNCells>(stacked.Cell);
        Assert.Equal([5, 5, 4], stacked.Cell.StateSize);
        stacked.SetWeights([.. first.GetWeights(), .. second.GetWeights()]);
        var cells = stacked.CallWithStates(x);
        // [output, h1, c1, h2]: the last cell's output, then every cell's states in order (Keras 3's flat order).
        Assert.Equal(4, cells.Count);
        TwinFit.Near(layers[0], cells[0]);
        TwinFit.Near(layers[1], cells[3]);
        // The second cell reads the first one's outputs step by step; it projects them one at a time, hence a tolerance.
    }

    [SkippableFact]
    public void A_user_cell_runs_as_the_keras_guides_minimal_rnn_cell()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        using var x = Sequence(2, 4, 3);
        var cell = new MinimalRNNCell(2);
        var rnn = new Layers.RNN(cell, returnSequences: true);
        var y = rnn.Call(x);
        Assert.Equal(new Shape(2, 4, 2), y.Shape);
        Assert.Equal(new[] { cell.Kernel!, cell.RecurrentKernel! }, rnn.Variables);
        // By hand: h_t = x_t @ kernel + h_{t-1} @ recurrent_kernel from h_0 = 0 (the guide's formula).
        Tensor h = NF.Zeros([2, 2]);
        for (int t = 0; t < 4; t++)
        {
            h = NF.MatMul(x[.., t], cell.Kernel!) + NF.MatMul(h, cell.RecurrentKernel!);
            TwinFit.Near(h, y[.., t], 1e-6);
        }
        // Masked steps carry the state; initial states replace the zeros.
        using var mask = NF.Constant(new[,] { { true, true, false, false }, { true, true, true, true } });
        var masked = rnn.CallWithStates(x, mask: mask);
        TwinFit.Near(masked[0][0, 1], masked[1][0], 0);
        TwinFit.Near(masked[0][0, 1], masked[0][0, 3], 0);
        var started = new Layers.RNN(new MinimalRNNCell(2), returnState: true);
        started.EnsureBuilt(x.Shape);
        started.SetWeights(rnn.GetWeights());
        var half = started.CallWithStates(x[.., ..2]);
        TwinFit.Near(y[.., 3], started.CallWithStates(x[.., 2..], [half[1]])[0], 1e-6);
        // A bad user cell is named when its Forward returns the wrong shapes.
        var e = Assert.Throws<InvalidOperationException>(() => new Layers.RNN(new WrongCell()).Call(x));
        Assert.Contains("OutputSize", e.Message);
    }

    private sealed class WrongCell() : Layers.RNNCell("wrong_cell")
    {
        public override IReadOnlyList<int> StateSize => [2];
        // Returns its [batch, 3] input as the output, where OutputSize (the state's width) says 2.
        protected override (Tensor Output, Tensor[] States) Forward(Tensor input, IReadOnlyList<Tensor> states) => (input, [.. states]);
    }

    [SkippableFact]
    public void User_cells_train_in_sequential_and_functional_models_and_fit_replays_as_eager()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        using var x = Sequence(32, 5, 2);
        Sequential Make() => new(Layers.Input([5, 2]), new Layers.RNN(new MinimalRNNCell(4)), new Layers.Dense(1, activation: "sigmoid"));
        var (_, _, history) = TwinFit.Run(Make, x, batchSize: 8, epochs: 8);
        Assert.True(history["loss"][^1] < history["loss"][0]);

        var input = Layers.Input([5, 2]);
        var outputs = new Layers.RNN([new MinimalRNNCell(3), new Layers.SimpleRNNCell(2)], returnState: true).CallWithStates(input);
        Assert.Equal(3, outputs.Count);
        var model = new Model(input, new Layers.Dense(1).Call(outputs[0]));
        Assert.Equal(new Shape(32, 1), model.Predict(x).Shape);
    }

    [SkippableFact]
    public void Bidirectional_wraps_an_rnn_of_a_cell()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        using var x = Sequence(2, 4, 3);
        var bi = new Layers.Bidirectional(new Layers.RNN(new Layers.GRUCell(3), returnSequences: true));
        var y = bi.Call(x);
        Assert.Equal(new Shape(2, 4, 6), y.Shape);
        Assert.IsType<Layers.GRUCell>(bi.BackwardLayer.Cell);
        Assert.True(bi.BackwardLayer.GoBackwards);
        TwinFit.Near(bi.ForwardLayer.Call(x), y[.., .., ..3], 0);
        TwinFit.Near(NF.Reverse(bi.BackwardLayer.Call(x), 1), y[.., .., 3..], 0);
        // A user cell is rebuilt from its registered config, as Keras' Bidirectional rebuilds it.
        MinimalRNNCell.Register();
        var user = new Layers.Bidirectional(new Layers.RNN(new MinimalRNNCell(2)));
        Assert.Equal(new Shape(2, 4), user.Call(x).Shape);
    }

    [SkippableFact]
    public void Models_of_cells_save_and_load_with_the_cell_config_nested()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        MinimalRNNCell.Register();
        using var x = Sequence(2, 5, 3);
        var model = new Sequential(Layers.Input([5, 3]),
            new Layers.RNN(new Layers.LSTMCell(4, dropout: 0.1), returnSequences: true, goBackwards: true, name: "cells"),
            new Layers.RNN([new Layers.GRUCell(3, resetAfter: false), new MinimalRNNCell(2)]),
            new Layers.Dense(1));
        var config = model.Layers[0].GetConfig();
        Assert.Equal("LSTMCell", config["cell"]!["class_name"]!.GetValue<string>());
        Assert.Equal(4, config["cell"]!["config"]!["units"]!.GetValue<int>());
        Assert.True(config["go_backwards"]!.GetValue<bool>());
        var stacked = model.Layers[1].GetConfig()["cell"]!;
        Assert.Equal("StackedRNNCells", stacked["class_name"]!.GetValue<string>());
        Assert.Equal("MinimalRNNCell", stacked["config"]!["cells"]![1]!["class_name"]!.GetValue<string>());
        var loaded = (Sequential)Model.Load(SaveTo(model, "cells.nfmodel"));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        var rnn = Assert.IsType<Layers.RNN>(loaded.Layers[0]);
        Assert.Equal(0.1, Assert.IsType<Layers.LSTMCell>(rnn.Cell).Dropout);
        Assert.IsType<MinimalRNNCell>(((Layers.StackedRNNCells)((Layers.RNN)loaded.Layers[1]).Cell).Cells[1]);
    }
}

public sealed class ManagedRnnLayerTests() : RnnLayerTests("managed");

public sealed class NativeCpuRnnLayerTests() : RnnLayerTests("cpu");

public sealed class CudaRnnLayerTests() : RnnLayerTests("cuda");
