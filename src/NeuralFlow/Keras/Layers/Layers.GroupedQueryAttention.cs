using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Grouped-query attention (<c>keras.layers.GroupedQueryAttention</c>, Ainslie et al. 2023):
    /// the query is projected to <see cref="NumQueryHeads"/> heads and the key and value to
    /// <see cref="NumKeyValueHeads"/> heads (which must divide them) of <see cref="HeadDim"/>
    /// features; each group of NumQueryHeads / NumKeyValueHeads query heads attends with one
    /// key/value head (<see cref="NF.DotProductAttention"/>'s math: softmax(q·k / √head_dim) over
    /// the keys, masked), and an output projection joins the heads back to the query's features.
    /// One key/value head is multi-query attention, as many as the query heads multi-head attention.
    /// Weights are Keras' (query, key, [gate,] value, attention_output; kernel then bias) with Keras'
    /// shapes: query (features, Nq, H), key and value (features, Nkv, H), biases (heads, H), output
    /// (Nq, H, features) and (features). Inputs are (batch, steps, features). Call it on [query,
    /// value] or [query, value, key], on one tensor for self-attention (Sequential), or with
    /// <see cref="ProjectedAttention.Call(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, Tensor?, bool, bool?)"/>
    /// for masks and the causal mask; masks follow MultiHeadAttention's rules.
    /// </summary>
    public sealed class GroupedQueryAttention : ProjectedAttention
    {
        /// <summary>
        /// An attention of <paramref name="numQueryHeads"/> query heads sharing <paramref name="numKeyValueHeads"/>
        /// key/value heads, each of <paramref name="headDim"/> features. <paramref name="slidingWindow"/> limits
        /// query step i to key steps j with |i - j| &lt; window (with the causal mask: Mistral's sliding window);
        /// <paramref name="useGate"/> multiplies the attended heads by sigmoid(a gate projection of the query) before
        /// the output projection (gated attention).
        /// </summary>
        public GroupedQueryAttention(int headDim, int numQueryHeads, int numKeyValueHeads, double dropout = 0, bool useBias = true,
                                     int? slidingWindow = null, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
                                     Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                                     Regularizers.Regularizer? activityRegularizer = null, bool useGate = false, int? seed = null, string? name = null)
            : base(nameof(GroupedQueryAttention), dropout, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, seed, name)
        {
            const string kind = nameof(GroupedQueryAttention);
            HeadDim = headDim > 0 ? headDim : throw new ArgumentOutOfRangeException(nameof(headDim), headDim, $"{kind}: headDim must be positive.");
            NumQueryHeads = numQueryHeads > 0 ? numQueryHeads : throw new ArgumentOutOfRangeException(nameof(numQueryHeads), numQueryHeads, $"{kind}: numQueryHeads must be positive.");
            NumKeyValueHeads = numKeyValueHeads > 0 ? numKeyValueHeads
                : throw new ArgumentOutOfRangeException(nameof(numKeyValueHeads), numKeyValueHeads, $"{kind}: numKeyValueHeads must be positive.");
            if (numQueryHeads % numKeyValueHeads != 0)
                throw new ArgumentException($"{kind}: numQueryHeads ({numQueryHeads}) must be divisible by numKeyValueHeads ({numKeyValueHeads}).", nameof(numKeyValueHeads));
            SlidingWindow = slidingWindow is null or > 0 ? slidingWindow
                : throw new ArgumentOutOfRangeException(nameof(slidingWindow), slidingWindow, $"{kind}: slidingWindow must be null or a positive integer.");
            UseGate = useGate;
        }

        /// <summary>The features of each head.</summary>
        public int HeadDim { get; }

        /// <summary>The number of query heads.</summary>
        public int NumQueryHeads { get; }

        /// <summary>The number of key/value heads (dividing <see cref="NumQueryHeads"/>).</summary>
        public int NumKeyValueHeads { get; }

        /// <summary>The band half-width + 1 of the sliding-window mask, or null (full attention).</summary>
        public int? SlidingWindow { get; }

        /// <summary>Whether a sigmoid gate of the query multiplies the attended heads.</summary>
        public bool UseGate { get; }

        /// <summary>The gate projection (query features, query heads, head_dim), with <see cref="UseGate"/>.</summary>
        public Variable? GateKernel { get; private set; }
        /// <summary>The gate projection's bias, or null.</summary>
        public Variable? GateBias { get; private set; }

        private protected override int ScoreHeads => NumQueryHeads;

        internal override double Scale => 1 / Math.Sqrt(HeadDim);

        private protected override IEnumerable<Variable?> Kernels => [QueryKernel, KeyKernel, GateKernel, ValueKernel, OutputKernel];

        private protected override IEnumerable<Variable?> Biases => [QueryBias, KeyBias, GateBias, ValueBias, OutputBias];

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["head_dim"] = HeadDim;
            c["num_query_heads"] = NumQueryHeads;
            c["num_key_value_heads"] = NumKeyValueHeads;
            c["use_gate"] = UseGate;
            c["sliding_window"] = SlidingWindow;
            return c;
        }

        private protected override void BuildProjections(int queryFeatures, int valueFeatures, int keyFeatures)
        {
            // Keras' build order, which is its weights' order; the output returns to the query's features.
            (QueryKernel, QueryBias) = Projection("query", [queryFeatures, NumQueryHeads, HeadDim], [NumQueryHeads, HeadDim]);
            (KeyKernel, KeyBias) = Projection("key", [keyFeatures, NumKeyValueHeads, HeadDim], [NumKeyValueHeads, HeadDim]);
            if (UseGate) (GateKernel, GateBias) = Projection("gate", [queryFeatures, NumQueryHeads, HeadDim], [NumQueryHeads, HeadDim]);
            (ValueKernel, ValueBias) = Projection("value", [valueFeatures, NumKeyValueHeads, HeadDim], [NumKeyValueHeads, HeadDim]);
            (OutputKernel, OutputBias) = Projection("attention_output", [NumQueryHeads, HeadDim, queryFeatures], [queryFeatures]);
        }

        // [1, Tq, Tv]: key j is within the window of query i when |i - j| < window (Keras' sliding-window mask).
        internal override Tensor? OwnMask(int tq, int tv)
        {
            if (SlidingWindow is not { } window) return null;
            var rows = NF.Reshape(NF.Range(tq), [1, tq, 1]);
            var cols = NF.Reshape(NF.Range(tv), [1, 1, tv]);
            return NF.Less(NF.Abs(rows - cols), window);
        }

        private protected override Tensor GateHeads(Tensor heads, Tensor query) =>
            UseGate ? heads * NF.Sigmoid(AttentionArgs.Project(query, GateKernel!, GateBias)) : heads;
    }
}
