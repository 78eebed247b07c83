using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe15;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// Custom layers and subclassed models that were never registered save as Keras 3 saves them
/// (class_name, module and registered_name in config.json: <c>custom_objects</c> is needed only to
/// load), and loading without their class is an error naming the class and how to provide it.
/// Before, Save refused an unregistered type.
/// </summary>
public abstract class SubclassedUnregisteredSaveTests(string backend) : BackendFileTest(backend)
{
    // Never registered: a per-feature scale with a weight of its own.
    private sealed class FeatureScale(double start, string? name = null) : Layer(name)
    {
        public Variable? Scale { get; private set; }

        protected override void Build(Shape inputShape) => Scale = AddWeight("scale", [inputShape[-1]], Initializer.Constant(start));

        protected override Tensor Forward(Tensor x) => x * Scale!;

        public override JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["start"] = start;
            return config;
        }

        public static FeatureScale FromConfig(JsonObject c) => new((double)c["start"]!, (string?)c["name"]);
    }

    // Never registered: a subclassed model of a scale and a Dense layer.
    private sealed class ScaledHead(int units, string? name = null) : Model(name)
    {
        private readonly FeatureScale _scale = new(0.5);
        private readonly Layers.Dense _dense = new(units);

        public override Tensor Call(Tensor inputs) => _dense.Call(_scale.Call(inputs));

        public override JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["units"] = units;
            return config;
        }

        public static ScaledHead FromConfig(JsonObject c) => new((int)c["units"]!, (string?)c["name"]);
    }

    private static JsonObject KerasConfig(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        using var reader = new StreamReader(zip.GetEntry("config.json")!.Open());
        return JsonNode.Parse(reader.ReadToEnd())!.AsObject();
    }

    [SkippableFact]
    public void An_unregistered_custom_layer_saves_and_loads_with_custom_objects_only()
    {
        RequireBackend();
        NF.Random.SetSeed(31);
        var inputs = Layers.Input([3], name: "features");
        var scale = new FeatureScale(2.0, name: "feature_scale");
        var model = new Model(inputs, new Layers.Dense(2, name: "head").Call(scale.Call(inputs)), name: "scaled");
        scale.Scale!.Assign(NF.Constant(new[] { 1f, -2f, 3f }));
        var path = SaveTo(model, "unregistered_layer.keras");

        // Keras 3's entry of a custom class: its name, its module, and registered_name.
        var entry = KerasConfig(path)["config"]!["layers"]!.AsArray().Single(l => (string?)l!["name"] == "feature_scale")!;
        Assert.Equal(nameof(FeatureScale), (string?)entry["class_name"]);
        Assert.Equal(typeof(FeatureScale).Namespace, (string?)entry["module"]);
        Assert.Equal(nameof(FeatureScale), (string?)entry["registered_name"]);
        Assert.Equal(2.0, (double)entry["config"]!["start"]!);

        var e = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.Contains($"'{nameof(FeatureScale)}'", e.Message);
        Assert.Contains("customObjects", e.Message);
        Assert.Contains(path, e.Message);

        var x = NF.Random.Normal([4, 3]);
        var loaded = Model.Load(path, new Dictionary<string, Func<JsonObject, Layer>> { [nameof(FeatureScale)] = FeatureScale.FromConfig });
        Assert.Equal(new[] { 1f, -2f, 3f }, ((FeatureScale)loaded.GetLayer("feature_scale")).Scale!.ToArray<float>());
        GuideAssert.Close(model.Predict(x), loaded.Predict(x), 1e-6);
        // A scope serves as well (Keras' custom_object_scope).
        using (KerasSerialization.CustomObjectScope(new Dictionary<string, Func<JsonObject, Layer>> { [nameof(FeatureScale)] = FeatureScale.FromConfig }))
            GuideAssert.Close(model.Predict(x), Model.Load(path).Predict(x), 1e-6);
    }

    [SkippableTheory]
    [InlineData("unregistered_model.keras")]
    [InlineData("unregistered_model.nfmodel")]
    public void An_unregistered_subclassed_model_saves_and_loads_with_custom_objects_only(string file)
    {
        RequireBackend();
        NF.Random.SetSeed(32);
        var model = new ScaledHead(2, name: "scaled_head");
        var x = NF.Random.Normal([5, 4]);
        var expected = model.Call(x);
        var path = SaveTo(model, file);

        var e = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.Contains($"'{nameof(ScaledHead)}'", e.Message);
        Assert.Contains("customObjects", e.Message);
        // The model rebuilds its layers itself from its own config: its class alone is needed.
        var loaded = Model.Load(path, new Dictionary<string, Func<JsonObject, Layer>>
        {
            [nameof(ScaledHead)] = ScaledHead.FromConfig,
        });
        Assert.Equal("scaled_head", loaded.Name);
        GuideAssert.Close(expected, loaded.Call(x), 1e-6);
    }
}

/// <summary>Unregistered custom types saved, on the managed backend.</summary>
public sealed class ManagedSubclassedUnregisteredSaveTests() : SubclassedUnregisteredSaveTests("managed");

/// <summary>Unregistered custom types saved, on the native CPU backend.</summary>
public sealed class NativeCpuSubclassedUnregisteredSaveTests() : SubclassedUnregisteredSaveTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaSubclassedUnregisteredSaveTests() : SubclassedUnregisteredSaveTests("cuda");
