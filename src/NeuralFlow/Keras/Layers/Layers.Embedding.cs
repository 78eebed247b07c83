using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Looks up a learned vector for each integer index (<c>tf.keras.layers.Embedding</c>): inputs
    /// of any shape holding indices in [0, inputDim) give outputs of shape input.shape + [outputDim].
    /// Integer inputs of any int dtype are used as they are; float inputs are truncated to
    /// integers, as Keras casts them. An index outside the table is an error naming it, never
    /// a row of something else. The gradient adds into the rows that were read (twice for an
    /// index read twice).
    /// </summary>
    public sealed class Embedding : Layer
    {
        /// <summary>
        /// A table of <paramref name="inputDim"/> vectors of <paramref name="outputDim"/> values,
        /// initialized by <paramref name="embeddingsInitializer"/> (Keras' default "uniform",
        /// uniform in ±0.05). <paramref name="maskZero"/> (Keras' masking of index 0) is not supported.
        /// </summary>
        public Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null, bool maskZero = false, string? name = null)
            : base(name)
        {
            InputDim = inputDim > 0 ? inputDim : throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "Embedding: inputDim (the vocabulary size) must be positive.");
            OutputDim = outputDim > 0 ? outputDim : throw new ArgumentOutOfRangeException(nameof(outputDim), outputDim, "Embedding: outputDim must be positive.");
            if (maskZero)
                throw new NotSupportedException(
                    "Embedding: maskZero is not supported (NeuralFlow has no masks that later layers would honour); pad with an index the model can learn to ignore, or drop padded positions before the layer.");
            EmbeddingsInitializer = embeddingsInitializer ?? Initializer.Get("uniform");
        }

        /// <summary>The number of rows (the vocabulary size).</summary>
        public int InputDim { get; }

        /// <summary>The length of each vector.</summary>
        public int OutputDim { get; }

        /// <summary>How the table starts.</summary>
        public Initializer EmbeddingsInitializer { get; }

        /// <summary>The [inputDim, outputDim] table, once built.</summary>
        public Variable? Embeddings { get; private set; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["input_dim"] = InputDim;
            c["output_dim"] = OutputDim;
            c["embeddings_initializer"] = EmbeddingsInitializer.Name;
            c["mask_zero"] = false;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) =>
            Embeddings = AddWeight("embeddings", [InputDim, OutputDim], EmbeddingsInitializer);

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            // The indices are not disposed: the tape reads them again for the gradient.
            return NF.Gather(Embeddings!, Indices(x), 0);
        }

        // The indices as Gather takes them, after checking every one on the host: a native
        // gather must never read outside the table.
        private Tensor Indices(Tensor x)
        {
            if (x.DType == DType.Bool)
                throw new ArgumentException($"{Name}: Embedding needs integer indices, got a bool tensor of shape {x.Shape}.");
            if (x.DType.IsFloating())
            {
                using var asDouble = x.DType == DType.Float64 ? x.View(x.Layout) : NF.Cast(x, DType.Float64);
                var values = asDouble.ToArray<double>();
                for (int i = 0; i < values.Length; i++)
                {
                    double row = Math.Truncate(values[i]);                 // NaN fails both tests
                    if (!(row >= 0 && row < InputDim))
                        throw OutOfRange(x, i, values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                }
                return NF.Cast(x, DType.Int32);
            }
            using (var asLong = x.DType == DType.Int64 ? x.View(x.Layout) : NF.Cast(x, DType.Int64))
            {
                var values = asLong.ToArray<long>();
                for (int i = 0; i < values.Length; i++)
                    if (values[i] < 0 || values[i] >= InputDim) throw OutOfRange(x, i, values[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            return x;
        }

        private ArgumentOutOfRangeException OutOfRange(Tensor x, long flatIndex, string value) =>
            new("inputs", $"{Name}: index {value} (element {flatIndex} of the input of shape {x.Shape}) is outside the embedding table of {InputDim} rows; indices must be in [0, {InputDim - 1}].");
    }
}
