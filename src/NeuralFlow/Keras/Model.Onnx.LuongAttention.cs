using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // Attention (Luong: dot or concat scores) and AdditiveAttention (Bahdanau) over [batch, steps,
    // features], as Layers.Attention computes them: the scores [B, Tq, Tv], Keras' subtraction of
    // 1e9 where the value mask or the causal mask drops a key, Softmax, MatMul by the values, and
    // the query mask zeroing masked queries' outputs. Only the causal mask needs known lengths.
    private sealed partial class OnnxGraph
    {
        // A Sequential model's self-attention: query, value and key are the one input, with no mask.
        private string SelfAttention(Layers.Attention layer, string x, List<long> shape)
        {
            var (y, outShape) = LuongAttention(layer, [(x, shape), (x, shape)], CallArgs.List);
            shape.Clear();
            shape.AddRange(outShape);
            return y;
        }

        /// <summary>A functional model's call of an Attention or AdditiveAttention layer: [query, value(, key)], query_mask, value_mask, use_causal_mask.</summary>
        public (string Name, List<long> Shape) LuongAttention(Layers.Attention layer, (string Name, List<long> Shape)[] inputs, CallArgs args)
        {
            string at = layer.Name, kind = layer.GetType().Name;
            if (args.Flag("return_attention_scores"))
                throw new NotSupportedException($"ExportOnnx: layer {at} ({kind}) is called with return_attention_scores; its scores do not export to ONNX, only its output.");
            var positional = args.Positional(inputs);
            if (positional.Length is < 2 or > 3)
                throw new NotSupportedException($"ExportOnnx: layer {at} ({kind}) is called on {positional.Length} tensor(s); it exports called on [query, value] or [query, value, key].");
            var (query, value) = (positional[0], positional[1]);
            var key = positional.Length == 3 ? positional[2] : value;
            foreach (var (what, s) in new[] { ("query", query.Shape), ("value", value.Shape), ("key", key.Shape) })
                if (s.Count != 2)
                    throw new NotSupportedException($"ExportOnnx: layer {at} ({kind}) needs (batch, steps, features) inputs, but its {what} has trailing dims ({string.Join(", ", s)}).");
            long tq = query.Shape[0], tv = value.Shape[0];
            bool causal = args.Flag("use_causal_mask");
            if (causal && (tq == UnknownLength || tv == UnknownLength))
                throw new NotSupportedException(
                    $"ExportOnnx: layer {at} ({kind}) applies a causal mask, which needs known query and key lengths; give Layers.Input the lengths the exported model should take.");

            string scores = LuongScores(layer, query.Name, key.Name);   // [B, Tq, Tv]
            string? keep = null;
            if (args.Named(inputs, "value_mask") is [var valueMask])
                keep = Node("Unsqueeze", $"{at}/value_mask/expand", [MaskBool(at, "value_mask", valueMask.Name), Ints($"{Scope}{at}/value_mask/expand_axes", [-2])]);
            if (causal)
            {
                using var asLong = NF.Cast(AttentionArgs.Causal(checked((int)tq), checked((int)tv)), DType.Int64);
                Initializers.Add(OnnxWriter.Tensor($"{Scope}{at}/causal_mask", [tq, tv], asLong.ToArray<long>()));
                string fixedKeep = Node("Cast", $"{at}/causal_mask/bool", [$"{Scope}{at}/causal_mask"], OnnxWriter.IntAttribute("to", OnnxBool));
                keep = keep is null ? fixedKeep : Node("And", $"{at}/keep", [keep, fixedKeep]);
            }
            if (keep is not null)
            {
                // Keras: scores -= 1e9 * (not mask), a subtraction as Layers.Attention writes it.
                string dropped = Node("Cast", $"{at}/dropped", [Node("Not", $"{at}/not_keep", [keep])], OnnxWriter.IntAttribute("to", ElemType));
                scores = Node("Add", $"{at}/masked_scores", [scores, Node("Mul", $"{at}/penalty", [dropped, Scalar($"{Scope}{at}", "large_negative", AttentionArgs.LargeNegative)])]);
            }
            string weights = Node("Softmax", $"{at}/weights", [scores], OnnxWriter.IntAttribute("axis", -1));
            string y = Node("MatMul", $"{at}/attended", [weights, value.Name]);
            if (args.Named(inputs, "query_mask") is [var queryMask])
            {
                string rows = Node("Cast", $"{at}/query_mask/keep", [MaskBool(at, "query_mask", queryMask.Name)], OnnxWriter.IntAttribute("to", ElemType));
                y = Node("Mul", $"{at}/query_masked", [y, Node("Unsqueeze", $"{at}/query_mask/expand", [rows, Ints($"{Scope}{at}/query_mask/expand_axes", [-1])])]);
            }
            return (y, [tq, value.Shape[1]]);
        }

        private string MaskBool(string at, string keyword, string mask) =>
            Node("Cast", $"{at}/{keyword}/bool", [mask], OnnxWriter.IntAttribute("to", OnnxBool));

        // Layers.Attention.Scores: q·kᵀ (times the scale), or Σ tanh(q + k) over the features (Luong's
        // concat: scale inside the tanh and a weight outside; Bahdanau's: a per-feature scale outside).
        private string LuongScores(Layers.Attention layer, string q, string k)
        {
            string at = layer.Name;
            if (layer is not Layers.AdditiveAttention && layer.ScoreMode == "dot")
            {
                string keys = Node("Transpose", $"{at}/keys_t", [k], OnnxWriter.IntsAttribute("perm", [0, 2, 1]));
                string dot = Node("MatMul", $"{at}/scores", [q, keys]);
                return layer.Scale is null ? dot : Node("Mul", $"{at}/scaled_scores", [dot, Weight(layer.Scale)]);
            }
            string sum = Node("Add", $"{at}/sum", [
                Node("Unsqueeze", $"{at}/query/expand", [q, Ints($"{Scope}{at}/query_axes", [-2])]),
                Node("Unsqueeze", $"{at}/key/expand", [k, Ints($"{Scope}{at}/key_axes", [-3])])]);   // [B, Tq, Tv, d]
            if (layer is Layers.AdditiveAttention)
            {
                string t = Node("Tanh", $"{at}/tanh", [sum]);
                if (layer.Scale is not null) t = Node("Mul", $"{at}/scaled", [t, Weight(layer.Scale)]);
                return FeatureSum(at, t);
            }
            string inner = layer.Scale is null ? sum : Node("Mul", $"{at}/scaled_sum", [sum, Weight(layer.Scale)]);
            return Node("Mul", $"{at}/scores", [FeatureSum(at, Node("Tanh", $"{at}/tanh", [inner])), Weight(layer.ConcatScoreWeight!)]);
        }

        private string FeatureSum(string at, string x) =>
            Node("ReduceSum", $"{at}/feature_sum", [x, Ints($"{Scope}{at}/feature_axes", [-1])], OnnxWriter.IntAttribute("keepdims", 0));
    }
}
