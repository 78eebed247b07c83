using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The layers that move values without arithmetic, in ONNX. They work on NeuralFlow's NHWC
    // layout directly (Pad, Slice and Transpose take any axes), so no layout Transposes are needed.
    private sealed partial class OnnxGraph
    {
        private const long OnnxInt64 = 7;

        private string Rearranging(Layer layer, string x, List<long> shape)
        {
            switch (layer)
            {
                case Layers.SpatialSides sides:
                {
                    // ZeroPadding and Cropping of 1, 2 or 3 spatial axes, either data format: shape holds the
                    // dims after the batch axis, so the spatial ones start at index first - 1.
                    int rank = sides.Amounts.Count, first = sides.DataFormat == "channels_first" ? 2 : 1;
                    if (shape.Count != rank + 1)
                        throw new NotSupportedException($"ExportOnnx: layer {layer.Name} needs inputs of rank {rank + 2}, but its input has trailing dims ({string.Join(", ", shape)}).");
                    if (sides.Pads)
                    {
                        // pads: every axis' start, then every axis' end; the batch and channels unpadded.
                        var pads = new long[2 * (rank + 2)];
                        for (int i = 0; i < rank; i++)
                        {
                            var (before, after) = sides.Amounts[i];
                            (pads[first + i], pads[rank + 2 + first + i]) = (before, after);
                            shape[first - 1 + i] += before + after;
                        }
                        return Node("Pad", layer.Name, [x, Ints($"{layer.Name}/pads", pads)]);
                    }
                    var starts = new long[rank];
                    var ends = new long[rank];
                    var axes = new long[rank];
                    for (int i = 0; i < rank; i++)
                    {
                        var (before, after) = sides.Amounts[i];
                        (starts[i], ends[i], axes[i]) = (before, shape[first - 1 + i] - after, first + i);
                        shape[first - 1 + i] -= before + after;
                    }
                    return Node("Slice", layer.Name,
                        [x, Ints($"{layer.Name}/starts", starts), Ints($"{layer.Name}/ends", ends), Ints($"{layer.Name}/axes", axes)]);
                }
                case Layers.UpSampling2D up:
                {
                    if (up.Interpolation != "nearest" || up.DataFormat != "channels_last")
                        throw new NotSupportedException(
                            $"ExportOnnx: {layer.Name} (UpSampling2D, {up.Interpolation}, {up.DataFormat}) is not exportable; only nearest channels_last upsampling is.");
                    RequireImage(layer, shape);
                    long h = shape[0], w = shape[1], c = shape[2], sh = up.Size[0], sw = up.Size[1];
                    // As in Forward: [N, H, 1, W, 1, C] expanded to [N, H, sh, W, sw, C], then merged.
                    string split = Node("Reshape", $"{layer.Name}/Split", [x, Ints($"{layer.Name}/split", [0, h, 1, w, 1, c])]);
                    string spread = Node("Expand", $"{layer.Name}/Expand", [split, Ints($"{layer.Name}/repeats", [1, 1, sh, 1, sw, 1])]);
                    shape[0] = h * sh;
                    shape[1] = w * sw;
                    return Node("Reshape", layer.Name, [spread, Ints($"{layer.Name}/shape", [0, h * sh, w * sw, c])]);
                }
                case Layers.Permute permute:
                {
                    var before = shape.ToArray();
                    for (int i = 0; i < permute.Dims.Length; i++) shape[i] = before[permute.Dims[i] - 1];
                    return Node("Transpose", layer.Name, [x], OnnxWriter.IntsAttribute("perm", [0, .. permute.Dims.Select(d => (long)d)]));
                }
                case Layers.RepeatVector repeat:
                {
                    long features = shape[0];
                    string row = Node("Reshape", $"{layer.Name}/Row", [x, Ints($"{layer.Name}/row", [0, 1, features])]);
                    shape.Insert(0, repeat.N);
                    return Node("Expand", layer.Name, [row, Ints($"{layer.Name}/repeats", [1, repeat.N, 1])]);
                }
                case Layers.Embedding embedding:
                {
                    // The exported graph has no masks: the recurrent and pooling nodes after it would read the padding.
                    if (embedding.MaskZero)
                        throw new NotSupportedException($"ExportOnnx: layer {layer.Name} is an Embedding with maskZero, whose mask the exported graph cannot carry; export a model without masking.");
                    // The graph's input is float (as Predict's): cast to int64 truncates as the layer does.
                    string indices = Node("Cast", $"{layer.Name}/Cast", [x], OnnxWriter.IntAttribute("to", OnnxInt64));
                    shape.Add(embedding.OutputDim);
                    return Node("Gather", layer.Name, [Weight(embedding.Embeddings!), indices], OnnxWriter.IntAttribute("axis", 0));
                }
                default:
                    throw new ArgumentException($"{layer.Name} is not a rearranging layer.", nameof(layer));
            }
        }

        private string Ints(string name, long[] values)
        {
            Initializers.Add(OnnxWriter.Tensor(name, [values.Length], values));
            return name;
        }

        private static void RequireImage(Layer layer, List<long> shape)
        {
            if (shape.Count != 3)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} needs NHWC inputs, but its input has trailing dims ({string.Join(", ", shape)}).");
        }
    }
}
