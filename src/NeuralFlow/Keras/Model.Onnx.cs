using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// Writes the model's inference graph as an ONNX model (opset 17, IR version 8), atomically,
    /// for ONNX Runtime and other ONNX consumers: input <c>"input"</c> with a symbolic batch
    /// dimension and the trailing dimensions the model was built for, output <c>"output"</c>; the
    /// weights are stored in the file. Dense becomes Gemm (2-D inputs) or MatMul + Add, then its
    /// activation; Dropout, the identity at inference, becomes Identity. float64 models export as
    /// double.
    /// </summary>
    /// <remarks>
    /// A <see cref="Sequential"/> model of built-in layers, built (called once or trained). A
    /// subclassed model, a custom layer or a custom C# activation is C# code that ONNX cannot
    /// hold: a <see cref="NotSupportedException"/> names it.
    /// </remarks>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (_graph is { } functional)
        {
            ExportFunctionalOnnx(path, functional);
            return;
        }
        if (this is not Sequential sequential)
            throw new NotSupportedException(
                $"ExportOnnx: {Name} is a {GetType().Name}, a subclassed model, whose forward pass is C# code; only a Sequential or functional model of {OnnxGraph.SupportedLayers} layers exports to ONNX.");
        if (sequential.AllLayers.Count == 0)
            throw new InvalidOperationException($"ExportOnnx: {Name} has no layers.");
        if (sequential.AllLayers.FirstOrDefault(l => !l.Built) is { } unbuilt)
            throw new InvalidOperationException($"ExportOnnx: layer {unbuilt.Name} has no weights yet; call the model once on a batch (or Fit it) before exporting.");

        var graph = NewOnnxGraph();

        // The trailing dims (the batch axis is symbolic); -1: a length Layers.Input left unknown.
        var trailing = sequential.AllLayers[0] is Layers.InputLayer first ? first.ExampleShape.ToArray() : sequential.AllLayers[0].BuildInputShape!.ToArray()[1..];
        var shape = trailing.Select(d => (long)d).ToList();
        // An Input of int or bool (token ids) is fed as such, as tf2onnx declares it.
        string x = graph.Typed("input", sequential.AllLayers[0] is Layers.InputLayer { InputDType: var inputType } ? inputType : graph.FloatType);
        var inputInfo = OnnxWriter.ValueInfo("input", OnnxWriter.ElemTypeOf(graph.TypeOf(x)), [OnnxWriter.Dim.Symbol("batch"), .. OnnxGraph.Dims(trailing.Select(d => (long)d), "input")]);
        foreach (var layer in sequential.AllLayers.Where(l => l is not Layers.InputLayer))  // the graph's input stands for it
            x = graph.Add(layer, x, shape);
        var outputType = OnnxWriter.ElemTypeOf(graph.TypeOf(x));
        graph.NameOutput(x, "output");

        var output = OnnxWriter.ValueInfo("output", outputType, [OnnxWriter.Dim.Symbol("batch"), .. OnnxGraph.Dims(shape, "output")]);
        WriteOnnx(path, graph, [inputInfo], [output]);
    }

    // The exporter of this model's weights: all float32 or all float64. Integer weights (Normalization's count) are
    // bookkeeping no exported op reads, and do not decide the graph's type.
    private OnnxGraph NewOnnxGraph()
    {
        var dtypes = Variables.Select(v => v.DType).Where(d => d is not (DType.Int64 or DType.Int32)).Distinct().ToList();
        if (dtypes.Count > 1 || dtypes.Any(d => d is not (DType.Float32 or DType.Float64)))
            throw new NotSupportedException($"ExportOnnx: {Name} has weights of {string.Join(" and ", dtypes.Select(d => d.Name()))}; ONNX export needs all weights float32 or all float64.");
        return new OnnxGraph(dtypes.FirstOrDefault(DType.Float32));
    }

    private void WriteOnnx(string path, OnnxGraph graph, byte[][] inputs, byte[][] outputs)
    {
        var model = OnnxWriter.Model(
            OnnxWriter.Graph(Name, graph.Nodes(), graph.Initializers, inputs, outputs),
            "NeuralFlow", typeof(Model).Assembly.GetName().Version?.ToString() ?? "");
        AtomicFile.Write(path, stream => stream.Write(model));
    }

    /// <summary>The nodes and weights of an exported graph, one layer at a time.</summary>
    private sealed partial class OnnxGraph(DType dtype)
    {
        private readonly List<(string Op, string Name, string[] Inputs, string Output, byte[][] Attributes)> _nodes = [];

        /// <summary>The graph's float type, its weights': float32 or float64.</summary>
        public DType FloatType { get; } = dtype == DType.Float64 ? DType.Float64 : DType.Float32;

        public int ElemType => OnnxWriter.ElemTypeOf(FloatType);

        // The values whose dtype is not the graph's float type, by name: an int or bool input, a
        // comparison's bool, an argmax's int32, a cast's result. Every other value is FloatType.
        private readonly Dictionary<string, DType> _valueTypes = [];

        /// <summary>The dtype of value <paramref name="value"/> in the exported graph.</summary>
        public DType TypeOf(string value) => _valueTypes.GetValueOrDefault(value, FloatType);

        /// <summary>
        /// A dtype as the exported graph holds it: float32 and float64 as the graph's float type (a
        /// Keras layer computes in its weights' type), every other dtype as itself.
        /// </summary>
        public DType Exported(DType dtype) => dtype is DType.Float32 or DType.Float64 ? FloatType : dtype;

        /// <summary>Records that <paramref name="value"/> holds <paramref name="dtype"/> (as <see cref="Exported"/> says); returns it.</summary>
        public string Typed(string value, DType dtype)
        {
            if (Exported(dtype) is var type && type != FloatType) _valueTypes[value] = type;
            return value;
        }

        /// <summary><paramref name="x"/> as <paramref name="dtype"/>: itself, or a Cast node named <paramref name="name"/>.</summary>
        private string As(string x, DType dtype, string name) =>
            TypeOf(x) == dtype ? x : Typed(Node("Cast", name, [x], OnnxWriter.IntAttribute("to", OnnxWriter.ElemTypeOf(dtype))), dtype);

        public OnnxInitializers Initializers { get; } = new();

        /// <summary>
        /// Appends the nodes of <paramref name="layer"/> reading tensor <paramref name="x"/> of
        /// trailing dims <paramref name="shape"/> (updated to the output's); returns the output's name.
        /// </summary>
        public string Add(Layer layer, string x, List<long> shape)
        {
            if (shape.Contains(UnknownLength) && !TakesUnknownLengths(layer))
                throw new NotSupportedException(
                    $"ExportOnnx: layer {layer.Name} ({layer.GetType().Name}) needs known lengths, but its input has trailing dims ({string.Join(", ", shape.Select(d => d == UnknownLength ? "None" : d.ToString()))}); " +
                    $"give Layers.Input the length the exported model should take. {LengthAgnosticLayers} take unknown lengths.");
            // Keras casts a layer's input to its compute dtype; an Embedding reads its int indices as they are.
            if (TypeOf(x) != FloatType && !ReadsIntegers(layer)) x = As(x, FloatType, $"{layer.Name}/input_cast");
            return ExporterOf(layer)(this, layer, x, shape);
        }

        /// <summary>A length left unknown (None) in the trailing dims an exporter tracks.</summary>
        public const long UnknownLength = -1;

        /// <summary>Graph dims of trailing dims, an unknown length as a symbol named after <paramref name="what"/> and its axis.</summary>
        public static IEnumerable<OnnxWriter.Dim> Dims(IEnumerable<long> dims, string what) =>
            dims.Select((d, i) => d == UnknownLength ? OnnxWriter.Dim.Symbol($"{what}_length_{i + 1}") : new OnnxWriter.Dim(d));

        private string Flatten(Layer layer, string x, List<long> shape)
        {
            long size = shape.Aggregate(1L, (a, d) => a * d);
            shape.Clear();
            shape.Add(size);
            return Node("Flatten", layer.Name, [x], OnnxWriter.IntAttribute("axis", 1));
        }

        private string Dense(Layers.Dense dense, string x, List<long> shape)
        {
            if (shape.Count == 0)
                throw new NotSupportedException($"ExportOnnx: layer {dense.Name} was built for inputs of shape {dense.BuildInputShape}, with no axis besides the batch axis; give it inputs of shape (batch, features).");
            string kernel = Weight(dense.Kernel!);
            string? bias = dense.Bias is null ? null : Weight(dense.Bias);
            // Gemm is one fused node for the common 2-D case; MatMul broadcasts over leading axes.
            string y;
            if (shape.Count == 1)
                y = Node("Gemm", dense.Name, bias is null ? [x, kernel] : [x, kernel, bias]);
            else
            {
                y = Node("MatMul", $"{dense.Name}/MatMul", [x, kernel]);
                if (bias is not null) y = Node("Add", $"{dense.Name}/BiasAdd", [y, bias]);
            }
            shape[^1] = dense.Units;
            return dense.Activation is null ? y : Activation(dense.Activation, dense, y);
        }

        private string Activation(ActivationFunction function, Layer layer, string x)
        {
            if (KerasActivation(function.Name.ToLowerInvariant(), layer, x) is { } composed) return composed;
            string? op = function.Name.ToLowerInvariant() switch
            {
                "relu" => "Relu",
                "sigmoid" => "Sigmoid",
                "tanh" => "Tanh",
                "softmax" => "Softmax",
                "exponential" => "Exp",
                "linear" => null,
                // A Keras name without an ONNX form here (glu, sparsemax) is refused by
                // that name, not called a custom C# function.
                "custom" => throw new NotSupportedException(
                    $"ExportOnnx: layer {layer.Name} applies a custom C# activation ('{function.Name}'), which ONNX cannot hold; use one of {ActivationFunction.Names} by name."),
                _ => throw new NotSupportedException(
                    $"ExportOnnx: layer {layer.Name} applies the activation '{function.Name}', which has no ONNX form here; " +
                    "every named activation but glu and sparsemax exports."),
            };
            if (op is null) return x;
            string name = layer is Layers.Activation ? layer.Name : $"{layer.Name}/{op}";
            // Keras' softmax activation normalizes the last axis (NF.Softmax's default).
            return op == "Softmax" ? Node(op, name, [x], OnnxWriter.IntAttribute("axis", -1)) : Node(op, name, [x]);
        }

        /// <summary>A Conv or ConvTranspose node's inputs: x, the kernel, and the bias when the layer has one.</summary>
        private string[] ConvInputs(string x, string kernel, Variable? bias) => bias is null ? [x, kernel] : [x, kernel, Weight(bias)];

        private string Weight(Variable v)
        {
            if (_weightNames.TryGetValue(v, out var known)) return known;
            string name = WeightName(v);
            var dims = v.Shape.ToArray().Select(d => (long)d);
            Initializers.Add(v.DType == DType.Float64
                ? OnnxWriter.Tensor(name, dims, v.ToArray<double>())
                : OnnxWriter.Tensor(name, dims, v.ToArray<float>()));
            return name;
        }

        /// <summary>
        /// Prefixed to every node's name: a nested model's name, or a shared layer's call
        /// ("shared_1/"), so that each call's nodes have names of their own.
        /// </summary>
        public string Scope { get; set; } = "";

        // Each weight once, however many calls read it (a shared layer), under a unique name.
        private readonly Dictionary<Variable, string> _weightNames = new(ReferenceEqualityComparer.Instance);

        private string WeightName(Variable v)
        {
            string name = v.Name ?? $"weight_{Initializers.Count}";
            if (_weightNames.ContainsValue(name)) name = $"{name}_{Initializers.Count}";
            _weightNames[v] = name;
            return name;
        }

        private string Node(string op, string name, string[] inputs, params byte[][] attributes)
        {
            name = Scope + name;
            string output = $"{name}:0";
            _nodes.Add((op, name, inputs, output, attributes));
            return output;
        }

        /// <summary>
        /// Names the graph's result <paramref name="output"/>: the last node's output, which
        /// nothing else reads, or an Identity when no layer added a node (linear activations only).
        /// </summary>
        public void NameOutput(string result, string output)
        {
            if (_nodes.Count == 0 || _nodes[^1].Output != result) Node("Identity", "output", [result]);
            _nodes[^1] = _nodes[^1] with { Output = output };
        }

        public IEnumerable<byte[]> Nodes() =>
            _nodes.Select(n => OnnxWriter.Node(n.Op, n.Name, n.Inputs, [n.Output], n.Attributes));
    }
}
