using System.Text.Json.Nodes;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// An <see cref="ElementSpec"/> as JSON, for the spec a saved dataset keeps beside its shards (as
/// TensorFlow keeps <c>dataset_spec.pb</c>): a tensor is <c>{"dtype": "float32", "shape": [null, 3]}</c>
/// (<c>"shape": null</c> when even the rank is unknown), a tuple <c>{"tuple": [item, ...]}</c> and a
/// dictionary <c>{"dict": [["key", spec], ...]}</c> in the dictionary's own key order.
/// </summary>
internal static class ElementSpecJson
{
    public static JsonNode Write(ElementSpec spec) => spec switch
    {
        TensorSpec t => new JsonObject
        {
            ["dtype"] = t.DType.Name(),
            ["shape"] = t.Shape is null ? null : new JsonArray(t.Shape.Select(d => (JsonNode?)(d is { } n ? JsonValue.Create(n) : null)).ToArray()),
        },
        TupleSpec tuple => new JsonObject { ["tuple"] = new JsonArray(tuple.Items.Select(i => (JsonNode?)Write(i)).ToArray()) },
        DictionarySpec dict => new JsonObject { ["dict"] = new JsonArray(dict.Keys.Select(k => (JsonNode?)new JsonArray(JsonValue.Create(k), Write(dict[k]))).ToArray()) },
        _ => throw new InvalidOperationException($"Internal: no JSON form for the spec {spec.GetType().Name}."),
    };

    /// <summary>The spec <paramref name="node"/> describes; anything else raises an <see cref="InvalidDataException"/> (the caller names the file).</summary>
    public static ElementSpec Read(JsonNode? node)
    {
        if (node is not JsonObject o) throw new InvalidDataException("an element spec is not a JSON object");
        if (o["tuple"] is JsonArray items) return new TupleSpec(items.Select(Read).ToArray());
        if (o["dict"] is JsonArray entries)
        {
            var keys = new string[entries.Count];
            var values = new ElementSpec[entries.Count];
            for (int i = 0; i < keys.Length; i++)
            {
                if (entries[i] is not JsonArray { Count: 2 } entry || entry[0]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
                    throw new InvalidDataException("a dictionary entry of the element spec is not a [key, spec] pair");
                keys[i] = entry[0]!.GetValue<string>();
                values[i] = Read(entry[1]);
            }
            if (keys.Length == 0 || keys.Distinct(StringComparer.Ordinal).Count() != keys.Length)
                throw new InvalidDataException("a dictionary of the element spec has no keys or repeats one");
            return new DictionarySpec(keys, values);
        }
        string name = o["dtype"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? o["dtype"]!.GetValue<string>() : "";
        var dtype = Enum.GetValues<DType>().Cast<DType?>().FirstOrDefault(d => d!.Value.Name() == name)
                    ?? throw new InvalidDataException($"the element spec names the dtype '{name}', which is none of NeuralFlow's");
        int?[]? shape = null;
        if (o["shape"] is JsonArray dims)
            shape = dims.Select(d => d is null ? (int?)null : d.GetValue<int>()).ToArray();
        else if (o["shape"] is not null) throw new InvalidDataException("a tensor's shape in the element spec is not a list");
        try
        {
            return new TensorSpec(shape, dtype);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
