using System.Text.Json.Nodes;
using NeuralFlow.IO;

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
    private const string MathOps = "keras.src.ops.math";

    private static readonly Dictionary<string, OperationDefinition> Table = new OperationDefinition[]
    {
        Binary("Add", NF.Add, "Add"),
        Binary("Subtract", NF.Subtract, "Sub"),
        Binary("Multiply", NF.Multiply, "Mul"),
        Binary("TrueDivide", NF.Divide, "Div"),
        Binary("Maximum", NF.Maximum, "Max"),
        Binary("Minimum", NF.Minimum, "Min"),
        Binary("Power", NF.Pow, "Pow"),
        Binary("Greater", NF.Greater, "Greater", OnnxOperands.Promoted),
        Binary("Less", NF.Less, "Less", OnnxOperands.Promoted),
        Binary("GreaterEqual", NF.GreaterEqual, "GreaterOrEqual", OnnxOperands.Promoted),
        Binary("LessEqual", NF.LessEqual, "LessOrEqual", OnnxOperands.Promoted),
        Binary("Equal", NF.Equal, "Equal", OnnxOperands.Promoted),
        Binary("NotEqual", NF.NotEqual, "Equal", OnnxOperands.Promoted, then: "Not"),
        // Keras' logical ops read any dtype as bool (nonzero: true), as ONNX's And / Or / Xor / Not read bools.
        Binary("LogicalAnd", (a, b) => NF.LogicalAnd(Bools(a), Bools(b)), "And", OnnxOperands.Bool),
        Binary("LogicalOr", (a, b) => NF.LogicalOr(Bools(a), Bools(b)), "Or", OnnxOperands.Bool),
        Binary("LogicalXor", (a, b) => NF.LogicalXor(Bools(a), Bools(b)), "Xor", OnnxOperands.Bool),
        new("LogicalNot", Numpy, v => NF.LogicalNot(Bools(v[0])), v => v[0], Onnx: (v, e) => e.Node("Not", [v[0]]), OnnxOperands: OnnxOperands.Bool),
        // ops.where(condition, x1, x2): the branches promoted by the eager op itself (np.where's rule).
        new("Where", Numpy, v => NF.Where(v[0], v[1], v[2]),
            v => SymbolicShapes.Broadcast(v.Op, SymbolicShapes.Broadcast(v.Op, v[0], v[1]), v[2]),
            Onnx: (v, e) => e.Node("Where", [v[0], v[1], v[2]]), OnnxOperands: OnnxOperands.Condition),
        new("Clip", Numpy, v => Clip(v[0], v.Number("x_min"), v.Number("x_max")), v => v[0],
            Onnx: (v, e) => e.Node("Clip", [v[0], e.Scalar(v.OptionalDouble("x_min")!.Value), e.Scalar(v.OptionalDouble("x_max")!.Value)])),
        Unary("Negative", Numpy, NF.Negative, "Neg"),
        Unary("Absolute", Numpy, NF.Abs, "Abs"),
        Unary("Exp", Numpy, NF.Exp, "Exp"),
        Unary("Log", Numpy, NF.Log, "Log"),
        Unary("Sqrt", Numpy, NF.Sqrt, "Sqrt"),
        Unary("Square", Numpy, NF.Square, (v, e) => e.Node("Mul", [v[0], v[0]])),
        Unary("Tanh", Numpy, NF.Tanh, "Tanh"),
        Unary("Sin", Numpy, NF.Sin, "Sin"),
        Unary("Cos", Numpy, NF.Cos, "Cos"),
        Unary("Floor", Numpy, NF.Floor, Whole("Floor")),
        Unary("Sign", Numpy, NF.Sign, "Sign"),
        Unary("Log1p", Numpy, NF.Log1p, (v, e) => e.Node("Log", [e.Node("Add", [v[0], e.Scalar(1)])])),
        Unary("Expm1", Numpy, NF.Expm1, (v, e) => e.Node("Sub", [e.Node("Exp", [v[0]]), e.Scalar(1)])),
        Unary("Reciprocal", Numpy, NF.Reciprocal, "Reciprocal"),
        // ONNX's Round is NumPy's (halves to even), for whole numbers only.
        new("Round", Numpy, v => Round(v[0], v.Int("decimals"), v.Op), v => v[0],
            Onnx: (v, e) => v.Int("decimals") == 0 ? Whole("Round")(v, e) : throw NoOnnx(v.Op, $"rounding to {v.Int("decimals")} decimals")),
        Unary("Erf", MathOps, NF.Erf, "Erf"),
        // ONNX has no Erfc: 1 - Erf, which is 0 past x = 4 in float32 where NeuralFlow's own kernel keeps the tail.
        Unary("Erfc", MathOps, NF.Erfc, (v, e) => e.Node("Sub", [e.Scalar(1), e.Node("Erf", [v[0]])])),
        Unary("Rsqrt", MathOps, NF.Rsqrt, (v, e) => e.Node("Reciprocal", [e.Node("Sqrt", [v[0]])])),
        Unary("Relu", Nn, NF.Relu, "Relu"),
        Unary("Sigmoid", Nn, NF.Sigmoid, "Sigmoid"),
        Unary("Softplus", Nn, NF.Softplus, "Softplus"),
        Unary("Silu", Nn, NF.Silu, (v, e) => e.Activation("silu", v[0])),
        // Keras' Gelu(approximate=True) is tanh's form unless the config says otherwise.
        new("Gelu", Nn, v => NF.Gelu(v[0], v.Bool("approximate", fallback: true)), v => v[0],
            Onnx: (v, e) => v.Bool("approximate", fallback: true) ? TanhGelu(v[0], e) : e.Activation("gelu", v[0])),
        // Keras' softmax takes an axis or a tuple of them (None: every axis).
        new("Softmax", Nn, v => NF.Softmax(v[0], v.Ints("axis") ?? Enumerable.Range(0, v[0].Rank).ToArray()), v => SameShape(v[0], v.Ints("axis"), v.Op),
            Onnx: Softmax),
        new("Normalize", Nn, v => Normalize(v[0], v.Ints("axis"), v.Int("order"), v.OptionalDouble("epsilon") ?? KerasEpsilon, v.Op), v => SameShape(v[0], v.Ints("axis"), v.Op),
            Onnx: (v, e) => NormalizeOnnx(v, e, v.Ints("axis"), v.Int("order"), v.OptionalDouble("epsilon") ?? KerasEpsilon)),
        new("LogSoftmax", Nn, v => NF.LogSoftmax(v[0], v.Int("axis")), v => SameShape(v[0], [v.Int("axis")], v.Op),
            Onnx: (v, e) => OneAxis(v, e, "LogSoftmax")),
        Reduction("Sum", NF.ReduceSum, "ReduceSum"),
        Reduction("Mean", NF.ReduceMean, "ReduceMean"),
        Reduction("Max", NF.ReduceMax, "ReduceMax"),
        Reduction("Min", NF.ReduceMin, "ReduceMin"),
        ArgReduction("Argmax", NF.ArgMax, "ArgMax"),
        ArgReduction("Argmin", NF.ArgMin, "ArgMin"),
        // Keras' new shape includes the batch axis, as ONNX's: -1 there keeps it.
        new("Reshape", Numpy, v => NF.Reshape(v[0], v.Ints("newshape")!), v => SymbolicShapes.Reshape(v.Op, v[0], v.Ints("newshape")!),
            Onnx: (v, e) => e.Node("Reshape", [v[0], e.Ints(v.Ints("newshape")!.Select(d => (long)d).ToArray())]), OnnxOperands: OnnxOperands.Own),
        new("Transpose", Numpy, v => NF.Transpose(v[0], v.Ints("axes")), v => SymbolicShapes.Transpose(v.Op, v[0], v.Ints("axes")),
            // Keras' axes None reverses every axis, the batch axis included.
            Onnx: (v, e) => e.Node("Transpose", [v[0]], OnnxWriter.IntsAttribute("perm",
                e.Axes(v.Ints("axes") ?? Enumerable.Range(0, e.Shape(0).Count).Reverse().ToArray(), e.Shape(0).Count))), OnnxOperands: OnnxOperands.Own),
        new("ExpandDims", Numpy, v => NF.ExpandDims(v[0], v.Ints("axis")!), v => SymbolicShapes.ExpandDims(v.Op, v[0], v.Ints("axis")!),
            Onnx: (v, e) => e.Node("Unsqueeze", [v[0], e.Ints(e.Axes(v.Ints("axis")!, e.Shape(0).Count + v.Ints("axis")!.Length))]), OnnxOperands: OnnxOperands.Own),
        // Squeeze's axis None becomes the size-1 axes of the symbolic shape (Keras' output shape): a
        // batch, or a length, that is 1 when the model runs keeps its axis (Keras' own run squeezes it).
        new("Squeeze", Numpy, v => v.Ints("axis") is { } axes ? NF.Squeeze(v[0], axes) : NF.Squeeze(v[0]), v => SymbolicShapes.Squeeze(v.Op, v[0], v.Ints("axis")),
            Onnx: (v, e) => e.Node("Squeeze", [v[0], e.Ints(e.Axes(v.Ints("axis")!, e.Shape(0).Count))]),
            Settle: (v, settings) => settings["axis"] ??= new JsonArray(v[0].Select((d, i) => d == 1 ? i : -1).Where(i => i >= 0).Select(i => (JsonNode)i).ToArray()),
            OnnxOperands: OnnxOperands.Own),
        new("Concatenate", Numpy, v => NF.Concat(Promoted(v.Op, v.List(0)), v.Int("axis")), v => SymbolicShapes.Concatenate(v.Op, v.List(0), v.Int("axis")),
            Onnx: (v, e) => e.Node("Concat", [.. v.List(0)], OnnxWriter.IntAttribute("axis", e.Axes([v.Int("axis")], ListRank(v, e))[0]))),
        new("Stack", Numpy, v => NF.Stack(Promoted(v.Op, v.List(0)), v.Int("axis")), v => SymbolicShapes.Stack(v.Op, v.List(0), v.Int("axis")),
            Onnx: (v, e) =>
            {
                long axis = e.Axes([v.Int("axis")], ListRank(v, e) + 1)[0];
                return e.Node("Concat", v.List(0).Select(x => e.Node("Unsqueeze", [x, e.Ints(axis)])).ToArray(), OnnxWriter.IntAttribute("axis", axis));
            }),
        new("Matmul", Numpy, v => Promoted(v.Op, v[0], v[1], (a, b) => NF.MatMul(a, b)), v => SymbolicShapes.MatMul(v.Op, v[0], v[1]),
            Onnx: (v, e) => e.Node("MatMul", [v[0], v[1]])),
        new("GetItem", Numpy, v => v[0][v.Key(1)], v => SymbolicShapes.Index(v.Op, v[0], v.Key(1)), KeyArgument: 1, Onnx: OperationOnnxIndexing.GetItem, OnnxOperands: OnnxOperands.Own),
        new("Cast", Core, v => NF.Cast(v[0], v.DType("dtype")), v => v[0],
            Onnx: (v, e) => e.Cast(v[0], v.DType("dtype")), OnnxOperands: OnnxOperands.Own),
    }.ToDictionary(d => d.ClassName, StringComparer.Ordinal);

    /// <summary>The definition of Keras' class <paramref name="className"/>, or null when NeuralFlow has none.</summary>
    public static OperationDefinition? Find(string className) => Table.GetValueOrDefault(className);

    /// <summary>The definition of a class NeuralFlow records itself.</summary>
    public static OperationDefinition Of(string className) => Table[className];

    /// <summary>The classes that have an ONNX form, for messages.</summary>
    public static IEnumerable<string> Exportable => Table.Values.Where(d => d.Onnx is not null).Select(d => d.ClassName).Order(StringComparer.Ordinal);

    /// <summary>The classes NeuralFlow records and reads, for messages.</summary>
    public static IEnumerable<string> ClassNames => Table.Keys.Order(StringComparer.Ordinal);

    // Elementwise of two broadcast arguments (tensors, numbers or constants), promoted first; in ONNX
    // the op of the same meaning (multidirectional broadcasting), then Not for not_equal.
    private static OperationDefinition Binary(string className, Func<Tensor, Tensor, Tensor> run, string onnx, OnnxOperands operands = OnnxOperands.Output, string? then = null) =>
        new(className, Numpy, v => Promoted(v.Op, v[0], v[1], run), v => SymbolicShapes.Broadcast(v.Op, v[0], v[1]),
            Onnx: (v, e) => then is null ? e.Node(onnx, [v[0], v[1]]) : e.Node(then, [e.Node(onnx, [v[0], v[1]])]), OnnxOperands: operands);

    // A logical op's operand as bool (Keras' logical_and casts its inputs so).
    private static Tensor Bools(Tensor x) => x.DType == DType.Bool ? x : NF.Cast(x, DType.Bool);

    private static OperationDefinition Unary(string className, string module, Func<Tensor, Tensor> run, string onnx) =>
        Unary(className, module, run, (v, e) => e.Node(onnx, [v[0]]));

    private static OperationDefinition Unary(string className, string module, Func<Tensor, Tensor> run, Func<OperationValues<string>, IOperationOnnx, string> onnx) =>
        new(className, module, v => run(v[0]), v => v[0], Onnx: onnx);

    // ONNX's Floor and Round take floats; an integer tensor (which the eager ops keep) is already whole.
    private static Func<OperationValues<string>, IOperationOnnx, string> Whole(string onnx) =>
        (v, e) => e.TypeOf(v[0]).IsFloating() ? e.Node(onnx, [v[0]]) : v[0];

    // Keras' Sum / Mean / Max / Min(axis=None, keepdims=False): an int axis or a list of them, null for
    // all. Opset 17's ReduceSum takes its axes as an input, the other reductions as an attribute.
    private static OperationDefinition Reduction(string className, Func<Tensor, int[], bool, Tensor> run, string onnx) =>
        new(className, Numpy,
            v => v.Ints("axis") is { } axes ? run(v[0], axes, v.Bool("keepdims")) : run(v[0], Enumerable.Range(0, v[0].Rank).ToArray(), v.Bool("keepdims")),
            v => SymbolicShapes.Reduce(v.Op, v[0], v.Ints("axis"), v.Bool("keepdims")),
            NullOnly: ["initial"],
            Onnx: (v, e) =>
            {
                var axes = e.Axes(v.Ints("axis") ?? Enumerable.Range(0, e.Shape(0).Count).ToArray(), e.Shape(0).Count);
                var keepDims = OnnxWriter.IntAttribute("keepdims", v.Bool("keepdims") ? 1 : 0);
                return onnx == "ReduceSum"
                    ? e.Node(onnx, [v[0], e.Ints(axes)], keepDims)
                    : e.Node(onnx, [v[0]], OnnxWriter.IntsAttribute("axes", axes), keepDims);
            });

    // Softmax and LogSoftmax over one axis (opset 13+).
    private static string OneAxis(OperationValues<string> v, IOperationOnnx e, string onnx) =>
        e.Node(onnx, [v[0]], OnnxWriter.IntAttribute("axis", e.Axes([v.Int("axis")], e.Shape(0).Count)[0]));

    // Keras' softmax over one axis is ONNX's Softmax; over several (None: every axis) it has no one
    // ONNX op, so the stable formula over them: exp(x - max) / sum(exp(x - max)).
    private static string Softmax(OperationValues<string> v, IOperationOnnx e)
    {
        int rank = e.Shape(0).Count;
        var axes = e.Axes(v.Ints("axis") ?? Enumerable.Range(0, rank).ToArray(), rank);
        if (axes.Length == 1) return e.Node("Softmax", [v[0]], OnnxWriter.IntAttribute("axis", axes[0]));
        var keep = OnnxWriter.IntAttribute("keepdims", 1);
        var shifted = e.Node("Exp", [e.Node("Sub", [v[0], e.Node("ReduceMax", [v[0]], OnnxWriter.IntsAttribute("axes", axes), keep)])]);
        return e.Node("Div", [shifted, e.Node("ReduceSum", [shifted, e.Ints(axes)], keep)]);
    }

    // Normalize as the eager Normalize below computes it: order 2, x / sqrt(max(sum(x²), epsilon²));
    // other orders, x / max((sum |x|^order)^(1/order), epsilon) over one axis.
    private static string NormalizeOnnx(OperationValues<string> v, IOperationOnnx e, int[]? axis, int order, double epsilon)
    {
        int rank = e.Shape(0).Count;
        var axes = e.Ints(e.Axes(axis ?? Enumerable.Range(0, rank).ToArray(), rank));
        var keep = OnnxWriter.IntAttribute("keepdims", 1);
        if (order == 2)
        {
            var squares = e.Node("ReduceSum", [e.Node("Mul", [v[0], v[0]]), axes], keep);
            return e.Node("Div", [v[0], e.Node("Sqrt", [e.Node("Max", [squares, e.Scalar(epsilon * epsilon)])])]);
        }
        // Another order is over one axis: the eager op refuses the others as the model is built.
        var sum = e.Node("ReduceSum", [e.Node("Pow", [e.Node("Abs", [v[0]]), e.Scalar(order)]), axes], keep);
        return e.Node("Div", [v[0], e.Node("Max", [e.Node("Pow", [sum, e.Scalar(1.0 / order)]), e.Scalar(epsilon)])]);
    }

    // Gelu's tanh approximation (opset 17 has no Gelu): x/2 (1 + tanh(√(2/π) (x + 0.044715 x³))).
    private static string TanhGelu(string x, IOperationOnnx e)
    {
        var cube = e.Node("Mul", [e.Node("Mul", [x, x]), x]);
        var inner = e.Node("Mul", [e.Node("Add", [x, e.Node("Mul", [cube, e.Scalar(0.044715)])]), e.Scalar(Math.Sqrt(2 / Math.PI))]);
        var onePlus = e.Node("Add", [e.Node("Tanh", [inner]), e.Scalar(1)]);
        return e.Node("Mul", [e.Node("Mul", [x, onePlus]), e.Scalar(0.5)]);
    }

    // The rank of the tensors of concatenate's and stack's list (its first).
    private static int ListRank(OperationValues<string> v, IOperationOnnx e) => e.Shape(0).Count;

    /// <summary>The refusal of a form an op's ONNX export does not take, naming the op.</summary>
    internal static NotSupportedException NoOnnx(string op, string what) =>
        new($"ExportOnnx: operation {op} uses {what}, which has no ONNX form here; the model predicts, trains and saves as .keras.");

    // Keras' Argmax / Argmin(axis=None, keepdims=False): int32 indices (compute_output_spec's dtype;
    // NF's eager ones are int64), over the flattened tensor when the axis is None. In ONNX its
    // ArgMax / ArgMin (the first index on ties, as NumPy's), then a Cast of its int64 to int32.
    private static OperationDefinition ArgReduction(string className, Func<Tensor, int, Tensor> run, string onnx) =>
        new(className, Numpy, v =>
        {
            var x = v[0];
            bool keepDims = v.Bool("keepdims");
            Tensor indices;
            if (v.OptionalInt("axis") is int axis)
            {
                indices = run(x, axis);
                if (keepDims) indices = NF.ExpandDims(indices, x.Shape.NormalizeAxis(axis));
            }
            else
            {
                indices = run(NF.Reshape(x, [-1]), 0);
                if (keepDims) indices = NF.Reshape(indices, Enumerable.Repeat(1, x.Rank).ToArray());
            }
            return Engine.As(indices, DType.Int32);
        }, v => SymbolicShapes.Reduce(v.Op, v[0], v.OptionalInt("axis") is int a ? [a] : null, v.Bool("keepdims")),
        Onnx: (v, e) =>
        {
            int rank = e.Shape(0).Count;
            var keep = OnnxWriter.IntAttribute("keepdims", v.Bool("keepdims") ? 1 : 0);
            var first = OnnxWriter.IntAttribute("select_last_index", 0);
            string indices = v.OptionalInt("axis") is int axis
                ? e.Node(onnx, [v[0]], OnnxWriter.IntAttribute("axis", e.Axes([axis], rank)[0]), keep, first)
                : e.Node(onnx, [e.Node("Reshape", [v[0], e.Ints(-1)])], OnnxWriter.IntAttribute("axis", 0), OnnxWriter.IntAttribute("keepdims", 0), first);
            if (v.OptionalInt("axis") is null && v.Bool("keepdims")) indices = e.Node("Reshape", [indices, e.Ints(Enumerable.Repeat(1L, rank).ToArray())]);
            return e.Cast(indices, DType.Int32);
        }, OnnxOperands: OnnxOperands.Own);

    // Keras' clip keeps x's dtype (bool clipped as int32), whatever the bounds' type.
    private static Tensor Clip(Tensor x, Tensor min, Tensor max)
    {
        var input = x.DType == DType.Bool ? NF.Cast(x, DType.Int32) : x;
        return Engine.As(NF.Clip(input, min, max), input.DType);
    }

    // Keras' round(x, decimals): to a multiple of 10^-decimals, by scaling a float tensor (as its
    // backends do); an integer tensor is already whole for decimals >= 0.
    private static Tensor Round(Tensor x, int decimals, string op)
    {
        if (decimals == 0 || (!x.DType.IsFloating() && decimals > 0)) return NF.Round(x);
        if (!x.DType.IsFloating())
            throw new NotSupportedException($"{op}: rounding an integer tensor to {decimals} decimals (tens, hundreds) is not supported; cast it to a float dtype first.");
        double scale = Math.Pow(10, decimals);
        return NF.Round(x * scale) / scale;
    }

    // Keras' backend.epsilon(), ops.normalize's epsilon when its config has None.
    private const double KerasEpsilon = 1e-7;

    // Keras' ops.normalize: x * rsqrt(max(sum(x²), epsilon²)) for order 2 (the eager L2Normalize,
    // whose epsilon bounds the squared sum), x / max(||x||_order, epsilon) for the other orders.
    private static Tensor Normalize(Tensor x, int[]? axes, int order, double epsilon, string op)
    {
        if (order < 1) throw new InvalidDataException($"{op}: order must be an int >= 1 (Keras' normalize), got {order}.");
        var over = axes ?? Enumerable.Range(0, x.Rank).ToArray();
        if (order == 2) return NF.L2Normalize(x, over, epsilon * epsilon);
        if (over.Length != 1)
            throw new NotSupportedException($"{op}: an order-{order} norm over several axes ({string.Join(", ", over)}) is not supported; NF.Norm takes one axis for orders other than 2.");
        return x / NF.Maximum(NF.Norm(x, order, over[0], keepDims: true), epsilon);
    }

    // Keras 3's result_type of two operands (keras/src/backend/common/dtypes.py), applied before the
    // eager op, which itself refuses two tensors of different dtypes. On NeuralFlow's dtypes Keras'
    // lattice is the chain bool < uint8 < int32 < int64 < float16 < float32 < float64 that
    // Engine.PromotedDType follows (64-bit kept, as Keras' TensorFlow backend keeps it), and a
    // number is weak (x * 2 keeps x's dtype; x * 2.5 with an int x is float32), as there.
    private static Tensor Promoted(string op, Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> run)
    {
        var (x, y) = Engine.Promote(op, a, b);
        return run(x, y);
    }

    // The tensors of concatenate's and stack's list in their common dtype (Keras' result_type of them all).
    private static Tensor[] Promoted(string op, IReadOnlyList<Tensor> tensors)
    {
        var widest = tensors.Aggregate((a, b) => Engine.PromotedDType(op, a, b) == b.DType ? b : a).DType;
        return tensors.Select(t => Engine.As(t, widest)).ToArray();
    }

    // An op that keeps its input's shape and checks its axes (softmax's).
    private static int?[] SameShape(int?[] shape, int[]? axes, string op)
    {
        foreach (int axis in axes ?? []) SymbolicShapes.Axis(op, axis, shape.Length, shape);
        return shape;
    }
}
