using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The preprocessing layers that turn values into categories, in ONNX: Discretization's buckets
    // and CategoryEncoding's one-hot, multi-hot and count vectors, as CategoricalEncoding computes them.
    private sealed partial class OnnxGraph
    {
        // Discretization: a value's bin is the number of boundaries it is not below (np.digitize; NaN: the last), an
        // int64 index ("int", Keras' dtype) or that index encoded as CategoryEncoding encodes it.
        private string Discretization(Layers.Discretization layer, string x, List<long> shape)
        {
            var bounds = layer.BinBoundaries ?? throw new InvalidOperationException(
                $"ExportOnnx: layer {layer.Name} (Discretization) has no bin boundaries yet; pass binBoundaries or call Adapt before exporting.");
            string indices = bounds.Length == 0
                // No boundaries: bin 0 for every value (ONNX Runtime keeps the empty axis of a sum over none).
                ? Node("Mul", $"{layer.Name}/Zeros", [Node("Cast", $"{layer.Name}/Cast", [x], OnnxWriter.IntAttribute("to", OnnxInt64)), Ints($"{layer.Name}/zero", [0])])
                : Node("ReduceSum", $"{layer.Name}/Count",
                    [Node("Cast", $"{layer.Name}/Cast", [Node("Not", $"{layer.Name}/NotBelow", [Node("Less", $"{layer.Name}/Below",
                        [Node("Unsqueeze", $"{layer.Name}/Unsqueeze", [x, Ints($"{layer.Name}/last", [-1])]), Constant($"{layer.Name}/boundaries", [bounds.Length], bounds)])])],
                        OnnxWriter.IntAttribute("to", OnnxInt64)), Ints($"{layer.Name}/axes", [-1])],
                    OnnxWriter.IntAttribute("keepdims", 0));
            if (layer.OutputMode == "int") return Typed(indices, DType.Int64);
            return Encode(layer, indices, shape, layer.OutputMode, bounds.Length + 1);
        }

        private string CategoryEncoding(Layers.CategoryEncoding layer, string x, List<long> shape) =>
            Encode(layer, Node("Cast", $"{layer.Name}/Cast", [x], OnnxWriter.IntAttribute("to", OnnxInt64)), shape, layer.OutputMode, layer.NumTokens);

        // IntegerLookup as its Forward computes it: a token's index past the mask and OOV slots where it
        // equals a vocabulary entry (ArgMax of the comparison: the first), else its OOV slot (token mod
        // the OOV count), the mask token 0 ("int") or no slot; int64 indices or their encoding.
        private string IntegerLookup(Layers.IntegerLookup layer, string x, List<long> shape)
        {
            if (layer.Invert || layer.NumOovIndices == 0)
                throw new NotSupportedException(layer.Invert
                    ? $"ExportOnnx: layer {layer.Name} (IntegerLookup) maps indices back to tokens (invert), which has no ONNX form here; export the lookup, not its inverse."
                    : $"ExportOnnx: layer {layer.Name} (IntegerLookup) has num_oov_indices=0 and refuses unknown tokens as it runs, which an ONNX graph cannot; give it an OOV index.");
            string Long(string what, long value) => Ints($"{layer.Name}/{what}", [value]);
            string ids = Node("Cast", $"{layer.Name}/Cast", [x], OnnxWriter.IntAttribute("to", OnnxInt64));
            string oov = layer.NumOovIndices == 1 ? Long("oov", layer.OovStart)
                : Node("Add", $"{layer.Name}/OovSlot", [Node("Mod", $"{layer.Name}/OovMod", [ids, Long("oov_count", layer.NumOovIndices)]), Long("oov_start", layer.OovStart)]);
            var tokens = layer.GetVocabulary(includeSpecialTokens: false);
            string lookups = oov;
            if (tokens.Length > 0)
            {
                // Named apart from Encode's nodes, which may follow in the same layer.
                string equal = Node("Cast", $"{layer.Name}/Matches", [Node("Equal", $"{layer.Name}/InVocabulary",
                    [Node("Unsqueeze", $"{layer.Name}/Tokens", [ids, Ints($"{layer.Name}/token_axis", [-1])]), Ints($"{layer.Name}/vocabulary", tokens)])],
                    OnnxWriter.IntAttribute("to", OnnxInt64));
                string found = Node("Cast", $"{layer.Name}/Found", [Node("ReduceMax", $"{layer.Name}/Any", [equal], OnnxWriter.IntsAttribute("axes", [-1]), OnnxWriter.IntAttribute("keepdims", 0))],
                    OnnxWriter.IntAttribute("to", OnnxWriter.ElemTypeOf(DType.Bool)));
                string position = Node("ArgMax", $"{layer.Name}/Position", [equal], OnnxWriter.IntAttribute("axis", -1), OnnxWriter.IntAttribute("keepdims", 0));
                lookups = Node("Where", $"{layer.Name}/Lookup", [found, Node("Add", $"{layer.Name}/Index", [position, Long("token_start", layer.TokenStart)]), oov]);
            }
            else // no vocabulary: every id's OOV slot, a broadcast slot given the ids' shape
                lookups = Node("Add", $"{layer.Name}/Shaped", [lookups, Node("Mul", $"{layer.Name}/NoIds", [ids, Long("zero", 0)])]);
            if (layer.MaskToken is { } mask)
                lookups = Node("Where", $"{layer.Name}/Mask", [Node("Equal", $"{layer.Name}/IsMask", [ids, Long("mask", mask)]), Long("mask_index", layer.OutputMode == "int" ? 0 : -1), lookups]);
            if (layer.OutputMode == "int") return Typed(Node("Identity", layer.Name, [lookups]), DType.Int64);
            int depth = layer.PadToMaxTokens ? layer.MaxTokens!.Value : layer.VocabularySize();
            if (layer.OutputMode != "tf_idf") return Encode(layer, lookups, shape, layer.OutputMode, depth);
            string counts = Encode(layer, lookups, shape, "count", depth);
            return Node("Mul", $"{layer.Name}/TfIdf", [counts, Constant($"{layer.Name}/idf_weights", [layer.IdfWeights!.Length], layer.IdfWeights!)]);
        }

        // CategoricalEncoding.Encode of int64 ids: each id compared with 0..depth-1 (an id outside marks
        // nothing); one_hot keeps those rows (a last axis of 1 replaced), multi_hot marks and count counts
        // them over a sample's ids (its last axis), in the graph's float type.
        private string Encode(Layer layer, string ids, List<long> shape, string mode, int depth)
        {
            if (shape.Count > 1)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} encodes inputs of trailing dims ({string.Join(", ", shape)}); output_mode {mode} takes inputs of rank 1 or 2, as in Keras.");
            bool squeeze = mode == "one_hot" && shape is [1];
            if (mode != "one_hot" && shape.Count == 0)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} reads a batch of single ids as one sample in output_mode {mode}; give it inputs of shape (batch, ids).");
            if (squeeze) ids = Node("Squeeze", $"{layer.Name}/Squeeze", [ids, Ints($"{layer.Name}/squeezed", [-1])]);
            string hits = Node("Cast", $"{layer.Name}/Hits", [Node("Equal", $"{layer.Name}/Equal",
                [Node("Unsqueeze", $"{layer.Name}/Ids", [ids, Ints($"{layer.Name}/id_axis", [-1])]), Ints($"{layer.Name}/tokens", Enumerable.Range(0, depth).Select(i => (long)i).ToArray())])],
                OnnxWriter.IntAttribute("to", ElemType));
            if (mode == "one_hot")
            {
                if (squeeze) shape.Clear();
                shape.Add(depth);
                return Node("Identity", layer.Name, [hits]);
            }
            shape.Clear();
            shape.Add(depth);
            var sampleAxis = OnnxWriter.IntAttribute("keepdims", 0);
            return mode == "count"
                ? Node("ReduceSum", layer.Name, [hits, Ints($"{layer.Name}/sample_axis", [-2])], sampleAxis)
                : Node("ReduceMax", layer.Name, [hits], OnnxWriter.IntsAttribute("axes", [-2]), sampleAxis);
        }
    }
}
