namespace NeuralFlow.Keras;

/// <summary>
/// The Keras 3 operations a functional graph records, by Keras' class name: each runs the eager NF
/// op of the same meaning and has Keras' shape rule. Classes, modules and settings are Keras 3's
/// (keras/src/ops/numpy.py, nn.py, core.py), so config.json names them as Keras does.
/// </summary>
internal static class OperationDefinitions
{
    private const string Numpy = "keras.src.ops.numpy";
    private const string Nn = "keras.src.ops.nn";
    private const string Core = "keras.src.ops.core";

    private static readonly Dictionary<string, OperationDefinition> Table = new OperationDefinition[]
    {
        Binary("Add", NF.Add),
        Binary("Subtract", NF.Subtract),
        Binary("Multiply", NF.Multiply),
        Binary("TrueDivide", NF.Divide),
        Unary("Negative", Numpy, NF.Negative),
        Unary("Absolute", Numpy, NF.Abs),
        Unary("Exp", Numpy, NF.Exp),
        Unary("Log", Numpy, NF.Log),
        Unary("Sqrt", Numpy, NF.Sqrt),
        Unary("Square", Numpy, NF.Square),
        Unary("Tanh", Numpy, NF.Tanh),
        Unary("Relu", Nn, NF.Relu),
        Unary("Sigmoid", Nn, NF.Sigmoid),
        new("Softmax", Nn, v => NF.Softmax(v[0], v.Int("axis")), v => SameShape(v[0], v.Int("axis"), v.Op)),
        Reduction("Sum", NF.ReduceSum),
        Reduction("Mean", NF.ReduceMean),
        Reduction("Max", NF.ReduceMax),
        new("Reshape", Numpy, v => NF.Reshape(v[0], v.Ints("newshape")!), v => SymbolicShapes.Reshape(v.Op, v[0], v.Ints("newshape")!)),
        new("Transpose", Numpy, v => NF.Transpose(v[0], v.Ints("axes")), v => SymbolicShapes.Transpose(v.Op, v[0], v.Ints("axes"))),
        new("ExpandDims", Numpy, v => NF.ExpandDims(v[0], v.Int("axis")), v => SymbolicShapes.ExpandDims(v.Op, v[0], v.Int("axis"))),
        new("Squeeze", Numpy, v => NF.Squeeze(v[0], v.OptionalInt("axis")), v => SymbolicShapes.Squeeze(v.Op, v[0], v.OptionalInt("axis"))),
        new("Concatenate", Numpy, v => NF.Concat(v.List(0), v.Int("axis")), v => SymbolicShapes.Concatenate(v.Op, v.List(0), v.Int("axis"))),
        new("Stack", Numpy, v => NF.Stack(v.List(0), v.Int("axis")), v => SymbolicShapes.Stack(v.Op, v.List(0), v.Int("axis"))),
        new("Matmul", Numpy, v => NF.MatMul(v[0], v[1]), v => SymbolicShapes.MatMul(v.Op, v[0], v[1])),
        new("GetItem", Numpy, v => v[0][v.Key(1)], v => SymbolicShapes.Index(v.Op, v[0], v.Key(1)), KeyArgument: 1),
        new("Cast", Core, v => NF.Cast(v[0], v.DType("dtype")), v => v[0]),
    }.ToDictionary(d => d.ClassName, StringComparer.Ordinal);

    /// <summary>The definition of Keras' class <paramref name="className"/>, or null when NeuralFlow has none.</summary>
    public static OperationDefinition? Find(string className) => Table.GetValueOrDefault(className);

    /// <summary>The definition of a class NeuralFlow records itself.</summary>
    public static OperationDefinition Of(string className) => Table[className];

    /// <summary>The classes NeuralFlow records and reads, for messages.</summary>
    public static IEnumerable<string> ClassNames => Table.Keys.Order(StringComparer.Ordinal);

    // Elementwise of two broadcast arguments (tensors, numbers or constants).
    private static OperationDefinition Binary(string className, Func<Tensor, Tensor, Tensor> run) =>
        new(className, Numpy, v => run(v[0], v[1]), v => SymbolicShapes.Broadcast(v.Op, v[0], v[1]));

    private static OperationDefinition Unary(string className, string module, Func<Tensor, Tensor> run) =>
        new(className, module, v => run(v[0]), v => v[0]);

    // Keras' Sum / Mean / Max(axis=None, keepdims=False): an int axis or a list of them, null for all.
    private static OperationDefinition Reduction(string className, Func<Tensor, int[], bool, Tensor> run) =>
        new(className, Numpy,
            v => v.Ints("axis") is { } axes ? run(v[0], axes, v.Bool("keepdims")) : run(v[0], Enumerable.Range(0, v[0].Rank).ToArray(), v.Bool("keepdims")),
            v => SymbolicShapes.Reduce(v.Op, v[0], v.Ints("axis"), v.Bool("keepdims")),
            NullOnly: ["initial"]);

    // An op that keeps its input's shape and checks its axis (softmax's).
    private static int?[] SameShape(int?[] shape, int axis, string op)
    {
        SymbolicShapes.Axis(op, axis, shape.Length, shape);
        return shape;
    }
}
