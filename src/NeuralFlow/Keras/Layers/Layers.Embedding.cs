using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Looks up a learned vector for each integer index (<c>tf.keras.layers.Embedding</c>): inputs
    /// of any shape holding indices in [0, inputDim) give outputs of shape input.shape + [outputDim].
    /// Integer inputs of any int dtype are used as they are; float inputs are truncated to
    /// integers, as Keras casts them. An index outside the table is an error naming it, never
    /// a row of something else (checked on the device; a replayed NF.Function step checks again). The gradient adds into the rows that were read (twice for an
    /// index read twice).
    /// </summary>
    public class Embedding : Layer
    {
        /// <summary>False, as Keras' (<c>self.autocast = False</c>): its inputs are indices, which a cast to float16 would round.</summary>
        private protected override bool AutocastsInputs => false;

        /// <summary>
        /// A table of <paramref name="inputDim"/> vectors of <paramref name="outputDim"/> values,
        /// initialized by <paramref name="embeddingsInitializer"/> (Keras' default "uniform",
        /// uniform in ±0.05). <paramref name="maskZero"/> (Keras' mask_zero) makes index 0 padding: the
        /// output carries the mask ids != 0, which recurrent layers, pooling and the loss honour; row 0
        /// still exists, so the vocabulary takes indices 1 to inputDim - 1 (Keras: input_dim = vocabulary + 1).
        /// <paramref name="embeddingsRegularizer"/> penalizes the table (Keras' embeddings_regularizer).
        /// </summary>
        public Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null, bool maskZero = false, string? name = null,
                         Regularizers.Regularizer? embeddingsRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : base(name, activityRegularizer)
        {
            InputDim = inputDim > 0 ? inputDim : throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "Embedding: inputDim (the vocabulary size) must be positive.");
            OutputDim = outputDim > 0 ? outputDim : throw new ArgumentOutOfRangeException(nameof(outputDim), outputDim, "Embedding: outputDim must be positive.");
            MaskZero = maskZero;
            EmbeddingsInitializer = embeddingsInitializer ?? Initializer.Get("uniform");
            EmbeddingsRegularizer = embeddingsRegularizer;
        }

        /// <summary>A penalty on the table, added to <see cref="Layer.Losses"/> (Keras' embeddings_regularizer).</summary>
        public Regularizers.Regularizer? EmbeddingsRegularizer { get; set; }

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
            [new("embeddings_regularizer", Embeddings, EmbeddingsRegularizer, r => EmbeddingsRegularizer = r)];

        /// <summary>
        /// A projection of the table after each optimizer step (Keras' embeddings_constraint), set in an
        /// initializer: <c>new Layers.Embedding(1000, 64) { EmbeddingsConstraint = new Constraints.UnitNorm() }</c>
        /// (UnitNorm's default axis 0 normalizes each column; axis 1 each row, one vector per index).
        /// </summary>
        public Constraints.Constraint? EmbeddingsConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots =>
            [new("embeddings_constraint", Embeddings, EmbeddingsConstraint, c => EmbeddingsConstraint = c)];

        /// <summary>Whether index 0 is padding, masked out for the layers after this one (Keras' mask_zero).</summary>
        public bool MaskZero { get; }

        /// <summary>True with <see cref="MaskZero"/> (Keras: supports_masking = mask_zero).</summary>
        public override bool SupportsMasking => MaskZero;

        /// <summary>With <see cref="MaskZero"/>, the mask ids != 0 (the input's shape); else none.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => MaskZero ? NF.NotEqual(inputs, 0) : null;

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
            c["embeddings_initializer"] = EmbeddingsInitializer.ToConfig();
            c["mask_zero"] = MaskZero;
            return c;
        }

        /// <summary>The input shape with an axis of <see cref="OutputDim"/> added (Keras' Embedding.compute_output_shape); builds nothing.</summary>
        public override int?[] ComputeOutputShape(int?[] inputShape) => [.. CheckedShape(inputShape, 1, "(batch, ...) of indices"), OutputDim];

        // A functional call takes the shape from the formula too: for integer indices of Embedding itself (ReversibleEmbedding's
        // reverse call shapes otherwise), without mask_zero (whose mask the run computes).
        private protected override int?[]? ShapeRule(int?[] inputShape) =>
            GetType() == typeof(Embedding) && !MaskZero ? ComputeOutputShape(inputShape) : null;

        private protected override bool RuleTakes(DType dtype) => dtype is DType.Int32 or DType.Int64;

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

        // The indices as Gather takes them, after checking every one: a native gather must never
        // read outside the table.
        private Tensor Indices(Tensor x)
        {
            if (x.DType == DType.Bool)
                throw new ArgumentException($"{Name}: Embedding needs integer indices, got a bool tensor of shape {x.Shape}.");
            if (!AllInTable(x)) throw FirstOutOfRange(x);
            return x.DType.IsFloating() ? NF.Cast(x, DType.Int32) : x;
        }

        // Counts the indices inside the table on the device and reads that one number: an
        // NF.Function step (Fit's) replays the count and its check instead of falling back to
        // eager, as a read of every index would make it. Floats are truncated, so (-1, 0) is row 0;
        // NaN fails both comparisons.
        private bool AllInTable(Tensor x)
        {
            if (x.Count == 0) return true;
            using var scope = TensorScope.Begin();
            var ids = x.DType.IsFloating() || x.DType is DType.Int32 or DType.Int64 ? x : NF.Cast(x, DType.Int64); // InputDim fits its dtype
            var low = ids.DType.IsFloating() ? NF.Greater(ids, -1) : NF.GreaterEqual(ids, 0);
            var inside = NF.ReduceSum(NF.Cast(low, DType.Int64) * NF.Cast(NF.Less(ids, InputDim), DType.Int64));
            long count = x.Count;
            var shape = x.Shape;
            return FunctionTrace.ReadChecked<long>(inside, n =>
            {
                if (n[0] != count)
                    throw new ArgumentOutOfRangeException("inputs",
                        $"{Name}: {count - n[0]} of the indices in the input of shape {shape} are outside the embedding table of {InputDim} rows; indices must be in [0, {InputDim - 1}].");
            })[0] == count;
        }

        // The first index outside the table, named with its position (the eager error; reads them all).
        private ArgumentOutOfRangeException FirstOutOfRange(Tensor x)
        {
            if (x.DType.IsFloating())
            {
                using var asDouble = x.DType == DType.Float64 ? x.View(x.Layout) : NF.Cast(x, DType.Float64);
                var values = asDouble.ToArray<double>();
                int i = Array.FindIndex(values, v => !(Math.Truncate(v) >= 0 && Math.Truncate(v) < InputDim));
                return OutOfRange(x, i, values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
            using var asLong = x.DType == DType.Int64 ? x.View(x.Layout) : NF.Cast(x, DType.Int64);
            var longs = asLong.ToArray<long>();
            int j = Array.FindIndex(longs, v => v < 0 || v >= InputDim);
            return OutOfRange(x, j, longs[j].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        private ArgumentOutOfRangeException OutOfRange(Tensor x, long flatIndex, string value) =>
            new("inputs", $"{Name}: index {value} (element {flatIndex} of the input of shape {x.Shape}) is outside the embedding table of {InputDim} rows; indices must be in [0, {InputDim - 1}].");
    }
}
