using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// The keras.ops added to the functional graph are saved as Keras 3 writes them (each class's
/// module, its constructor arguments in its auto-config with their defaults, its call's arguments
/// in <c>inbound_nodes</c>) and come back through GetConfig/FromConfig, ToJson/FromJson, .keras,
/// .h5, .nfmodel and CloneModel with identical predictions; a Keras 3 JSON using them (written by
/// hand from keras/src/ops/numpy.py, nn.py and math.py, with Keras' own defaults: gelu approximate,
/// argmax over the flattened tensor, round to decimals) loads and computes what those ops compute.
/// </summary>
public abstract class SymbolicOps2SavingTests(string backend) : BackendTest(backend)
{
    private static (Model Model, Dictionary<string, KerasTensor> Ops) Built()
    {
        var input = Layers.Input([4], name: "ops2_in");
        var h = new Layers.Dense(4, name: "ops2_dense").Call(input);
        var ops = new Dictionary<string, KerasTensor>
        {
            ["clip"] = NF.Clip(h, -1, 1),
            ["greater"] = h > 0,
            ["min"] = NF.ReduceMin(h, -1, keepDims: true),
            ["argmax"] = NF.ArgMax(h, -1, keepDims: true),
            ["gelu"] = NF.Gelu(h),
            ["erf"] = NF.Erf(h),
            ["expand"] = NF.ExpandDims(h, [1, 2]),
            ["round"] = NF.Round(h),
            ["softmax"] = NF.Softmax(NF.Reshape(h, [-1, 2, 2]), [1, 2]),
            ["normalize"] = NF.L2Normalize(h, -1, epsilon: 1e-6),
        };
        ops["where"] = NF.Where(ops["greater"], NF.Sin(h), NF.Cos(h));
        var features = new[]
        {
            ops["clip"], ops["where"], ops["min"] + NF.Cast(ops["argmax"], DType.Float32), ops["gelu"], ops["erf"], ops["round"],
            NF.Maximum(h, 0.1) - NF.Minimum(h, NF.Constant(new float[] { 0, 0.5f, -0.5f, 1 })),
            NF.Pow(NF.Abs(h) + 1, 2) + NF.Pow(2, NF.Tanh(h)),
            NF.Cast(h <= 0.2, DType.Float32) + NF.Cast(h >= -0.2, DType.Float32) + NF.Cast(h < 1, DType.Float32),
            NF.Cast(NF.Equal(NF.Sign(h), 1), DType.Float32) - NF.Cast(NF.NotEqual(NF.Floor(h), 0), DType.Float32),
            NF.Rsqrt(NF.Square(h) + 1) + NF.Softplus(h) + NF.Silu(h) + NF.LogSoftmax(h),
            NF.Log1p(NF.Abs(h)) + NF.Expm1(NF.Clip(h, -1, 1)) + NF.Reciprocal(NF.Abs(h) + 1),
            NF.Squeeze(ops["expand"], [1, 2]), NF.Reshape(ops["softmax"], [-1, 4]), ops["normalize"],
        };
        var output = new Layers.Dense(2, name: "ops2_out").Call(NF.Concat(features, axis: -1));
        return (new Model(input, output, name: "ops2_model"), ops);
    }

    private static string Tensor(string layer, string shape, string dtype = "float32") =>
        $$$"""{"class_name":"__keras_tensor__","config":{"shape":{{{shape}}},"dtype":"{{{dtype}}}","keras_history":["{{{layer}}}",0,0]}}""";

    private static string Op(string module, string className, string name, string config, string args) =>
        $$$"""{"module":"keras.src.ops.{{{module}}}","class_name":"{{{className}}}","config":{"name":"{{{name}}}"{{{config}}}},"registered_name":"{{{className}}}","name":"{{{name}}}","inbound_nodes":[{"args":[{{{args}}}],"kwargs":{}}]}""";

    [SkippableFact]
    public void Config_holds_each_operation_as_keras_3_writes_it()
    {
        RequireBackend();
        var (model, ops) = Built();
        var layers = (JsonArray)model.GetConfig()["layers"]!;
        string Entry(string key) => layers.Single(l => l!["name"]!.GetValue<string>() == ops[key].Layer.Name)!.ToJsonString();
        string Name(string key) => ops[key].Layer.Name;
        var dense = Tensor("ops2_dense", "[null,4]");
        // ops.clip(h, -1, 1): Clip(x_min, x_max) in its config, the call on h alone (floats written with their point).
        Assert.Equal(Op("numpy", "Clip", Name("clip"), ""","x_min":-1.0,"x_max":1.0""", dense), Entry("clip"));
        // h > 0: Greater()(h, 0).
        Assert.Equal(Op("numpy", "Greater", Name("greater"), "", dense + ",0"), Entry("greater"));
        Assert.Equal(Op("numpy", "Where", Name("where"), "",
            $"{Tensor(Name("greater"), "[null,4]", "bool")},{Tensor(ops["where"].Node.Inputs[1].Layer.Name, "[null,4]")},{Tensor(ops["where"].Node.Inputs[2].Layer.Name, "[null,4]")}"), Entry("where"));
        Assert.Equal(Op("numpy", "Min", Name("min"), ""","axis":-1,"keepdims":true,"initial":null""", dense), Entry("min"));
        Assert.Equal(Op("numpy", "Argmax", Name("argmax"), ""","axis":-1,"keepdims":true""", dense), Entry("argmax"));
        Assert.Equal(Op("nn", "Gelu", Name("gelu"), ""","approximate":false""", dense), Entry("gelu"));
        Assert.Equal(Op("math", "Erf", Name("erf"), "", dense), Entry("erf"));
        Assert.Equal(Op("numpy", "ExpandDims", Name("expand"), ""","axis":[1,2]""", dense), Entry("expand"));
        Assert.Equal(Op("numpy", "Round", Name("round"), ""","decimals":0""", dense), Entry("round"));
        Assert.Contains(""","class_name":"Softmax","config":{"name":""" + $"\"{Name("softmax")}\",\"axis\":[1,2]}}", Entry("softmax"));
        // NF's epsilon bounds the squared sum, Keras' the norm: 1e-6 is written as its square root.
        Assert.Equal(Op("nn", "Normalize", Name("normalize"), ""","axis":-1,"order":2,"epsilon":0.001""", dense), Entry("normalize"));
        Assert.Equal(DType.Int32, ops["argmax"].DType);
        Assert.Equal(DType.Bool, ops["greater"].DType);
    }

    [SkippableFact]
    public void Every_format_rebuilds_the_same_predictions()
    {
        RequireBackend();
        NF.Random.SetSeed(17);
        var (model, _) = Built();
        var x = NF.Random.Normal([5, 4]);
        var expected = model.Predict(x).ToArray<float>();

        SymbolicOps2Rebuilds.AssertConfigAndJsonRebuild(model, x, expected);

        var clone = Models.CloneModel(model);
        clone.SetWeights(model.GetWeights());
        Assert.Equal(expected, clone.Predict(x).ToArray<float>());

        foreach (var extension in new[] { ".keras", ".h5", ".nfmodel" })
        {
            var path = Path.Combine(Path.GetTempPath(), $"nf-symops2-{Guid.NewGuid():N}{extension}");
            try
            {
                model.Save(path);
                Assert.Equal(expected, Model.Load(path).Predict(x).ToArray<float>());
            }
            finally { File.Delete(path); }
        }
    }

    [SkippableFact]
    public void Keras_3_json_with_the_ops_and_their_defaults_loads()
    {
        RequireBackend();
        static string T(string layer, string shape = "[null, 4]", string dtype = "float32") =>
            $$$"""{"class_name": "__keras_tensor__", "config": {"shape": {{{shape}}}, "dtype": "{{{dtype}}}", "keras_history": ["{{{layer}}}", 0, 0]}}""";
        static string O(string module, string className, string name, string config, string args) =>
            $$$"""{"module": "keras.src.ops.{{{module}}}", "class_name": "{{{className}}}", "config": {"name": "{{{name}}}"{{{config}}}}, "registered_name": "{{{className}}}", "name": "{{{name}}}", "inbound_nodes": [{"args": [{{{args}}}], "kwargs": {}}]}""";
        // y = where(x >= 0.5, gelu(x), round(x, 1)) + clip(x, 0, 1) + argmax(x) (flattened: Keras' default axis None)
        //     + maximum(power(x, 2), erf(x)) + normalize(x, order=1), with Keras' defaults written out as its auto-config writes them.
        var json = $$$"""
            {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "functional", "trainable": true, "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null, "name": "input_layer", "inbound_nodes": []},
              {{{O("numpy", "GreaterEqual", "greater_equal", "", $"{T("input_layer")}, 0.5")}}},
              {{{O("nn", "Gelu", "gelu", ", \"approximate\": true", T("input_layer"))}}},
              {{{O("numpy", "Round", "round", ", \"decimals\": 1", T("input_layer"))}}},
              {{{O("numpy", "Where", "where", "", $"{T("greater_equal", dtype: "bool")}, {T("gelu")}, {T("round")}")}}},
              {{{O("numpy", "Clip", "clip", ", \"x_min\": 0, \"x_max\": 1", T("input_layer"))}}},
              {{{O("numpy", "Argmax", "argmax", ", \"axis\": null, \"keepdims\": false", T("input_layer"))}}},
              {{{O("numpy", "Power", "power", "", $"{T("input_layer")}, 2")}}},
              {{{O("math", "Erf", "erf", "", T("input_layer"))}}},
              {{{O("numpy", "Maximum", "maximum", "", $"{T("power")}, {T("erf")}")}}},
              {{{O("numpy", "Add", "add", "", $"{T("where")}, {T("clip")}")}}},
              {{{O("numpy", "Add", "add_1", "", $"{T("add")}, {T("argmax", "[]", "int32")}")}}},
              {{{O("numpy", "Add", "add_2", "", $"{T("add_1")}, {T("maximum")}")}}},
              {{{O("nn", "Normalize", "normalize", ", \"axis\": -1, \"order\": 1, \"epsilon\": null", T("input_layer"))}}},
              {{{O("numpy", "Add", "add_3", "", $"{T("add_2")}, {T("normalize")}")}}}
            ], "input_layers": ["input_layer", 0, 0], "output_layers": ["add_3", 0, 0]}}
            """;
        var model = Model.FromJson(json);
        Assert.Equal(new int?[] { null, 4 }, model.Outputs[0].Shape);
        Assert.Equal(DType.Float32, model.Outputs[0].DType);
        var x = NF.Constant(new float[,] { { 0.26f, -1.5f, 0.71f, 2.04f }, { -0.33f, 0.5f, 1.25f, -2.0f } });
        var rounded = NF.Round(x * 10) / 10;
        var argmax = NF.Cast(NF.ArgMax(NF.Reshape(x, [-1]), 0), DType.Float32);
        var expected = NF.Where(x >= 0.5, NF.Gelu(x, approximate: true), rounded) + NF.Clip(x, 0, 1) + argmax + NF.Maximum(NF.Pow(x, 2), NF.Erf(x))
                       + x / NF.Maximum(NF.ReduceSum(NF.Abs(x), -1, keepDims: true), 1e-7);
        var actual = model.Predict(x).ToArray<float>();
        Assert.Equal(expected.ToArray<float>(), actual);
        // Two of them by hand: round(0.26, 1) = 0.3 below the 0.5 threshold, and the flattened argmax is 3 (2.04).
        float l1 = 0.26f + 1.5f + 0.71f + 2.04f;
        Assert.Equal(0.3f + 0.26f + 3 + MathF.Max(0.26f * 0.26f, NF.Erf(NF.Constant(new[] { 0.26f })).ToArray<float>()[0]) + 0.26f / l1, actual[0], 5);
    }
}

public sealed class ManagedSymbolicOps2SavingTests() : SymbolicOps2SavingTests("managed");

public sealed class NativeCpuSymbolicOps2SavingTests() : SymbolicOps2SavingTests("cpu");

public sealed class CudaSymbolicOps2SavingTests() : SymbolicOps2SavingTests("cuda");
