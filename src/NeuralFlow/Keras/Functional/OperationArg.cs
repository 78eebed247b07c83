using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// One positional argument of an <see cref="Operation"/>'s call, as Keras 3 records it in the
/// node's <c>"args"</c> (keras/src/models/functional.py serialize_node): a symbolic tensor (the
/// node's input), a C# number (Python's int or float), a concrete tensor captured as a constant
/// (Keras writes a tensor argument with its values, <c>__tensor__</c>), a list of arguments
/// (<c>concatenate</c>'s tensors) or <c>GetItem</c>'s index key.
/// </summary>
internal abstract class OperationArg
{
    /// <summary>The node's input number <see cref="Slot"/>.</summary>
    public sealed class Symbolic(int slot) : OperationArg
    {
        public int Slot { get; } = slot;
    }

    /// <summary>
    /// A number written in the call (<c>x * 2</c>): a weak scalar, which takes the tensor's dtype
    /// as in eager code (an int keeps an int tensor's type, a float makes it float32). Kept as
    /// the JSON number Keras writes, 2 or 2.0, which also says which of the two it is.
    /// </summary>
    public sealed class Number(JsonValue value) : OperationArg
    {
        public JsonValue Value { get; } = value;

        /// <summary>The number as the weak scalar C# code would have made.</summary>
        public Tensor Weak()
        {
            // Read from the JSON text: a value made in C# (an int) and one parsed from a file answer alike.
            var text = Value.ToJsonString();
            if (IsIntegral(Value)) return long.Parse(text, CultureInfo.InvariantCulture) is var l && l is >= int.MinValue and <= int.MaxValue ? (Tensor)(int)l : (Tensor)l;
            return double.Parse(text, CultureInfo.InvariantCulture);
        }

        /// <summary>A C# number (the value of a weak scalar tensor) as Keras' JSON: a float always with its point.</summary>
        public static Number Of(object value, string op) => new(value switch
        {
            int i => JsonValue.Create(i),
            long l => JsonValue.Create(l),
            float f => Float(f, op),
            double d => Float(d, op),
            _ => throw new ArgumentException($"{op}: a scalar of type {value.GetType().Name} cannot be an argument of a symbolic op; use an int or a double."),
        });

        private static JsonValue Float(double d, string op)
        {
            if (!double.IsFinite(d))
                throw new ArgumentException($"{op}: the scalar {d} is not finite; a model's config (JSON) cannot hold it. Use a large finite number (-1e9 for a mask).");
            var text = d.ToString("R", CultureInfo.InvariantCulture);
            if (text.All(c => char.IsDigit(c) || c == '-')) text += ".0";
            return (JsonValue)JsonNode.Parse(text)!;
        }

        private static bool IsIntegral(JsonValue v) => v.ToJsonString().All(c => char.IsDigit(c) || c == '-');
    }

    /// <summary>A concrete tensor captured as a constant of the graph (<c>x + bias</c> with an eager <c>bias</c>).</summary>
    public sealed class Constant(Tensor value) : OperationArg
    {
        public Tensor Value { get; } = value;
    }

    /// <summary>A list of arguments: <c>concatenate</c>'s and <c>stack</c>'s tensors.</summary>
    public sealed class Sequence(OperationArg[] items) : OperationArg
    {
        public OperationArg[] Items { get; } = items;
    }

    /// <summary>The key of <c>x[...]</c> (Keras' GetItem).</summary>
    public sealed class IndexKey(TensorIndex[] indices) : OperationArg
    {
        public TensorIndex[] Indices { get; } = indices;
    }

    /// <summary>
    /// This argument as Keras 3 serializes it (serialization_lib.serialize_keras_object), each
    /// symbolic tensor written by <paramref name="tensor"/> (a <c>__keras_tensor__</c> with its history).
    /// </summary>
    public JsonNode? ToJson(Func<int, JsonNode> tensor) => this switch
    {
        Symbolic s => tensor(s.Slot),
        Number n => n.Value.DeepClone(),
        Constant c => ConstantJson(c.Value),
        Sequence list => new JsonArray(list.Items.Select(i => i.ToJson(tensor)).ToArray()),
        IndexKey key => KeyJson(key.Indices),
        _ => throw new InvalidOperationException($"Unknown operation argument {GetType().Name}."),
    };

    /// <summary>
    /// An argument read back from a saved call: <paramref name="tensor"/> resolves a
    /// <c>__keras_tensor__</c> (and records it among the node's inputs, returning its slot);
    /// <paramref name="isKey"/> for GetItem's key.
    /// </summary>
    public static OperationArg FromJson(JsonNode? node, Func<JsonObject, int> tensor, bool isKey, string where)
    {
        if (isKey) return new IndexKey(KeyFromJson(node, where));
        switch (node)
        {
            case JsonObject o when ClassOf(o) == "__keras_tensor__": return new Symbolic(tensor(o));
            case JsonObject o when ClassOf(o) is "__tensor__" or "__numpy__": return new Constant(ConstantFromJson(o, where));
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number: return new Number((JsonValue)v.DeepClone());
            case JsonArray list: return new Sequence(list.Select(i => FromJson(i, tensor, false, where)).ToArray());
            default:
                throw new InvalidDataException($"{where}: an argument {node?.ToJsonString() ?? "null"} is not a tensor, a number or a list of them.");
        }
    }

    private static string? ClassOf(JsonObject o) => o["class_name"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    // Keras' __tensor__: the values as nested lists and the dtype's name.
    private static JsonObject ConstantJson(Tensor t)
    {
        var values = t.ToDoubleArray();
        var dims = t.Shape.ToArray();
        int at = 0;
        JsonNode? Level(int axis)
        {
            if (axis == dims.Length)
            {
                double v = values[at++];
                return t.DType == DType.Bool ? JsonValue.Create(v != 0) : t.DType.IsInteger() ? JsonValue.Create((long)v) : JsonValue.Create(v);
            }
            var level = new JsonArray();
            for (int i = 0; i < dims[axis]; i++) level.Add(Level(axis + 1));
            return level;
        }
        return new JsonObject
        {
            ["class_name"] = "__tensor__",
            ["config"] = new JsonObject { ["value"] = Level(0), ["dtype"] = t.DType.Name() },
        };
    }

    private static Tensor ConstantFromJson(JsonObject o, string where)
    {
        if (o["config"] is not JsonObject config)
            throw new InvalidDataException($"{where}: a constant tensor argument lacks its config.");
        var dtype = KerasSerialization.DTypeNamed(config["dtype"]?.GetValue<string>());
        var dims = new List<int>();
        for (var level = config["value"]; level is JsonArray a; level = a.Count > 0 ? a[0] : null) dims.Add(a.Count);
        var values = new List<double>();
        void Flatten(JsonNode? n, int axis)
        {
            if (axis == dims.Count)
            {
                values.Add(n is JsonValue v && v.TryGetValue(out bool b) ? (b ? 1 : 0)
                    : n?.GetValue<double>() ?? throw new InvalidDataException($"{where}: a constant tensor holds a null."));
                return;
            }
            if (n is not JsonArray a || a.Count != dims[axis])
                throw new InvalidDataException($"{where}: a constant tensor's values are not a rectangular nested list.");
            foreach (var item in a) Flatten(item, axis + 1);
        }
        Flatten(config["value"], 0);
        using var asDouble = NF.Constant(values.ToArray(), new Shape(dims.ToArray()));
        return NF.Cast(asDouble, dtype);
    }

    // GetItem's key: one entry alone (x[0], x[1:]), several as a list (x[:, 0]): ints, slices,
    // None (a new axis) and the ellipsis, as Python writes them.
    private static JsonNode? KeyJson(TensorIndex[] indices) =>
        indices.Length == 1 ? EntryJson(indices[0]) : new JsonArray(indices.Select(EntryJson).ToArray());

    private static JsonNode? EntryJson(TensorIndex index)
    {
        if (index.IsNewAxis) return null;
        if (index.IsEllipsis) return new JsonObject { ["class_name"] = "__ellipsis__", ["config"] = new JsonObject() };
        if (index.IsPosition) return JsonValue.Create(index.PythonPosition);
        var range = index.RangeBounds;
        JsonNode? start = range.Start.IsFromEnd ? JsonValue.Create(-range.Start.Value) : range.Start.Value == 0 ? null : JsonValue.Create(range.Start.Value);
        JsonNode? stop = range.End.IsFromEnd ? (range.End.Value == 0 ? null : JsonValue.Create(-range.End.Value)) : JsonValue.Create(range.End.Value);
        return new JsonObject
        {
            ["class_name"] = "__slice__",
            ["config"] = new JsonObject { ["start"] = start, ["stop"] = stop, ["step"] = index.Step == 1 ? null : JsonValue.Create(index.Step) },
        };
    }

    private static TensorIndex[] KeyFromJson(JsonNode? node, string where) =>
        node is JsonArray list ? list.Select(e => EntryFromJson(e, where)).ToArray() : [EntryFromJson(node, where)];

    private static TensorIndex EntryFromJson(JsonNode? node, string where)
    {
        switch (node)
        {
            case null: return NF.NewAxis;
            case JsonValue v when v.TryGetValue(out int position): return position;
            case JsonObject o when ClassOf(o) == "__ellipsis__": return NF.Ellipsis;
            case JsonObject o when ClassOf(o) == "__slice__" && o["config"] is JsonObject c:
                var start = Bound(c["start"], fromStartWhenNull: true);
                var stop = Bound(c["stop"], fromStartWhenNull: false);
                int step = c["step"]?.GetValue<int>() ?? 1;
                if (step < 0 && (c["start"] is not null || c["stop"] is not null))
                    throw new InvalidDataException($"{where}: the slice {node.ToJsonString()} steps backwards over part of an axis; NeuralFlow reads negative steps over a whole axis (x[::-1]) only.");
                return step == 1 ? start..stop : NF.Step(start..stop, step);
            default:
                throw new InvalidDataException($"{where}: the index entry {node.ToJsonString()} is not an int, a slice, None or the ellipsis.");
        }

        static Index Bound(JsonNode? b, bool fromStartWhenNull) => b?.GetValue<int>() is not int i
            ? (fromStartWhenNull ? Index.Start : Index.End)
            : i < 0 ? Index.FromEnd(-i) : Index.FromStart(i);
    }
}
