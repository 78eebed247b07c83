using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // MultiHeadAttention and GroupedQueryAttention (Layers.ProjectedAttention) as MatMul, Softmax,
    // Transpose and Reshape nodes. Both run in one 5-D layout [batch, K, G, steps, dim] (K key/value
    // heads, G = query heads / K; multi-head attention is G = 1), in which MatMul broadcasts each
    // key/value head over its group of query heads, as NF.AttentionProbabilities groups them.
    // Keras' masks become one bool "keep" and a Where of -1e9 before the softmax; the causal and
    // sliding-window masks are constants of the layer's own definitions (AttentionArgs.Causal,
    // OwnMask), so they need known lengths; without them the lengths may be unknown (Reshape's 0
    // copies the batch and step lengths).
    private sealed partial class OnnxGraph
    {
        private const long OnnxBool = 9;

        // A Sequential model's self-attention: query, value and key are the one input, with no mask.
        private string SelfAttention(Layers.ProjectedAttention layer, string x, List<long> shape)
        {
            var (y, outShape) = Attention(layer, (x, shape), (x, shape), (x, shape), [], causal: false);
            shape.Clear();
            shape.AddRange(outShape);
            return y;
        }

        /// <summary>
        /// A functional model's call of an attention layer: [query, value(, key)] then the masks named
        /// by <paramref name="args"/> (attention_mask, query_mask, value_mask, key_mask; nonzero keeps) and use_causal_mask.
        /// </summary>
        public (string Name, List<long> Shape) Attention(Layers.ProjectedAttention layer, (string Name, List<long> Shape)[] inputs, CallArgs args)
        {
            string kind = layer.GetType().Name;
            if (args.Flag("return_attention_scores"))
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} ({kind}) is called with return_attention_scores; its scores do not export to ONNX, only its output.");
            var positional = args.Positional(inputs);
            if (positional.Length is < 2 or > 3)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} ({kind}) is called on {positional.Length} tensor(s); it exports called on [query, value] or [query, value, key].");
            var masks = new List<(string Keyword, string Name, List<long> Shape)>();
            foreach (var keyword in new[] { "attention_mask", "query_mask", "value_mask", "key_mask" })
                foreach (var (name, shape) in args.Named(inputs, keyword))
                    masks.Add((keyword, name, shape));
            return Attention(layer, positional[0], positional[1], positional.Length == 3 ? positional[2] : positional[1], masks, args.Flag("use_causal_mask"));
        }

        private (string Name, List<long> Shape) Attention(Layers.ProjectedAttention layer, (string Name, List<long> Shape) query, (string Name, List<long> Shape) value,
                                                          (string Name, List<long> Shape) key, List<(string Keyword, string Name, List<long> Shape)> masks, bool causal)
        {
            string kind = layer.GetType().Name, at = layer.Name;
            foreach (var (what, s) in new[] { ("query", query.Shape), ("value", value.Shape), ("key", key.Shape) })
                if (s.Count != 2)
                    throw new NotSupportedException($"ExportOnnx: layer {at} ({kind}) needs (batch, steps, features) inputs, but its {what} has trailing dims ({string.Join(", ", s)}).");
            long tq = query.Shape[0], tv = value.Shape[0];
            long heads = layer.QueryKernel!.Shape[1], dim = layer.QueryKernel.Shape[2];
            long groups = layer.KeyKernel!.Shape[1], valueDim = layer.ValueKernel!.Shape[2];
            long perGroup = heads / groups;

            string q = Projection(layer, "query", query.Name, layer.QueryKernel, layer.QueryBias);
            q = Node("Mul", $"{at}/query/scale", [q, Scalar($"{Scope}{at}", "scale", layer.Scale)]);
            q = Node("Transpose", $"{at}/query/heads", [Reshaped5(at, "query", q, [0, 0, groups, perGroup, dim])], OnnxWriter.IntsAttribute("perm", [0, 2, 3, 1, 4]));
            string k = Projection(layer, "key", key.Name, layer.KeyKernel, layer.KeyBias);
            k = Node("Transpose", $"{at}/key/heads", [Reshaped5(at, "key", k, [0, 0, groups, 1, dim])], OnnxWriter.IntsAttribute("perm", [0, 2, 3, 4, 1]));
            string v = Projection(layer, "value", value.Name, layer.ValueKernel, layer.ValueBias);
            v = Node("Transpose", $"{at}/value/heads", [Reshaped5(at, "value", v, [0, 0, groups, 1, valueDim])], OnnxWriter.IntsAttribute("perm", [0, 2, 3, 1, 4]));

            string scores = Node("MatMul", $"{at}/scores", [q, k]);   // [B, K, G, Tq, Tv]
            if (Keep(layer, masks, causal, tq, tv, groups, perGroup) is { } keep)
                scores = Node("Where", $"{at}/masked_scores", [keep, scores, Scalar($"{Scope}{at}", "large_negative", AttentionArgs.LargeNegative)]);
            string probabilities = Node("Softmax", $"{at}/probabilities", [scores], OnnxWriter.IntAttribute("axis", -1));
            string attended = Node("MatMul", $"{at}/attended", [probabilities, v]);   // [B, K, G, Tq, Hv]
            attended = Node("Transpose", $"{at}/attended/steps_first", [attended], OnnxWriter.IntsAttribute("perm", [0, 3, 1, 2, 4]));
            attended = Node("Reshape", $"{at}/attended/joined", [attended, Ints($"{Scope}{at}/joined_shape", [0, 0, heads * valueDim])]);
            if (layer is Layers.GroupedQueryAttention { UseGate: true } gated)
                attended = Node("Mul", $"{at}/gated", [attended, Node("Sigmoid", $"{at}/gate/sigmoid", [Projection(layer, "gate", query.Name, gated.GateKernel!, gated.GateBias)])]);
            string y = Node("MatMul", $"{at}/attention_output/MatMul", [attended, Flat(at, "attention_output", layer.OutputKernel!, [heads * valueDim, layer.OutputKernel!.Shape[2]])]);
            if (layer.OutputBias is { } outputBias) y = Node("Add", $"{at}/attention_output/BiasAdd", [y, Weight(outputBias)]);
            return (y, [tq, layer.OutputKernel!.Shape[2]]);
        }

        // x [B, T, F] through a kernel (F, heads, dim) and bias (heads, dim) flattened to (F, heads * dim): [B, T, heads * dim].
        private string Projection(Layer layer, string what, string x, Variable kernel, Variable? bias)
        {
            long width = (long)kernel.Shape[1] * kernel.Shape[2];
            string y = Node("MatMul", $"{layer.Name}/{what}/MatMul", [x, Flat(layer.Name, what, kernel, [kernel.Shape[0], width])]);
            return bias is null ? y : Node("Add", $"{layer.Name}/{what}/BiasAdd", [y, Flat(layer.Name, what, bias, [width])]);
        }

        // A weight reshaped by a Reshape of the stored weight (stored once however many calls read it).
        private string Flat(string layer, string what, Variable w, long[] dims) =>
            Node("Reshape", $"{layer}/{what}/flat_{w.Shape.Rank}d", [Weight(w), Ints($"{Scope}{layer}/{what}/flat_{w.Shape.Rank}d_shape", dims)]);

        private string Reshaped5(string layer, string what, string x, long[] dims) =>
            Node("Reshape", $"{layer}/{what}/split_heads", [x, Ints($"{Scope}{layer}/{what}/split_heads_shape", dims)]);

        // The bool [.., Tq, Tv] of the scores kept, broadcasting to [B, K, G, Tq, Tv], or null when nothing is masked.
        private string? Keep(Layers.ProjectedAttention layer, List<(string Keyword, string Name, List<long> Shape)> masks, bool causal, long tq, long tv, long groups, long perGroup)
        {
            string at = layer.Name, kind = layer.GetType().Name;
            var own = layer.OwnMask(1, 1) is null ? null : "sliding window";
            var constant = causal ? (own is null ? "causal mask" : "causal and sliding-window masks") : own;
            bool headMask = masks.Any(m => m.Keyword == "attention_mask" && m.Shape.Count == 3);
            if ((constant is not null || headMask) && (tq == UnknownLength || tv == UnknownLength))
                throw new NotSupportedException(
                    $"ExportOnnx: layer {at} ({kind}) applies a {(constant ?? "per-head attention mask")}, which needs known query and key lengths; give Layers.Input the lengths the exported model should take.");

            string? keep = null, headKeep = null;   // [B, Tq, Tv] and [B, N, Tq, Tv] (each axis its size or 1 in the first)
            foreach (var (keyword, name, shape) in masks)
            {
                bool perHead = keyword == "attention_mask" && shape.Count == 3;
                long[] expected = keyword switch
                {
                    "query_mask" => [tq],
                    "attention_mask" => perHead ? [perGroup * groups, tq, tv] : [tq, tv],
                    _ => [tv],
                };
                // A per-head mask is split into the heads' groups by a Reshape: it must be whole.
                if (shape.Count != expected.Length || shape.Zip(expected).Any(p => p.First != p.Second && (perHead || (p.First != 1 && p.First != UnknownLength && p.Second != UnknownLength))))
                    throw new NotSupportedException(
                        $"ExportOnnx: layer {at} ({kind}) is given a {keyword} of trailing dims ({string.Join(", ", shape)}); the export takes ({string.Join(", ", expected)}){(keyword == "attention_mask" && !perHead ? " or (heads, Tq, Tv)" : "")}.");
                string asBool = Node("Cast", $"{at}/{keyword}/bool", [name], OnnxWriter.IntAttribute("to", OnnxBool));
                if (perHead)
                {
                    headKeep = asBool;
                    continue;
                }
                // A query mask keeps rows (axis -1 added), a value or key mask columns (axis -2 added).
                if (keyword != "attention_mask")
                    asBool = Node("Unsqueeze", $"{at}/{keyword}/expand", [asBool, Ints($"{Scope}{at}/{keyword}/expand_axes", [keyword == "query_mask" ? -1 : -2])]);
                keep = keep is null ? asBool : Node("And", $"{at}/{keyword}/and", [keep, asBool]);
            }
            if (headKeep is not null)
            {
                // As AttentionArgs.Combine: the other masks are shared by the heads (axis 1 added).
                if (keep is not null)
                    headKeep = Node("And", $"{at}/keep/and_heads", [headKeep, Node("Unsqueeze", $"{at}/keep/over_heads", [keep, Ints($"{Scope}{at}/keep/over_heads_axes", [1])])]);
                keep = Node("Reshape", $"{at}/keep/split_heads", [headKeep, Ints($"{Scope}{at}/keep/split_heads_shape", [0, groups, perGroup, tq, tv])]);
            }
            else if (keep is not null)
                keep = Node("Unsqueeze", $"{at}/keep/expand", [keep, Ints($"{Scope}{at}/keep/expand_axes", [1, 2])]);
            if (constant is null) return keep;

            // The layer's own [1, Tq, Tv] masks, evaluated once here: constants of the graph.
            int rows = checked((int)tq), cols = checked((int)tv);
            var fixedMask = AttentionArgs.And(causal ? AttentionArgs.Causal(rows, cols) : null, layer.OwnMask(rows, cols))!;
            using var asLong = NF.Cast(fixedMask, DType.Int64);
            string values = $"{Scope}{at}/fixed_mask";
            Initializers.Add(OnnxWriter.Tensor(values, [tq, tv], asLong.ToArray<long>()));
            string fixedKeep = Node("Cast", $"{at}/fixed_mask/bool", [values], OnnxWriter.IntAttribute("to", OnnxBool));
            return keep is null ? fixedKeep : Node("And", $"{at}/keep", [keep, fixedKeep]);
        }
    }
}
