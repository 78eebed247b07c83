using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// Model.LoadWeights of HDF5 files as Keras writes them (fixtures from make_fixtures.py): Keras 3
/// .weights.h5 and legacy Keras 2 .h5 (save_weights and whole-model save), in h5py's default
/// layout (superblock 0, symbol-table groups) and libver='latest' (superblock 3, link messages),
/// contiguous and chunked+gzip+shuffle; each model then predicts what numpy computes with the
/// same weights. Models of another architecture are refused naming the layer.
/// </summary>
public abstract class KerasH5WeightsTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Keras3_weights_of_an_mlp_with_batch_norm_predict_as_numpy()
    {
        RequireBackend();
        foreach (var file in new[] { "mlp.weights.h5", "mlp_latest.weights.h5" })
        {
            var m = KerasH5Fixtures.Mlp();
            m.LoadWeights(KerasH5Fixtures.Path(file));
            KerasH5Fixtures.AssertPredicts(m, "mlp");
        }
    }

    [SkippableFact]
    public void Keras3_weights_load_into_a_functional_model_of_the_same_layers()
    {
        RequireBackend();
        // Keras 3 names a functional model's layer groups by class too (its InputLayer has no weights).
        var input = Layers.Input([4]);
        var h = new Layers.BatchNormalization().Call(new Layers.Dense(8, activation: "relu").Call(input));
        var m = new Model(input, new Layers.Dense(3, activation: "softmax").Call(h));
        m.LoadWeights(KerasH5Fixtures.Path("mlp.weights.h5"));
        KerasH5Fixtures.AssertPredicts(m, "mlp");
    }

    [SkippableFact]
    public void Keras3_chunked_weights_of_a_cnn_predict_as_numpy()
    {
        RequireBackend();
        var m = KerasH5Fixtures.Cnn();
        m.LoadWeights(KerasH5Fixtures.Path("cnn_chunked.weights.h5"));
        KerasH5Fixtures.AssertPredicts(m, "cnn");
    }

    [SkippableFact]
    public void Keras3_weights_of_an_lstm_load_from_its_cell_group()
    {
        RequireBackend();
        var m = KerasH5Fixtures.Lstm();
        m.LoadWeights(KerasH5Fixtures.Path("lstm_latest.weights.h5"));
        KerasH5Fixtures.AssertPredicts(m, "lstm");
    }

    [SkippableFact]
    public void Legacy_h5_weights_load_layer_by_layer()
    {
        RequireBackend();
        var mlp = KerasH5Fixtures.Mlp();
        mlp.LoadWeights(KerasH5Fixtures.Path("mlp_legacy.h5"));
        KerasH5Fixtures.AssertPredicts(mlp, "mlp");
        foreach (var file in new[] { "cnn_legacy_chunked.h5", "cnn_model_latest.h5" })
        {
            var cnn = KerasH5Fixtures.Cnn();
            cnn.LoadWeights(KerasH5Fixtures.Path(file));
            KerasH5Fixtures.AssertPredicts(cnn, "cnn");
        }
    }

    [SkippableFact]
    public void A_nested_model_loads_from_both_formats()
    {
        RequireBackend();
        // Keras 3 walks the inner model's own "layers"; the legacy file lists the inner model as one
        // layer whose weights come trainable first (gamma, beta, kernel, bias, then the moving statistics).
        foreach (var file in new[] { "nested.weights.h5", "nested_legacy.h5" })
        {
            var m = KerasH5Fixtures.Nested();
            m.LoadWeights(KerasH5Fixtures.Path(file));
            KerasH5Fixtures.AssertPredicts(m, "nested");
        }
    }

    [SkippableFact]
    public void Another_architecture_is_refused_naming_the_layer_and_shapes()
    {
        RequireBackend();
        // Keras 3: a Dense of 9 units where the file's has 8: both shapes named.
        var wide = new Sequential(Layers.Input([4]), new Layers.Dense(9, activation: "relu"), new Layers.BatchNormalization(), new Layers.Dense(3));
        var e = Assert.Throws<InvalidDataException>(() => wide.LoadWeights(KerasH5Fixtures.Path("mlp.weights.h5")));
        Assert.Contains(wide.Layers[0].Name, e.Message);
        Assert.Contains("9", e.Message);
        Assert.Contains("(4, 8)", e.Message);
        // Keras 3: a layer the file has no group for.
        var cnn = KerasH5Fixtures.Cnn();
        var missing = Assert.Throws<InvalidDataException>(() => cnn.LoadWeights(KerasH5Fixtures.Path("mlp.weights.h5")));
        Assert.Contains("layers/conv2d", missing.Message);
        // Legacy: two layers with weights in the file, three in the model.
        var mlp = KerasH5Fixtures.Mlp();
        var count = Assert.Throws<InvalidDataException>(() => mlp.LoadWeights(KerasH5Fixtures.Path("cnn_legacy_chunked.h5")));
        Assert.Contains("layer count mismatch", count.Message);
        Assert.Contains("3 layers", count.Message);
    }

    [SkippableFact]
    public void A_layer_of_several_weighted_layers_is_refused_rather_than_filled_crosswise()
    {
        RequireBackend();
        // A user's layer holding weighted layers is kept by Keras' attribute names, which NeuralFlow's fields are not.
        var m = new Sequential(Layers.Input([5, 3]), new TwoDense(), new Layers.Dense(2));
        var e = Assert.Throws<InvalidDataException>(() => m.LoadWeights(KerasH5Fixtures.Path("lstm_latest.weights.h5")));
        Assert.Contains("several layers with weights", e.Message);
        Assert.Contains(m.Layers[0].Name, e.Message);
        // Stacked cells are mapped (cell/cells/lstm_cell/...): this file holds an LSTM layer, not an RNN of cells.
        var stacked = new Sequential(Layers.Input([5, 3]), new Layers.RNN([new Layers.LSTMCell(4), new Layers.LSTMCell(4)]), new Layers.Dense(2));
        var other = Assert.Throws<InvalidDataException>(() => stacked.LoadWeights(KerasH5Fixtures.Path("lstm_latest.weights.h5")));
        Assert.Contains("layers/rnn", other.Message);
        Assert.Contains("another architecture", other.Message);
        // A Bidirectional's layers are (forward_layer, backward_layer): a file without them is another architecture.
        var bi = new Sequential(Layers.Input([5, 3]), new Layers.Bidirectional(new Layers.LSTM(4)), new Layers.Dense(2));
        var missing = Assert.Throws<InvalidDataException>(() => bi.LoadWeights(KerasH5Fixtures.Path("lstm_latest.weights.h5")));
        Assert.Contains("layers/bidirectional", missing.Message);
        Assert.Contains("another architecture", missing.Message);
    }

    private sealed class TwoDense : Layer
    {
        private readonly Layers.Dense _first = new(4), _second = new(4);
        protected override Tensor Forward(Tensor x) => _second.Call(_first.Call(x));
    }

    [SkippableFact]
    public void A_failed_load_changes_no_weight()
    {
        RequireBackend();
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(8, activation: "relu"), new Layers.BatchNormalization(), new Layers.Dense(4));
        var before = m.GetWeights().Select(w => w.ToArray<float>()).ToList();
        Assert.Throws<InvalidDataException>(() => m.LoadWeights(KerasH5Fixtures.Path("mlp.weights.h5")));
        var after = m.GetWeights().Select(w => w.ToArray<float>()).ToList();
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i], after[i]);
    }

    [SkippableFact]
    public void NeuralFlows_own_weights_h5_still_round_trips()
    {
        RequireBackend();
        var m = KerasH5Fixtures.Mlp();
        m.LoadWeights(KerasH5Fixtures.Path("mlp.weights.h5"));
        string own = Temp.File("own.weights.h5");
        m.SaveWeights(own);   // safetensors under a Keras name: found by its missing HDF5 signature
        var copy = KerasH5Fixtures.Mlp();
        copy.LoadWeights(own);
        KerasH5Fixtures.AssertPredicts(copy, "mlp");
    }
}

/// <summary>Keras HDF5 weights on the managed backend.</summary>
public sealed class ManagedKerasH5WeightsTests() : KerasH5WeightsTests("managed");

/// <summary>Keras HDF5 weights on the native CPU backend.</summary>
public sealed class NativeCpuKerasH5WeightsTests() : KerasH5WeightsTests("cpu");

/// <summary>Keras HDF5 weights on the CUDA backend.</summary>
public sealed class CudaKerasH5WeightsTests() : KerasH5WeightsTests("cuda");
