using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe15;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// A registered subclassed model saved whole, as Keras 3 saves one (<c>model.save("x.keras")</c>:
/// its <c>get_config</c>, the weights of the layers it tracks) and rebuilt by
/// <c>load_model(path, custom_objects)</c> (<c>from_config</c>, built, weights loaded, compiled
/// again with the optimizer's state). Before, Save refused every subclassed model.
/// </summary>
public abstract class SubclassedSaveTests(string backend) : BackendFileTest(backend)
{
    internal const string MlpClassName = "UserProbe16SubclassedMlp";

    // The serialization guide's CustomModel: Dense layers from a list of widths, with a relu between.
    internal sealed class Mlp(int[] hiddenUnits, string? name = null) : Model(name)
    {
        private readonly Layers.Dense[] _denseLayers = [.. hiddenUnits.Select((u, i) => new Layers.Dense(u, activation: i < hiddenUnits.Length - 1 ? "relu" : null))];

        public override Tensor Call(Tensor inputs) => _denseLayers.Aggregate(inputs, (x, layer) => layer.Call(x));

        public override JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["hidden_units"] = new JsonArray([.. hiddenUnits.Select(u => (JsonNode)u)]);
            return config;
        }

        public static Mlp FromConfig(JsonObject c) => new([.. c["hidden_units"]!.AsArray().Select(u => (int)u!)], (string?)c["name"]);
    }

    private static readonly Dictionary<string, Func<JsonObject, Layer>> MlpObjects = new() { [MlpClassName] = Mlp.FromConfig };

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(21);
        var x = NF.Random.Normal([64, 5]);
        return (x, NF.ReduceSum(x * NF.Constant(new[] { 0.5f, -1f, 2f, 0.25f, 1f }), axis: 1, keepDims: true));
    }

    [SkippableTheory]
    [InlineData("subclassed.keras")]
    [InlineData("subclassed.nfmodel")]
    public void A_registered_subclassed_model_saves_loads_and_resumes_training(string file)
    {
        RequireBackend();
        KerasSerialization.Register(MlpClassName, Mlp.FromConfig);
        var (x, y) = Data();
        NF.Random.SetSeed(5);
        var model = new Mlp([16, 8, 1], name: "mlp");
        model.Compile(new Optimizers.Adam(0.01f), "mse", metrics: ["mae"]);
        model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false);
        var path = SaveTo(model, file);

        var loaded = Model.Load(path, MlpObjects);
        var typed = Assert.IsType<Mlp>(loaded);
        Assert.Equal("mlp", typed.Name);
        Assert.Equal(model.CountParams(), loaded.CountParams());
        GuideAssert.Close(model.Predict(x), loaded.Predict(x), 1e-6);
        // Compiled as saved, with Adam's moments and step count: one more epoch on each stays equal.
        var expected = model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        var resumed = loaded.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(expected.Keys.Order(), resumed.Keys.Order());
        Assert.Equal(expected["loss"][0], resumed["loss"][0], 5);
        GuideAssert.Close(model.Predict(x), loaded.Predict(x), 1e-5);
    }

    [SkippableFact]
    public void The_guides_model_called_directly_saves_and_loads()
    {
        RequireBackend();
        KerasSerialization.Register(MlpClassName, Mlp.FromConfig);
        NF.Random.SetSeed(6);
        var model = new Mlp([16, 16, 10]);
        var input = NF.Random.Uniform([1, 5]);
        var output = model.Call(input);   // the guide's model(input_arr): the override called directly
        var loaded = Model.Load(SaveTo(model, "direct.keras"), MlpObjects);
        GuideAssert.Close(output, loaded.Call(input), 1e-6);
        // Keras' config.json names the class and its config (what from_config reads).
        using var zip = System.IO.Compression.ZipFile.OpenRead(Temp.File("direct.keras"));
        using var reader = new StreamReader(zip.GetEntry("config.json")!.Open());
        var config = JsonNode.Parse(reader.ReadToEnd())!.AsObject();
        Assert.Equal(MlpClassName, (string?)config["class_name"]);
        Assert.Equal([16, 16, 10], config["config"]!["hidden_units"]!.AsArray().Select(u => (int)u!));
    }

    [SkippableFact]
    public void An_unbuilt_subclassed_model_loads_unbuilt_and_a_nested_one_loads_inside_a_functional_model()
    {
        RequireBackend();
        KerasSerialization.Register(MlpClassName, Mlp.FromConfig);
        var fresh = Model.Load(SaveTo(new Mlp([3]), "unbuilt.keras"));
        Assert.IsType<Mlp>(fresh);
        Assert.Equal(0, fresh.CountParams());

        NF.Random.SetSeed(8);
        var inputs = Layers.Input([5], name: "features");
        var outputs = new Layers.Dense(2, name: "head").Call(new Mlp([4, 3], name: "body").Call(inputs));
        var functional = new Model(inputs, outputs, name: "outer");
        var x = NF.Random.Normal([3, 5]);
        var loaded = Model.Load(SaveTo(functional, "nested.keras"));
        Assert.IsType<Mlp>(loaded.GetLayer("body"));
        GuideAssert.Close(functional.Predict(x), loaded.Predict(x), 1e-6);
    }

    [SkippableFact]
    public void A_registered_subclassed_model_round_trips_through_json()
    {
        RequireBackend();
        // Keras 3: model.to_json() of a subclassed model with get_config, model_from_json(..., custom_objects).
        KerasSerialization.Register(MlpClassName, Mlp.FromConfig);
        var model = new Mlp([6, 2], name: "json_mlp");
        var json = model.ToJson();
        var entry = JsonNode.Parse(json)!.AsObject();
        Assert.Equal(MlpClassName, entry["class_name"]!.GetValue<string>());
        Assert.Equal([6, 2], entry["config"]!["hidden_units"]!.AsArray().Select(u => (int)u!));
        var rebuilt = Assert.IsType<Mlp>(Model.FromJson(json, MlpObjects));
        Assert.Equal("json_mlp", rebuilt.Name);
        var (x, _) = Data();
        model.Predict(x, verbose: 0);
        rebuilt.Predict(x, verbose: 0); // builds it: fresh weights, the same layers
        Assert.Equal(model.CountParams(), rebuilt.CountParams());
    }
}

/// <summary>Subclassed models saved whole, on the managed backend.</summary>
public sealed class ManagedSubclassedSaveTests() : SubclassedSaveTests("managed");

/// <summary>Subclassed models saved whole, on the native CPU backend.</summary>
public sealed class NativeCpuSubclassedSaveTests() : SubclassedSaveTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaSubclassedSaveTests() : SubclassedSaveTests("cuda");
