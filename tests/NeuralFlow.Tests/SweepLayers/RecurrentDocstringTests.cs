using NeuralFlow.Keras;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's recurrent layers (keras/src/layers/rnn/: gru.py, lstm.py,
/// simple_rnn.py, stacked_rnn_cells.py, bidirectional.py) on every engine: the published output
/// and state shapes of the layers and of RNN over their cells, on random((32, 10, 8)) float64
/// inputs as there, StackedRNNCells on an <c>np.arange</c> (int64) input, and the two Bidirectional
/// models. The LSTMCell example unpacks two values from an RNN with return_state, but Keras returns
/// three there (the output, h and c: RNN.call returns [output] + states); the test follows Keras.
/// </summary>
public abstract class RecurrentDocstringTests(string backend) : BackendTest(backend)
{
    private static Tensor Inputs() => NF.Random.Uniform([32, 10, 8], dtype: DType.Float64);

    private static void Shapes(int[][] expected, IReadOnlyList<Tensor> outputs)
    {
        Assert.Equal(expected.Length, outputs.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(new Shape(expected[i]), outputs[i].Shape);
            Assert.Equal(DType.Float32, outputs[i].DType);
        }
    }

    public static TheoryData<string> Kinds => new() { "GRU", "LSTM", "SimpleRNN" };

    private static Layers.RNNCell Cell(string kind) => kind switch
    {
        "GRU" => new Layers.GRUCell(4),
        "LSTM" => new Layers.LSTMCell(4),
        _ => new Layers.SimpleRNNCell(4),
    };

    private static Layers.RNN Layer(string kind, bool sequencesAndState = false) => kind switch
    {
        "GRU" => new Layers.GRU(4, returnSequences: sequencesAndState, returnState: sequencesAndState),
        "LSTM" => new Layers.LSTM(4, returnSequences: sequencesAndState, returnState: sequencesAndState),
        _ => new Layers.SimpleRNN(4, returnSequences: sequencesAndState, returnState: sequencesAndState),
    };

    [SkippableTheory]
    [MemberData(nameof(Kinds))]
    public void Layers_and_RNN_over_their_cells_give_the_published_shapes(string kind)
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        var inputs = Inputs();
        int states = kind == "LSTM" ? 2 : 1;
        int[][] withState = [[32, 10, 4], .. Enumerable.Repeat<int[]>([32, 4], states)];
        // The layer: output (32, 4); with return_sequences and return_state: (32, 10, 4) and the states (32, 4).
        Assert.Equal(new Shape(32, 4), Layer(kind).Call(inputs).Shape);
        Shapes(withState, Layer(kind, sequencesAndState: true).CallWithStates(inputs));
        // keras.layers.RNN(cell): the same.
        Assert.Equal(new Shape(32, 4), new Layers.RNN(Cell(kind)).Call(inputs).Shape);
        Shapes(withState, new Layers.RNN(Cell(kind), returnSequences: true, returnState: true).CallWithStates(inputs));
    }

    [SkippableFact]
    public void StackedRNNCells_of_two_LSTM_cells_runs_on_an_integer_array()
    {
        RequireBackend();
        NF.Random.SetSeed(13);
        // stacked_rnn_cells.py: x = np.reshape(np.arange(30), (3, 5, 2)); RNN(StackedRNNCells([LSTMCell(128)] * 2)).
        var x = NF.Reshape(NF.Range(0L, 30L), [3, 5, 2]);
        var layer = new Layers.RNN(new Layers.StackedRNNCells([new Layers.LSTMCell(128), new Layers.LSTMCell(128)]));
        var result = layer.Call(x);
        Assert.Equal(new Shape(3, 128), result.Shape);
        Assert.Equal(DType.Float32, result.DType);
        // The integers are the float inputs of the same values.
        Assert.Equal(result.ToArray<float>(), layer.Call(NF.Cast(x, DType.Float32)).ToArray<float>());
    }

    [SkippableFact]
    public void Bidirectional_examples_build_and_compile()
    {
        RequireBackend();
        NF.Random.SetSeed(14);
        var x = NF.Random.Normal([2, 5, 10]);
        var stacked = new Sequential(Layers.Input([5, 10]),
            new Layers.Bidirectional(new Layers.LSTM(10, returnSequences: true)),
            new Layers.Bidirectional(new Layers.LSTM(10)),
            new Layers.Dense(5, activation: "softmax"));
        stacked.Compile("rmsprop", "categorical_crossentropy");
        Assert.Equal(new Shape(2, 5), stacked.Predict(x).Shape);

        // "With custom backward layer": a relu LSTM running backwards.
        var forward = new Layers.LSTM(10, returnSequences: true);
        var backward = new Layers.LSTM(10, activation: "relu", returnSequences: true, goBackwards: true);
        var custom = new Sequential(Layers.Input([5, 10]), new Layers.Bidirectional(forward, backwardLayer: backward), new Layers.Dense(5, activation: "softmax"));
        custom.Compile("rmsprop", "categorical_crossentropy");
        var y = custom.Predict(x);
        Assert.Equal(new Shape(2, 5, 5), y.Shape);
        var history = custom.Fit(x, NF.Fill(y.Shape, 0.2), epochs: 1, verbose: 0);
        Assert.True(double.IsFinite(history["loss"][0]));
    }
}

public sealed class ManagedRecurrentDocstringTests() : RecurrentDocstringTests("managed");

public sealed class NativeCpuRecurrentDocstringTests() : RecurrentDocstringTests("cpu");

public sealed class CudaRecurrentDocstringTests() : RecurrentDocstringTests("cuda");
