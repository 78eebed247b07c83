using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;
using NeuralFlow.Tests.Functional;

namespace NeuralFlow.Tests.UserProbe18;

/// <summary>
/// Layers a served model holds that ExportOnnx refused ("has no ONNX form here") now export, and
/// ONNX Runtime computes what Predict computes: UpSampling1D and UpSampling3D (and UpSampling2D
/// channels_first, and bilinear in either layout), AutoContrast, SpectralNormalization (its layer, kernel as last normalized), Pipeline (its
/// layers in turn), Discretization (int64 bins or their encodings) and CategoryEncoding (one_hot,
/// multi_hot, count of int ids), IntegerLookup (int64 indices or their encodings, tf_idf
/// included), and keras.layers.RNN of one LSTMCell, GRUCell or SimpleRNNCell.
/// What still has no ONNX form is refused naming the layer.
/// </summary>
public abstract class OnnxLayerFormsTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Upsampling_wrappers_and_categorical_layers_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(1810);
        var sequence = Layers.Input([5, 2], name: "lf_sequence");
        var volume = Layers.Input([2, 3, 2, 2], name: "lf_volume");
        var image = Layers.Input([2, 3, 4], name: "lf_image");
        var features = Layers.Input([4], name: "lf_features");
        var ids = Layers.Input([4], DType.Int32, name: "lf_ids");
        var id = Layers.Input([1], DType.Int32, name: "lf_id");
        var tokens = Layers.Input([4], DType.Int32, name: "lf_tokens");
        long[] vocabulary = [7, 3, 11, 5];
        var spectral = new Layers.SpectralNormalization(new Layers.Dense(3, name: "lf_spectral_dense"), name: "lf_spectral");
        var outputs = new[]
        {
            new Layers.UpSampling1D(3, name: "lf_up1").Call(sequence),
            // keras.layers.RNN of one built-in cell is the LSTM / GRU / SimpleRNN op of that cell.
            new Layers.RNN(new Layers.LSTMCell(3), name: "lf_rnn_lstm").Call(sequence),
            new Layers.RNN(new Layers.GRUCell(2), returnSequences: true, name: "lf_rnn_gru").Call(sequence),
            new Layers.RNN(new Layers.SimpleRNNCell(2), goBackwards: true, name: "lf_rnn_simple").Call(sequence),
            new Layers.UpSampling3D([2, 1, 3], name: "lf_up3").Call(volume),
            new Layers.UpSampling2D([2, 3], name: "lf_up2", dataFormat: "channels_first").Call(image),
            // Bilinear upsampling (a U-Net decoder's) as the products with Predict's weight tables.
            new Layers.UpSampling2D([2, 3], "bilinear", name: "lf_bilinear").Call(image),
            new Layers.UpSampling2D([3, 2], "bilinear", name: "lf_bilinear_first", dataFormat: "channels_first").Call(image),
            spectral.Call(features),
            new Layers.Pipeline([new Layers.Rescaling(0.5, offset: -1, name: "lf_rescale"), new Layers.RandomFlip(name: "lf_flip")], name: "lf_pipeline").Call(image),
            new Layers.AutoContrast(name: "lf_contrast").Call(image),
            new Layers.AutoContrast((-1, 1), name: "lf_contrast_flat").Call(new Layers.Reshape([1, 1, 4], name: "lf_one_pixel").Call(features)),
            new Layers.Discretization(binBoundaries: [-1, 0, 0.5], name: "lf_bins").Call(features),
            new Layers.Discretization(binBoundaries: [-1, 0, 0.5], outputMode: "multi_hot", name: "lf_bins_hot").Call(features),
            new Layers.Discretization(binBoundaries: [0], outputMode: "count", name: "lf_bins_count").Call(features),
            new Layers.Discretization(binBoundaries: [], name: "lf_one_bin").Call(features),
            new Layers.CategoryEncoding(5, "one_hot", name: "lf_one_hot").Call(id),
            new Layers.CategoryEncoding(5, "one_hot", name: "lf_one_hots").Call(ids),
            new Layers.CategoryEncoding(5, "multi_hot", name: "lf_multi_hot").Call(ids),
            new Layers.CategoryEncoding(5, "count", name: "lf_count").Call(ids),
            new Layers.IntegerLookup(vocabulary, name: "lf_lookup").Call(tokens),
            new Layers.IntegerLookup(vocabulary, numOovIndices: 2, maskToken: 0, name: "lf_lookup_masked").Call(tokens),
            new Layers.IntegerLookup(vocabulary, maskToken: 0, outputMode: "multi_hot", name: "lf_lookup_hot").Call(tokens),
            new Layers.IntegerLookup(vocabulary, maxTokens: 8, padToMaxTokens: true, outputMode: "count", name: "lf_lookup_count").Call(tokens),
            new Layers.IntegerLookup(vocabulary, outputMode: "tf_idf", idfWeights: [1, 2, 3, 4], name: "lf_lookup_tfidf").Call(tokens),
            new Layers.IntegerLookup(numOovIndices: 3, name: "lf_lookup_empty").Call(tokens),
            // Exported by their bases' exporters before, and now named among the exportable layers.
            new Layers.ReversibleEmbedding(5, 3, name: "lf_reversible").Call(ids),
            new Layers.AlphaDropout(0.5, name: "lf_alpha").Call(features),
        };
        var inputs = new[] { sequence, volume, image, features, ids, id, tokens };
        var model = new Model(inputs, outputs, name: "lf_model");
        // One training step normalizes the kernel, as inference then reads it.
        var head = new Model(features, spectral.Call(features), name: "lf_head");
        head.Compile("sgd", "mse");
        using (var x = NF.Random.Uniform([8, 4]))
        using (var y = NF.Random.Uniform([8, 3]))
            head.Fit(x, y, epochs: 1, verbose: 0);
        string path = Temp.File("layers.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        foreach (int n in new[] { 1, 5 })
        {
            // Values on the bins' boundaries too (a value at a boundary is in the bin above it).
            using var values = NF.Constant(Enumerable.Range(0, n * 4).Select(i => new[] { -1f, 0f, 0.5f, -2f, 0.25f, 3f, -0.5f }[i % 7]).ToArray(), new Shape(n, 4));
            FunctionalOnnxTests.AssertSessionMatches(model, session,
            [
                NF.Random.Uniform([n, 5, 2], -2, 2), NF.Random.Uniform([n, 2, 3, 2, 2], -2, 2), NF.Random.Uniform([n, 2, 3, 4], -2, 2),
                values, NF.Random.Uniform([n, 4], 0, 5, DType.Int32), NF.Random.Uniform([n, 1], 0, 5, DType.Int32), NF.Random.Uniform([n, 4], 0, 13, DType.Int32),
            ]);
        }
    }

    [SkippableFact]
    public void A_layer_still_without_an_onnx_form_is_refused_by_name()
    {
        RequireBackend();
        var cases = new (Layer Layer, int[] Shape, string Says)[]
        {
            (new Layers.Masking(name: "lf_masking"), [3, 2], "lf_masking is a Masking"),
            (new Layers.Lambda(x => x * 2, name: "lf_lambda"), [3], "lf_lambda is a Lambda"),
            (new Layers.IntegerLookup([4, 2], invert: true, name: "lf_inverse"), [3], "lf_inverse (IntegerLookup) maps indices back to tokens"),
            (new Layers.ConvLSTM2D(2, 3, padding: "same", name: "lf_conv_lstm"), [2, 4, 4, 1], "lf_conv_lstm is a ConvLSTM2D"),
            (new Layers.RNN([new Layers.LSTMCell(2), new Layers.LSTMCell(2)], name: "lf_stacked"), [3, 2], "lf_stacked is an RNN of StackedRNNCells cells"),
        };
        foreach (var (layer, shape, says) in cases)
        {
            var input = Layers.Input(shape);
            var model = new Model(input, layer.Call(input));
            string path = Temp.File($"refused_{Guid.NewGuid():N}.onnx");
            var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path));
            Assert.Contains(says, e.Message);
            Assert.False(File.Exists(path));
        }
    }
}

public sealed class ManagedOnnxLayerFormsTests() : OnnxLayerFormsTests("managed");

public sealed class NativeCpuOnnxLayerFormsTests() : OnnxLayerFormsTests("cpu");

public sealed class CudaOnnxLayerFormsTests() : OnnxLayerFormsTests("cuda");
