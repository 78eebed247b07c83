using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Keras' serialized form of a small object (a regularizer, a constraint):
/// <c>{"class_name": ..., "config": {...}}</c>. One reader and writer, so each kind only maps
/// its class names to constructors.
/// </summary>
internal readonly record struct ClassEntry(string? ClassName, JsonObject Config)
{
    /// <summary>The class name and config of <paramref name="node"/> (an empty config when absent).</summary>
    public static ClassEntry Of(JsonNode node)
    {
        var o = node.AsObject();
        return new(o["class_name"]?.GetValue<string>(), o["config"]?.AsObject() ?? new JsonObject());
    }

    /// <summary>The number stored under <paramref name="key"/>, or <paramref name="fallback"/> when absent.</summary>
    public double Number(string key, double fallback) => Config[key]?.GetValue<double>() ?? fallback;

    /// <summary>The entry Keras writes for <paramref name="className"/> with <paramref name="config"/>.</summary>
    public static JsonObject Write(string className, JsonObject config) => new() { ["class_name"] = className, ["config"] = config };
}
