using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Layer types by name, for model files (Keras' <c>register_keras_serializable</c>): each
/// registered type has a factory that rebuilds a layer from its <see cref="Layer.GetConfig"/>.
/// The built-in layers are registered; register your own layer types before saving or loading
/// a model that holds them.
/// </summary>
public static class KerasSerialization
{
    private static readonly Dictionary<string, Func<JsonObject, Layer>> Factories = new(StringComparer.Ordinal);
    private static readonly Dictionary<Type, string> Names = [];

    static KerasSerialization()
    {
        Register("Dense", c => new Layers.Dense(
            Int(c, "units"), Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c)));
        Register("Activation", c => new Layers.Activation(Activation(c, "activation") ?? "linear", NameOf(c)));
        Register("Dropout", c => new Layers.Dropout(Double(c, "rate"), NameOf(c)));
        Register("Flatten", c => new Layers.Flatten(NameOf(c)));
        Register("ReLU", c => new Layers.ReLU(c["max_value"]?.GetValue<double>(), Double(c, "negative_slope", 0), Double(c, "threshold", 0), NameOf(c)));
        Register("LeakyReLU", c => new Layers.LeakyReLU(Double(c, "negative_slope", 0.3), NameOf(c)));
        Register("ELU", c => new Layers.ELU(Double(c, "alpha", 1.0), NameOf(c)));
        Register("Softmax", c => new Layers.Softmax(Int(c, "axis", -1), NameOf(c)));
        Register("Conv2D", c => new Layers.Conv2D(
            Int(c, "filters"), Ints(c, "kernel_size"), Ints(c, "strides"), String(c, "padding", "valid"), Ints(c, "dilation_rate"),
            Activation(c, "activation"), Bool(c, "use_bias", true),
            Initializer(c, "kernel_initializer"), Initializer(c, "bias_initializer"), NameOf(c)));
        Register("MaxPooling2D", c => new Layers.MaxPooling2D(Ints(c, "pool_size"), Ints(c, "strides"), String(c, "padding", "valid"), NameOf(c)));
        Register("AveragePooling2D", c => new Layers.AveragePooling2D(Ints(c, "pool_size"), Ints(c, "strides"), String(c, "padding", "valid"), NameOf(c)));
        Register("GlobalAveragePooling2D", c => new Layers.GlobalAveragePooling2D(NameOf(c)));
        Register("GlobalMaxPooling2D", c => new Layers.GlobalMaxPooling2D(NameOf(c)));
        Register("Reshape", c => new Layers.Reshape(Ints(c, "target_shape"), NameOf(c)));
    }

    /// <summary>
    /// Registers <typeparamref name="TLayer"/> under <paramref name="className"/>, with the
    /// factory that rebuilds one from its config. Registering a name again replaces it.
    /// </summary>
    public static void Register<TLayer>(string className, Func<JsonObject, TLayer> fromConfig) where TLayer : Layer
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        ArgumentNullException.ThrowIfNull(fromConfig);
        lock (Factories)
        {
            Factories[className] = fromConfig;
            Names[typeof(TLayer)] = className;
        }
    }

    /// <summary>{ "class_name", "config" } for <paramref name="layer"/>, plus its build shape.</summary>
    internal static JsonObject Serialize(Layer layer)
    {
        string className;
        lock (Factories)
            if (!Names.TryGetValue(layer.GetType(), out className!))
                throw new NotSupportedException(
                    $"{layer.Name} is a {layer.GetType().Name}, which has no registered name: call KerasSerialization.Register<{layer.GetType().Name}>(\"{layer.GetType().Name}\", config => new {layer.GetType().Name}(...)) before saving and loading (Keras' register_keras_serializable), or save the weights alone with SaveWeights.");
        var entry = new JsonObject { ["class_name"] = className, ["config"] = layer.GetConfig() };
        if (layer.BuildInputShape is { } shape) entry["build_input_shape"] = new JsonArray(shape.ToArray().Select(d => (JsonNode)d).ToArray());
        return entry;
    }

    /// <summary>The layer an entry of <see cref="Serialize"/> describes, built for its saved input shape.</summary>
    internal static Layer Deserialize(JsonNode? entry, string file)
    {
        if (entry is not JsonObject o || o["class_name"]?.GetValue<string>() is not { } className || o["config"] is not JsonObject config)
            throw new InvalidDataException($"{file}: a layer entry lacks class_name or config.");
        Func<JsonObject, Layer>? factory;
        lock (Factories) Factories.TryGetValue(className, out factory);
        if (factory is null)
            throw new InvalidDataException(
                $"{file}: the model holds a layer of type '{className}', which is not registered here; call KerasSerialization.Register(\"{className}\", config => new ...) before loading.");
        Layer layer;
        try { layer = factory(config); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"{file}: the config of layer '{config["name"]}' ({className}) does not rebuild it: {e.Message}", e);
        }
        if (o["build_input_shape"] is JsonArray dims)
            layer.EnsureBuilt(new Shape(dims.Select(d => d!.GetValue<int>()).ToArray()));
        return layer;
    }

    private static string? NameOf(JsonObject c) => c["name"]?.GetValue<string>();
    private static int Int(JsonObject c, string key, int? fallback = null) =>
        c[key]?.GetValue<int>() ?? fallback ?? throw new FormatException($"'{key}' is missing");
    private static double Double(JsonObject c, string key) => c[key]?.GetValue<double>() ?? throw new FormatException($"'{key}' is missing");
    private static double Double(JsonObject c, string key, double fallback) => c[key]?.GetValue<double>() ?? fallback;
    private static string String(JsonObject c, string key, string fallback) => c[key]?.GetValue<string>() ?? fallback;
    // Keras writes pairs such as kernel_size as a list; a single number stands for both.
    private static int[] Ints(JsonObject c, string key) => c[key] switch
    {
        JsonArray a => a.Select(v => v?.GetValue<int>() ?? throw new FormatException($"'{key}' holds a null")).ToArray(),
        JsonValue v => [v.GetValue<int>()],
        _ => throw new FormatException($"'{key}' is missing"),
    };
    private static bool Bool(JsonObject c, string key, bool fallback) => c[key]?.GetValue<bool>() ?? fallback;
    private static ActivationFunction? Activation(JsonObject c, string key) =>
        c[key]?.GetValue<string>() is { } name ? ActivationFunction.Get(name) : null;
    private static Initializer? Initializer(JsonObject c, string key) =>
        c[key]?.GetValue<string>() is { } name ? Keras.Initializer.Get(name) : null;
}
