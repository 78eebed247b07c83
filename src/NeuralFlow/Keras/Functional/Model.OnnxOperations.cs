using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    private sealed partial class OnnxGraph
    {
        /// <summary>
        /// The ONNX nodes of one operation node of a functional graph (its form beside its row in
        /// OperationDefinitions): its tensors read by their value names, numbers as scalars of the
        /// graph's type, constants as initializers. The exported graph keeps the batch axis first
        /// and unknown and computes in its float type (bool between a comparison and its where or
        /// cast), so an op that moves the batch axis or takes other dtypes is refused by name.
        /// </summary>
        public (string Name, List<long> Shape) Operation(Operation op, Node node, Func<KerasTensor, string> value)
        {
            var where = $"{op.Name} ({op.ClassName})";
            if (op.Definition.Onnx is not { } form)
                throw new NotSupportedException(
                    $"ExportOnnx: operation {where} has no ONNX form; the operations that export are {string.Join(", ", OperationDefinitions.Exportable)}. The model predicts, trains and saves as .keras.");
            var graphType = ElemType == OnnxWriter.Double ? DType.Float64 : DType.Float32;
            foreach (var t in node.Inputs.Append(node.Output))
            {
                if (t.DType != graphType && t.DType != DType.Bool)
                    throw new NotSupportedException($"ExportOnnx: operation {where} reads or makes a {t.DType.Name()} tensor ({t.Name}); the exported graph computes in {graphType.Name()} (and bool for comparisons).");
                if (t.Shape.Count == 0 || t.Shape[0] is not null)
                    throw new NotSupportedException($"ExportOnnx: operation {where} has a tensor of shape {KerasTensor.Format(t.Shape)} ({t.Name}); the exported graph keeps the batch axis first and unknown, so ops that reduce or move it do not export.");
            }
            var emitter = new OperationEmitter(this, op, node);
            var slots = 0;
            var names = new Dictionary<OperationArg, string>(ReferenceEqualityComparer.Instance);
            string Name(OperationArg a) => names.TryGetValue(a, out var known) ? known : names[a] = a switch
            {
                OperationArg.Symbolic => value(node.Inputs[slots++]),
                OperationArg.Number n => emitter.Scalar(double.Parse(n.Value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)),
                OperationArg.Constant c when c.Value.DType == graphType =>
                    Constant($"{op.Name}/constant_{Initializers.Count}", c.Value.Shape.ToArray().Select(d => (long)d).ToArray(), c.Value.ToDoubleArray()),
                OperationArg.Constant c => throw new NotSupportedException($"ExportOnnx: operation {where} reads a {c.Value.DType.Name()} constant; the exported graph computes in {graphType.Name()}."),
                _ => throw new NotSupportedException($"ExportOnnx: operation {where} has an argument ({a.GetType().Name}) with no ONNX value."),
            };
            // The arguments in order, so that each symbolic one takes its input's value.
            foreach (var a in op.Arguments)
                if (a is OperationArg.Sequence list) foreach (var item in list.Items) Name(item);
                else if (a is not OperationArg.IndexKey) Name(a);
            var output = form(new OperationValues<string>(op, Name), emitter);
            return (output, node.Output.Shape.Skip(1).Select(d => (long?)d ?? UnknownLength).ToList());
        }

        private sealed class OperationEmitter(OnnxGraph graph, Operation op, Node node) : IOperationOnnx
        {
            private string Next(string what) => $"{op.Name}/{what}_{graph._nodes.Count + graph.Initializers.Count}";

            public string Node(string onnxOp, string[] inputs, params byte[][] attributes) => graph.Node(onnxOp, Next(onnxOp), inputs, attributes);

            public string Ints(params long[] values) => graph.Ints(Next("ints"), values);

            public string Scalar(double value) => graph.Constant(Next("scalar"), [], [value]);

            public string Activation(string name, string x) =>
                graph.KerasActivation(name, op, x) ?? throw new InvalidOperationException($"{op.Name}: activation {name} has no ONNX form; this is a NeuralFlow bug.");

            public IReadOnlyList<int?> Shape(int argument) => op.Arguments[argument] switch
            {
                OperationArg.Symbolic s => node.Inputs[s.Slot].Shape,
                OperationArg.Sequence { Items: [OperationArg.Symbolic s, ..] } => node.Inputs[s.Slot].Shape,
                _ => throw new InvalidOperationException($"{op.Name} ({op.ClassName}): argument {argument} is not a symbolic tensor."),
            };

            public long[] Axes(IEnumerable<int> axes, int rank) => axes.Select(a =>
            {
                int at = SymbolicShapes.Axis($"{op.Name} ({op.ClassName})", a, rank, Enumerable.Repeat<int?>(null, rank));
                return at != 0 ? (long)at : throw OperationDefinitions.NoOnnx($"{op.Name} ({op.ClassName})", "the batch axis (0)");
            }).ToArray();
        }
    }
}
