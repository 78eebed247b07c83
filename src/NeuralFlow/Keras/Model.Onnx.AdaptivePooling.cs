using NeuralFlow.IO;

namespace NeuralFlow.Keras;

// ONNX form of AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D: as the layer
// computes them, one spatial axis at a time, each output cell a Slice of its window reduced by
// ReduceMean or ReduceMax (keepdims), the cells joined by Concat. Pooling the axes one after the
// other is exact: a mean (max) over a box of windows is the mean (max) of the per-axis ones.
public partial class Model
{
    private sealed partial class OnnxGraph
    {
        private string AdaptivePooling(Layers.AdaptivePooling layer, string x, List<long> shape)
        {
            // shape holds the trailing dims (no batch); ONNX's axes count the batch.
            int first = layer.DataFormat == "channels_first" ? 1 : 0;
            for (int a = 0; a < layer.OutputSize.Length; a++)
            {
                int axis = first + a, size = layer.OutputSize[a], length = checked((int)shape[axis]);
                if (length == 0)
                    throw new NotSupportedException($"ExportOnnx: layer {layer.Name} cannot pool an empty axis {axis + 1}.");
                string prefix = $"{layer.Name}/axis{axis + 1}";
                var cells = new string[size];
                for (int i = 0; i < size; i++)
                {
                    var (start, end) = Layers.AdaptivePooling.Window(i, length, size);
                    string window = Node("Slice", $"{prefix}/window{i}", [x, Ints($"{prefix}/starts{i}", [start]), Ints($"{prefix}/ends{i}", [end]), Ints($"{prefix}/axes{i}", [axis + 1])]);
                    cells[i] = Node(layer.TakesMax ? "ReduceMax" : "ReduceMean", $"{prefix}/cell{i}", [window],
                        OnnxWriter.IntsAttribute("axes", [axis + 1]), OnnxWriter.IntAttribute("keepdims", 1));
                }
                x = size == 1 ? cells[0] : Node("Concat", $"{prefix}/Concat", cells, OnnxWriter.IntAttribute("axis", axis + 1));
                shape[axis] = size;
            }
            return Node("Identity", layer.Name, [x]);
        }
    }
}
