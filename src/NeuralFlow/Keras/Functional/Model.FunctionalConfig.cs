using System.Text.Json.Nodes;
using NeuralFlow.Keras.Saving;

namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// The config.json entry of a model, as Keras writes it: a Sequential
    /// model's layers in order; a functional model's ("Functional") layers each with the
    /// <c>inbound_nodes</c> of its calls (<c>[[["conv2d", 0, 0, {}]]]</c>: layer, call, tensor),
    /// then <c>input_layers</c> and <c>output_layers</c>; a subclassed model's class and config
    /// (<see cref="SubclassedEntry"/>). A nested model is a layer entry of the same form.
    /// </summary>
    internal JsonObject ModelEntry()
    {
        var entry = ModelEntryOf();
        // Keras' base config key, written (as Layer.GetConfig does) only for a frozen model.
        if (!Trainable) entry["config"]!["trainable"] = false;
        return entry;
    }

    private JsonObject ModelEntryOf()
    {
        if (this is Sequential sequential)
            return new JsonObject
            {
                ["class_name"] = "Sequential",
                ["config"] = new JsonObject
                {
                    ["name"] = Name,
                    ["layers"] = new JsonArray(sequential.AllLayers.Select(l => (JsonNode)KerasSerialization.Serialize(l)).ToArray()),
                },
            };
        if (_graph is not { } graph) return SubclassedEntry();
        var local = CallNumbers(graph);
        // [layer, call, tensor]; in inbound_nodes with the call's keyword arguments, which tf.keras
        // writes on the first input: {"initial_state": [[layer, call, tensor], ...], "use_causal_mask": true}.
        JsonArray Ref(KerasTensor t) => [t.Layer.Name, local[t.Node], t.Index];
        JsonArray Inbound(Node n) => new(n.Arguments.Select((t, i) =>
            (JsonNode)new JsonArray([.. Ref(t).Select(v => v!.DeepClone()), i == 0 ? Kwargs(n) : new JsonObject()])).ToArray());
        JsonObject Kwargs(Node n)
        {
            var kwargs = (JsonObject)n.Args.Options.DeepClone();
            foreach (var keyword in n.Args.Keywords.Distinct())
            {
                var tensors = n.Args.Named(n.Inputs, keyword);
                kwargs[keyword] = tensors.Length == 1 && keyword != Layers.Recurrent.InitialState
                    ? Ref(tensors[0])
                    : new JsonArray(tensors.Select(s => (JsonNode)Ref(s)).ToArray());
            }
            return kwargs;
        }
        var layers = new JsonArray();
        foreach (var layer in graph.Operations)
        {
            var entry = KerasSerialization.Serialize(layer);
            entry["name"] = layer.Name;
            // An operation's call holds numbers and constants besides tensors: Keras 3's {"args", "kwargs"} form.
            entry["inbound_nodes"] = new JsonArray(graph.Nodes.Where(n => ReferenceEquals(n.Layer, layer))
                .Select(n => layer is Operation op ? op.CallEntry(n, t => Keras3ConfigWriter.TensorEntry(t, Ref(t))) : (JsonNode)Inbound(n)).ToArray());
            layers.Add(entry);
        }
        return new JsonObject
        {
            ["class_name"] = "Functional",
            ["config"] = new JsonObject
            {
                ["name"] = Name,
                ["layers"] = layers,
                ["input_layers"] = new JsonArray(graph.Inputs.Select(t => (JsonNode)Ref(t)).ToArray()),
                ["output_layers"] = new JsonArray(graph.Outputs.Select(t => (JsonNode)Ref(t)).ToArray()),
            },
        };
    }

    /// <summary>
    /// Each call's number among its layer's calls in <paramref name="graph"/>, as config files
    /// reference it ([layer, call, tensor]): counted within this model, as a layer may also be
    /// called in other graphs; an input's call is 0.
    /// </summary>
    internal static Dictionary<Node, int> CallNumbers(FunctionalGraph graph)
    {
        var local = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        foreach (var input in graph.Inputs) local[input.Node] = 0;
        foreach (var group in graph.Nodes.GroupBy(n => n.Layer, ReferenceEqualityComparer.Instance))
        {
            int i = 0;
            foreach (var node in group) local[node] = i++;
        }
        return local;
    }

    /// <summary>
    /// Rebuilds a model from its <see cref="ModelEntry"/>: each layer from its config, then, for a
    /// functional model, each recorded call replayed on the symbolic outputs of the calls it reads
    /// (Keras' <c>reconstruct_from_config</c>), so shared layers and nested models come back as saved.
    /// </summary>
    internal static Model FromEntry(JsonObject entry, string file)
    {
        var className = entry["class_name"]?.GetValue<string>();
        // A subclassed model: its class's factory (Keras' from_config), as a layer of that class is rebuilt.
        if (className is not ("Sequential" or "Functional"))
            return KerasSerialization.Deserialize(entry, file) as Model
                ?? throw new InvalidDataException($"'{file}': config.json describes a layer of type '{className}', not a model.");
        if (entry["config"] is not JsonObject config || config["layers"] is not JsonArray layerEntries)
            throw new InvalidDataException($"'{file}': a model entry ({className}) lacks its config or layers.");
        var name = config["name"]?.GetValue<string>();
        if (className == "Sequential")
            return KerasSerialization.RestoreTrainable(new Sequential(layerEntries.Select(l => KerasSerialization.Deserialize(l, file)).ToList(), name), config);

        var layers = new List<(Layer Layer, JsonArray Nodes)>();
        var byName = new Dictionary<string, Layer>(StringComparer.Ordinal);
        foreach (var node in layerEntries)
        {
            var layer = KerasSerialization.Deserialize(node, file);
            if (!byName.TryAdd(layer.Name, layer)) throw new InvalidDataException($"'{file}': two layers are named '{layer.Name}'.");
            layers.Add((layer, node?["inbound_nodes"] as JsonArray ?? []));
        }
        // The outputs of each (layer, call) as the calls are replayed; a call waits until its inputs exist.
        var outputs = new Dictionary<(string, int), IReadOnlyList<KerasTensor>>();
        foreach (var (layer, _) in layers)
            if (layer is Layers.InputLayer input) outputs[(input.Name, 0)] = [input.Output];
        bool Made((string Layer, int Call, int Tensor) r) => outputs.ContainsKey((r.Layer, r.Call));
        KerasTensor Tensor((string Layer, int Call, int Tensor) r) => outputs.TryGetValue((r.Layer, r.Call), out var made) && r.Tensor >= 0 && r.Tensor < made.Count
            ? made[r.Tensor]
            : throw new InvalidDataException($"'{file}': a reference names tensor {r.Tensor} of '{r.Layer}' call {r.Call}, which the model does not make.");
        var pending = layers.SelectMany(l => l.Nodes.Select((n, i) => (l.Layer, Index: i, Node: n)))
            .Where(p => p.Layer is not Layers.InputLayer).ToList();
        // An operation's tensor argument ({"class_name": "__keras_tensor__", ...}), or null while its call is not replayed yet.
        KerasTensor? History(JsonObject t) => t["config"]?["keras_history"] is var history && Reference(history, file) is var r && Made(r) ? Tensor(r) : null;
        while (pending.Count > 0)
        {
            int before = pending.Count;
            foreach (var call in pending.ToList())
            {
                if (call.Layer is Operation op)
                {
                    if ((call.Node as JsonObject ?? throw new InvalidDataException($"'{file}': a call of operation '{op.Name}' is not an object of args and kwargs."))
                        is var opCall && op.Replay(opCall, History, file) is not { } made) continue;
                    outputs[(op.Name, call.Index)] = made;
                    pending.Remove(call);
                    continue;
                }
                var inbound = call.Node as JsonArray ?? throw new InvalidDataException($"'{file}': a call of layer '{call.Layer.Name}' is not a list.");
                var refs = inbound.Select(r => Reference(r, file)).ToList();
                var (keywords, keywordRefs, options) = Keywords(inbound, file);
                if (!refs.Concat(keywordRefs).All(Made)) continue;
                var inputs = refs.Concat(keywordRefs).Select(Tensor).ToArray();
                outputs[(call.Layer.Name, call.Index)] = call.Layer.CallSymbolic(inputs, new CallArgs(listCall: refs.Count != 1, keywords, options));
                pending.Remove(call);
            }
            if (pending.Count == before)
                throw new InvalidDataException($"'{file}': the calls of layer(s) {string.Join(", ", pending.Select(p => $"'{p.Layer.Name}'"))} read tensors that no call makes.");
        }
        KerasTensor[] Ends(string key) => (config[key] as JsonArray ?? throw new InvalidDataException($"'{file}': model '{name}' lacks {key}."))
            .Select(r => Reference(r, file)).Select(Tensor).ToArray();
        return KerasSerialization.RestoreTrainable(new Model(Ends("input_layers"), Ends("output_layers"), name), config);
    }

    // A reference [layer, call, tensor(, kwargs)] of config.json (the tensor index 0 when absent).
    private static (string Layer, int Call, int Tensor) Reference(JsonNode? r, string file) =>
        r is JsonArray { Count: >= 2 } a && a[0]?.GetValue<string>() is { } layer && a[1]?.GetValue<int>() is { } index
            ? (layer, index, a.Count >= 3 && a[2] is JsonValue v ? v.GetValue<int>() : 0)
            : throw new InvalidDataException($"'{file}': a tensor reference {r?.ToJsonString()} is not [layer, call, tensor].");

    // A call's keyword arguments (on its first input's reference): tensors, as a reference or a list
    // of them, each with its keyword, and the other (plain) options.
    private static (List<string> Keywords, List<(string, int, int)> Refs, JsonObject Options) Keywords(JsonArray inbound, string file)
    {
        var (keywords, refs, options) = (new List<string>(), new List<(string, int, int)>(), new JsonObject());
        if (inbound.Count == 0 || inbound[0] is not JsonArray { Count: >= 4 } first || first[3] is not JsonObject kwargs) return (keywords, refs, options);
        foreach (var (key, value) in kwargs)
        {
            if (IsReference(value)) Add(key, value);
            else if (value is JsonArray list && (list.Count > 0 ? list.All(IsReference) : key == Layers.Recurrent.InitialState))
                foreach (var r in list) Add(key, r);
            else options[key] = value?.DeepClone();
        }
        return (keywords, refs, options);

        void Add(string keyword, JsonNode? r)
        {
            keywords.Add(keyword);
            refs.Add(Reference(r, file));
        }
    }

    private static bool IsReference(JsonNode? r) =>
        r is JsonArray { Count: 3 or 4 } a && a[0] is JsonValue name && name.TryGetValue<string>(out _) && a[1] is JsonValue call && call.TryGetValue<int>(out _);
}
