using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public sealed partial class Initializer
{
    // Keras 3's class names, as its model files write them, to the snake_case names Get takes.
    private static readonly Dictionary<string, string> ClassNames = new(StringComparer.Ordinal)
    {
        ["Zeros"] = "zeros", ["Ones"] = "ones", ["Constant"] = "constant",
        ["RandomNormal"] = "random_normal", ["RandomUniform"] = "random_uniform", ["TruncatedNormal"] = "truncated_normal",
        ["GlorotUniform"] = "glorot_uniform", ["GlorotNormal"] = "glorot_normal", ["HeUniform"] = "he_uniform", ["HeNormal"] = "he_normal",
        ["LecunUniform"] = "lecun_uniform", ["LecunNormal"] = "lecun_normal", ["Orthogonal"] = "orthogonal", ["Identity"] = "identity",
        ["VarianceScaling"] = "variance_scaling",
    };

    /// <summary>
    /// What a layer's config holds (<c>keras.initializers.serialize</c>): the name for an initializer
    /// with Keras' default arguments, or Keras 3's { module, class_name, config } for one made with
    /// arguments (Constant(0.5)). A custom layer's <c>GetConfig</c> writes its initializers with it,
    /// and its factory reads them back with <see cref="FromConfig"/>.
    /// </summary>
    public JsonNode ToConfig()
    {
        if (Arguments is null) return Name;
        string className = ClassNames.First(p => p.Value == Name).Key;
        var config = (JsonObject)Arguments.DeepClone();
        if (Name is "random_normal" or "random_uniform" or "truncated_normal" or "variance_scaling") config["seed"] = null;
        return new JsonObject
        {
            ["module"] = "keras.initializers", ["class_name"] = className, ["config"] = config, ["registered_name"] = null,
        };
    }

    /// <summary>
    /// The initializer a config entry describes (<c>keras.initializers.deserialize</c>): a name, or
    /// Keras' class name and arguments, as <see cref="ToConfig"/> writes them; null for JSON null.
    /// </summary>
    public static Initializer? FromConfig(JsonNode? node)
    {
        if (node is null) return null;
        if (node is JsonValue v) return KerasSerialization.Scoped<Func<JsonObject, Initializer>>(v.GetValue<string>()) is { } named ? named([]) : Get(v.GetValue<string>());
        var o = node.AsObject();
        string className = o["class_name"]?.GetValue<string>() ?? throw new FormatException("an initializer entry lacks class_name");
        var c = o["config"] as JsonObject ?? [];
        if (KerasSerialization.Scoped<Func<JsonObject, Initializer>>(className) is { } custom) return custom(c);
        double D(string key, double fallback) => c[key]?.GetValue<double>() ?? fallback;
        string S(string key, string fallback) => c[key]?.GetValue<string>() ?? fallback;
        return className switch
        {
            "Constant" => ConstantFromConfig(c["value"]),
            "RandomNormal" => RandomNormal(D("mean", 0), D("stddev", 0.05)),
            "TruncatedNormal" => TruncatedNormal(D("mean", 0), D("stddev", 0.05)),
            "RandomUniform" => RandomUniform(D("minval", -0.05), D("maxval", 0.05)),
            "VarianceScaling" => VarianceScaling(D("scale", 1), S("mode", "fan_in"), S("distribution", "truncated_normal")),
            "Identity" => Identity(D("gain", 1)),
            "Orthogonal" when D("gain", 1) != 1 => throw new NotSupportedException("an Orthogonal initializer with a gain other than 1 is not supported"),
            _ when ClassNames.ContainsKey(className) => Get(className),
            _ => throw new FormatException($"unknown initializer '{className}'"),
        };
    }
}
