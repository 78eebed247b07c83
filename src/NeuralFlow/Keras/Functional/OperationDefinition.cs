using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// What one kind of Keras 3 operation is: its class and module (as config.json names them,
/// <c>keras.src.ops.numpy.Add</c>), how it runs on concrete tensors (the eager NF op, so autodiff
/// and every engine are shared with eager code) and its output shape on symbolic ones. The
/// same two functions read the call's arguments and the op's settings (Keras' constructor
/// arguments: axis, keepdims, ...) through <see cref="OperationValues{T}"/>, and so does its ONNX
/// form (null where it has none), which writes the op's value from its arguments' value names.
/// Settle fixes, at the op's first symbolic call, a setting whose meaning Keras leaves to the
/// values' shapes at run time (squeeze's None), from the symbolic shapes instead. OnnxOperands
/// says in which dtypes the ONNX form reads its tensor arguments, which the exporter casts them to.
/// </summary>
internal sealed record OperationDefinition(
    string ClassName,
    string Module,
    Func<OperationValues<Tensor>, Tensor> Run,
    Func<OperationValues<int?[]>, int?[]> Shape,
    int KeyArgument = -1,
    string[]? NullOnly = null,
    Func<OperationValues<string>, IOperationOnnx, string>? Onnx = null,
    Action<OperationValues<int?[]>, JsonObject>? Settle = null,
    OnnxOperands OnnxOperands = OnnxOperands.Output)
{
    /// <summary>Keras' settings this op takes at their default, null, only (Max's initial): a file that sets one is refused, not misread.</summary>
    public string[] NullOnly { get; } = NullOnly ?? [];
}

/// <summary>
/// The arguments of one call of an operation seen as <typeparamref name="T"/>: concrete tensors
/// when it runs, shapes when its output shape is inferred; and its settings.
/// </summary>
internal sealed class OperationValues<T>(Operation op, Func<OperationArg, T> value)
{
    /// <summary>The op's name and class, for messages ("add (Add)").</summary>
    public string Op => $"{op.Name} ({op.ClassName})";

    /// <summary>Positional argument <paramref name="i"/>.</summary>
    public T this[int i] => value(op.Arguments[i]);

    /// <summary>Positional argument <paramref name="i"/>, a list (concatenate's tensors).</summary>
    public IReadOnlyList<T> List(int i) => op.Arguments[i] is OperationArg.Sequence list
        ? list.Items.Select(value).ToArray()
        : throw new InvalidOperationException($"{Op}: argument {i} is not a list.");

    /// <summary>GetItem's key.</summary>
    public TensorIndex[] Key(int i) => op.Arguments[i] is OperationArg.IndexKey key ? key.Indices
        : throw new InvalidOperationException($"{Op}: argument {i} is not an index.");

    /// <summary>An int setting (axis).</summary>
    public int Int(string key) => op.Settings[key]?.GetValue<int>() ?? throw new InvalidDataException($"{Op}: setting '{key}' is missing.");

    /// <summary>An int setting that may be null.</summary>
    public int? OptionalInt(string key) => op.Settings[key]?.GetValue<int>();

    /// <summary>A list of ints (an int alone is a list of one, as Keras' reductions take it); null when null.</summary>
    public int[]? Ints(string key) => op.Settings[key] switch
    {
        null => null,
        JsonArray a => a.Select(v => v!.GetValue<int>()).ToArray(),
        JsonValue v => [v.GetValue<int>()],
        _ => throw new InvalidDataException($"{Op}: setting '{key}' is not an int or a list of ints."),
    };

    /// <summary>A number setting that may be null (normalize's epsilon).</summary>
    public double? OptionalDouble(string key) => op.Settings[key]?.GetValue<double>();

    /// <summary>A bool setting (absent: <paramref name="fallback"/>, Keras' default).</summary>
    public bool Bool(string key, bool fallback = false) => op.Settings[key] is JsonValue v ? v.GetValue<bool>() : fallback;

    /// <summary>A number setting (clip's x_min) as the weak scalar its JSON (int or float) says.</summary>
    public Tensor Number(string key) => op.Settings[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
        ? new OperationArg.Number(v).Weak()
        : throw new InvalidDataException($"{Op}: setting '{key}' is {op.Settings[key]?.ToJsonString() ?? "missing"}, not a number.");

    /// <summary>A dtype setting by its name.</summary>
    public DType DType(string key) => KerasSerialization.DTypeNamed(op.Settings[key]?.GetValue<string>());
}

/// <summary>
/// The dtypes an operation's ONNX form reads its tensor arguments (tensors, numbers, constants) in;
/// ONNX's ops take operands of one type, where Keras promotes them first.
/// </summary>
internal enum OnnxOperands
{
    /// <summary>The output's dtype: arithmetic, math, reductions, matmul, concatenation (Keras promotes to it, or makes a float of ints).</summary>
    Output,

    /// <summary>Their promoted dtype (Keras' result_type): the comparisons, whose output is bool.</summary>
    Promoted,

    /// <summary>Their own: the ops that move or convert values (reshape, indexing, cast, argmax).</summary>
    Own,

    /// <summary>The first (where's condition) as bool, the others in the output's dtype.</summary>
    Condition,

    /// <summary>All bool: the logical ops, which read any nonzero value as true.</summary>
    Bool,
}
