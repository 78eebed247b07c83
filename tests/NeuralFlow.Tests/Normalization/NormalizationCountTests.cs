using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Normalization;

/// <summary>
/// Keras' Normalization holds three weights once adapted: mean, variance and an int64 scalar
/// count (tf.keras 2 counts the values each statistic was adapted over; Keras 3 keeps the weight,
/// at 0, so that its files have three). NeuralFlow had two: its summaries counted 18 parameters
/// where the TensorFlow regression tutorial prints 19, Keras 3's files (vars/0..2) were refused as
/// another architecture, and Keras 3 refuses files holding two. Files NeuralFlow wrote before the
/// count existed still load, with count 0 and the optimizer's slots on the right weights.
/// </summary>
public sealed class NormalizationCountTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Tensor Features(int rows, int columns) =>
        NF.Constant(Enumerable.Range(0, rows * columns).Select(i => (float)Math.Sin(i * 0.7) * 3 + i % columns).ToArray(), [rows, columns]);

    // The tutorial's shape: an adapted Normalization of 9 features in front of a Dense, trained a little with Adam.
    private static Sequential TrainedModel(out Tensor x, out Tensor y)
    {
        NF.Random.SetSeed(11);
        x = Features(24, 9);
        y = NF.ReduceSum(x, [1], keepDims: true) * 0.1f;
        var normalization = new Layers.Normalization(name: "norm");
        normalization.Adapt(x);
        var model = new Sequential(Layers.Input([9]), normalization, new Layers.Dense(1, name: "out"));
        model.Compile(new Keras.Optimizers.Adam(0.01), "mse");
        model.Fit(x, y, batchSize: 8, epochs: 2, shuffle: false, verbose: 0);
        return model;
    }

    [Fact]
    public void An_adapted_layer_has_an_int64_count_of_the_values_behind_each_statistic()
    {
        var perFeature = new Layers.Normalization(name: "normalization");
        perFeature.Adapt(Features(5, 9));
        Assert.Equal(["normalization/mean", "normalization/variance", "normalization/count"], perFeature.Variables.Select(v => v.Name));
        Assert.Equal(DType.Int64, perFeature.Count!.DType);
        Assert.Equal(0, perFeature.Count.Rank);
        Assert.Equal(5L, perFeature.Count.Item<long>());
        Assert.Equal(19, perFeature.CountParams());   // the regression tutorial's "normalization (Normalization) (None, 9) 19"
        Assert.Empty(perFeature.TrainableVariables);

        var everything = new Layers.Normalization(Array.Empty<int>());
        everything.Adapt(Features(5, 9));
        Assert.Equal(45L, everything.Count!.Item<long>());

        // Two kept axes of [4, 2, 3]: each (i, j) statistic is over the 4 examples. Adapt again: the count starts over, as Keras' does.
        var twoAxes = new Layers.Normalization([1, 2]);
        twoAxes.Adapt(NF.Reshape(Features(4, 6), [4, 2, 3]));
        Assert.Equal(4L, twoAxes.Count!.Item<long>());
        twoAxes.Adapt(NF.Reshape(Features(7, 6), [7, 2, 3]));
        Assert.Equal(7L, twoAxes.Count.Item<long>());

        // Given statistics are constants: no weights at all, as in Keras.
        var given = new Layers.Normalization(mean: [1.0], variance: [4.0]);
        given.EnsureBuilt(new Shape(2, 3));
        Assert.Null(given.Count);
        Assert.Empty(given.Variables);
    }

    [Fact]
    public void The_summary_counts_the_count_weight_with_its_eight_bytes()
    {
        var model = new Sequential(Layers.Input([9]), new Layers.Normalization(name: "normalization"), new Layers.Dense(1, name: "dense"));
        string text = model.SummaryText();
        Assert.Contains(" Total params: 29 (120.00 B)", text);   // 9 + 9 float32 (72 B), one int64 (8 B), Dense 10 float32 (40 B)
        Assert.Contains(" Non-trainable params: 19 (80.00 B)", text);
    }

    [Fact]
    public void Files_hold_count_as_vars_2_in_int64_and_load_it_back()
    {
        var model = TrainedModel(out var x, out _);
        string keras = _temp.File("m.keras");
        model.Save(keras);
        // Keras 3 checks the number of a layer's variables when it loads: vars/0, vars/1 and vars/2, the count an int64 scalar.
        using (var zip = ZipFile.OpenRead(keras))
        {
            string weights = _temp.File("model.weights.h5");
            zip.GetEntry("model.weights.h5")!.ExtractToFile(weights);
            using var h5 = Hdf5File.Open(weights);
            var count = Assert.IsType<Hdf5Dataset>(h5.Root.Get("layers/normalization/vars/2"));
            Assert.Equal(Hdf5Class.Integer, count.Type.Class);
            Assert.Equal(8, count.Type.Size);
            Assert.Empty(count.Shape);
            Assert.Equal(24L, BitConverter.ToInt64(count.ReadBytes()));
            Assert.Null(h5.Root.Get("layers/normalization/vars/3"));
        }
        foreach (var file in new[] { keras, _temp.File("m.nfmodel"), _temp.File("m.h5") })
        {
            if (file != keras) model.Save(file);
            var loaded = Model.Load(file);
            var norm = (Layers.Normalization)loaded.Layers.Single(l => l is Layers.Normalization);
            Assert.Equal(24L, norm.Count!.Item<long>());
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        }
        foreach (var name in new[] { "w.weights.h5", "w.safetensors" })
        {
            string file = _temp.File(name);
            model.SaveWeights(file);
            var fresh = new Sequential(Layers.Input([9]), new Layers.Normalization(name: "norm"), new Layers.Dense(1, name: "out"));
            fresh.LoadWeights(file);
            Assert.Equal(24L, ((Layers.Normalization)fresh.Layers[0]).Count!.Item<long>());
            Assert.Equal(model.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());
        }
    }

    [Fact]
    public void A_Keras_3_weights_file_with_the_count_loads()
    {
        // Keras 3's model.save_weights layout for Input(3) -> Normalization -> Dense(2): the count
        // (int64, 0 in Keras 3) is vars/2. Before, the layer took two of the file's five weights and
        // the file was refused as another architecture.
        var mean = NF.Constant(new[] { 1f, 2f, 3f });
        var variance = NF.Constant(new[] { 4f, 9f, 16f });
        var count = NF.Constant(0L);
        var kernel = NF.Constant(new[,] { { 1f, 0f }, { 0f, 1f }, { 1f, 1f } });
        var bias = NF.Constant(new[] { 0.5f, -0.5f });
        var writer = new Hdf5Writer();
        var norm = writer.Root.Group("layers/normalization/vars");
        norm.Dataset("0", mean);
        norm.Dataset("1", variance);
        norm.Dataset("2", count);
        var dense = writer.Root.Group("layers/dense/vars");
        dense.Dataset("0", kernel);
        dense.Dataset("1", bias);
        writer.Root.Group("vars");
        string file = _temp.File("keras3.weights.h5");
        using (var stream = File.Create(file)) writer.WriteTo(stream);

        var model = new Sequential(Layers.Input([3]), new Layers.Normalization(), new Layers.Dense(2));
        model.LoadWeights(file);
        // (x - mean) / std = (3, 2, 3) / (2, 3, 4) -> (1.5, 0.6667, 0.75); Dense: (1.5 + 0.75 + 0.5, 0.6667 + 0.75 - 0.5).
        var y = model.Predict(NF.Constant(new[,] { { 4f, 4f, 6f } })).ToArray<float>();
        Reference.AssertClose([2.75, 0.9166667], Array.ConvertAll(y, v => (double)v), rtol: 1e-6, atol: 1e-6);
        Assert.Equal(0L, ((Layers.Normalization)model.Layers[0]).Count!.Item<long>());
    }

    [Fact]
    public void A_file_NeuralFlow_wrote_before_the_count_loads_with_its_optimizer_state_in_place()
    {
        var model = TrainedModel(out var x, out var y);
        int countIndex = model.Variables.ToList().FindIndex(v => v.Name == "norm/count");
        Assert.Equal(2, countIndex);

        // The archive and the safetensors weights file as the previous version wrote them: no count,
        // and the optimizer's slots numbered by the weights without it (Dense's kernel was weight 2).
        string archive = _temp.File("old.nfmodel");
        model.Save(archive);
        RewriteSafetensors(archive, "model.weights.safetensors", (tensors, metadata) => WithoutCount(tensors, metadata));
        RewriteSafetensors(archive, "optimizer.safetensors", (tensors, _) => Renumbered(tensors, countIndex));
        string weights = _temp.File("old.safetensors");
        model.SaveWeights(weights);
        var file = NF.Safetensors.Load(weights, out var fileMetadata);
        var metadata = new Dictionary<string, string>(fileMetadata);
        WithoutCount(file, metadata);
        File.Delete(weights);
        NF.Safetensors.Save(file, weights, metadata);

        // NeuralFlow's own .keras: its config records the weights' paths, the count's among them.
        string keras = _temp.File("old.keras");
        model.Save(keras);
        RewriteEntry(keras, "neuralflow/config.json", bytes =>
        {
            var config = JsonNode.Parse(bytes)!.AsObject();
            var paths = config["weight_paths"]!.AsArray();
            Assert.Equal("/layers/normalization/vars/2", paths[countIndex]!.GetValue<string>());
            paths.RemoveAt(countIndex);
            return JsonSerializer.SerializeToUtf8Bytes(config);
        });

        foreach (var old in new[] { archive, keras })
        {
            var loaded = Model.Load(old);
            Assert.Equal(0L, ((Layers.Normalization)loaded.Layers[0]).Count!.Item<long>());
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
            // Training on from the loaded state matches training on from the original: Adam's moments
            // came back on Dense's kernel and bias, not shifted by one weight.
            var again = TrainedModel(out _, out _);
            again.Fit(x, y, batchSize: 8, epochs: 1, shuffle: false, verbose: 0);
            loaded.Fit(x, y, batchSize: 8, epochs: 1, shuffle: false, verbose: 0);
            Assert.Equal(again.Layers[1].Variables[0].ToArray<float>(), loaded.Layers[1].Variables[0].ToArray<float>());
        }
        var fresh = new Sequential(Layers.Input([9]), new Layers.Normalization(name: "norm"), new Layers.Dense(1, name: "out"));
        fresh.LoadWeights(weights);
        Assert.Equal(0L, ((Layers.Normalization)fresh.Layers[0]).Count!.Item<long>());
        Assert.Equal(model.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());

        // A file that lacks another weight is still another architecture.
        file.Remove("out/bias", out var bias);
        bias!.Dispose();
        File.Delete(weights);
        NF.Safetensors.Save(file, weights, new Dictionary<string, string>());
        var refused = Assert.Throws<InvalidDataException>(() => fresh.LoadWeights(weights));
        Assert.Contains("out/bias", refused.Message);
    }

    private static void WithoutCount(Dictionary<string, Tensor> tensors, IDictionary<string, string> metadata)
    {
        Assert.True(tensors.Remove("norm/count", out var count));
        count!.Dispose();
        var order = JsonSerializer.Deserialize<List<string>>(metadata["neuralflow.order"])!;
        Assert.True(order.Remove("norm/count"));
        metadata["neuralflow.order"] = JsonSerializer.Serialize(order);
    }

    // slots/{i}/{j} and average/{i} as numbered without the weight at `removed`.
    private static void Renumbered(Dictionary<string, Tensor> tensors, int removed)
    {
        foreach (var key in tensors.Keys.ToList())
        {
            var parts = key.Split('/');
            if (parts[0] is not ("slots" or "average") || int.Parse(parts[1]) <= removed) continue;
            Assert.True(tensors.Remove(key, out var value));
            parts[1] = (int.Parse(parts[1]) - 1).ToString();
            tensors.Add(string.Join('/', parts), value!);
        }
    }

    private void RewriteSafetensors(string archive, string entry, Action<Dictionary<string, Tensor>, Dictionary<string, string>> change) =>
        RewriteEntry(archive, entry, bytes =>
        {
            string temp = _temp.File("entry.safetensors");
            File.WriteAllBytes(temp, bytes);
            var tensors = NF.Safetensors.Load(temp, out var read);
            var metadata = new Dictionary<string, string>(read);
            change(tensors, metadata);
            File.Delete(temp);
            NF.Safetensors.Save(tensors, temp, metadata);
            foreach (var t in tensors.Values) t.Dispose();
            return File.ReadAllBytes(temp);
        });

    private static void RewriteEntry(string archive, string entry, Func<byte[], byte[]> change)
    {
        using var zip = ZipFile.Open(archive, ZipArchiveMode.Update);
        var old = zip.GetEntry(entry) ?? throw new InvalidOperationException($"{archive} has no {entry}");
        byte[] bytes;
        using (var read = old.Open())
        using (var buffer = new MemoryStream())
        {
            read.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        old.Delete();
        using var write = zip.CreateEntry(entry, CompressionLevel.NoCompression).Open();
        write.Write(change(bytes));
    }
}
