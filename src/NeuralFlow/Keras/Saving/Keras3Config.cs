using System.Text.Json.Nodes;

namespace NeuralFlow.Keras.Saving;

/// <summary>
/// Rewrites the config.json of a Keras 3 <c>.keras</c> archive into the form NeuralFlow's model
/// reader takes (Keras 2's, which NeuralFlow's own files use). Keras 3 differs from it in four
/// places, each from keras/src (models/functional.py get_config and functional_from_config,
/// saving/serialization_lib.py, layers/core/input_layer.py):
/// <list type="bullet">
/// <item>a layer call (<c>inbound_nodes</c>) is <c>{"args": [...], "kwargs": {...}}</c> whose tensors are
/// <c>{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, call, tensor]}}</c>,
/// not lists of <c>[layer, call, tensor, kwargs]</c>;</item>
/// <item><c>input_layers</c> / <c>output_layers</c> hold the model's input structure: one reference
/// alone for a single tensor, a dictionary for named inputs (flattened in sorted key order, as Keras' tree does);</item>
/// <item>a nested functional model counts its calls from 1 (its call 0 is the one that built it);</item>
/// <item>an InputLayer's shape is <c>batch_shape</c>, and numpy arrays inside configs are
/// <c>{"class_name": "__numpy__", "config": {"value": ...}}</c>.</item>
/// </list>
/// The extra keys Keras 3 writes (<c>module</c>, <c>registered_name</c>, <c>build_config</c>, dtype
/// policies as objects) are left for the reader to ignore.
/// </summary>
internal static class Keras3Config
{
    private const int MaxDepth = 64;

    /// <summary>Rewrites <paramref name="model"/> (a model entry of config.json) in place.</summary>
    public static void Translate(JsonObject model, string file) => Model(model, file, 0);

    private static void Model(JsonObject entry, string file, int depth)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"'{file}': config.json nests models more than {MaxDepth} deep.");
        if (entry["config"] is not JsonObject config) return;
        if (config["layers"] is not JsonArray layers) return;
        foreach (var layer in layers.OfType<JsonObject>()) Layer(layer, file, depth);
        if (entry["class_name"]?.GetValue<string>() != "Functional") return;

        foreach (var layer in layers.OfType<JsonObject>())
            if (layer["inbound_nodes"] is JsonArray nodes)
                layer["inbound_nodes"] = new JsonArray(nodes.Select(n => (JsonNode?)Call(n, file, (layer["name"] ?? layer["config"]?["name"])?.ToString())).ToArray());
        foreach (var key in new[] { "input_layers", "output_layers" })
            if (config[key] is { } ends) config[key] = new JsonArray(Ends(ends, file).ToArray());
        // Keras 3 numbers a nested functional model's calls after the call that built it.
        NestedModelCalls.Shift(config, layer => layer["class_name"]?.GetValue<string>() == "Functional");
    }

    private static void Layer(JsonObject layer, string file, int depth)
    {
        var className = layer["class_name"]?.GetValue<string>();
        if (className is "Functional" or "Sequential")
        {
            Model(layer, file, depth + 1);
            return;
        }
        if (layer["config"] is not JsonObject config) return;
        if (className == "InputLayer" && config["batch_input_shape"] is null && config["batch_shape"] is { } shape)
            config["batch_input_shape"] = shape.DeepClone();
        Arrays(config, depth);
    }

    // {"class_name": "__numpy__", "config": {"value": v}} -> v, anywhere in a layer's config.
    private static void Arrays(JsonNode? node, int depth)
    {
        if (depth > MaxDepth) return;
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                    if (Numpy(child) is { } value) o[key] = value;
                    else Arrays(child, depth + 1);
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                    if (Numpy(a[i]) is { } value) a[i] = value;
                    else Arrays(a[i], depth + 1);
                break;
        }
    }

    private static JsonNode? Numpy(JsonNode? node) =>
        node is JsonObject o && o["class_name"]?.GetValue<string>() == "__numpy__" ? o["config"]?["value"]?.DeepClone() : null;

    // One call: its positional tensors as references, the keyword arguments (tensors as
    // references, other values as they are) on the first; Keras 2's form
    // [[layer, call, tensor, {kwargs}], [layer, call, tensor], ...]. A call already in that form stays.
    private static JsonNode Call(JsonNode? node, string file, string? layer)
    {
        if (node is JsonArray legacy) return legacy.DeepClone();
        if (node is not JsonObject call)
            throw new InvalidDataException($"'{file}': a layer call in config.json is {node?.ToJsonString() ?? "null"}, not an object of args and kwargs.");
        var refs = new List<JsonArray>();
        foreach (var arg in call["args"] as JsonArray ?? [])
            Flatten(arg, refs, file, what: "a positional argument");
        var kwargs = new JsonObject();
        foreach (var (key, value) in call["kwargs"] as JsonObject ?? [])
        {
            if (value is null) continue;   // Keras writes defaults such as mask=None
            // `base_model(x, training=False)` (the transfer-learning guide's frozen BatchNormalization) is
            // kept in the graph by Keras; a NeuralFlow graph runs each layer in Fit's or Predict's phase.
            if (key == "training")
            {
                NF.Warn($"Load: '{file}' calls layer '{layer}' with training={value.ToJsonString()}, which NeuralFlow's functional graphs do not keep: the layer runs in the phase of Fit (training) or Predict/Evaluate (inference); freeze it (Trainable = false) to keep a BatchNormalization in inference mode while training.");
                continue;
            }
            if (Tensor(value) is { } one) kwargs[key] = one;
            else if (value is JsonArray list && list.Count > 0 && list.All(v => Tensor(v) is not null))
                kwargs[key] = new JsonArray(list.Select(v => (JsonNode?)Tensor(v)).ToArray());
            else kwargs[key] = value.DeepClone();
        }
        if (refs.Count == 0)
            throw new InvalidDataException(
                $"'{file}': a layer is called with keyword tensors only ({string.Join(", ", kwargs.Select(k => k.Key))}); NeuralFlow rebuilds calls whose first input is positional.");
        refs[0].Add(kwargs);
        return new JsonArray(refs.Select(r => (JsonNode?)r).ToArray());
    }

    // The tensors of one positional argument: one tensor, or a list (a merge layer's inputs).
    private static void Flatten(JsonNode? arg, List<JsonArray> refs, string file, string what)
    {
        if (Tensor(arg) is { } one) refs.Add(one);
        else if (arg is JsonArray list)
            foreach (var item in list) Flatten(item, refs, file, what);
        else
            throw new InvalidDataException($"'{file}': {what} of a layer call is {arg?.ToJsonString() ?? "null"}, not a tensor: NeuralFlow rebuilds calls on tensors.");
    }

    // A Keras 3 tensor's [layer, call, tensor].
    private static JsonArray? Tensor(JsonNode? node) =>
        node is JsonObject o && o["class_name"]?.GetValue<string>() == "__keras_tensor__" && o["config"]?["keras_history"] is JsonArray { Count: 3 } history
            ? (JsonArray)history.DeepClone()
            : null;

    // input_layers / output_layers: a reference, a list of them, or a dictionary of them.
    private static IEnumerable<JsonNode?> Ends(JsonNode node, string file) => node switch
    {
        JsonArray { Count: 3 } r when r[0] is JsonValue v && v.TryGetValue(out string? _) => [r.DeepClone()],
        JsonArray list => list.SelectMany(n => n is null ? [] : Ends(n, file)),
        JsonObject named => named.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value is null ? [] : Ends(p.Value, file)),
        _ => throw new InvalidDataException($"'{file}': a model's input or output reference {node.ToJsonString()} is not [layer, call, tensor]."),
    };
}
