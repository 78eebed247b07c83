using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // EinsumDense as ONNX's Einsum (the same equation, "..." included) plus its bias and
    // activation; RMSNormalization as x / sqrt(ReduceMean(x * x) + epsilon) * scale, the scale
    // shaped to broadcast over the normalized axes.
    private sealed partial class OnnxGraph
    {
        private string EinsumDense(Layers.EinsumDense layer, string x, List<long> shape)
        {
            string y = Node("Einsum", $"{layer.Name}/Einsum", [x, Weight(layer.Kernel!)], OnnxWriter.StringAttribute("equation", layer.Equation.Replace(" ", "")));
            if (layer.Bias is { } bias) y = Node("Add", $"{layer.Name}/BiasAdd", [y, Weight(bias)]);
            // The output's axes past the batch, as the layer built them (fixed sizes).
            var full = layer.FullOutputShape!;
            shape.Clear();
            shape.AddRange(full.Skip(1).Select(d => (long)d!.Value));
            return layer.Activation is null ? y : Activation(layer.Activation, layer, y);
        }

        private string RMSNormalization(Layers.RMSNormalization layer, string x, List<long> shape)
        {
            var axes = layer.NormalizedAxes;
            if (axes.Contains(0))
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} normalizes over the batch axis, which has no fixed size in the exported graph.");
            string square = Node("Mul", $"{layer.Name}/Square", [x, x]);
            string mean = Node("ReduceMean", $"{layer.Name}/MeanSquare", [square],
                OnnxWriter.IntsAttribute("axes", axes.Select(a => (long)a)), OnnxWriter.IntAttribute("keepdims", 1));
            string rms = Node("Sqrt", $"{layer.Name}/Rms", [Node("Add", $"{layer.Name}/AddEpsilon", [mean, Scalar(layer.Name, "epsilon", layer.Epsilon)])]);
            string normalized = Node("Div", $"{layer.Name}/Normalize", [x, rms]);
            // The scale, [1, ...] over the axes past the batch, sized only on the normalized ones.
            long[] dims = shape.Select((d, i) => axes.Contains(i + 1) ? d : 1L).ToArray();
            return Node("Mul", layer.Name, [normalized, Constant($"{layer.Name}/scale", dims, layer.Scale!.ToDoubleArray())]);
        }
    }
}
