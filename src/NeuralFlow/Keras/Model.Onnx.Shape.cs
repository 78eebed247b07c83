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
                case Layers.UpSampling1D up:
                    return NearestRepeat(layer, x, shape, 1, [up.Size]);
                case Layers.UpSampling2D up:
                    return up.Interpolation == "bilinear" ? BilinearUpSampling(up, x, shape)
                        : NearestRepeat(layer, x, shape, up.DataFormat == "channels_first" ? 2 : 1, up.Size);
                case Layers.UpSampling3D up:
                    return NearestRepeat(layer, x, shape, up.DataFormat == "channels_first" ? 2 : 1, up.Size);
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

        // UpSampling1D/2D/3D as NearestUpsampling.Repeat computes them: a size-1 axis after each spatial
        // axis (from axis first on), expanded to its factor, then merged into the spatial axis before it.
        private string NearestRepeat(Layer layer, string x, List<long> shape, int first, IReadOnlyList<int> sizes)
        {
            if (shape.Count != sizes.Count + 1)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} needs inputs of rank {sizes.Count + 2}, but its input has trailing dims ({string.Join(", ", shape)}).");
            var (split, repeats) = (new List<long> { 0 }, new List<long> { 1 });
            for (int i = 0; i < shape.Count; i++)
            {
                split.Add(shape[i]);
                repeats.Add(1);
                if (i < first - 1 || i >= first - 1 + sizes.Count) continue;
                split.Add(1);
                repeats.Add(sizes[i - first + 1]);
                shape[i] *= sizes[i - first + 1];
            }
            string spread = Node("Expand", $"{layer.Name}/Expand", [Node("Reshape", $"{layer.Name}/Split", [x, Ints($"{layer.Name}/split", [.. split])]), Ints($"{layer.Name}/repeats", [.. repeats])]);
            return Node("Reshape", layer.Name, [spread, Ints($"{layer.Name}/shape", [0, .. shape])]);
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
