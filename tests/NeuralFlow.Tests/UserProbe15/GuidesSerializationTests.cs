using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Serialization and saving" guide in C#: whole-model saving that resumes training,
/// <c>get_config</c> / <c>from_config</c> for a layer, a Sequential and a functional model,
/// <c>keras.layers.serialize</c> / <c>deserialize</c> of a custom layer with <c>custom_objects</c>,
/// <c>custom_object_scope</c>, and <c>load_model(path, custom_objects)</c>.
/// </summary>
public abstract class GuidesSerializationTests(string backend) : BackendFileTest(backend)
{
    private static Model GetModel()
    {
        var inputs = Layers.Input([32]);
        var model = new Model(inputs, new Layers.Dense(1).Call(inputs));
        model.Compile("adam", "mean_squared_error");
        return model;
    }

    [SkippableFact]
    public void A_saved_model_predicts_the_same_and_resumes_training()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var model = GetModel();
        var testInput = NF.Random.Uniform([128, 32]);
        var testTarget = NF.Random.Uniform([128, 1]);
        model.Fit(testInput, testTarget, verbose: 0);
        var path = SaveTo(model, "my_model.keras");
        var reconstructed = Model.Load(path);
        GuideAssert.Close(model.Predict(testInput), reconstructed.Predict(testInput), 1e-6);
        // Compiled, with the optimizer's state: one more epoch on each gives the same weights.
        model.Fit(testInput, testTarget, verbose: 0, shuffle: false);
        reconstructed.Fit(testInput, testTarget, verbose: 0, shuffle: false);
        GuideAssert.Close(model.Predict(testInput), reconstructed.Predict(testInput), 1e-5);
    }

    [SkippableFact]
    public void A_layers_config_rebuilds_it()
    {
        RequireBackend();
        var layer = new Layers.Dense(3, activation: "relu");
        var layerConfig = layer.GetConfig();
        var newLayer = KerasSerialization.FromConfig<Layers.Dense>(layerConfig);
        Assert.Equal(3, newLayer.Units);
        Assert.True(JsonNode.DeepEquals(layerConfig, newLayer.GetConfig()));
    }

    [SkippableFact]
    public void A_sequential_models_config_rebuilds_it()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([32]), new Layers.Dense(1));
        var config = model.GetConfig();
        Assert.Equal(["InputLayer", "Dense"], config["layers"]!.AsArray().Select(l => (string?)l!["class_name"]));
        var newModel = Sequential.FromConfig(config);
        Assert.Equal(33, newModel.CountParams());
        Assert.True(JsonNode.DeepEquals(config, newModel.GetConfig()));
        // Model.from_config reads a Sequential config too, and gives a Sequential.
        Assert.IsType<Sequential>(Model.FromConfig(config));
        // Its JSON (to_json / model_from_json) is the same structure.
        Assert.True(JsonNode.DeepEquals(config, Model.FromJson(model.ToJson()).GetConfig()));
    }

    [SkippableFact]
    public void A_functional_models_config_rebuilds_it_and_sequential_refuses_it()
    {
        RequireBackend();
        var inputs = Layers.Input([32]);
        var model = new Model(inputs, new Layers.Dense(1).Call(inputs));
        var config = model.GetConfig();
        var newModel = Model.FromConfig(config);
        Assert.True(newModel.IsFunctional);
        Assert.True(JsonNode.DeepEquals(config, newModel.GetConfig()));
        Assert.Contains("Model.FromConfig", Assert.Throws<ArgumentException>(() => Sequential.FromConfig(config)).Message);
        // A config that is not a model's says so.
        Assert.Contains("layers", Assert.Throws<ArgumentException>(() => Model.FromConfig(new JsonObject { ["name"] = "x" })).Message);
        var broken = (JsonObject)config.DeepClone();
        broken["output_layers"] = new JsonArray(new JsonArray("no_such_layer", 0, 0));
        Assert.Contains("no_such_layer", Assert.Throws<ArgumentException>(() => Model.FromConfig(broken)).Message);
    }

    // The guide's CustomLayer: a variable made in the constructor, applied in training only.
    private sealed class ScaleInTraining : Layer
    {
        public const string ClassName = "GuideScaleInTraining";

        public ScaleInTraining(float a, string? name = null) : base(name) => Var = new Variable(a, name: "var_a");

        public Variable Var { get; }

        protected override Tensor Forward(Tensor inputs) => IsTraining ? inputs * Var : inputs;

        public override JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["a"] = Var.Item<float>();
            return config;
        }

        public static ScaleInTraining FromConfig(JsonObject c) => new((float)c["a"]!, (string?)c["name"]);
    }

    [SkippableFact]
    public void A_custom_layer_serializes_and_deserializes_with_custom_objects()
    {
        RequireBackend();
        KerasSerialization.Register(ScaleInTraining.ClassName, ScaleInTraining.FromConfig);
        var layer = new ScaleInTraining(5);
        layer.Var.Assign(NF.Constant(2f));
        var serialized = KerasSerialization.Serialize(layer);
        Assert.Equal(ScaleInTraining.ClassName, (string?)serialized["class_name"]);
        Assert.Equal(2f, (float)serialized["config"]!["a"]!);
        int made = 0;
        var newLayer = (ScaleInTraining)KerasSerialization.Deserialize(serialized, new Dictionary<string, Func<JsonObject, Layer>>
        {
            [ScaleInTraining.ClassName] = c => { made++; return ScaleInTraining.FromConfig(c); },
        });
        Assert.Equal(1, made);
        Assert.Equal(2f, newLayer.Var.Item<float>());
        var x = NF.Constant(new[,] { { 1f, -3f } });
        Assert.Equal(new[] { 2f, -6f }, newLayer.Call(x, training: true).ToArray<float>());
        Assert.Equal(new[] { 1f, -3f }, newLayer.Call(x, training: false).ToArray<float>());
        // An entry that is no layer's is an ArgumentException naming what is missing.
        Assert.Contains("class_name", Assert.Throws<ArgumentException>(() => KerasSerialization.Deserialize(new JsonObject { ["config"] = new JsonObject() })).Message);
    }

    [SkippableFact]
    public void Load_takes_custom_objects_for_the_layers_of_the_file()
    {
        RequireBackend();
        GuideCustomDense.Register();
        NF.Random.SetSeed(12);
        var inputs = Layers.Input([32]);
        var x = new GuideCustomDense(32).Call(inputs);
        var model = new Model(inputs, new Layers.Activation("tanh").Call(x));
        var path = SaveTo(model, "custom.keras");
        int made = 0;
        var loaded = Model.Load(path, new Dictionary<string, Func<JsonObject, Layer>>
        {
            [GuideCustomDense.ClassName] = c => { made++; return GuideCustomDense.FromConfig(c); },
        });
        Assert.Equal(1, made);
        var data = NF.Random.Normal([4, 32]);
        GuideAssert.Close(model.Predict(data), loaded.Predict(data), 1e-6);
        // Without them, the registered factory serves.
        GuideAssert.Close(model.Predict(data), Model.Load(path).Predict(data), 1e-6);
        Assert.Equal(1, made);
    }

    [SkippableFact]
    public void A_registered_custom_activation_saves_by_name_and_loads()
    {
        RequireBackend();
        // The guide's custom_activation, registered under its name (Keras' custom_objects / registration for a function).
        Func<Tensor, Tensor> customActivation = x => NF.Square(NF.Tanh(x));
        ActivationFunction.Register("guide_custom_activation", customActivation);
        GuideCustomDense.Register();
        NF.Random.SetSeed(13);
        var inputs = Layers.Input([32]);
        var x = new GuideCustomDense(32).Call(inputs);
        var model = new Model(inputs, new Layers.Activation("guide_custom_activation").Call(x));
        var config = model.GetConfig();
        Assert.Equal("guide_custom_activation", (string?)config["layers"]![2]!["config"]!["activation"]);
        var newModel = Model.FromConfig(config);
        newModel.SetWeights(model.GetWeights());
        var data = NF.Random.Normal([4, 32]);
        GuideAssert.Close(NF.Square(NF.Tanh(x.Layer.Call(data))), model.Call(data), 1e-6);
        GuideAssert.Close(model.Call(data), newModel.Call(data), 1e-6);
        var loaded = Model.Load(SaveTo(model, "activation.keras"));
        GuideAssert.Close(model.Predict(data), loaded.Predict(data), 1e-6);

        // A built-in name cannot be taken. A name registered for another function is refused when the config is
        // written (loading would find the other one); an unregistered name is written, as Keras writes a custom
        // function's name, and loading finds it in custom_objects (without them, it names the activation).
        Assert.Throws<ArgumentException>(() => ActivationFunction.Register("relu", customActivation));
        var crossed = new Sequential(Layers.Input([2]), new Layers.Dense(2, activation: new ActivationFunction("guide_custom_activation", NF.Tanh)));
        Assert.Contains("ActivationFunction.Register", Assert.Throws<NotSupportedException>(() => crossed.GetConfig()).Message);
        var unregistered = new Sequential(Layers.Input([2]), new Layers.Dense(2, activation: new ActivationFunction("guide_unregistered_activation", NF.Tanh)));
        var unregisteredPath = SaveTo(unregistered, "unregistered_activation.keras");
        Assert.Contains("guide_unregistered_activation", Assert.Throws<InvalidDataException>(() => Model.Load(unregisteredPath)).Message);
        var withFunction = Model.Load(unregisteredPath, new CustomObjects { { "guide_unregistered_activation", NF.Tanh } });
        var pair = NF.Random.Normal([3, 2]);
        GuideAssert.Close(unregistered.Predict(pair), withFunction.Predict(pair), 1e-6);
        Assert.Contains("Unknown activation", Assert.Throws<ArgumentException>(() => ActivationFunction.Get("guide_never_registered")).Message);
    }

    // The guide's weight-transfer section: a subclassed model of the functional model's layers.
    private sealed class SubclassedModel : Model
    {
        private readonly Layers.Dense _dense1 = new(64, activation: "relu", name: "dense_1");
        private readonly Layers.Dense _dense2 = new(64, activation: "relu", name: "dense_2");
        private readonly Layers.Dense _dense3 = new(10, name: "predictions");

        public override Tensor Call(Tensor inputs) => _dense3.Call(_dense2.Call(_dense1.Call(inputs)));
    }

    [SkippableFact]
    public void Weights_transfer_between_a_clone_a_functional_and_a_subclassed_model()
    {
        RequireBackend();
        NF.Random.SetSeed(14);
        var inputs = Layers.Input([784], name: "digits");
        var x = new Layers.Dense(64, activation: "relu", name: "dense_1").Call(inputs);
        x = new Layers.Dense(64, activation: "relu", name: "dense_2").Call(x);
        var functionalModel = new Model(inputs, new Layers.Dense(10, name: "predictions").Call(x), name: "3_layer_mlp");
        var data = NF.Random.Uniform([2, 784]);

        // clone_model: the same architecture and config, new weights until they are copied.
        var cloned = Models.CloneModel(functionalModel);
        Assert.True(JsonNode.DeepEquals(functionalModel.GetConfig(), cloned.GetConfig()));
        cloned.SetWeights(functionalModel.GetWeights());
        GuideAssert.Close(functionalModel.Call(data), cloned.Call(data), 1e-6);

        // get_weights / set_weights, and save_weights / load_weights, into the subclassed twin.
        var subclassed = new SubclassedModel();
        subclassed.Call(NF.Ones([1, 784]));
        subclassed.SetWeights(functionalModel.GetWeights());
        GuideAssert.Close(functionalModel.Call(data), subclassed.Call(data), 1e-6);
        var path = Temp.File("mlp.weights.h5");
        functionalModel.SaveWeights(path);
        var fromFile = new SubclassedModel();
        fromFile.Call(NF.Ones([1, 784]));
        fromFile.LoadWeights(path);
        GuideAssert.Close(functionalModel.Call(data), fromFile.Call(data), 1e-6);
    }

    // The guide's CustomModel: a subclassed model of Dense layers, with get_config and from_config.
    private sealed class CustomModel(int[] hiddenUnits) : Model
    {
        private readonly Layers.Dense[] _denseLayers = [.. hiddenUnits.Select(u => new Layers.Dense(u))];

        public override Tensor Call(Tensor inputs) => _denseLayers.Aggregate(inputs, (x, layer) => layer.Call(x));

        public override JsonObject GetConfig() => new() { ["hidden_units"] = new JsonArray([.. hiddenUnits.Select(u => (JsonNode)u)]) };

        public static CustomModel FromConfig(JsonObject c) => new([.. c["hidden_units"]!.AsArray().Select(u => (int)u!)]);
    }

    [SkippableFact]
    public void A_registered_subclassed_model_saves_and_loads()
    {
        RequireBackend();
        KerasSerialization.Register("GuideCustomModel", CustomModel.FromConfig);
        var model = new CustomModel([16, 16, 10]);
        var inputArr = NF.Random.Uniform([1, 5]);
        var outputs = model.Call(inputArr);
        var path = SaveTo(model, "subclassed.keras");
        var loaded = Model.Load(path, new Dictionary<string, Func<JsonObject, Layer>> { ["GuideCustomModel"] = CustomModel.FromConfig });
        GuideAssert.Close(outputs, loaded.Call(inputArr), 1e-6);
    }
}

/// <summary>The serialization guide on the managed backend.</summary>
public sealed class ManagedGuidesSerializationTests() : GuidesSerializationTests("managed");

/// <summary>The serialization guide on the native CPU backend.</summary>
public sealed class NativeCpuGuidesSerializationTests() : GuidesSerializationTests("cpu");

/// <summary>The serialization guide on CUDA.</summary>
public sealed class CudaGuidesSerializationTests() : GuidesSerializationTests("cuda");
