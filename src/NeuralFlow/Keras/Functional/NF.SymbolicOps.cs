using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow;

// The NF functions on symbolic tensors (Keras 3's keras.ops on KerasTensors): the same names as
// the eager ones, each recording one Operation node of the functional graph that runs the eager
// op, so that `NF.Sigmoid(x)` reads alike in eager code and in a functional model.
public static partial class NF
{
    /// <summary>a + b on symbolic tensors, broadcast (Keras' <c>ops.add</c>): one node of the graph.</summary>
    public static KerasTensor Add(KerasTensor a, KerasTensor b) => Symbolic("Add", [], a, b);
    /// <summary>a + b, <paramref name="b"/> a number (a weak scalar) or a constant tensor captured in the graph.</summary>
    public static KerasTensor Add(KerasTensor a, Tensor b) => Symbolic("Add", [], a, b);
    /// <summary>a + b, <paramref name="a"/> a number or a constant tensor captured in the graph.</summary>
    public static KerasTensor Add(Tensor a, KerasTensor b) => Symbolic("Add", [], a, b);

    /// <summary>a - b on symbolic tensors, broadcast (Keras' <c>ops.subtract</c>).</summary>
    public static KerasTensor Subtract(KerasTensor a, KerasTensor b) => Symbolic("Subtract", [], a, b);
    /// <summary>a - b, <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Subtract(KerasTensor a, Tensor b) => Symbolic("Subtract", [], a, b);
    /// <summary>a - b, <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Subtract(Tensor a, KerasTensor b) => Symbolic("Subtract", [], a, b);

    /// <summary>a * b elementwise on symbolic tensors, broadcast (Keras' <c>ops.multiply</c>).</summary>
    public static KerasTensor Multiply(KerasTensor a, KerasTensor b) => Symbolic("Multiply", [], a, b);
    /// <summary>a * b, <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Multiply(KerasTensor a, Tensor b) => Symbolic("Multiply", [], a, b);
    /// <summary>a * b, <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Multiply(Tensor a, KerasTensor b) => Symbolic("Multiply", [], a, b);

    /// <summary>a / b, true division, on symbolic tensors (Keras' <c>ops.true_divide</c>, Python's /).</summary>
    public static KerasTensor Divide(KerasTensor a, KerasTensor b) => Symbolic("TrueDivide", [], a, b);
    /// <summary>a / b, <paramref name="b"/> a number or a constant tensor.</summary>
    public static KerasTensor Divide(KerasTensor a, Tensor b) => Symbolic("TrueDivide", [], a, b);
    /// <summary>a / b, <paramref name="a"/> a number or a constant tensor.</summary>
    public static KerasTensor Divide(Tensor a, KerasTensor b) => Symbolic("TrueDivide", [], a, b);

    /// <summary>The matrix product of symbolic tensors (Keras' <c>ops.matmul</c>, Python's @).</summary>
    public static KerasTensor MatMul(KerasTensor a, KerasTensor b) => Symbolic("Matmul", [], a, b);
    /// <summary>The matrix product with a constant tensor (a fixed projection) captured in the graph.</summary>
    public static KerasTensor MatMul(KerasTensor a, Tensor b) => Symbolic("Matmul", [], a, b);
    /// <summary>The matrix product of a constant tensor captured in the graph with a symbolic one.</summary>
    public static KerasTensor MatMul(Tensor a, KerasTensor b) => Symbolic("Matmul", [], a, b);

    /// <summary>-x on a symbolic tensor (Keras' <c>ops.negative</c>).</summary>
    public static KerasTensor Negative(KerasTensor x) => Symbolic("Negative", [], x);
    /// <summary>|x| on a symbolic tensor (Keras' <c>ops.abs</c>).</summary>
    public static KerasTensor Abs(KerasTensor x) => Symbolic("Absolute", [], x);
    /// <summary>e^x on a symbolic tensor (Keras' <c>ops.exp</c>).</summary>
    public static KerasTensor Exp(KerasTensor x) => Symbolic("Exp", [], x);
    /// <summary>The natural log of a symbolic tensor (Keras' <c>ops.log</c>).</summary>
    public static KerasTensor Log(KerasTensor x) => Symbolic("Log", [], x);
    /// <summary>The square root of a symbolic tensor (Keras' <c>ops.sqrt</c>).</summary>
    public static KerasTensor Sqrt(KerasTensor x) => Symbolic("Sqrt", [], x);
    /// <summary>x² on a symbolic tensor (Keras' <c>ops.square</c>).</summary>
    public static KerasTensor Square(KerasTensor x) => Symbolic("Square", [], x);
    /// <summary>tanh of a symbolic tensor (Keras' <c>ops.tanh</c>).</summary>
    public static KerasTensor Tanh(KerasTensor x) => Symbolic("Tanh", [], x);
    /// <summary>max(x, 0) of a symbolic tensor (Keras' <c>ops.relu</c>).</summary>
    public static KerasTensor Relu(KerasTensor x) => Symbolic("Relu", [], x);
    /// <summary>The logistic sigmoid of a symbolic tensor (Keras' <c>ops.sigmoid</c>).</summary>
    public static KerasTensor Sigmoid(KerasTensor x) => Symbolic("Sigmoid", [], x);
    /// <summary>Softmax of a symbolic tensor along <paramref name="axis"/> (Keras' <c>ops.softmax</c>).</summary>
    public static KerasTensor Softmax(KerasTensor x, int axis = -1) => Symbolic("Softmax", new() { ["axis"] = axis }, x);
    /// <summary>Softmax over several axes together (Keras' <c>ops.softmax(x, axis=(1, 2))</c>).</summary>
    public static KerasTensor Softmax(KerasTensor x, int[] axes) => Symbolic("Softmax", new() { ["axis"] = Axes(axes) }, x);

    /// <summary>The sum over <paramref name="axis"/> (null: all) of a symbolic tensor (Keras' <c>ops.sum</c>).</summary>
    public static KerasTensor ReduceSum(KerasTensor x, int? axis = null, bool keepDims = false) => Reduction("Sum", x, axis, keepDims);
    /// <summary>The sum over <paramref name="axes"/> of a symbolic tensor.</summary>
    public static KerasTensor ReduceSum(KerasTensor x, int[] axes, bool keepDims = false) => ReductionOf("Sum", x, Axes(axes), keepDims);
    /// <summary>The mean over <paramref name="axis"/> (null: all) of a symbolic tensor (Keras' <c>ops.mean</c>).</summary>
    public static KerasTensor ReduceMean(KerasTensor x, int? axis = null, bool keepDims = false) => Reduction("Mean", x, axis, keepDims);
    /// <summary>The mean over <paramref name="axes"/> of a symbolic tensor.</summary>
    public static KerasTensor ReduceMean(KerasTensor x, int[] axes, bool keepDims = false) => ReductionOf("Mean", x, Axes(axes), keepDims);
    /// <summary>The maximum over <paramref name="axis"/> (null: all) of a symbolic tensor (Keras' <c>ops.max</c>).</summary>
    public static KerasTensor ReduceMax(KerasTensor x, int? axis = null, bool keepDims = false) => Reduction("Max", x, axis, keepDims);
    /// <summary>The maximum over <paramref name="axes"/> of a symbolic tensor.</summary>
    public static KerasTensor ReduceMax(KerasTensor x, int[] axes, bool keepDims = false) => ReductionOf("Max", x, Axes(axes), keepDims);
    /// <summary>The minimum over <paramref name="axis"/> (null: all) of a symbolic tensor (Keras' <c>ops.min</c>).</summary>
    public static KerasTensor ReduceMin(KerasTensor x, int? axis = null, bool keepDims = false) => Reduction("Min", x, axis, keepDims);
    /// <summary>The minimum over <paramref name="axes"/> of a symbolic tensor.</summary>
    public static KerasTensor ReduceMin(KerasTensor x, int[] axes, bool keepDims = false) => ReductionOf("Min", x, Axes(axes), keepDims);

    /// <summary>
    /// The int32 index of the largest value along <paramref name="axis"/> (Keras' <c>ops.argmax</c>;
    /// null: of the flattened tensor, as Keras' default), the axis kept as 1 with <paramref name="keepDims"/>.
    /// The default axis is 0, as the eager <see cref="ArgMax(Tensor, int)"/>'s.
    /// </summary>
    public static KerasTensor ArgMax(KerasTensor x, int? axis = 0, bool keepDims = false) =>
        Symbolic("Argmax", new() { ["axis"] = axis, ["keepdims"] = keepDims }, x);
    /// <summary>The int32 index of the smallest value along <paramref name="axis"/> (Keras' <c>ops.argmin</c>).</summary>
    public static KerasTensor ArgMin(KerasTensor x, int? axis = 0, bool keepDims = false) =>
        Symbolic("Argmin", new() { ["axis"] = axis, ["keepdims"] = keepDims }, x);

    /// <summary>
    /// A symbolic tensor reshaped to <paramref name="shape"/>, batch axis included, one -1 for the
    /// size to infer (Keras' <c>ops.reshape(x, (-1, 4, 2))</c>).
    /// </summary>
    public static KerasTensor Reshape(KerasTensor x, int[] shape) =>
        Symbolic("Reshape", new() { ["newshape"] = Ints(shape ?? throw new ArgumentNullException(nameof(shape))) }, x);
    /// <summary>The axes of a symbolic tensor permuted (null: reversed; Keras' <c>ops.transpose</c>).</summary>
    public static KerasTensor Transpose(KerasTensor x, int[]? perm = null) => Symbolic("Transpose", new() { ["axes"] = perm is null ? null : Ints(perm) }, x);
    /// <summary>A size-1 axis inserted at <paramref name="axis"/> (Keras' <c>ops.expand_dims</c>).</summary>
    public static KerasTensor ExpandDims(KerasTensor x, int axis) => Symbolic("ExpandDims", new() { ["axis"] = axis }, x);
    /// <summary>Size-1 axes inserted at <paramref name="axes"/>, positions of the result (Keras' <c>ops.expand_dims(x, (1, 3))</c>).</summary>
    public static KerasTensor ExpandDims(KerasTensor x, int[] axes) => Symbolic("ExpandDims", new() { ["axis"] = Axes(axes) }, x);
    /// <summary>
    /// The size-1 axis <paramref name="axis"/> removed, or every axis of size 1 in the symbolic shape
    /// (Keras' <c>ops.squeeze</c>), recorded as the tuple of those axes: a batch that happens to be 1
    /// when the model runs keeps its axis (Keras' axis=None would squeeze it too).
    /// </summary>
    public static KerasTensor Squeeze(KerasTensor x, int? axis = null) => Symbolic("Squeeze", new() { ["axis"] = axis }, x);
    /// <summary>The size-1 axes <paramref name="axes"/> removed (Keras' <c>ops.squeeze(x, axis=(1, 3))</c>).</summary>
    public static KerasTensor Squeeze(KerasTensor x, int[] axes) => Symbolic("Squeeze", new() { ["axis"] = Axes(axes) }, x);
    /// <summary>Symbolic tensors joined along <paramref name="axis"/> (Keras' <c>ops.concatenate</c>, whose axis is 0 unless given).</summary>
    public static KerasTensor Concat(IReadOnlyList<KerasTensor> tensors, int axis = 0) =>
        Symbolic("Concatenate", new() { ["axis"] = axis }, tensors ?? throw new ArgumentNullException(nameof(tensors)));
    /// <summary>Symbolic tensors of one shape stacked on a new axis <paramref name="axis"/> (Keras' <c>ops.stack</c>).</summary>
    public static KerasTensor Stack(IReadOnlyList<KerasTensor> tensors, int axis = 0) =>
        Symbolic("Stack", new() { ["axis"] = axis }, tensors ?? throw new ArgumentNullException(nameof(tensors)));
    /// <summary>A symbolic tensor converted to <paramref name="dtype"/> (Keras' <c>ops.cast</c>).</summary>
    public static KerasTensor Cast(KerasTensor x, DType dtype) => Symbolic("Cast", new() { ["dtype"] = dtype.Name() }, x);

    private static KerasTensor ReductionOf(string className, KerasTensor x, JsonNode? axis, bool keepDims)
    {
        var settings = new JsonObject { ["axis"] = axis, ["keepdims"] = keepDims };
        if (className is "Max" or "Min") settings["initial"] = null;   // Keras' Max / Min(axis, keepdims, initial) write all three
        return Symbolic(className, settings, x);
    }

    // Keras keeps the axis as given: an int, a list, or null for every axis.
    private static KerasTensor Reduction(string className, KerasTensor x, int? axis, bool keepDims) =>
        ReductionOf(className, x, axis is int a ? JsonValue.Create(a) : null, keepDims);

    private static JsonArray Axes(int[] axes) => Ints(axes ?? throw new ArgumentNullException(nameof(axes)));

    private static JsonArray Ints(int[] values) => new(values.Select(v => (JsonNode)v).ToArray());

    // Null arguments are refused by name before anything is recorded.
    internal static KerasTensor Symbolic(string className, JsonObject settings, params object[] arguments)
    {
        for (int i = 0; i < arguments.Length; i++)
            if (arguments[i] is null) throw new ArgumentNullException($"argument {i}", $"{className}: argument {i} is null.");
        return Operation.Apply(className, settings, arguments);
    }
}
