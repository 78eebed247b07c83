using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    private sealed partial class OnnxGraph
    {
        /// <summary>
        /// The ONNX nodes of one operation node of a functional graph (its form beside its row in
        /// OperationDefinitions): its tensors read by their value names, cast first to the dtypes
        /// its form reads (<see cref="OnnxOperands"/>: Keras' promotion, which ONNX's ops leave to
        /// their caller), numbers as scalars and constants as initializers of those dtypes. Its output
        /// keeps its Keras dtype: float32 and float64 as the graph's float type, int and bool as such.
        /// </summary>
        public (string Name, List<long> Shape) Operation(Operation op, Node node, Func<KerasTensor, string> value)
        {
            var where = $"{op.Name} ({op.ClassName})";
            if (op.Definition.Onnx is not { } form)
                throw new NotSupportedException(
                    $"ExportOnnx: operation {where} has no ONNX form; the operations that export are {string.Join(", ", OperationDefinitions.Exportable)}. The model predicts, trains and saves as .keras.");
            var emitter = new OperationEmitter(this, op, node);
            var output = Exported(node.Output.DType);
            // Each tensor argument (a list's items too) with its position among the call's arguments.
            var tensors = op.Arguments.SelectMany((a, i) => a is OperationArg.Sequence list ? list.Items.Select(item => (Arg: item, Position: i)) : [(Arg: a, Position: i)])
                .Where(p => p.Arg is not OperationArg.IndexKey).ToArray();
            (DType DType, bool Weak) Own(OperationArg a) => a switch
            {
                OperationArg.Symbolic s => (TypeOf(value(node.Inputs[s.Slot])), false),
                OperationArg.Number n => (Exported(n.Weak().DType), true),
                OperationArg.Constant c => (Exported(c.Value.DType), false),
                _ => throw new NotSupportedException($"ExportOnnx: operation {where} has an argument ({a.GetType().Name}) with no ONNX value."),
            };
            // The comparisons' operands meet in Keras' result_type of them all (a weak number takes the tensor's).
            DType Promoted() => tensors.Select(t => Own(t.Arg)).Aggregate((a, b) => (Engine.PromotedDType(where, a, b), a.Weak && b.Weak)).DType;
            DType Target(OperationArg a, int position) => op.Definition.OnnxOperands switch
            {
                OnnxOperands.Output => output,
                OnnxOperands.Promoted => Promoted(),
                OnnxOperands.Condition => position == 0 ? DType.Bool : output,
                OnnxOperands.Bool => DType.Bool,
                _ => Own(a).DType,
            };
            var names = new Dictionary<OperationArg, string>(ReferenceEqualityComparer.Instance);
            foreach (var (a, position) in tensors)
            {
                var dtype = Target(a, position);
                names[a] = a switch
                {
                    OperationArg.Symbolic s => emitter.Cast(value(node.Inputs[s.Slot]), dtype),
                    OperationArg.Number n => Constant(emitter.Next("scalar"), [], [double.Parse(n.Value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)], dtype),
                    OperationArg.Constant c => Constant($"{op.Name}/constant_{Initializers.Count}", c.Value.Shape.ToArray().Select(d => (long)d).ToArray(), c.Value.ToDoubleArray(), dtype),
                    _ => throw new NotSupportedException($"ExportOnnx: operation {where} has an argument ({a.GetType().Name}) with no ONNX value."),
                };
            }
            var result = form(new OperationValues<string>(op, a => names[a]), emitter);
            // A scalar result (a reduction over every axis) has no trailing dims.
            return (Typed(result, output), node.Output.Shape.Skip(1).Select(d => (long?)d ?? UnknownLength).ToList());
        }

        private sealed class OperationEmitter(OnnxGraph graph, Operation op, Node node) : IOperationOnnx
        {
            public string Next(string what) => $"{op.Name}/{what}_{graph._nodes.Count + graph.Initializers.Count}";

            public string Node(string onnxOp, string[] inputs, params byte[][] attributes) => graph.Node(onnxOp, Next(onnxOp), inputs, attributes);

            public string Ints(params long[] values) => graph.Ints(Next("ints"), values);

            // In the op's output dtype (clip's bounds of an int tensor are ints), the graph's float type for a bool output.
            public string Scalar(double value) => graph.Constant(Next("scalar"), [], [value], node.Output.DType == DType.Bool ? graph.FloatType : graph.Exported(node.Output.DType));

            public DType TypeOf(string value) => graph.TypeOf(value);

            public string Cast(string x, DType dtype) => graph.As(x, graph.Exported(dtype), Next("Cast"));

            public string Activation(string name, string x) =>
                graph.KerasActivation(name, op, x) ?? throw new InvalidOperationException($"{op.Name}: activation {name} has no ONNX form; this is a NeuralFlow bug.");

            public IReadOnlyList<int?> Shape(int argument) => op.Arguments[argument] switch
            {
                OperationArg.Symbolic s => node.Inputs[s.Slot].Shape,
                OperationArg.Sequence { Items: [OperationArg.Symbolic s, ..] } => node.Inputs[s.Slot].Shape,
                _ => throw new InvalidOperationException($"{op.Name} ({op.ClassName}): argument {argument} is not a symbolic tensor."),
            };

            public long[] Axes(IEnumerable<int> axes, int rank) =>
                axes.Select(a => (long)SymbolicShapes.Axis($"{op.Name} ({op.ClassName})", a, rank, Enumerable.Repeat<int?>(null, rank))).ToArray();
        }
    }
}
