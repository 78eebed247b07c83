using System.Text.Json.Nodes;

namespace NeuralFlow.Keras.Saving;

/// <summary>
/// Keras numbers the calls of a nested model that an Input of its own built after that building
/// call (node 0), so a functional config names its first call in the outer graph [name, 1, tensor];
/// NeuralFlow's reader, and its own files, count a layer's calls in the graph from 0. Which nested
/// models count so differs by version: Keras 3 a Functional (keras/src/models/functional.py
/// get_config), tf.keras 2 also a Sequential whose first layer is an InputLayer
/// (_should_skip_first_node); the caller says which.
/// </summary>
internal static class NestedModelCalls
{
    /// <summary>
    /// Renumbers, in a functional model's config in Keras 2's list form, every reference to a layer
    /// for which <paramref name="startsWithOwnCall"/> holds: its inbound calls' tensors (keyword tensors
    /// included) and input_layers / output_layers, by <paramref name="by"/>: -1 to read Keras' numbers (a
    /// reference to call 0 becomes -1, which the reader refuses), +1 to write them.
    /// </summary>
    public static void Shift(JsonObject model, Func<JsonObject, bool> startsWithOwnCall, int by = -1)
    {
        if (model["layers"] is not JsonArray layers) return;
        var shifted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers.OfType<JsonObject>())
            if (startsWithOwnCall(layer) && (layer["name"] ?? layer["config"]?["name"])?.GetValue<string>() is { } name) shifted.Add(name);
        if (shifted.Count == 0) return;
        void Renumber(JsonNode? r)
        {
            if (r is JsonArray { Count: >= 3 } a && a[0] is JsonValue n && n.TryGetValue(out string? layer) && shifted.Contains(layer)
                && a[1] is JsonValue v && v.TryGetValue(out int call))
                a[1] = call + by;
        }
        // An operation's call (Keras 3's {"args", "kwargs"}): each tensor's keras_history, at any depth.
        void Histories(JsonNode? node)
        {
            if (node is JsonObject o && o["class_name"] is JsonValue c && c.TryGetValue(out string? cls) && cls == "__keras_tensor__") Renumber(o["config"]?["keras_history"]);
            else if (node is JsonObject other) foreach (var (_, v) in other) Histories(v);
            else if (node is JsonArray list) foreach (var v in list) Histories(v);
        }
        foreach (var layer in layers.OfType<JsonObject>())
            foreach (var call in layer["inbound_nodes"] as JsonArray ?? [])
                if (call is JsonObject keras3) Histories(keras3);
                else foreach (var r in call as JsonArray ?? [])
                {
                    Renumber(r);
                    if (r is JsonArray { Count: 4 } withKwargs && withKwargs[3] is JsonObject kwargs)
                        foreach (var (_, value) in kwargs)
                            if (value is JsonArray list && list.Count > 0 && list[0] is JsonArray) foreach (var item in list) Renumber(item);
                            else Renumber(value);
                }
        foreach (var key in new[] { "input_layers", "output_layers" })
            foreach (var r in model[key] as JsonArray ?? []) Renumber(r);
    }
}
