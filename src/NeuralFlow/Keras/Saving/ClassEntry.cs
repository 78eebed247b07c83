using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Keras' serialized form of a small object (a regularizer, a constraint):
/// <c>{"class_name": ..., "config": {...}}</c>. One reader and writer, so each kind only maps
/// its class names to constructors. The JSON comes from files: a value of the wrong JSON kind is a
/// <see cref="FormatException"/> naming the key, not System.Text.Json's InvalidOperationException.
/// </summary>
internal readonly record struct ClassEntry(string? ClassName, JsonObject Config)
{
    /// <summary>The class name and config of <paramref name="node"/> (an empty config when absent).</summary>
    public static ClassEntry Of(JsonNode node)
    {
        if (node is not JsonObject o)
            throw new FormatException($"expected a {{\"class_name\": ..., \"config\": {{...}}}} object, got {node.ToJsonString()}");
        var config = o["config"] switch
        {
            null => new JsonObject(),
            JsonObject c => c,
            var other => throw new FormatException($"'config' must be an object, got {other.ToJsonString()}"),
        };
        return new(o["class_name"] is { } name ? Text(name, "class_name") : null, config);
    }

    /// <summary>The number stored under <paramref name="key"/>, or <paramref name="fallback"/> when absent.</summary>
    public double Number(string key, double fallback) => Config[key] switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        var other => throw new FormatException($"'{key}' must be a number, got {other.ToJsonString()}"),
    };

    /// <summary>The integer <paramref name="node"/> holds (a value under <paramref name="key"/>).</summary>
    public static int Integer(JsonNode? node, string key) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out int i) ? i
            : throw new FormatException($"'{key}' must be an integer, got {node?.ToJsonString() ?? "null"}");

    /// <summary>The string <paramref name="node"/> holds (a value under <paramref name="key"/>).</summary>
    public static string Text(JsonNode node, string key) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : throw new FormatException($"'{key}' must be a string, got {node.ToJsonString()}");

    /// <summary>The entry Keras writes for <paramref name="className"/> with <paramref name="config"/>.</summary>
    public static JsonObject Write(string className, JsonObject config) => new() { ["class_name"] = className, ["config"] = config };
}
