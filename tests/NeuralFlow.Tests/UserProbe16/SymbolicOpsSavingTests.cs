using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// A functional model with symbolic operations is saved and shown as Keras 3 saves and shows it:
/// each operation an entry of config.json with Keras' module, class and config
/// (keras/src/saving/serialization_lib.py serialize_keras_object of an Operation: a class of no
/// public name, so its source module and its class name as registered_name) and its call in
/// Keras 3's <c>{"args", "kwargs"}</c> form (keras/src/models/functional.py serialize_node), numbers
/// and constants included; GetConfig/FromConfig, ToJson/FromJson and Save/Load rebuild it with
/// identical predictions; Summary lists the operations with 0 params, and model.layers does not
/// (Keras 3's Functional.layers keeps Layer instances only).
/// </summary>
public abstract class SymbolicOpsSavingTests(string backend) : BackendTest(backend)
{
    private static (Model Model, Operation[] Ops) Built()
    {
        var input = Layers.Input([4], name: "sym_in");
        var h = new Layers.Dense(3, name: "sym_dense").Call(input);
        var doubled = h * 2;
        var scaled = 0.5 - doubled;
        var mean = NF.ReduceMean(scaled, -1, keepDims: true);
        var first = scaled[.., 0];
        var shifted = h + NF.Constant(new float[] { 1, -2, 0.5f });
        var joined = NF.Concat([NF.Sigmoid(shifted), mean, NF.ExpandDims(first, -1)], axis: -1);
        var output = new Layers.Dense(2, name: "sym_out").Call(joined);
        var model = new Model(input, output, name: "sym_model");
        var ops = new[] { doubled, scaled, mean, first, shifted, joined }.Select(t => (Operation)t.Layer).ToArray();
        return (model, ops);
    }

    private static string Tensor(string layer, string shape, int call = 0) =>
        $$$"""{"class_name":"__keras_tensor__","config":{"shape":{{{shape}}},"dtype":"float32","keras_history":["{{{layer}}}",{{{call}}},0]}}""";

    private static string Op(string module, string className, string name, string config, string args) =>
        $$$"""{"module":"{{{module}}}","class_name":"{{{className}}}","config":{"name":"{{{name}}}"{{{config}}}},"registered_name":"{{{className}}}","name":"{{{name}}}","inbound_nodes":[{"args":[{{{args}}}],"kwargs":{}}]}""";

    [SkippableFact]
    public void Config_holds_each_operation_as_keras_3_writes_it()
    {
        RequireBackend();
        var (model, ops) = Built();
        var layers = (JsonArray)model.GetConfig()["layers"]!;
        string Entry(Operation op) => layers.Single(l => l!["name"]!.GetValue<string>() == op.Name)!.ToJsonString();
        const string numpy = "keras.src.ops.numpy";
        // h * 2: Multiply()(h, 2); 0.5 - doubled: Subtract()(0.5, doubled) (__rsub__), the float with its point.
        Assert.Equal(Op(numpy, "Multiply", ops[0].Name, "", $"{Tensor("sym_dense", "[null,3]")},2"), Entry(ops[0]));
        Assert.Equal(Op(numpy, "Subtract", ops[1].Name, "", $"0.5,{Tensor(ops[0].Name, "[null,3]")}"), Entry(ops[1]));
        // ops.mean(x, axis=-1, keepdims=True): Mean's auto-config keeps the axis as given.
        Assert.Equal(Op(numpy, "Mean", ops[2].Name, ""","axis":-1,"keepdims":true""", Tensor(ops[1].Name, "[null,3]")), Entry(ops[2]));
        // x[:, 0]: GetItem()(x, (slice(None, None, None), 0)).
        Assert.Equal(Op(numpy, "GetItem", ops[3].Name, "",
            Tensor(ops[1].Name, "[null,3]") + """,[{"class_name":"__slice__","config":{"start":null,"stop":null,"step":null}},0]"""), Entry(ops[3]));
        // A tensor argument is written with its values (serialize_keras_object's __tensor__).
        Assert.Equal(Op(numpy, "Add", ops[4].Name, "",
            Tensor("sym_dense", "[null,3]") + """,{"class_name":"__tensor__","config":{"value":[1,-2,0.5],"dtype":"float32"}}"""), Entry(ops[4]));
        // ops.concatenate(xs, axis=-1): one argument, the list.
        Assert.Contains($$"""{"name":"{{ops[5].Name}}","axis":-1}""", Entry(ops[5]));
        Assert.Contains("""{"args":[[{"class_name":"__keras_tensor__""", Entry(ops[5]));
        Assert.Contains("\"module\":\"keras.src.ops.nn\",\"class_name\":\"Sigmoid\"", layers.ToJsonString());
        // The model's layers are its Layer instances (Keras 3's model.layers), the operations apart.
        Assert.Equal(new[] { "sym_in", "sym_dense", "sym_out" }, model.SubLayers.Select(l => l.Name).ToArray());
        var missing = Assert.Throws<ArgumentException>(() => model.GetLayer(ops[0].Name));
        Assert.Contains("No such layer", missing.Message);
    }

    [SkippableFact]
    public void Summary_lists_the_operations_with_their_shapes()
    {
        RequireBackend();
        var (model, ops) = Built();
        var text = model.SummaryText();
        Assert.Equal([$"{ops[0].Name} (Multiply)", "(None, 3)", "0", "sym_dense[0][0]"], SummaryCells.Row(text, $"{ops[0].Name} (Multiply)"));
        Assert.Equal("(None)", SummaryCells.Row(text, $"{ops[3].Name} (GetItem)")[1]);
        Assert.Contains(" Total params: 27 ", text);
    }

    [SkippableFact]
    public void Config_json_and_archive_rebuild_the_same_predictions()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var (model, _) = Built();
        var x = NF.Random.Normal([5, 4]);
        var expected = model.Predict(x).ToArray<float>();

        UserProbe17.SymbolicOps2Rebuilds.AssertConfigAndJsonRebuild(model, x, expected);

        var path = Path.Combine(Path.GetTempPath(), $"nf-symops-{Guid.NewGuid():N}.keras");
        var kerasOnly = Path.ChangeExtension(path, ".keras3.keras");
        try
        {
            model.Compile(new Optimizers.Adam(0.01f), new Losses.MeanSquaredError());
            model.Save(path);
            Assert.Equal(expected, Model.Load(path).Predict(x).ToArray<float>());
            // The archive without NeuralFlow's own entries is read as Keras 3's: its config.json alone rebuilds the graph.
            File.Copy(path, kerasOnly);
            using (var zip = ZipFile.Open(kerasOnly, ZipArchiveMode.Update))
                foreach (var own in zip.Entries.Where(e => e.FullName.StartsWith("neuralflow/", StringComparison.Ordinal)).ToList()) own.Delete();
            var keras = Model.Load(kerasOnly);
            Assert.Equal(expected, keras.Predict(x).ToArray<float>());
            using var archive = ZipFile.OpenRead(path);
            using var reader = new StreamReader(archive.GetEntry("config.json")!.Open());
            var config = JsonNode.Parse(reader.ReadToEnd())!;
            var layers = (JsonArray)config["config"]!["layers"]!;
            Assert.Equal(new[] { "sym_in", "sym_dense" }, layers.Take(2).Select(l => l!["name"]!.GetValue<string>()).ToArray());
            Assert.Contains(layers, l => l!["class_name"]!.GetValue<string>() == "GetItem" && l["module"]!.GetValue<string>() == "keras.src.ops.numpy");
        }
        finally
        {
            File.Delete(path);
            File.Delete(kerasOnly);
        }
    }

    [SkippableFact]
    public void Legacy_h5_and_nfmodel_files_rebuild_the_same_predictions()
    {
        RequireBackend();
        var (model, _) = Built();
        var x = NF.Constant(new float[,] { { 1, 2, 3, 4 }, { -1, 0.5f, 2, 0 } });
        var expected = model.Predict(x).ToArray<float>();
        foreach (var extension in new[] { ".h5", ".nfmodel" })
        {
            var path = Path.Combine(Path.GetTempPath(), $"nf-symops-{Guid.NewGuid():N}{extension}");
            try
            {
                model.Save(path);
                Assert.Equal(expected, Model.Load(path).Predict(x).ToArray<float>());
            }
            finally { File.Delete(path); }
        }
    }

    [SkippableFact]
    public void Clone_model_replays_the_operations_on_fresh_layers()
    {
        RequireBackend();
        var (model, ops) = Built();
        var clone = Models.CloneModel(model);
        clone.SetWeights(model.GetWeights());
        var x = NF.Constant(new float[,] { { 1, 2, 3, 4 }, { -1, 0.5f, 2, 0 } });
        Assert.Equal(model.Call(x).ToArray<float>(), clone.Call(x).ToArray<float>());
        Assert.DoesNotContain(clone.Graph!.Nodes, n => ops.Contains(n.Layer));
    }

    // The operations export as ONNX ops (UserProbe17's SymbolicOps2OnnxTests has them all, and the refusals).
    [SkippableFact]
    public void Onnx_export_runs_the_operations_as_predict()
    {
        RequireBackend();
        var (model, _) = Built();
        var path = Path.Combine(Path.GetTempPath(), $"nf-symops-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path);
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
            Functional.FunctionalOnnxTests.AssertSessionMatches(model, session, [NF.Constant(new float[,] { { 1, 2, 3, 4 }, { -1, 0.5f, 2, 0 } })]);
        }
        finally { File.Delete(path); }
    }

    [SkippableFact]
    public void A_file_with_an_operation_neuralflow_lacks_is_refused_by_name()
    {
        RequireBackend();
        var (model, ops) = Built();
        var config = model.GetConfig();
        var entry = ((JsonArray)config["layers"]!).Single(l => l!["name"]!.GetValue<string>() == ops[0].Name)!;
        entry["class_name"] = "Logaddexp";
        var e = Assert.Throws<ArgumentException>(() => Model.FromConfig(config));
        Assert.Contains("Logaddexp", e.Message);
        Assert.Contains("Multiply", e.Message);

        // A setting NeuralFlow does not take (Keras' Max(initial=...)) is refused, not ignored.
        var input = Layers.Input([3], name: "max_in");
        var max = NF.ReduceMax(input, -1);
        var withMax = new Model(input, max).GetConfig();
        ((JsonArray)withMax["layers"]!).Single(l => l!["name"]!.GetValue<string>() == max.Layer.Name)!["config"]!["initial"] = 0.5;
        e = Assert.Throws<ArgumentException>(() => Model.FromConfig(withMax));
        Assert.Contains("initial", e.Message);
        // The op called again on other symbolic tensors takes as many as its first call.
        Assert.Throws<ArgumentException>(() => max.Layer.Call([input, input]));
    }
}

public sealed class ManagedSymbolicOpsSavingTests() : SymbolicOpsSavingTests("managed");

public sealed class NativeCpuSymbolicOpsSavingTests() : SymbolicOpsSavingTests("cpu");

/// <summary>
/// The JSON Keras 3's <c>model.to_json()</c> writes for a graph with operations (written here by hand
/// from keras/src/models/functional.py get_config and serialization_lib.serialize_keras_object, for
/// <c>x = Dense(3)(inputs); y = ops.mean(x[:, 1:], axis=-1, keepdims=True) * 2.0 + x[:, -1:]</c>) loads,
/// and the model computes what those ops compute on the loaded Dense.
/// </summary>
public sealed class SymbolicOpsKerasJsonTests
{
    private static string KerasTensor(string layer, string shape) =>
        $$$"""{"class_name": "__keras_tensor__", "config": {"shape": {{{shape}}}, "dtype": "float32", "keras_history": ["{{{layer}}}", 0, 0]}}""";

    private static string Slice(string start) =>
        $$$"""{"class_name": "__slice__", "config": {"start": {{{start}}}, "stop": null, "step": null}}""";

    private static string Op(string module, string className, string name, string config, string args) =>
        $$$"""{"module": "{{{module}}}", "class_name": "{{{className}}}", "config": {"name": "{{{name}}}"{{{config}}}}, "registered_name": "{{{className}}}", "name": "{{{name}}}", "inbound_nodes": [{"args": [{{{args}}}], "kwargs": {}}]}""";

    [Fact]
    public void Keras_3_json_with_operations_loads_and_computes_them()
    {
        const string numpy = "keras.src.ops.numpy";
        var json = $$$"""
            {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "functional", "trainable": true, "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null, "name": "input_layer", "inbound_nodes": []},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "units": 3, "activation": "linear", "use_bias": true},
               "registered_name": null, "build_config": {"input_shape": [null, 4]}, "name": "dense", "inbound_nodes": [{"args": [{{{KerasTensor("input_layer", "[null, 4]")}}}], "kwargs": {}}]},
              {{{Op(numpy, "GetItem", "get_item", "", $"{KerasTensor("dense", "[null, 3]")}, [{Slice("null")}, {Slice("1")}]")}}},
              {{{Op(numpy, "Mean", "mean", ", \"axis\": -1, \"keepdims\": true", KerasTensor("get_item", "[null, 2]"))}}},
              {{{Op(numpy, "Multiply", "multiply", "", $"{KerasTensor("mean", "[null, 1]")}, 2.0")}}},
              {{{Op(numpy, "GetItem", "get_item_1", "", $"{KerasTensor("dense", "[null, 3]")}, [{Slice("null")}, {Slice("-1")}]")}}},
              {{{Op(numpy, "Add", "add", "", $"{KerasTensor("multiply", "[null, 1]")}, {KerasTensor("get_item_1", "[null, 1]")}")}}}
            ], "input_layers": ["input_layer", 0, 0], "output_layers": ["add", 0, 0]}}
            """;
        var model = Model.FromJson(json);
        Assert.Equal(new int?[] { null, 1 }, model.Outputs[0].Shape);
        var x = NF.Constant(new float[,] { { 1, 2, 3, 4 }, { -1, 0.5f, 2, 0 } });
        var dense = ((Layers.Dense)model.GetLayer("dense")).Call(x);
        var expected = NF.ReduceMean(dense[.., 1..], -1, keepDims: true) * 2.0 + dense[.., ^1..];
        Assert.Equal(expected.ToArray<float>(), model.Predict(x).ToArray<float>());
        Assert.Equal(new[] { "input_layer", "dense" }, model.SubLayers.Select(l => l.Name).ToArray());
    }
}

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaSymbolicOpsSavingTests() : SymbolicOpsSavingTests("cuda");
