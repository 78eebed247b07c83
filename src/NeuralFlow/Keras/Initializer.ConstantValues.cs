using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

// Constant initializers given many values, as TensorFlow's tf.constant_initializer(value) takes a list
// or array: its elements fill the weight in row-major order, so they must be as many as the weight's.
// A single value fills every element, as Keras' Constant(value) does.
public sealed partial class Initializer
{
    /// <summary>
    /// The weight set to <paramref name="values"/> (<c>tf.constant_initializer(value)</c>,
    /// <c>keras.initializers.Constant(value)</c> with an array): an array of any rank whose element count is the
    /// weight's, laid out in row-major order (a float[2, 3] or a float[6] fills a (2, 3) kernel); a single element
    /// fills every element, as <see cref="Constant(double)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">values is empty or holds a non-finite or non-numeric element; on Create, its element count is neither 1 nor the weight's.</exception>
    public static Initializer Constant(Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var flat = new double[values.Length];
        int i = 0;
        foreach (var v in values)
            flat[i++] = v is IConvertible c && v is not string and not char and not bool ? c.ToDouble(null)
                : throw new ArgumentException($"Initializer.Constant: values holds {v?.GetType().Name ?? "null"}; it needs numbers.", nameof(values));
        var dims = new int[values.Rank];
        for (int d = 0; d < dims.Length; d++) dims[d] = values.GetLength(d);
        return ConstantValues(flat, new Shape(dims));
    }

    /// <summary>
    /// The weight set to the values of <paramref name="value"/>, copied now (<c>tf.constant_initializer(tensor)</c>):
    /// its element count must be the weight's (row-major order), or 1 to fill every element.
    /// </summary>
    /// <exception cref="ArgumentException">value is empty or holds a non-finite element; on Create, its element count is neither 1 nor the weight's.</exception>
    public static Initializer Constant(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var asDouble = NF.Cast(value, DType.Float64);
        return ConstantValues(asDouble.ToArray<double>(), value.Shape);
    }

    private static Initializer ConstantValues(double[] flat, Shape shape)
    {
        if (flat.Length == 0) throw new ArgumentException("Initializer.Constant: the values are empty; give one value or as many as the weight has.", "values");
        if (flat.Any(v => !double.IsFinite(v))) throw new ArgumentException("Initializer.Constant: every value must be finite.", "values");
        var values = flat.Select(v => (float)v).ToArray();
        return new("constant", (s, _, _) =>
        {
            if (values.Length == 1) return NF.Fill(s, values[0], DType.Float32);
            if (values.Length != s.Count)
                throw new ArgumentException(
                    $"Initializer.Constant: the value of shape {shape} has {values.Length} elements but the weight of shape {s} has {s.Count}; " +
                    "give as many values as the weight has (they fill it in row-major order) or a single one.", "shape");
            return NF.Constant(values, s);
        }, new() { ["value"] = Nested(flat, shape.ToArray(), 0, out _) });
    }

    // The values as nested JSON lists in their shape, as Keras serializes a list value.
    private static JsonNode Nested(double[] flat, int[] dims, int start, out int next, int axis = 0)
    {
        if (axis == dims.Length)
        {
            next = start + 1;
            return JsonValue.Create(flat[start]);
        }
        var list = new JsonArray();
        next = start;
        for (int i = 0; i < dims[axis]; i++) list.Add(Nested(flat, dims, next, out next, axis + 1));
        return list;
    }

    // A config's "value": a number, or nested lists of numbers (their shape kept).
    private static Initializer ConstantFromConfig(JsonNode? value)
    {
        if (value is null) return Constant(0);
        if (value is JsonValue number) return Constant(number.GetValue<double>());
        var flat = new List<double>();
        var dims = new List<int>();
        void Walk(JsonNode? node, int axis)
        {
            if (node is JsonArray list)
            {
                if (dims.Count == axis) dims.Add(list.Count);
                else if (dims[axis] != list.Count) throw new FormatException("a Constant initializer's value is a ragged list");
                foreach (var item in list) Walk(item, axis + 1);
            }
            else flat.Add(node?.GetValue<double>() ?? throw new FormatException("a Constant initializer's value holds null"));
        }
        Walk(value, 0);
        return ConstantValues([.. flat], new Shape([.. dims]));
    }
}
