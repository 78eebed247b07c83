using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Encodes integer features in <see cref="NumTokens"/> slots (<c>keras.layers.CategoryEncoding</c>):
    /// "multi_hot" (Keras' default) marks the tokens of each sample (the last axis holds one
    /// sample's tokens), "count" counts them, "one_hot" gives each token its own vector (a last
    /// axis of size 1 is replaced by the encoding). Every token must be in [0, numTokens): any other
    /// raises, as in Keras. Inputs of rank 2 at most; outputs in the layer's float type.
    /// </summary>
    public sealed class CategoryEncoding : Layer
    {
        /// <summary>False: this layer's inputs are values to look up or count, not activations; under a mixed global policy it keeps <see cref="Config.FloatX"/>'s (Keras sets its dtype itself).</summary>
        private protected override bool TakesMixedPolicy => false;

        /// <summary>A layer encoding tokens 0..<paramref name="numTokens"/>-1 as <paramref name="outputMode"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="numTokens"/> is below 1.</exception>
        /// <exception cref="ArgumentException">An unknown output mode, or <paramref name="sparse"/> true (NeuralFlow has no sparse tensors).</exception>
        public CategoryEncoding(int numTokens, string outputMode = "multi_hot", bool sparse = false, string? name = null) : base(name)
        {
            if (numTokens < 1)
                throw new ArgumentOutOfRangeException(nameof(numTokens), numTokens, $"CategoryEncoding: num_tokens must be >= 1. Received: num_tokens={numTokens}.");
            if (sparse) throw new ArgumentException("CategoryEncoding: sparse=true is not supported: NeuralFlow has no sparse tensors (Keras offers it on TensorFlow only).", nameof(sparse));
            NumTokens = numTokens;
            OutputMode = CategoricalEncoding.CheckMode("CategoryEncoding", outputMode, ["one_hot", "multi_hot", "count"]);
        }

        /// <summary>The number of slots: tokens run from 0 to NumTokens - 1.</summary>
        public int NumTokens { get; }

        /// <summary>"one_hot", "multi_hot" or "count".</summary>
        public string OutputMode { get; }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => Encode(x, null);

        /// <summary>
        /// The "count" encoding of <paramref name="inputs"/>, each occurrence counted with its weight
        /// in <paramref name="countWeights"/> (same shape; Keras' <c>layer(inputs, count_weights=...)</c>).
        /// </summary>
        /// <exception cref="InvalidOperationException">The output mode is not "count".</exception>
        public Tensor CountWeighted(Tensor inputs, Tensor countWeights)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentNullException.ThrowIfNull(countWeights);
            if (OutputMode != "count")
                throw new InvalidOperationException($"{Name}: count_weights is not used when output_mode is not 'count'. Received output_mode='{OutputMode}'.");
            EnsureBuilt(inputs.Shape);
            return Encode(inputs, countWeights);
        }

        private Tensor Encode(Tensor x, Tensor? countWeights)
        {
            var ids = CategoricalEncoding.AsInt64(Name, x);
            CategoricalEncoding.CheckAllIn(ids, 0, NumTokens, bad =>
                $"{Name}: input values must be in the range 0 <= values < num_tokens with num_tokens={NumTokens}; {bad} of the {x.Count} values of shape {x.Shape} are not.");
            return CategoricalEncoding.Encode(Name, ids, OutputMode, NumTokens, VariableDType, countWeights);
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["num_tokens"] = NumTokens;
            c["output_mode"] = OutputMode;
            c["sparse"] = false;
            return c;
        }
    }
}
