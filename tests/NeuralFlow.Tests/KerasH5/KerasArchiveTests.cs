using System.IO.Compression;
using System.Text.Json;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.KerasH5.KerasH5Fixtures;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// Model.Load of a Keras 3 <c>.keras</c> archive (model.save("x.keras")), as make_archive_fixtures.py
/// writes it from Keras 3's source: the architecture from config.json (Keras 3's layer calls,
/// a nested functional model counting its calls from 1, one input's reference alone), the weights
/// from model.weights.h5, compiled as saved with the optimizer's state, so that the next training
/// step is Keras' (Adam's moments and step count from the file; the step checked against torch
/// gradients and Keras' update rule). Damaged or foreign archives are refused naming the file.
/// </summary>
public abstract class KerasArchiveTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void A_keras3_sequential_archive_predicts_and_resumes_training_from_its_adam_state()
    {
        RequireBackend();
        var r = ArchiveReference("sequential");
        var model = Model.Load(KerasH5Fixtures.Path("sequential_adam.keras"));
        Assert.Equal(["dense", "batch_normalization", "dense_1"], model.SubLayers.Where(l => l is not Layers.InputLayer).Select(l => l.Name));
        var x = NF.Constant(Floats(r.GetProperty("x")), [5, 4]);
        Close(Doubles(r.GetProperty("predict")), model.Predict(x).ToArray<float>(), 1e-5, "predict");

        var adam = Assert.IsType<Optimizers.Adam>(model.Optimizer);
        Assert.Equal(0.01, adam.LearningRate.Constant!.Value, 6);
        Assert.Equal(7, adam.Iterations);
        Assert.IsType<Losses.SparseCategoricalCrossentropy>(model.Loss);
        var y = NF.Constant(r.GetProperty("y").EnumerateArray().Select(v => v.GetInt32()).ToArray(), [5]);
        model.TrainOnBatch(x, y);
        Assert.Equal(8, adam.Iterations);
        var after = r.GetProperty("after_step").EnumerateArray().Select(Doubles).ToArray();
        var trained = model.TrainableVariables;
        Assert.Equal(after.Length, trained.Count);
        // A fresh Adam (moments zero, step 1) moves every weight by about the learning rate; the
        // saved moments move them by other amounts, so a state not restored cannot pass.
        for (int i = 0; i < trained.Count; i++) Close(after[i], trained[i].ToArray<float>(), 2e-5, trained[i].Name ?? $"weight {i}");
    }

    [SkippableFact]
    public void Optimizer_states_without_slots_load_plain_sgd_and_an_untrained_adam()
    {
        RequireBackend();
        var r = ArchiveReference("sequential");
        var x = NF.Constant(Floats(r.GetProperty("x")), [5, 4]);
        var y = NF.Constant(r.GetProperty("y").EnumerateArray().Select(v => v.GetInt32()).ToArray(), [5]);
        using var warnings = new WarningLogCapture();
        // SGD without momentum keeps no slots: Keras saves only its iteration and learning_rate.
        var sgdModel = Model.Load(KerasH5Fixtures.Path("sequential_sgd.keras"));
        var sgd = Assert.IsType<Optimizers.SGD>(sgdModel.Optimizer);
        Assert.Equal(4, sgd.Iterations);
        sgdModel.TrainOnBatch(x, y);
        var after = r.GetProperty("after_sgd_step").EnumerateArray().Select(Doubles).ToArray();
        var trained = sgdModel.TrainableVariables;
        for (int i = 0; i < trained.Count; i++) Close(after[i], trained[i].ToArray<float>(), 2e-5, trained[i].Name ?? $"weight {i}");
        // A model compiled and saved before training: an unbuilt optimizer, no slots yet.
        var untrained = Model.Load(KerasH5Fixtures.Path("sequential_adam_untrained.keras"));
        Assert.Equal(0, Assert.IsType<Optimizers.Adam>(untrained.Optimizer).Iterations);
        Assert.Equal("", warnings.Text);
    }

    [SkippableFact]
    public void A_keras3_functional_archive_with_a_nested_model_a_shared_layer_and_two_outputs_loads_compiled()
    {
        RequireBackend();
        var r = ArchiveReference("functional");
        using var warnings = new WarningLogCapture();
        var model = Model.Load(KerasH5Fixtures.Path("functional_two_heads.keras"));
        Assert.Equal("", warnings.Text);   // the SGD momentum state matched: no "skipping" warning
        Assert.Contains(model.SubLayers, l => l is Model { Name: "inner" });
        // Keras' model.layers order (by depth, then first reach from the outputs), which names the
        // weight groups: the order of config.json, not NeuralFlow's order of first call.
        Assert.Equal(["b", "a", "dense_b", "proj", "concatenate", "shared", "inner", "add", "out", "aux"], model.Graph!.KerasOrder.Select(l => l.Name));
        var a = NF.Constant(Floats(r.GetProperty("a")), [4, 3]);
        var b = NF.Constant(Floats(r.GetProperty("b")), [4, 2]);
        var outputs = model.PredictOutputs(new[] { a, b });
        Close(Doubles(r.GetProperty("out")), outputs[0].ToArray<float>(), 1e-5, "out");
        Close(Doubles(r.GetProperty("aux")), outputs[1].ToArray<float>(), 1e-5, "aux");

        var sgd = Assert.IsType<Optimizers.SGD>(model.Optimizer);
        Assert.Equal(0.9, sgd.Momentum);
        Assert.Equal(3, sgd.Iterations);
        // mse on "out" + 0.5 * mae on "aux" (the loss and loss_weights dictionaries), and mae on "out".
        var yOut = NF.Constant(Floats(r.GetProperty("y_out")), [4, 2]);
        var yAux = NF.Constant(Floats(r.GetProperty("y_aux")), [4, 1]);
        var result = model.Evaluate(new[] { a, b }, new[] { yOut, yAux });
        Assert.Equal(r.GetProperty("loss").GetDouble(), result.Loss, 5);
        Assert.Equal(r.GetProperty("out_mae").GetDouble(), result.Values.Single(kv => kv.Key.EndsWith("mae", StringComparison.Ordinal)).Value, 5);

        // The next step starts from the saved momenta, each paired with its weight in Keras' order.
        model.TrainOnBatch(new[] { a, b }, new[] { yOut, yAux });
        var after = r.GetProperty("after_step").EnumerateArray().Select(Doubles).ToArray();
        string[] names = ["dense_b", "proj", "shared", "inner_dense", "out", "aux"];
        var weights = names.SelectMany(n => FindLayer(model, n).TrainableVariables).ToList();
        Assert.Equal(after.Length, weights.Count);
        for (int i = 0; i < weights.Count; i++) Close(after[i], weights[i].ToArray<float>(), 2e-5, weights[i].Name ?? $"weight {i}");
    }

    [SkippableFact]
    public void LoadWeights_takes_the_weights_of_a_keras3_archive_or_a_saved_model_file()
    {
        RequireBackend();
        var r = ArchiveReference("sequential");
        var x = NF.Constant(Floats(r.GetProperty("x")), [5, 4]);
        Sequential Built() => new(Layers.Input([4]), new Layers.Dense(8, activation: "tanh"), new Layers.BatchNormalization(), new Layers.Dense(3));
        var model = Built();
        model.LoadWeights(KerasH5Fixtures.Path("sequential_adam.keras"));   // Keras 3: model.load_weights("x.keras")
        Close(Doubles(r.GetProperty("predict")), model.Predict(x).ToArray<float>(), 1e-5, "predict");
        string saved = Temp.File("saved.nfmodel");
        model.Save(saved);
        var again = Built();
        again.LoadWeights(saved);
        Close(Doubles(r.GetProperty("predict")), again.Predict(x).ToArray<float>(), 1e-5, "predict after Save/LoadWeights");
    }

    [SkippableFact]
    public void A_call_with_training_false_in_the_graph_loads_and_keeps_the_phase()
    {
        RequireBackend();
        // The transfer-learning guide's `base_model(x, training=False)`: Keras keeps the keyword in the call.
        string edited = Edited("functional_two_heads.keras", "config.json", t =>
        {
            const string call = "\"keras_history\": [\"concatenate\", 0, 0]}}], \"kwargs\": {}";
            Assert.Contains(call, t);
            return t.Replace(call, "\"keras_history\": [\"concatenate\", 0, 0]}}], \"kwargs\": {\"training\": false}", StringComparison.Ordinal);
        }, "training_false");
        using var warnings = new WarningLogCapture();
        var model = Model.Load(edited);
        Assert.DoesNotContain("training", warnings.Text);
        // The call keeps its phase (Layer.Call(KerasTensor, training: false)), so Fit runs 'inner' in inference mode.
        Assert.Contains(model.SubLayers.Single(l => l.Name == "inner").InboundNodes, n => n.Args.Training == false);
        var r = ArchiveReference("functional");
        var outputs = model.PredictOutputs(new[] { NF.Constant(Floats(r.GetProperty("a")), [4, 3]), NF.Constant(Floats(r.GetProperty("b")), [4, 2]) });
        Close(Doubles(r.GetProperty("out")), outputs[0].ToArray<float>(), 1e-5, "out");
    }

    [SkippableFact]
    public void FromJson_reads_the_json_of_keras3_to_json()
    {
        RequireBackend();
        // model.to_json() in Keras 3 is the config.json of model.save without compile_config.
        string json;
        using (var zip = ZipFile.OpenRead(KerasH5Fixtures.Path("functional_two_heads.keras")))
        using (var reader = new StreamReader(zip.GetEntry("config.json")!.Open()))
            json = reader.ReadToEnd();
        var model = Model.FromJson(json);
        Assert.Equal(["b", "a", "dense_b", "proj", "concatenate", "shared", "inner", "add", "out", "aux"], model.Graph!.KerasOrder.Select(l => l.Name));
        Assert.Equal([[4, 2], [4, 1]], model.PredictOutputs(new[] { NF.Zeros([4, 3]), NF.Zeros([4, 2]) }).Select(t => t.Shape.ToArray()));
        Assert.Null(model.Optimizer);
    }

    private static Layer FindLayer(Model model, string name) =>
        model.SubLayers.FirstOrDefault(l => l.Name == name)
        ?? model.SubLayers.OfType<Model>().Select(m => FindLayer(m, name)).First(l => l is not null);

    // A copy of a fixture archive with one entry changed (or left out, for null).
    private string Edited(string fixture, string entry, Func<string, string?> edit, string name)
    {
        string path = Temp.File($"{name}.keras");
        using var source = ZipFile.OpenRead(KerasH5Fixtures.Path(fixture));
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
            foreach (var e in source.Entries)
            {
                using var reader = new StreamReader(e.Open());
                string? text = e.FullName == entry ? edit(reader.ReadToEnd()) : null;
                if (e.FullName == entry && text is null) continue;
                var copy = target.CreateEntry(e.FullName);
                using var s = copy.Open();
                if (text is not null) s.Write(System.Text.Encoding.UTF8.GetBytes(text));
                else e.Open().CopyTo(s);
            }
        return path;
    }

    [SkippableFact]
    public void A_damaged_or_foreign_keras3_archive_is_refused_naming_the_file()
    {
        RequireBackend();
        var missing = Assert.Throws<InvalidDataException>(() => Model.Load(Edited("sequential_adam.keras", "model.weights.h5", _ => null, "no_weights")));
        Assert.Contains("model.weights.h5", missing.Message);
        Assert.Contains("no_weights.keras", missing.Message);

        var subclassed = Assert.Throws<InvalidDataException>(() => Model.Load(Edited("sequential_adam.keras", "config.json",
            t => t.Replace("\"class_name\": \"Sequential\"", "\"class_name\": \"MyModel\"", StringComparison.Ordinal), "subclassed")));
        Assert.Contains("MyModel", subclassed.Message);
        Assert.Contains("LoadWeights", subclassed.Message);

        // A weight shape that differs from the architecture names the layer.
        var shape = Assert.Throws<InvalidDataException>(() => Model.Load(Edited("sequential_adam.keras", "config.json",
            t => t.Replace("\"units\": 8", "\"units\": 9", StringComparison.Ordinal), "wider")));
        Assert.Contains("wider.keras", shape.Message);
        Assert.Contains("dense", shape.Message);

        var bytes = File.ReadAllBytes(KerasH5Fixtures.Path("functional_two_heads.keras"));
        string cut = Temp.File("cut.keras");
        for (int length = 16; length < bytes.Length; length += bytes.Length / 11)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var e = Record.Exception(() => Model.Load(cut));
            Assert.True(e is InvalidDataException, $"cut to {length}: {e}");
            Assert.Contains("cut.keras", e!.Message);
        }
    }
}

/// <summary>Keras 3 archives on the managed backend.</summary>
public sealed class ManagedKerasArchiveTests() : KerasArchiveTests("managed");

/// <summary>Keras 3 archives on the native CPU backend.</summary>
public sealed class NativeCpuKerasArchiveTests() : KerasArchiveTests("cpu");

/// <summary>Keras 3 archives on the CUDA backend.</summary>
public sealed class CudaKerasArchiveTests() : KerasArchiveTests("cuda");
