using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// Keras' <c>model.get_config()</c>: for a Sequential model its name and layers, for a functional
    /// one its name, layers with the calls that connect them, <c>input_layers</c> and <c>output_layers</c>
    /// (the <c>"config"</c> of <see cref="ToJson"/>'s entry), which <see cref="FromConfig"/> rebuilds.
    /// A subclassed model has only the base entries unless it overrides this, as a layer does.
    /// </summary>
    public override JsonObject GetConfig() =>
        IsFunctional || this is Sequential ? (JsonObject)ModelEntry()["config"]!.DeepClone() : base.GetConfig();

    /// <summary>
    /// A new model from the <see cref="GetConfig"/> of a functional or Sequential model (Keras'
    /// <c>keras.Model.from_config(config, custom_objects)</c>): the same layers and connections with
    /// fresh weights, not compiled. <paramref name="customObjects"/> maps the class names of layer
    /// types of your own to the factory that rebuilds one from its config, looked up before the
    /// registered types (<see cref="KerasSerialization.CustomObjectScope(CustomObjects)"/> makes them known to a
    /// whole block). A config that does not rebuild is an <see cref="ArgumentException"/> saying why.
    /// </summary>
    public static Model FromConfig(JsonObject config, IReadOnlyDictionary<string, Func<JsonObject, Layer>>? customObjects = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        // A functional config names its inputs and outputs; a Sequential one lists its layers alone.
        var className = config.ContainsKey("input_layers") ? "Functional" : "Sequential";
        return FromModelConfig(className, config, customObjects);
    }

    private protected static Model FromModelConfig(string className, JsonObject config, IReadOnlyDictionary<string, Func<JsonObject, Layer>>? customObjects)
    {
        if (config["layers"] is not JsonArray)
            throw new ArgumentException($"FromConfig: the config has no \"layers\" list; expected the GetConfig() of a {className} model.", nameof(config));
        var entry = new JsonObject { ["class_name"] = className, ["config"] = config.DeepClone() };
        return KerasSerialization.WithCustomObjects(customObjects,
            () => KerasSerialization.Rethrown("FromConfig", nameof(config), () => FromEntry(entry, $"the {className} config")));
    }
}

public partial class Sequential
{
    /// <summary>
    /// A new Sequential model from the <see cref="Model.GetConfig"/> of one (Keras'
    /// <c>keras.Sequential.from_config(config)</c>): the same layers with fresh weights, not compiled;
    /// <paramref name="customObjects"/> as in <see cref="Model.FromConfig"/>.
    /// </summary>
    public static new Sequential FromConfig(JsonObject config, IReadOnlyDictionary<string, Func<JsonObject, Layer>>? customObjects = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.ContainsKey("input_layers"))
            throw new ArgumentException("Sequential.FromConfig: the config is a functional model's (it has input_layers); use Model.FromConfig.", nameof(config));
        return (Sequential)FromModelConfig("Sequential", config, customObjects);
    }
}
