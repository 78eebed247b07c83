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

        // An operation's calls stay in Keras 3's form, which holds its numbers and constants.
        foreach (var layer in layers.OfType<JsonObject>())
            if (layer["inbound_nodes"] is JsonArray nodes && !Operation.IsEntry(layer))
                layer["inbound_nodes"] = new JsonArray(nodes.Select(n => (JsonNode?)Call(n, file)).ToArray());
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
        // Keras 3 builds an attention layer from build_config's value and key shapes; NeuralFlow's
        // reader takes them in the config, as Keras 2 wrote them (an unknown batch read as 1).
        if (layer["build_config"] is JsonObject build && build["value_shape"] is JsonArray valueShape && config["value_shape"] is null)
        {
            config["value_shape"] = KnownBatch(valueShape);
            config["key_shape"] = KnownBatch(build["key_shape"] as JsonArray ?? valueShape);
        }
        foreach (var (key, value) in config.ToList())
            if (key is "layer" or "backward_layer" or "cell" && value is JsonObject inner) Layer(inner, file, depth + 1);
        Arrays(config, depth);
    }

    private static JsonArray KnownBatch(JsonArray shape) =>
        new(shape.Select((d, i) => (JsonNode?)(i == 0 && d is null ? JsonValue.Create(1) : d?.DeepClone())).ToArray());

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
    private static JsonNode Call(JsonNode? node, string file)
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

/// <summary>
/// The other direction: a NeuralFlow model's config in Keras 3's form, for the config.json of a
/// <c>.keras</c> archive that Keras' <c>load_model</c> reads. It starts from NeuralFlow's own entry
/// (each layer's class and config, as <c>ToJson</c> writes them) and takes from the live model what
/// Keras 3 adds: each object's <c>module</c> and <c>registered_name</c>, layers' <c>build_config</c>,
/// a Sequential's <c>build_input_shape</c>, and a functional model's calls as
/// <c>{"args", "kwargs"}</c> whose tensors carry their shape and dtype. Everything
/// <see cref="Keras3Config.Translate"/> undoes, so NeuralFlow reads its own archives as Keras' own.
/// </summary>
internal static class Keras3ConfigWriter
{
    /// <summary>The model entry of config.json (its compile_config is added by the caller).</summary>
    public static JsonObject Model(Model model) => Model(model, model.ModelEntry());

    private static JsonObject Model(Model model, JsonObject nfEntry)
    {
        if (model.Graph is null && model is not Sequential) return Subclassed(model, nfEntry);
        var config = (JsonObject)nfEntry["config"]!.DeepClone();
        var nfLayers = (JsonArray)config["layers"]!;
        var graph = model.Graph;
        IReadOnlyList<Layer> layers = graph is not null ? graph.Operations : ((Sequential)model).AllLayers;
        var entries = new Dictionary<Layer, JsonObject>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < layers.Count; i++) entries[layers[i]] = (JsonObject)nfLayers[i]!;
        // Keras lists a functional model's layers and operations in its own graph order (map_graph's).
        if (graph is not null) layers = graph.KerasOperationOrder;
        var numbers = graph is null ? null : Keras.Model.CallNumbers(graph);
        var written = new JsonArray();
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var nf = entries[layer];
            var keras = layer is Model nested ? Model(nested, nf) : layer is Operation op ? op.Entry() : Layer(nf);
            if (graph is not null)
            {
                keras["name"] = layer.Name;
                keras["inbound_nodes"] = new JsonArray(graph.Nodes.Where(n => ReferenceEquals(n.Layer, layer))
                    .Select(n => (JsonNode)(n.Layer is Operation o ? o.CallEntry(n, t => Tensor(t, numbers!)) : Call(n, numbers!))).ToArray());
            }
            written.Add(keras);
        }
        config["layers"] = written;
        config["trainable"] = model.Trainable;
        JsonNode? inputShape;
        if (graph is not null)
        {
            config["input_layers"] = Ends(graph.Inputs, numbers!);
            config["output_layers"] = Ends(graph.Outputs, numbers!);
            inputShape = graph.Inputs.Length == 1 ? Shape(graph.Inputs[0].Shape) : new JsonArray(graph.Inputs.Select(t => (JsonNode)Shape(t.Shape)).ToArray());
        }
        else
        {
            inputShape = layers.Count == 0 ? null
                : layers[0] is Layers.InputLayer input ? Shape(input.Output.Shape)
                : layers[0].BuildInputShape is { } shape ? Shape(shape.ToArray().Select((d, i) => i == 0 ? null : (int?)d))
                : null;
            if (inputShape is not null) config["build_input_shape"] = inputShape.DeepClone();
        }
        // Keras registers Functional under its source module; Sequential is public API.
        var entry = new JsonObject
        {
            ["module"] = graph is not null ? "keras.src.models.functional" : "keras",
            ["class_name"] = graph is not null ? "Functional" : "Sequential",
            ["config"] = config,
            ["registered_name"] = graph is not null ? "Functional" : null,
        };
        if (inputShape is not null) entry["build_config"] = new JsonObject { ["input_shape"] = inputShape.DeepClone() };
        return entry;
    }

    // A subclassed model: its registered class and its GetConfig, as Keras 3 writes a registered
    // class (module, class_name, config, registered_name), for load_model(custom_objects) to rebuild.
    private static JsonObject Subclassed(Model model, JsonObject nf) => new()
    {
        ["module"] = nf["module"]?.DeepClone(),
        ["class_name"] = nf["class_name"]!.DeepClone(),
        ["config"] = nf["config"]!.DeepClone(),
        ["registered_name"] = nf["class_name"]!.DeepClone(),
    };

    // A layer: NeuralFlow's class and config (Keras' argument names), Keras 3's envelope around them.
    private static JsonObject Layer(JsonObject nf)
    {
        var config = (JsonObject)nf["config"]!.DeepClone();
        string className = nf["class_name"]!.GetValue<string>();
        // Keras 3's InputLayer takes batch_shape (Keras 2's batch_input_shape).
        if (className == "InputLayer" && config["batch_input_shape"] is { } batchShape)
        {
            config.Remove("batch_input_shape");
            config["batch_shape"] = batchShape.DeepClone();
        }
        // Objects inside a config in Keras 3's envelope: Keras deserializes a wrapped layer (a
        // Bidirectional's, a TimeDistributed's, an RNN's cell) only with its module.
        foreach (var (key, value) in config.ToList())
            if (value is JsonObject o && o["class_name"] is JsonValue && o.ContainsKey("config") && !o.ContainsKey("module"))
                config[key] = key is "layer" or "backward_layer" or "cell" ? Layer(o) : ObjectModule(key) is { } module ? Keras3CompileConfig.Envelope(module, o) : o.DeepClone();
            else if (key == "cells" && value is JsonArray cells)
                config[key] = new JsonArray(cells.Select(c => (JsonNode?)(c is JsonObject cell ? Layer(cell) : c?.DeepClone())).ToArray());
        // Keras 3 writes a layer's dtype policy as an object (an InputLayer's dtype is its tensors' type, a name).
        if (className != "InputLayer" && config["dtype"] is JsonValue policy)
            config["dtype"] = new JsonObject
            {
                ["module"] = "keras",
                ["class_name"] = "DTypePolicy",
                ["config"] = new JsonObject { ["name"] = policy.GetValue<string>() },
                ["registered_name"] = null,
            };
        // A class of the user's under its own module and name (Keras 3's entry of a custom class), Keras' own under keras.layers.
        var keras = nf["module"] is JsonValue userModule
            ? new JsonObject { ["module"] = userModule.DeepClone(), ["class_name"] = className, ["config"] = config, ["registered_name"] = className }
            : new JsonObject { ["module"] = "keras.layers", ["class_name"] = className, ["config"] = config, ["registered_name"] = null };
        if (nf["build_input_shape"] is JsonArray built && className != "InputLayer")
        {
            // Keras builds a deserialized layer from build_config (the batch left unknown); NeuralFlow's reader from build_input_shape.
            var buildConfig = new JsonObject { ["input_shape"] = UnknownBatch(built) };
            // An attention layer's value and key shapes are build arguments in Keras 3 (its constructor refuses them).
            if (config["value_shape"] is JsonArray valueShape)
            {
                buildConfig = new JsonObject { ["query_shape"] = UnknownBatch(built), ["value_shape"] = UnknownBatch(valueShape) };
                if (config["key_shape"] is JsonArray keyShape) buildConfig["key_shape"] = UnknownBatch(keyShape);
                config.Remove("value_shape");
                config.Remove("key_shape");
            }
            keras["build_config"] = buildConfig;
            keras["build_input_shape"] = built.DeepClone();
        }
        return keras;
    }

    private static JsonArray UnknownBatch(JsonArray shape)
    {
        var copy = (JsonArray)shape.DeepClone();
        if (copy.Count > 0) copy[0] = null;
        return copy;
    }

    // The Keras module of an object a layer argument names by its key.
    private static string? ObjectModule(string key) =>
        key.EndsWith("_initializer", StringComparison.Ordinal) ? "keras.initializers"
        : key.EndsWith("_regularizer", StringComparison.Ordinal) ? "keras.regularizers"
        : key.EndsWith("_constraint", StringComparison.Ordinal) ? "keras.constraints"
        : null;

    // One call: positional tensors (a list call as one list argument), keyword tensors and options.
    private static JsonObject Call(Node node, Dictionary<Node, int> numbers)
    {
        var positional = node.Arguments.Select(t => (JsonNode)Tensor(t, numbers)).ToArray();
        var args = node.Args.ListCall ? new JsonArray(new JsonArray(positional)) : new JsonArray(positional);
        var kwargs = (JsonObject)node.Args.Options.DeepClone();
        foreach (var keyword in node.Args.Keywords.Distinct())
        {
            var tensors = node.Args.Named(node.Inputs, keyword);
            kwargs[keyword] = tensors.Length == 1 && keyword != Layers.Recurrent.InitialState
                ? Tensor(tensors[0], numbers)
                : new JsonArray(tensors.Select(t => (JsonNode)Tensor(t, numbers)).ToArray());
        }
        return new JsonObject { ["args"] = args, ["kwargs"] = kwargs };
    }

    private static JsonObject Tensor(KerasTensor t, Dictionary<Node, int> numbers) => TensorEntry(t, Reference(t, numbers));

    /// <summary>A symbolic tensor in a call's arguments, as Keras 3 writes it: its shape, dtype and <paramref name="history"/> [layer, call, tensor].</summary>
    internal static JsonObject TensorEntry(KerasTensor t, JsonArray history) => new()
    {
        ["class_name"] = "__keras_tensor__",
        ["config"] = new JsonObject { ["shape"] = Shape(t.Shape), ["dtype"] = t.DType.Name(), ["keras_history"] = history },
    };

    // [layer, call, tensor]; Keras 3 numbers a nested functional model's calls after the one that built it.
    private static JsonArray Reference(KerasTensor t, Dictionary<Node, int> numbers) =>
        [t.Layer.Name, numbers[t.Node] + (t.Layer is Model { IsFunctional: true } ? 1 : 0), t.Index];

    // input_layers / output_layers: one reference alone for a single tensor, else a list.
    private static JsonNode Ends(IReadOnlyList<KerasTensor> ends, Dictionary<Node, int> numbers) =>
        ends.Count == 1 ? Reference(ends[0], numbers) : new JsonArray(ends.Select(t => (JsonNode)Reference(t, numbers)).ToArray());

    private static JsonArray Shape(IEnumerable<int?> dims) => new(dims.Select(d => d is { } v ? JsonValue.Create(v) : null).ToArray<JsonNode?>());
}
