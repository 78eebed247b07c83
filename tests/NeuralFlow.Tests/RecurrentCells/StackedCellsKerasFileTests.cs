using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.RecurrentCells;

/// <summary>
/// Keras 3 keeps an RNN of stacked cells (<c>keras.layers.RNN([LSTMCell(3), LSTMCell(2)])</c>, the RNN
/// guide's stacked cells) in its weights files under the stack's list attribute, each cell named by
/// class and numbered per class: <c>layers/rnn/cell/cells/lstm_cell/vars/0</c>, <c>.../lstm_cell_1/...</c>.
/// Before, NeuralFlow refused to load such a file ("holds several layers with weights") and wrote its
/// own flat <c>vars/0..5</c>, which Keras cannot pair with the cells.
/// </summary>
public sealed class StackedCellsKerasFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Sequential Stacked() =>
        new(Layers.Input([5, 4]), new Layers.RNN([new Layers.LSTMCell(3), new Layers.LSTMCell(2), new Layers.GRUCell(2)]), new Layers.Dense(1));

    private static readonly string[] KerasPaths =
    [
        "layers/rnn/cell/cells/lstm_cell/vars/0", "layers/rnn/cell/cells/lstm_cell/vars/1", "layers/rnn/cell/cells/lstm_cell/vars/2",
        "layers/rnn/cell/cells/lstm_cell_1/vars/0", "layers/rnn/cell/cells/lstm_cell_1/vars/1", "layers/rnn/cell/cells/lstm_cell_1/vars/2",
        "layers/rnn/cell/cells/gru_cell/vars/0", "layers/rnn/cell/cells/gru_cell/vars/1", "layers/rnn/cell/cells/gru_cell/vars/2",
        "layers/dense/vars/0", "layers/dense/vars/1",
    ];

    [Fact]
    public void A_Keras_3_file_of_stacked_cells_loads_by_the_cells_paths()
    {
        NF.Random.SetSeed(8);
        var source = Stacked();
        var variables = source.Variables;
        Assert.Equal(KerasPaths.Length, variables.Count);
        // The file as Keras 3 writes it: every weight at its path, the cells' in the order Keras makes them.
        var writer = new Hdf5Writer();
        writer.Root.Group("vars");
        for (int i = 0; i < KerasPaths.Length; i++)
        {
            int slash = KerasPaths[i].LastIndexOf('/');
            writer.Root.Group(KerasPaths[i][..slash]).Dataset(KerasPaths[i][(slash + 1)..], variables[i]);
        }
        string file = _temp.File("keras3.weights.h5");
        using (var stream = File.Create(file)) writer.WriteTo(stream);

        NF.Random.SetSeed(99);
        var target = Stacked();
        target.LoadWeights(file);
        var x = NF.Random.Normal([2, 5, 4]);
        Assert.Equal(source.Predict(x).ToArray<float>(), target.Predict(x).ToArray<float>());
    }

    [Fact]
    public void NeuralFlow_writes_the_cells_where_Keras_reads_them_and_reads_them_back()
    {
        NF.Random.SetSeed(8);
        var model = Stacked();
        string weights = _temp.File("nf.weights.h5");
        model.SaveWeights(weights);
        using (var h5 = Hdf5File.Open(weights))
        {
            var variables = model.Variables;
            for (int i = 0; i < KerasPaths.Length; i++)
            {
                var dataset = Assert.IsType<Hdf5Dataset>(h5.Root.Get(KerasPaths[i]));
                Assert.Equal(variables[i].Shape.ToArray().Select(d => (long)d), dataset.Shape);
            }
            Assert.Null(h5.Root.Get("layers/rnn/vars/0"));
        }
        var x = NF.Random.Normal([2, 5, 4]);
        NF.Random.SetSeed(99);
        var fresh = Stacked();
        fresh.LoadWeights(weights);
        Assert.Equal(model.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());

        string keras = _temp.File("nf.keras");
        model.Save(keras);
        Assert.Equal(model.Predict(x).ToArray<float>(), Model.Load(keras).Predict(x).ToArray<float>());
    }
}
