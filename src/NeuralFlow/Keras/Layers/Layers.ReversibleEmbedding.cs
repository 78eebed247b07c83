using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// An <see cref="Embedding"/> that can also project back to the vocabulary
    /// (<c>keras.layers.ReversibleEmbedding</c>), as language models tie their input and output
    /// tables: <c>Call(ids)</c> embeds, <c>Call(hidden, reverse: true)</c> gives logits
    /// hidden @ embeddingsᵀ [..., inputDim] (or hidden @ reverse_embeddings, a separate trainable
    /// [outputDim, inputDim] matrix, when <see cref="TieWeights"/> is false), optionally soft-capped
    /// as tanh(logits / cap) x cap. A reverse call carries no mask (Keras' compute_mask gives None).
    /// A model's graph (Sequential, Functional, ONNX) records the forward call only.
    /// </summary>
    public sealed class ReversibleEmbedding : Embedding
    {
        /// <summary>
        /// A table of <paramref name="inputDim"/> vectors of <paramref name="outputDim"/> values whose
        /// transpose (<paramref name="tieWeights"/>) or own reverse matrix projects back;
        /// <paramref name="logitSoftCap"/>, when set, bounds the reverse logits to ±cap.
        /// </summary>
        public ReversibleEmbedding(int inputDim, int outputDim, bool tieWeights = true, Initializer? embeddingsInitializer = null, bool maskZero = false,
                                   double? logitSoftCap = null, string? name = null, Regularizers.Regularizer? embeddingsRegularizer = null)
            : base(inputDim, outputDim, embeddingsInitializer, maskZero, name, embeddingsRegularizer)
        {
            if (logitSoftCap is { } cap && !(double.IsFinite(cap) && cap > 0))
                throw new ArgumentOutOfRangeException(nameof(logitSoftCap), logitSoftCap, "ReversibleEmbedding: logitSoftCap must be a finite positive number (or null for none).");
            TieWeights = tieWeights;
            LogitSoftCap = logitSoftCap;
        }

        /// <summary>Whether the reverse projection uses the transposed embeddings (Keras' tie_weights).</summary>
        public bool TieWeights { get; }

        /// <summary>The bound of the reverse logits, tanh(logits / cap) x cap; null for none (Keras' logit_soft_cap).</summary>
        public double? LogitSoftCap { get; }

        /// <summary>The [outputDim, inputDim] reverse matrix when the weights are not tied, once built.</summary>
        public Variable? ReverseEmbeddings { get; private set; }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            base.Build(inputShape);
            if (!TieWeights) ReverseEmbeddings = AddWeight("reverse_embeddings", [OutputDim, InputDim], EmbeddingsInitializer);
        }

        /// <summary>
        /// Embeds <paramref name="x"/> (indices), or with <paramref name="reverse"/> projects
        /// <paramref name="x"/> [..., outputDim] to logits [..., inputDim]; <paramref name="training"/>
        /// sets the learning phase as <see cref="Layer.Call(Tensor, bool)"/> does.
        /// </summary>
        public Tensor Call(Tensor x, bool? training = null, bool reverse = false)
        {
            ArgumentNullException.ThrowIfNull(x);
            using var mode = training is { } t ? TrainingMode(t) : null;
            return reverse ? Reverse(x) : base.Call(x);
        }

        private Tensor Reverse(Tensor x)
        {
            if (!x.DType.IsFloating())
                throw new ArgumentException($"{Name}: a reverse call projects hidden states and needs floats, got a {x.DType.Name()} tensor of shape {x.Shape}.", nameof(x));
            if (x.Rank == 0 || x.Shape[-1] != OutputDim)
                throw new ArgumentException($"{Name}: a reverse call needs inputs whose last axis is outputDim {OutputDim}, got shape {x.Shape}.", nameof(x));
            EnsureBuilt(x.Shape);
            Tensor kernel = TieWeights ? Embeddings! : ReverseEmbeddings!;
            var inputs = x.DType == kernel.DType ? x : NF.Cast(x, kernel.DType);
            var logits = NF.MatMul(inputs, kernel, transposeB: TieWeights);
            return LogitSoftCap is { } cap ? NF.Tanh(logits / cap) * cap : logits;
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["tie_weights"] = TieWeights;
            c["reverse_dtype"] = null;
            c["logit_soft_cap"] = LogitSoftCap;
            return c;
        }
    }
}
