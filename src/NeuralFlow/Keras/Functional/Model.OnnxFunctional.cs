using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // A functional graph in ONNX: its inputs named after their input layers, each layer call
    // emitted on the value names of its inputs (a nested model inlined under its name, a shared
    // layer's later calls under "layer_k/" with the weights stored once), and each output an
    // Identity named after its layer, so a consumer feeds and reads them by the names Keras shows.
    private void ExportFunctionalOnnx(string path, FunctionalGraph functional)
    {
        var graph = NewOnnxGraph();
        // Each input in its dtype (int token ids, a bool mask), as tf2onnx declares a Keras Input.
        var inputs = functional.Inputs.Select(t => (Name: graph.Typed(t.Layer.Name, t.DType), Shape: t.TrailingDims.Select(d => (long)d).ToList())).ToArray();
        var inputInfos = functional.Inputs.Select(t => OnnxWriter.ValueInfo(t.Layer.Name, OnnxWriter.ElemTypeOf(graph.TypeOf(t.Layer.Name)),
            [Batch(t), .. OnnxGraph.Dims(t.TrailingDims.Select(d => (long)d), t.Layer.Name)])).ToArray();
        var outputs = EmitGraph(graph, functional, inputs, "");
        graph.Scope = "";
        var outputInfos = new List<byte[]>();
        var outputNames = OutputNames;   // functional is this model's graph: its outputs' names as Fit and Keras see them
        for (int i = 0; i < outputs.Length; i++)
        {
            var (name, t) = (outputNames[i], functional.Outputs[i]);
            // An output in its own dtype: a class index as int32, a comparison as bool.
            var type = OnnxWriter.ElemTypeOf(graph.TypeOf(outputs[i].Name));
            graph.NameOutput(graph.Identity(outputs[i].Name, $"{name}/output"), name);
            // A scalar (a reduction over every axis) has no batch axis.
            outputInfos.Add(OnnxWriter.ValueInfo(name, type, t.Shape.Count == 0 ? [] : [Batch(t), .. OnnxGraph.Dims(outputs[i].Shape, name)]));
        }
        WriteOnnx(path, graph, inputInfos, outputInfos.ToArray());
    }

    // The first axis: the batch (symbolic), or its fixed size (an Input of batchSize, or an op's axis that replaced the batch axis).
    private static OnnxWriter.Dim Batch(KerasTensor t) => t.Shape[0] is { } fixedBatch ? new OnnxWriter.Dim(fixedBatch) : OnnxWriter.Dim.Symbol("batch");

    // Emits the calls of a graph on the given input values; returns its outputs' values.
    private static (string Name, List<long> Shape)[] EmitGraph(OnnxGraph onnx, FunctionalGraph graph, (string Name, List<long> Shape)[] inputs, string scope)
    {
        var values = new Dictionary<KerasTensor, (string Name, List<long> Shape)>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Length; i++) values[graph.Inputs[i]] = inputs[i];
        var calls = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Nodes)
        {
            int call = calls.GetValueOrDefault(node.Layer);
            calls[node.Layer] = call + 1;
            var callScope = scope + (call > 0 ? $"{node.Layer.Name}_{call}/" : "");
            if (node.Layer is Operation op)
            {
                onnx.Scope = callScope;
                values[node.Output] = onnx.Operation(op, node, t => values[t].Name);
                continue;
            }
            // An attention layer reads [query, value(, key)] and its masks and flags: its own exporter.
            if (node.Layer is Layers.ProjectedAttention or Layers.Attention)
            {
                onnx.Scope = callScope;
                var args = node.Inputs.Select(t => values[t]).ToArray();
                values[node.Output] = node.Layer is Layers.Attention luong
                    ? onnx.LuongAttention(luong, args, node.Args)
                    : onnx.Attention((Layers.ProjectedAttention)node.Layer, args, node.Args);
                continue;
            }
            // training=False is what an inference graph does anyway; training=True (dropout on) is not exported.
            if (node.Outputs.Length != 1 || !(node.Args.Training == false ? node.Args.WithoutTraining() : node.Args).Plain)
                throw new NotSupportedException(
                    $"ExportOnnx: layer {node.Layer.Name} ({node.Layer.GetType().Name}) is called {(!node.Args.Plain ? "with keyword arguments (" + string.Join(", ", node.Args.Keywords.Concat(node.Args.Options.Select(o => o.Key)).Distinct()) + ")" : $"for {node.Outputs.Length} outputs")} in this graph; such calls do not export to ONNX yet.");
            values[node.Output] = EmitLayer(onnx, node.Layer, node.Inputs.Select(t => values[t]).ToArray(), callScope);
        }
        return graph.Outputs.Select(o => values[o]).ToArray();
    }

    private static (string Name, List<long> Shape) EmitLayer(OnnxGraph onnx, Layer layer, (string Name, List<long> Shape)[] inputs, string scope)
    {
        onnx.Scope = scope;
        switch (layer)
        {
            case Model { _graph: { } nested } model:
                var outputs = EmitGraph(onnx, nested, inputs, $"{scope}{model.Name}/");
                return outputs.Length == 1 ? outputs[0] : throw new NotSupportedException(
                    $"ExportOnnx: nested model {model.Name} has {outputs.Length} outputs; a nested model of several outputs does not export yet.");
            case Sequential sequential:
            {
                var (x, shape) = (inputs[0].Name, new List<long>(inputs[0].Shape));
                foreach (var inner in sequential.AllLayers)
                {
                    onnx.Scope = $"{scope}{sequential.Name}/";
                    x = onnx.Add(inner, x, shape);
                }
                return (x, shape);
            }
            case Layers.Merge merge:
                return onnx.Merge(merge, inputs);
            default:
            {
                // A layer exported on one input must not silently drop the others of a list call.
                if (inputs.Length != 1)
                    throw new NotSupportedException(
                        $"ExportOnnx: layer {layer.Name} ({layer.GetType().Name}) is called on {inputs.Length} tensors in this graph; its ONNX form takes one input.");
                var shape = new List<long>(inputs[0].Shape);
                return (onnx.Add(layer, inputs[0].Name, shape), shape);
            }
        }
    }

    private sealed partial class OnnxGraph
    {
        /// <summary>An Identity node of <paramref name="x"/> (a graph output that is also read inside the graph).</summary>
        public string Identity(string x, string name) => Typed(Node("Identity", name, [x]), TypeOf(x));

        // ONNX's variadic Sum, Mean, Max, Min (and the binary Sub) over the inputs, which share one shape.
        private (string Name, List<long> Shape) Elementwise(string op, Layers.Merge layer, (string Name, List<long> Shape)[] inputs) =>
            (Node(op, layer.Name, inputs.Select(i => i.Name).ToArray()), new List<long>(inputs[0].Shape));

        private (string Name, List<long> Shape) Concat(Layers.Concatenate layer, (string Name, List<long> Shape)[] inputs)
        {
            var shape = new List<long>(inputs[0].Shape);
            int rank = shape.Count + 1;
            int axis = layer.Axis < 0 ? layer.Axis + rank : layer.Axis;
            shape[axis - 1] = inputs.Any(i => i.Shape[axis - 1] == UnknownLength) ? UnknownLength : inputs.Sum(i => i.Shape[axis - 1]);
            return (Node("Concat", layer.Name, inputs.Select(i => i.Name).ToArray(), OnnxWriter.IntAttribute("axis", axis)), shape);
        }

        // ONNX's Mul takes two inputs: a chain, the last node named after the layer.
        private (string Name, List<long> Shape) MulChain(Layers.Merge layer, (string Name, List<long> Shape)[] inputs)
        {
            var y = inputs[0].Name;
            for (int i = 1; i < inputs.Length; i++) y = Node("Mul", i == inputs.Length - 1 ? layer.Name : $"{layer.Name}/Mul_{i}", [y, inputs[i].Name]);
            return (y, new List<long>(inputs[0].Shape));
        }
    }
}
