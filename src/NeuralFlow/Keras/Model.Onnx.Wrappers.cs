using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The wrapper layers in ONNX, as their Forward composes them. Bidirectional: its forward and
    // backward recurrent layers each as their own ONNX op (the backward one reads the reversed
    // steps, as go_backwards does), the backward sequence put back in time order, then the merge
    // (Concat, Sum, Mul or their mean). TimeDistributed: the steps folded into the batch axis,
    // the wrapped layer's own exporter, and the steps unfolded.
    private sealed partial class OnnxGraph
    {
        private string Bidirectional(Layers.Bidirectional layer, string x, List<long> shape)
        {
            if (layer.MergeMode is null || layer.ForwardLayer.ReturnState)
                throw new NotSupportedException(
                    $"ExportOnnx: layer {layer.Name} (Bidirectional) returns {(layer.MergeMode is null ? "its two directions apart (mergeMode null)" : "its states")}; the exported graph has one output per layer: use a merge mode and no returned states.");
            var backwardShape = shape.ToList();
            string forward = Recurrent(layer.ForwardLayer, x, shape);
            string backward = Recurrent(layer.BackwardLayer, x, backwardShape);
            if (layer.BackwardLayer.ReturnSequences)
                backward = ReverseSteps($"{layer.Name}/TimeOrder", layer.Name, backward);
            switch (layer.MergeMode)
            {
                case "concat":
                    shape[^1] += backwardShape[^1];
                    return Node("Concat", layer.Name, [forward, backward], OnnxWriter.IntAttribute("axis", -1));
                case "sum":
                    return Node("Add", layer.Name, [forward, backward]);
                case "mul":
                    return Node("Mul", layer.Name, [forward, backward]);
                default: // "ave"
                    string sum = Node("Add", $"{layer.Name}/Sum", [forward, backward]);
                    return Node("Mul", layer.Name, [sum, Scalar(layer.Name, "half", 0.5)]);
            }
        }

        private string TimeDistributed(Layers.TimeDistributed layer, string x, List<long> shape)
        {
            if (shape.Count < 2)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} (TimeDistributed) needs inputs [batch, timesteps, ...], but its input has trailing dims ({string.Join(", ", shape)}).");
            long steps = shape[0];
            var inner = shape.Skip(1).ToList();
            string folded = Node("Reshape", $"{layer.Name}/Fold", [x, Ints($"{layer.Name}/folded", [-1, .. inner])]);
            string y = Add(layer.Layer, folded, inner);
            shape.Clear();
            shape.Add(steps);
            shape.AddRange(inner);
            return Node("Reshape", layer.Name, [y, Ints($"{layer.Name}/unfolded", [-1, steps, .. inner])]);
        }
    }
}
