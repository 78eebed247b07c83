using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>Model.ToJson / Model.FromJson (Keras' to_json, model_from_json), missing before.</summary>
/// <remarks>
/// As Keras: the JSON holds no weights (a rebuilt model starts fresh and takes weights by
/// SetWeights), a subclassed model has none, and text that is not a model fails saying why.
/// </remarks>
public abstract class ModelJsonTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_functional_model_round_trips_its_architecture_not_its_weights()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var input = Layers.Input([4], name: "features");
        var hidden = new Layers.Dense(8, activation: "relu", name: "hidden").Call(input);
        var a = new Layers.Dense(2, name: "a").Call(hidden);
        var b = new Layers.Dense(1, activation: "sigmoid", name: "b").Call(hidden);
        var model = new Model([input], [a, b]);
        string json = model.ToJson();
        Assert.Equal("Functional", System.Text.Json.Nodes.JsonNode.Parse(json)!["class_name"]!.GetValue<string>());

        var rebuilt = Model.FromJson(json);
        Assert.Equal(model.SubLayers.Select(l => l.Name), rebuilt.SubLayers.Select(l => l.Name));
        Assert.Equal(json, rebuilt.ToJson());
        var x = NF.Random.Normal([3, 4]);
        // Fresh weights: the same shapes, other values, until the weights are copied.
        Assert.Equal(model.GetWeights().Select(w => w.Shape), rebuilt.GetWeights().Select(w => w.Shape));
        Assert.NotEqual(model.GetWeights()[0].ToArray<float>(), rebuilt.GetWeights()[0].ToArray<float>());
        rebuilt.SetWeights(model.GetWeights());
        var want = model.PredictOutputs(x);
        var got = rebuilt.PredictOutputs(x);
        for (int i = 0; i < 2; i++) Assert.Equal(want[i].ToArray<float>(), got[i].ToArray<float>());
    }

    [SkippableFact]
    public void A_sequential_round_trips_with_indented_json()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(4, activation: "tanh"), new Layers.Dropout(0.25), new Layers.Dense(1));
        string json = model.ToJson(indented: true);
        Assert.Contains("\n", json);
        var rebuilt = Assert.IsType<Sequential>(Model.FromJson(json));
        Assert.Equal(3, rebuilt.Layers.Count);
        Assert.Equal(0.25, Assert.IsType<Layers.Dropout>(rebuilt.Layers[1]).Rate);
        Assert.Equal(model.CountParams(), rebuilt.CountParams());
    }

    private sealed class Subclassed : Model
    {
        private readonly Layers.Dense _dense = new(2);
        protected override Tensor Forward(Tensor x) => _dense.Call(x);
    }

    [SkippableFact]
    public void An_unregistered_subclassed_model_and_bad_json_fail_naming_why()
    {
        RequireBackend();
        // Keras 3's to_json writes a subclassed model (class, module, config); reading it back needs the class.
        var json = new Subclassed().ToJson();
        Assert.Equal("Subclassed", JsonNode.Parse(json)!["class_name"]!.GetValue<string>());
        var sub = Assert.Throws<ArgumentException>(() => Model.FromJson(json));
        Assert.Contains("Subclassed", sub.Message);
        Assert.Contains("customObjects", sub.Message);
        Assert.Contains("not JSON", Assert.Throws<ArgumentException>(() => Model.FromJson("{oops")).Message);
        Assert.Contains("class_name", Assert.Throws<ArgumentException>(() => Model.FromJson("[1, 2]")).Message);
        var unknown = Assert.Throws<ArgumentException>(() => Model.FromJson("""{"class_name": "Functional", "config": {"name": "m", "layers": [{"class_name": "NoSuchLayer", "config": {"name": "x"}}]}}"""));
        Assert.Contains("NoSuchLayer", unknown.Message);
        Assert.Equal("json", unknown.ParamName);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedModelJsonTests() : ModelJsonTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuModelJsonTests() : ModelJsonTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaModelJsonTests() : ModelJsonTests("cuda");
