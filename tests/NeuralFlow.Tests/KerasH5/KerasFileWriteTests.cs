using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.KerasH5.KerasH5Fixtures;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// Save and SaveWeights to Keras' file names write Keras' formats: ".keras" Keras 3's archive,
/// ".weights.h5" Keras 3's weights layout, ".h5" the legacy Keras 2 layout (weights, or a whole
/// model). Each is checked against the fixtures make_fixtures.py and make_archive_fixtures.py wrote
/// in Keras' layouts (the same datasets, names, shapes, attributes, and the config's skeleton),
/// read back by the Keras readers (a .keras without NeuralFlow's own entries, as Keras reads it),
/// and read back exactly by Load, so that training resumes where it stopped.
/// </summary>
public abstract partial class KerasFileWriteTests(string backend) : BackendFileTest(backend)
{
    // Every dataset of an HDF5 file: path, shape and element kind.
    internal static SortedSet<string> Datasets(string h5)
    {
        using var file = Hdf5File.Open(h5);
        var found = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(Hdf5Group g, string at)
        {
            foreach (var name in g.Names)
                switch (g.Get(name))
                {
                    case Hdf5Group sub: Walk(sub, $"{at}/{name}"); break;
                    case Hdf5Dataset d: found.Add($"{at}/{name} ({string.Join(", ", d.Shape)}) {d.Type.Class}{d.Type.Size}"); break;
                }
        }
        Walk(file.Root, "");
        return found;
    }

    private string Extract(string archive, string entry, string name)
    {
        string path = Temp.File(name);
        using var zip = ZipFile.OpenRead(archive);
        using (var s = zip.GetEntry(entry)!.Open())
        using (var target = File.Create(path))
            s.CopyTo(target);
        return path;
    }

    private static JsonObject Json(string archive, string entry)
    {
        using var zip = ZipFile.OpenRead(archive);
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return JsonNode.Parse(reader.ReadToEnd())!.AsObject();
    }

    // What Keras' load_model reads of a config: each object's module, class and registered name,
    // each layer's name and calls (the tensors' [layer, call, tensor] and dtype), the model's ends,
    // the optimizer's class. Layer hyperparameters are compared by the predictions; losses and
    // metrics Keras takes as names or objects, lists or dictionaries, checked on their own.
    private static string Skeleton(JsonNode? node) => node switch
    {
        JsonObject o when o["class_name"]?.GetValue<string>() == "__keras_tensor__" =>
            $"T{o["config"]!["keras_history"]!.ToJsonString()}:{o["config"]!["dtype"]}:{o["config"]!["shape"]!.ToJsonString()}",
        JsonObject o => "{" + string.Join(",", o.Where(p => p.Key is "module" or "class_name" or "registered_name" or "name" or "inbound_nodes"
                or "args" or "kwargs" or "input_layers" or "output_layers" or "layers" or "config" or "compile_config" or "optimizer" or "batch_shape")
            .Where(p => !(p.Key == "config" && o["class_name"] is null))
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Skeleton(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Skeleton)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };

    // A copy of a .keras archive as Keras sees it: without NeuralFlow's own entries.
    private string KerasView(string archive, string name)
    {
        string path = Temp.File(name);
        using var source = ZipFile.OpenRead(archive);
        using var target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var e in source.Entries.Where(e => !e.FullName.StartsWith("neuralflow/", StringComparison.Ordinal)))
        {
            using var s = target.CreateEntry(e.FullName).Open();
            using var from = e.Open();
            from.CopyTo(s);
        }
        return path;
    }

    [SkippableFact]
    public void Save_keras_writes_keras3s_archive_that_keras_and_load_read_and_training_resumes()
    {
        RequireBackend();
        var r = ArchiveReference("sequential");
        var x = NF.Constant(Floats(r.GetProperty("x")), [5, 4]);
        var y = NF.Constant(r.GetProperty("y").EnumerateArray().Select(v => v.GetInt32()).ToArray(), [5]);
        string fixture = KerasH5Fixtures.Path("sequential_adam.keras");
        var model = Model.Load(fixture);   // Adam after 7 steps, from Keras' own layout
        string saved = SaveTo(model, "resaved.keras");

        // Keras' entries, its weights layout (optimizer variables included) and config skeleton.
        var metadata = Json(saved, "metadata.json");
        Assert.StartsWith("3.", metadata["keras_version"]!.GetValue<string>());
        Assert.Equal(Datasets(Extract(fixture, "model.weights.h5", "fixture.h5")), Datasets(Extract(saved, "model.weights.h5", "saved.h5")));
        Assert.Equal(Skeleton(Json(fixture, "config.json")), Skeleton(Json(saved, "config.json")));
        var loss = Json(saved, "config.json")["compile_config"]!["loss"]!;
        Assert.Equal("keras.losses", loss["module"]!.GetValue<string>());
        Assert.Equal("SparseCategoricalCrossentropy", loss["class_name"]!.GetValue<string>());
        Assert.Equal("sparse_categorical_crossentropy", loss["config"]!["name"]!.GetValue<string>());
        Assert.True(loss["config"]!["from_logits"]!.GetValue<bool>());

        // Load (NeuralFlow's entries) and a Keras reader (the archive without them) both resume Keras' next Adam step.
        var after = r.GetProperty("after_step").EnumerateArray().Select(Doubles).ToArray();
        foreach (var path in new[] { saved, KerasView(saved, "keras_view.keras") })
        {
            using var warnings = new WarningLogCapture();
            var loaded = Model.Load(path);
            Assert.Equal("", warnings.Text);
            Close(Doubles(r.GetProperty("predict")), loaded.Predict(x).ToArray<float>(), 1e-5, $"predict {path}");
            var adam = Assert.IsType<Optimizers.Adam>(loaded.Optimizer);
            Assert.Equal(7, adam.Iterations);
            loaded.TrainOnBatch(x, y);
            var trained = loaded.TrainableVariables;
            for (int i = 0; i < trained.Count; i++) Close(after[i], trained[i].ToArray<float>(), 2e-5, $"{trained[i].Name} {path}");
        }
    }

    [SkippableFact]
    public void Save_keras_of_a_functional_model_with_a_nested_model_and_two_heads_matches_keras3s_layout()
    {
        RequireBackend();
        var r = ArchiveReference("functional");
        string fixture = KerasH5Fixtures.Path("functional_two_heads.keras");
        var model = Model.Load(fixture);
        string saved = SaveTo(model, "two_heads.keras");
        Assert.Equal(Datasets(Extract(fixture, "model.weights.h5", "fixture.h5")), Datasets(Extract(saved, "model.weights.h5", "saved.h5")));
        Assert.Equal(Skeleton(Json(fixture, "config.json")), Skeleton(Json(saved, "config.json")));

        var a = NF.Constant(Floats(r.GetProperty("a")), [4, 3]);
        var b = NF.Constant(Floats(r.GetProperty("b")), [4, 2]);
        var yOut = NF.Constant(Floats(r.GetProperty("y_out")), [4, 2]);
        var yAux = NF.Constant(Floats(r.GetProperty("y_aux")), [4, 1]);
        var after = r.GetProperty("after_step").EnumerateArray().Select(Doubles).ToArray();
        foreach (var path in new[] { saved, KerasView(saved, "keras_view.keras") })
        {
            var loaded = Model.Load(path);
            var outputs = loaded.PredictOutputs(new[] { a, b });
            Close(Doubles(r.GetProperty("out")), outputs[0].ToArray<float>(), 1e-5, $"out {path}");
            Close(Doubles(r.GetProperty("aux")), outputs[1].ToArray<float>(), 1e-5, $"aux {path}");
            Assert.Equal(3, Assert.IsType<Optimizers.SGD>(loaded.Optimizer).Iterations);
            loaded.TrainOnBatch(new[] { a, b }, new[] { yOut, yAux });
            string[] names = ["dense_b", "proj", "shared", "inner_dense", "out", "aux"];
            var weights = names.SelectMany(n => Find(loaded, n).TrainableVariables).ToList();
            for (int i = 0; i < weights.Count; i++) Close(after[i], weights[i].ToArray<float>(), 2e-5, $"{weights[i].Name} {path}");
        }
    }

    private static Layer Find(Model model, string name) =>
        model.SubLayers.FirstOrDefault(l => l.Name == name)
        ?? model.SubLayers.OfType<Model>().Select(m => Find(m, name)).First(l => l is not null);

    [SkippableFact]
    public void SaveWeights_to_weights_h5_and_h5_writes_keras_layouts_that_load_back()
    {
        RequireBackend();
        // Named as a fresh Keras session names them, which the legacy layout records.
        var mlp = new Sequential(Layers.Input([4]), new Layers.Dense(8, activation: "relu", name: "dense"),
            new Layers.BatchNormalization(name: "batch_normalization"), new Layers.Dense(3, activation: "softmax", name: "dense_1"));
        mlp.LoadWeights(KerasH5Fixtures.Path("mlp.weights.h5"));
        string keras3 = Temp.File("mlp.weights.h5"), legacy = Temp.File("mlp.h5");
        mlp.SaveWeights(keras3);
        mlp.SaveWeights(legacy);
        Assert.Equal(Datasets(KerasH5Fixtures.Path("mlp.weights.h5")), Datasets(keras3));
        Assert.Equal(Datasets(KerasH5Fixtures.Path("mlp_legacy.h5")), Datasets(legacy));
        using (var ours = Hdf5File.Open(legacy))
        using (var theirs = Hdf5File.Open(KerasH5Fixtures.Path("mlp_legacy.h5")))
        {
            Assert.Equal((string[])theirs.Root.Attributes["layer_names"], (string[])ours.Root.Attributes["layer_names"]);
            foreach (var layer in (string[])theirs.Root.Attributes["layer_names"])
                Assert.Equal(theirs.Root.Group(layer)!.Attributes["weight_names"] as string[] ?? [], ours.Root.Group(layer)!.Attributes["weight_names"] as string[] ?? []);
        }
        foreach (var file in new[] { keras3, legacy })
        {
            var twin = KerasH5Fixtures.Mlp();
            twin.LoadWeights(file);
            KerasH5Fixtures.AssertPredicts(twin, "mlp");
        }
        // Another name keeps NeuralFlow's safetensors.
        string other = Temp.File("mlp.safetensors");
        mlp.SaveWeights(other);
        Assert.False(Hdf5Source.IsHdf5(other));
    }

    [SkippableFact]
    public void Recurrent_bidirectional_and_time_distributed_weights_go_where_keras3_keeps_them()
    {
        RequireBackend();
        // An LSTM's weights live in its cell (layers/lstm/cell/vars/i), as in the fixture Keras' layout wrote.
        var lstm = KerasH5Fixtures.Lstm();
        lstm.LoadWeights(KerasH5Fixtures.Path("lstm_latest.weights.h5"));
        string lstmFile = Temp.File("lstm.weights.h5");
        lstm.SaveWeights(lstmFile);
        Assert.Equal(Datasets(KerasH5Fixtures.Path("lstm_latest.weights.h5")), Datasets(lstmFile));

        // A Bidirectional's two layers under forward_layer and backward_layer, a TimeDistributed's under layer.
        Sequential Build() => new(Layers.Input([5, 3]), new Layers.Bidirectional(new Layers.GRU(4, returnSequences: true)),
            new Layers.TimeDistributed(new Layers.Dense(2)));
        var model = Build();
        var x = NF.Constant(Enumerable.Range(0, 30).Select(i => MathF.Cos(i * 0.3f)).ToArray(), [2, 5, 3]);
        var want = model.Predict(x).ToArray<float>();
        string file = Temp.File("bi.weights.h5");
        model.SaveWeights(file);
        Assert.Equal(
        [
            "/layers/bidirectional/backward_layer/cell/vars/0 (3, 12) Float4", "/layers/bidirectional/backward_layer/cell/vars/1 (4, 12) Float4",
            "/layers/bidirectional/backward_layer/cell/vars/2 (2, 12) Float4", "/layers/bidirectional/forward_layer/cell/vars/0 (3, 12) Float4",
            "/layers/bidirectional/forward_layer/cell/vars/1 (4, 12) Float4", "/layers/bidirectional/forward_layer/cell/vars/2 (2, 12) Float4",
            "/layers/time_distributed/layer/vars/0 (8, 2) Float4", "/layers/time_distributed/layer/vars/1 (2) Float4",
        ], Datasets(file));
        var twin = Build();
        twin.LoadWeights(file);
        Assert.Equal(want, twin.Predict(x).ToArray<float>());
        // The same through a .keras archive read as Keras reads it (its weights matched by these paths).
        string archive = SaveTo(model, "bi.keras");
        Assert.Equal(want, Model.Load(KerasView(archive, "bi_view.keras")).Predict(x).ToArray<float>());

        // Attention's EinsumDense projections by their Keras attribute names.
        Sequential Attention() => new(Layers.Input([5, 3]), new Layers.MultiHeadAttention(2, 4), new Layers.Flatten());
        var mha = Attention();
        string mhaFile = Temp.File("mha.weights.h5");
        mha.SaveWeights(mhaFile);
        Assert.Equal(
        [
            "/layers/multi_head_attention/_key_dense/vars/0 (3, 2, 4) Float4", "/layers/multi_head_attention/_key_dense/vars/1 (2, 4) Float4",
            "/layers/multi_head_attention/_output_dense/vars/0 (2, 4, 3) Float4", "/layers/multi_head_attention/_output_dense/vars/1 (3) Float4",
            "/layers/multi_head_attention/_query_dense/vars/0 (3, 2, 4) Float4", "/layers/multi_head_attention/_query_dense/vars/1 (2, 4) Float4",
            "/layers/multi_head_attention/_value_dense/vars/0 (3, 2, 4) Float4", "/layers/multi_head_attention/_value_dense/vars/1 (2, 4) Float4",
        ], Datasets(mhaFile));
        var mhaTwin = Attention();
        mhaTwin.LoadWeights(mhaFile);
        Assert.Equal(mha.Predict(x).ToArray<float>(), mhaTwin.Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void Wrapped_layers_and_attention_shapes_are_written_as_keras3_deserializes_them()
    {
        RequireBackend();
        var s = Layers.Input([5, 4]);
        var a = new Layers.MultiHeadAttention(2, 4).Call(s, s);
        var r = new Layers.Bidirectional(new Layers.LSTM(3, returnSequences: true)).Call(a);
        var t = new Layers.TimeDistributed(new Layers.Dense(2, kernelRegularizer: new Regularizers.L2(0.01))).Call(r);
        var model = new Model(s, new Layers.GlobalAveragePooling1D().Call(t));
        var x = NF.Constant(Enumerable.Range(0, 40).Select(i => MathF.Sin(i * 0.4f)).ToArray(), [2, 5, 4]);
        string saved = SaveTo(model, "wrapped.keras");
        var layers = Json(saved, "config.json")["config"]!["layers"]!.AsArray().Select(l => l!.AsObject()).ToDictionary(l => l["class_name"]!.GetValue<string>());
        // Keras deserializes a wrapped layer, and an object in a config, by its module.
        Assert.Equal("keras.layers", layers["Bidirectional"]["config"]!["layer"]!["module"]!.GetValue<string>());
        Assert.Equal("LSTM", layers["Bidirectional"]["config"]!["layer"]!["class_name"]!.GetValue<string>());
        var inner = layers["TimeDistributed"]["config"]!["layer"]!;
        Assert.Equal("keras.layers", inner["module"]!.GetValue<string>());
        Assert.Equal("keras.regularizers", inner["config"]!["kernel_regularizer"]!["module"]!.GetValue<string>());
        // Keras 3's MultiHeadAttention takes its value and key shapes in build_config, not as arguments.
        var attention = layers["MultiHeadAttention"];
        Assert.Null(attention["config"]!["value_shape"]);
        Assert.Null(attention["config"]!["key_shape"]);
        Assert.Equal("[null,5,4]", attention["build_config"]!["value_shape"]!.ToJsonString());
        Assert.Equal("[null,5,4]", attention["build_config"]!["query_shape"]!.ToJsonString());
        // Read back as Keras' archive (without NeuralFlow's entries), the model predicts the same.
        Assert.Equal(model.Predict(x).ToArray<float>(), Model.Load(KerasView(saved, "wrapped_view.keras")).Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void Save_h5_writes_the_legacy_whole_model_file_that_load_reads()
    {
        RequireBackend();
        var r = ArchiveReference("legacy_nested");
        var x = NF.Constant(Floats(r.GetProperty("x")), [3, 3]);
        string fixture = KerasH5Fixtures.Path("nested_functional_model.h5");
        var model = Model.Load(fixture);
        string saved = SaveTo(model, "nested.h5");
        Assert.Equal(Datasets(fixture), Datasets(saved));
        using (var ours = Hdf5File.Open(saved))
        using (var theirs = Hdf5File.Open(fixture))
        {
            Assert.Equal((string[])theirs.Root.Group("model_weights")!.Attributes["layer_names"], (string[])ours.Root.Group("model_weights")!.Attributes["layer_names"]);
            // tf.keras numbers the nested models' calls from 1, as the fixture does.
            var config = JsonNode.Parse((string)ours.Root.Attributes["model_config"])!;
            var fixtureConfig = JsonNode.Parse((string)theirs.Root.Attributes["model_config"])!;
            Assert.Equal(Calls(fixtureConfig), Calls(config));
        }
        var loaded = Model.Load(saved);
        Close(Doubles(r.GetProperty("y")), loaded.Predict(x).ToArray<float>(), 1e-5, "predict");
        Assert.Null(loaded.Optimizer);
    }

    [SkippableFact]
    public void Save_h5_of_a_compiled_model_keeps_what_compile_was_given()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(6, activation: "relu"), new Layers.Dense(3));
        model.Compile(new Optimizers.Adam(0.004), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var x = NF.Constant(Enumerable.Range(0, 32).Select(i => MathF.Sin(i * 0.9f)).ToArray(), [8, 4]);
        var y = NF.Constant(Enumerable.Range(0, 8).Select(i => i % 3).ToArray(), [8]);
        model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0);
        string saved = SaveTo(model, "compiled.h5");
        using (var file = Hdf5File.Open(saved))
        {
            var training = JsonNode.Parse((string)file.Root.Attributes["training_config"])!;
            Assert.Equal("Adam", training["optimizer_config"]!["class_name"]!.GetValue<string>());
            Assert.Equal("SparseCategoricalCrossentropy", training["loss"]!["class_name"]!.GetValue<string>());
        }
        using var warnings = new WarningLogCapture();
        var loaded = Model.Load(saved);
        Assert.Equal("", warnings.Text);
        Assert.Equal(0.004, Assert.IsType<Optimizers.Adam>(loaded.Optimizer).LearningRate.Constant!.Value, 9);
        var loss = Assert.IsType<Losses.SparseCategoricalCrossentropy>(loaded.Loss);
        Assert.True(loss.FromLogits);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.Equal(model.Evaluate(x, y).Values.Select(v => v.Key), loaded.Evaluate(x, y).Values.Select(v => v.Key));
        loaded.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0);   // trains on, with fresh Adam slots
    }

    [SkippableFact]
    public void A_training_config_that_does_not_rebuild_loads_uncompiled_with_a_warning()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([2]), new Layers.Dense(1));
        var h5 = new Hdf5Writer();
        h5.Root.VariableLengthAttribute("model_config", model.ToJson());
        h5.Root.VariableLengthAttribute("training_config", "{\"loss\": \"mse\", \"optimizer_config\": {\"class_name\": \"Custom>Shampoo\", \"config\": {}}}");
        NeuralFlow.Keras.Saving.KerasH5Weights.WriteLegacy(model, h5.Root.Group("model_weights"));
        string path = Temp.File("shampoo.h5");
        using (var f = File.Create(path)) h5.WriteTo(f);
        using var warnings = new WarningLogCapture();
        var loaded = Model.Load(path);
        Assert.Null(loaded.Optimizer);
        Assert.Contains("loads uncompiled", warnings.Text);
        Assert.Contains("Shampoo", warnings.Text);
        var x = NF.Constant(new float[] { 1, 2 }, [1, 2]);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }

    // The outer model's calls: [layer, call, tensor] of each inbound reference and of its ends.
    private static string Calls(JsonNode config) =>
        string.Join(";", config["config"]!["layers"]!.AsArray().Select(l => $"{l!["name"]}:{(l["inbound_nodes"] as JsonArray)?.ToJsonString()}"))
        + config["config"]!["input_layers"]!.ToJsonString() + config["config"]!["output_layers"]!.ToJsonString();

    [SkippableFact]
    public void H5py_reads_each_written_file_as_keras_lays_it_out_and_predicts_as_neuralflow()
    {
        RequireBackend();
        H5pyPeer.Require();
        // An MLP trained a little, so that the batch normalization's moving statistics are not their defaults.
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(8, activation: "relu", name: "dense"),
            new Layers.BatchNormalization(name: "batch_normalization"), new Layers.Dense(3, activation: "softmax", name: "dense_1"));
        model.Compile(new Optimizers.Adam(0.01), "sparse_categorical_crossentropy");
        var x = NF.Constant(Enumerable.Range(0, 32).Select(i => MathF.Sin(i * 0.7f)).ToArray(), [8, 4]);
        var y = NF.Constant(Enumerable.Range(0, 8).Select(i => i % 3).ToArray(), [8]);
        model.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0);
        var want = model.Predict(x).ToArray<float>();
        string xJson = JsonSerializer.Serialize(Enumerable.Range(0, 8).Select(r => x.ToArray<float>().Skip(r * 4).Take(4).ToArray()).ToArray());

        string keras3 = Temp.File("w.weights.h5"), legacy = Temp.File("w.h5"), whole = Temp.File("m.h5"), archive = Temp.File("m.keras");
        model.SaveWeights(keras3);
        model.SaveWeights(legacy);
        model.Save(whole);
        model.Save(archive);
        foreach (var (mode, path) in new[] { ("keras3_weights", keras3), ("legacy_weights", legacy), ("legacy_model", whole), ("keras_archive", archive) })
        {
            var seen = H5pyPeer.Run("keras_layout_peer.py", mode, path, xJson);
            var got = seen.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Close(got, want, 1e-5, mode);
            if (mode == "legacy_weights")
                Assert.Equal(["dense", "batch_normalization", "dense_1"], seen.GetProperty("layer_names").EnumerateArray().Select(v => v.GetString()));
            if (mode == "legacy_model") Assert.Equal("Sequential", seen.GetProperty("class_name").GetString());
            if (mode == "keras_archive")
            {
                Assert.StartsWith("3.", seen.GetProperty("keras_version").GetString());
                Assert.Equal("keras", seen.GetProperty("module").GetString());
                Assert.Equal(["keras.layers"], seen.GetProperty("layer_modules").EnumerateArray().Select(v => v.GetString()));
                Assert.Equal("Adam", seen.GetProperty("optimizer").GetString());
                Assert.Equal("SparseCategoricalCrossentropy", seen.GetProperty("loss").GetString());
                // iteration, learning_rate, then m and v for each of the 6 trainable weights (BN's moving statistics are not trained).
                Assert.Equal(2 + 2 * 6, seen.GetProperty("optimizer_vars").GetInt32());
                Assert.Equal(6, seen.GetProperty("iterations").GetInt64());
            }
        }
    }

    [SkippableFact]
    public void An_archive_whose_hdf5_entry_lies_where_an_hdf5_user_block_ends_loads_as_an_archive()
    {
        RequireBackend();
        // model.weights.h5 is stored uncompressed; HDF5's signature probe also looks at 512, 1024,
        // 2048, ... (after a user block), so an archive whose entry starts there read as an HDF5 file.
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(2));
        string saved = SaveTo(model, "plain.keras");
        string shifted = Temp.File("shifted.keras");
        int pad = 100;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            File.Delete(shifted);
            using (var source = ZipFile.OpenRead(saved))
            using (var target = ZipFile.Open(shifted, ZipArchiveMode.Create))
            {
                using (var s = target.CreateEntry("padding", CompressionLevel.NoCompression).Open()) s.Write(new byte[pad]);
                foreach (var e in source.Entries)
                {
                    using var to = target.CreateEntry(e.FullName, CompressionLevel.NoCompression).Open();
                    using var from = e.Open();
                    from.CopyTo(to);
                }
            }
            int at = IndexOf(File.ReadAllBytes(shifted), [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a]);
            if (at == 2048) break;
            pad += 2048 - at;
        }
        Assert.Equal(2048, IndexOf(File.ReadAllBytes(shifted), [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a]));
        var x = NF.Constant(new float[] { 1, 2, 3 }, [1, 3]);
        Assert.Equal(model.Predict(x).ToArray<float>(), Model.Load(shifted).Predict(x).ToArray<float>());
        var twin = new Sequential(Layers.Input([3]), new Layers.Dense(2));
        twin.LoadWeights(shifted);
        Assert.Equal(model.Predict(x).ToArray<float>(), twin.Predict(x).ToArray<float>());
    }

    private static int IndexOf(byte[] data, byte[] pattern)
    {
        for (int i = 0; i + pattern.Length <= data.Length; i++)
            if (data.AsSpan(i, pattern.Length).SequenceEqual(pattern)) return i;
        return -1;
    }

    [SkippableFact]
    public void A_model_trained_in_csharp_round_trips_exactly_through_save_keras()
    {
        RequireBackend();
        // RMSprop's state with moving averages (EMA) has no Keras layout: NeuralFlow keeps its own copy.
        // Adam's is Keras' optimizer/vars (float32 rate, the exact one in NeuralFlow's config), with no second copy.
        foreach (var (optimizer, ownCopy) in new (Func<Optimizers.Optimizer>, bool)[] { (() => new Optimizers.RMSprop(0.01, momentum: 0.5, useEma: true), true), (() => new Optimizers.Adam(0.003), false) })
        {
            var a = Layers.Input([3], name: "a");
            var h = new Layers.Dense(5, activation: "relu", name: "hidden").Call(a);
            var o = new Layers.Dense(2, name: "head").Call(new Layers.Dropout(0.3, seed: 7).Call(h));
            var model = new Model(a, o);
            model.Compile(optimizer(), "mse", ["mae"]);
            var x = NF.Constant(Enumerable.Range(0, 24).Select(i => MathF.Sin(i)).ToArray(), [8, 3]);
            var y = NF.Constant(Enumerable.Range(0, 16).Select(i => MathF.Cos(i)).ToArray(), [8, 2]);
            model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0, shuffle: false);
            string saved = SaveTo(model, $"trained_{ownCopy}.keras");
            using (var zip = ZipFile.OpenRead(saved))
                Assert.Equal(ownCopy, zip.GetEntry("neuralflow/optimizer.safetensors") is not null);
            var loaded = Model.Load(saved);
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
            Assert.Equal(model.Optimizer!.LearningRate.Constant, loaded.Optimizer!.LearningRate.Constant);
            // The optimizer's slots and the dropout generator's position come back: the next steps agree bit for bit.
            var before = model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0, shuffle: false)["loss"];
            var after = loaded.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0, shuffle: false)["loss"];
            Assert.Equal(before, after);
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        }
    }
}

/// <summary>Keras file writing on the managed backend.</summary>
public sealed class ManagedKerasFileWriteTests() : KerasFileWriteTests("managed");

/// <summary>Keras file writing on the native CPU backend.</summary>
public sealed class NativeCpuKerasFileWriteTests() : KerasFileWriteTests("cpu");

/// <summary>Keras file writing on the CUDA backend.</summary>
public sealed class CudaKerasFileWriteTests() : KerasFileWriteTests("cuda");
