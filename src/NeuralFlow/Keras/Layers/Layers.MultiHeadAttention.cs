using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Multi-head scaled dot-product attention (<c>keras.layers.MultiHeadAttention</c>, "Attention
    /// Is All You Need"): query, key and value are each projected to <see cref="NumHeads"/> heads
    /// (kernels (dim, heads, key_dim) and biases (heads, key_dim), Keras' EinsumDense layout),
    /// the scores softmax(q·k / √key_dim) over the keys weigh the values, and the heads are joined
    /// by an output projection (kernel (heads, value_dim, out), bias (out)). Weights are in Keras'
    /// order (query, key, value, output; kernel then bias), so weights copied from Keras give
    /// Keras' results. Inputs are (batch, steps, features); attention runs over the steps axis
    /// (Keras' default attention_axes). Masked keys get a score of -1e9 before the softmax, as
    /// Keras' masked softmax does. Call it on [query, value] or [query, value, key] (a functional
    /// model), on one tensor for self-attention (Sequential), or with
    /// <see cref="ProjectedAttention.Call(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, Tensor?, bool, bool?)"/>
    /// for masks and the causal mask.
    /// </summary>
    public sealed class MultiHeadAttention : ProjectedAttention
    {
        /// <summary>An attention of <paramref name="numHeads"/> heads of <paramref name="keyDim"/> query/key features (and <paramref name="valueDim"/> value features, default keyDim).</summary>
        public MultiHeadAttention(int numHeads, int keyDim, int? valueDim = null, double dropout = 0, bool useBias = true, int? outputShape = null,
                                  int[]? attentionAxes = null, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
                                  Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                                  Regularizers.Regularizer? activityRegularizer = null, int? seed = null, string? name = null)
            : base(nameof(MultiHeadAttention), dropout, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, seed, name)
        {
            NumHeads = numHeads > 0 ? numHeads : throw new ArgumentOutOfRangeException(nameof(numHeads), numHeads, "MultiHeadAttention: numHeads must be positive.");
            KeyDim = keyDim > 0 ? keyDim : throw new ArgumentOutOfRangeException(nameof(keyDim), keyDim, "MultiHeadAttention: keyDim must be positive.");
            ValueDim = valueDim ?? keyDim;
            if (ValueDim <= 0) throw new ArgumentOutOfRangeException(nameof(valueDim), valueDim, "MultiHeadAttention: valueDim must be positive.");
            if (outputShape is <= 0) throw new ArgumentOutOfRangeException(nameof(outputShape), outputShape, "MultiHeadAttention: outputShape must be positive (or null: the query's features).");
            OutputDim = outputShape;
            // Only the sequence axis (Keras' default for (batch, steps, features)) is supported.
            if (attentionAxes is not null && !(attentionAxes.Length == 1 && attentionAxes[0] is 1 or -2))
                throw new NotSupportedException(
                    $"MultiHeadAttention: attentionAxes [{string.Join(", ", attentionAxes)}] is not supported; attention runs over axis 1 of (batch, steps, features) inputs (null or [1]).");
        }

        /// <summary>The number of attention heads.</summary>
        public int NumHeads { get; }

        /// <summary>The features of each head's queries and keys.</summary>
        public int KeyDim { get; }

        /// <summary>The features of each head's values.</summary>
        public int ValueDim { get; }

        /// <summary>The output's features, or null for the query's (Keras' output_shape).</summary>
        public int? OutputDim { get; }

        private protected override int ScoreHeads => NumHeads;

        internal override double Scale => 1 / Math.Sqrt(KeyDim);

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["num_heads"] = NumHeads;
            c["key_dim"] = KeyDim;
            c["value_dim"] = ValueDim;
            c["output_shape"] = OutputDim;
            c["attention_axes"] = null;
            return c;
        }

        private protected override void BuildProjections(int queryFeatures, int valueFeatures, int keyFeatures)
        {
            int outDim = OutputDim ?? queryFeatures;
            (QueryKernel, QueryBias) = Projection("query", [queryFeatures, NumHeads, KeyDim], [NumHeads, KeyDim]);
            (KeyKernel, KeyBias) = Projection("key", [keyFeatures, NumHeads, KeyDim], [NumHeads, KeyDim]);
            (ValueKernel, ValueBias) = Projection("value", [valueFeatures, NumHeads, ValueDim], [NumHeads, ValueDim]);
            (OutputKernel, OutputBias) = Projection("attention_output", [NumHeads, ValueDim, outDim], [outDim]);
        }
    }
}
