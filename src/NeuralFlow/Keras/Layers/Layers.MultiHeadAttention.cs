using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
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
    /// <see cref="Call(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, Tensor?, bool, bool?)"/>
    /// for masks and the causal mask.
    /// </summary>
    public sealed class MultiHeadAttention : Layer
    {
        private readonly Dropout? _dropout;   // Keras' _dropout_layer, on the attention probabilities
        private Shape? _valueShape, _keyShape; // the shapes Build creates weights for (it is handed the query's alone)

        /// <summary>An attention of <paramref name="numHeads"/> heads of <paramref name="keyDim"/> query/key features (and <paramref name="valueDim"/> value features, default keyDim).</summary>
        public MultiHeadAttention(int numHeads, int keyDim, int? valueDim = null, double dropout = 0, bool useBias = true, int? outputShape = null,
                                  int[]? attentionAxes = null, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
                                  Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                                  Regularizers.Regularizer? activityRegularizer = null, int? seed = null, string? name = null)
            : base(name, activityRegularizer)
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
            Dropout = dropout is >= 0 and < 1 ? dropout : throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "MultiHeadAttention: dropout must be in [0, 1).");
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
            (KernelRegularizer, BiasRegularizer) = (kernelRegularizer, biasRegularizer);
            Seed = seed;
            if (dropout > 0) _dropout = new Dropout(dropout, $"{Name}_dropout", seed: seed);
        }

        /// <summary>True, as Keras: the output carries the query's mask (see <see cref="CallWithScores(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, Tensor?, bool, bool?)"/>).</summary>
        public override bool SupportsMasking => true;

        /// <summary>The number of attention heads.</summary>
        public int NumHeads { get; }

        /// <summary>The features of each head's queries and keys.</summary>
        public int KeyDim { get; }

        /// <summary>The features of each head's values.</summary>
        public int ValueDim { get; }

        /// <summary>The output's features, or null for the query's (Keras' output_shape).</summary>
        public int? OutputDim { get; }

        /// <summary>The dropout rate on the attention probabilities (training only).</summary>
        public double Dropout { get; }

        /// <summary>Whether the four projections add biases.</summary>
        public bool UseBias { get; }

        /// <summary>The seed of the dropout's own generator, or null (NF.Random's).</summary>
        public int? Seed { get; }

        /// <summary>How the four kernels start (Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the four biases start (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>A penalty on each of the four kernels (Keras passes kernel_regularizer to each projection).</summary>
        public Regularizers.Regularizer? KernelRegularizer { get; set; }

        /// <summary>A penalty on each of the four biases.</summary>
        public Regularizers.Regularizer? BiasRegularizer { get; set; }

        /// <summary>The query projection (query features, heads, key_dim), once built; then its bias (heads, key_dim).</summary>
        public Variable? QueryKernel { get; private set; }
        /// <summary>The query projection's bias, or null.</summary>
        public Variable? QueryBias { get; private set; }
        /// <summary>The key projection (key features, heads, key_dim).</summary>
        public Variable? KeyKernel { get; private set; }
        /// <summary>The key projection's bias, or null.</summary>
        public Variable? KeyBias { get; private set; }
        /// <summary>The value projection (value features, heads, value_dim).</summary>
        public Variable? ValueKernel { get; private set; }
        /// <summary>The value projection's bias, or null.</summary>
        public Variable? ValueBias { get; private set; }
        /// <summary>The output projection (heads, value_dim, output features).</summary>
        public Variable? OutputKernel { get; private set; }
        /// <summary>The output projection's bias (output features), or null.</summary>
        public Variable? OutputBias { get; private set; }

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
        [
            new("kernel_regularizer", QueryKernel, KernelRegularizer, r => KernelRegularizer = r),
            new("kernel_regularizer", KeyKernel, KernelRegularizer, r => KernelRegularizer = r),
            new("kernel_regularizer", ValueKernel, KernelRegularizer, r => KernelRegularizer = r),
            new("kernel_regularizer", OutputKernel, KernelRegularizer, r => KernelRegularizer = r),
            new("bias_regularizer", QueryBias, BiasRegularizer, r => BiasRegularizer = r),
            new("bias_regularizer", KeyBias, BiasRegularizer, r => BiasRegularizer = r),
            new("bias_regularizer", ValueBias, BiasRegularizer, r => BiasRegularizer = r),
            new("bias_regularizer", OutputBias, BiasRegularizer, r => BiasRegularizer = r),
        ];

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["num_heads"] = NumHeads;
            c["key_dim"] = KeyDim;
            c["value_dim"] = ValueDim;
            c["dropout"] = Dropout;
            c["use_bias"] = UseBias;
            c["output_shape"] = OutputDim;
            c["attention_axes"] = null;
            c["kernel_initializer"] = KernelInitializer.ToConfig();
            c["bias_initializer"] = BiasInitializer.ToConfig();
            c["seed"] = Seed;
            // Keras 2's build shapes: the value and key features a loaded layer builds for (its
            // build_input_shape is the query's alone).
            if (_valueShape is { } v && _keyShape is { } k)
            {
                c["value_shape"] = new JsonArray(v.ToArray().Select(d => (JsonNode)d).ToArray());
                c["key_shape"] = new JsonArray(k.ToArray().Select(d => (JsonNode)d).ToArray());
            }
            return c;
        }

        /// <summary>Sets the value and key shapes a saved config names (see <see cref="GetConfig"/>), before it is built.</summary>
        internal MultiHeadAttention WithBuildShapes(int[]? valueShape, int[]? keyShape)
        {
            if (valueShape is not null) _valueShape = new Shape(valueShape);
            if (keyShape is not null) _keyShape = new Shape(keyShape);
            return this;
        }

        /// <inheritdoc/>
        protected override void Build(Shape queryShape)
        {
            var valueShape = _valueShape ?? queryShape;
            var keyShape = _keyShape ?? valueShape;
            foreach (var (what, s) in new[] { ("query", queryShape), ("value", valueShape), ("key", keyShape) })
                if (s.Rank != 3)
                    throw new ArgumentException($"{Name}: MultiHeadAttention needs (batch, steps, features) inputs, but the {what} has shape {s}.", what);
            (_valueShape, _keyShape) = (valueShape, keyShape);
            int outDim = OutputDim ?? queryShape[-1];
            (QueryKernel, QueryBias) = Projection("query", [queryShape[-1], NumHeads, KeyDim], [NumHeads, KeyDim]);
            (KeyKernel, KeyBias) = Projection("key", [keyShape[-1], NumHeads, KeyDim], [NumHeads, KeyDim]);
            (ValueKernel, ValueBias) = Projection("value", [valueShape[-1], NumHeads, ValueDim], [NumHeads, ValueDim]);
            (OutputKernel, OutputBias) = Projection("attention_output", [NumHeads, ValueDim, outDim], [outDim]);
        }

        private (Variable, Variable?) Projection(string name, Shape kernel, Shape bias) =>
            (AddWeight($"{name}/kernel", kernel, KernelInitializer), UseBias ? AddWeight($"{name}/bias", bias, BiasInitializer) : null);

        /// <summary>Self-attention: query, value and key are all <paramref name="x"/> (a Sequential model's single input).</summary>
        public override Tensor Call(Tensor x) => Call(x, x);

        /// <summary>Attention of [query, value] or [query, value, key] (Keras' functional call).</summary>
        public override Tensor Call(IReadOnlyList<Tensor> inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            return inputs.Count switch
            {
                2 => Call(inputs[0], inputs[1]),
                3 => Call(inputs[0], inputs[1], inputs[2]),
                _ => throw new ArgumentException($"{Name} (MultiHeadAttention) takes [query, value] or [query, value, key], but a list of {inputs.Count} was given.", nameof(inputs)),
            };
        }

        /// <summary>
        /// Calls the layer on symbolic query, value and (optional) key tensors of a functional model,
        /// with Keras' keyword arguments: symbolic masks and <paramref name="useCausalMask"/> (a GPT
        /// block's self-attention: <c>mha.Call(x, x, useCausalMask: true)</c>); see
        /// <see cref="Call(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, Tensor?, bool, bool?)"/>.
        /// </summary>
        public KerasTensor Call(KerasTensor query, KerasTensor value, KerasTensor? key = null, KerasTensor? attentionMask = null,
                                KerasTensor? queryMask = null, KerasTensor? valueMask = null, KerasTensor? keyMask = null, bool useCausalMask = false) =>
            Single(CallSymbolic(query, value, key, attentionMask, queryMask, valueMask, keyMask, useCausalMask, scores: false));

        /// <summary>The symbolic call with Keras' <c>return_attention_scores=True</c>: [output, scores (batch, heads, Tq, Tv)].</summary>
        public IReadOnlyList<KerasTensor> CallWithScores(KerasTensor query, KerasTensor value, KerasTensor? key = null, KerasTensor? attentionMask = null,
                                                         KerasTensor? queryMask = null, KerasTensor? valueMask = null, KerasTensor? keyMask = null, bool useCausalMask = false) =>
            CallSymbolic(query, value, key, attentionMask, queryMask, valueMask, keyMask, useCausalMask, scores: true);

        private IReadOnlyList<KerasTensor> CallSymbolic(KerasTensor query, KerasTensor value, KerasTensor? key, KerasTensor? attentionMask,
                                                        KerasTensor? queryMask, KerasTensor? valueMask, KerasTensor? keyMask, bool useCausalMask, bool scores)
        {
            var (inputs, args) = AttentionArgs.Symbolic(query, value, key, attentionMask, queryMask, valueMask, keyMask, useCausalMask, scores);
            return CallSymbolic(inputs, args);
        }

        internal override IReadOnlyList<Tensor> CallNode(Tensor[] inputs, CallArgs args)
        {
            if (args.Plain) return base.CallNode(inputs, args);
            var c = AttentionArgs.Parse(Name, nameof(MultiHeadAttention), inputs, args);
            var (output, scores) = CallWithScores(c.Query, c.Value, c.Key, c.AttentionMask, c.QueryMask, c.ValueMask, c.KeyMask, c.UseCausalMask);
            return c.ReturnScores ? [output, scores] : [output];
        }

        /// <summary>
        /// Keras' <c>layer(query, value, key, query_mask=, value_mask=, key_mask=, attention_mask=,
        /// use_causal_mask=, training=)</c>. <paramref name="key"/> defaults to <paramref name="value"/>;
        /// masks are bool or numeric (nonzero keeps): <paramref name="queryMask"/> (batch, Tq),
        /// <paramref name="valueMask"/> and <paramref name="keyMask"/> (batch, Tv),
        /// <paramref name="attentionMask"/> (batch, Tq, Tv) or (batch, heads, Tq, Tv) or anything
        /// broadcasting to them; <paramref name="useCausalMask"/> lets query i see keys 0..i. All
        /// given masks combine by logical and. A mask not given is the one its input carries
        /// (Keras' implicit masks: <c>Embedding(maskZero: true)</c> then <c>mha.Call(x, x)</c> masks
        /// the padded keys and queries; the key's only when a key other than the value is given),
        /// and the output carries the query mask. Returns (batch, Tq, output features).
        /// </summary>
        public Tensor Call(Tensor query, Tensor value, Tensor? key = null, Tensor? attentionMask = null, Tensor? queryMask = null,
                           Tensor? valueMask = null, Tensor? keyMask = null, bool useCausalMask = false, bool? training = null) =>
            CallWithScores(query, value, key, attentionMask, queryMask, valueMask, keyMask, useCausalMask, training).Output;

        /// <summary>
        /// <see cref="Call(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, Tensor?, bool, bool?)"/>
        /// with Keras' <c>return_attention_scores=True</c>: also the attention probabilities
        /// (batch, heads, Tq, Tv), after the mask and softmax and before dropout, as Keras returns them.
        /// </summary>
        public (Tensor Output, Tensor Scores) CallWithScores(Tensor query, Tensor value, Tensor? key = null, Tensor? attentionMask = null,
                                                             Tensor? queryMask = null, Tensor? valueMask = null, Tensor? keyMask = null,
                                                             bool useCausalMask = false, bool? training = null)
        {
            ArgumentNullException.ThrowIfNull(query);
            ArgumentNullException.ThrowIfNull(value);
            // Keras' Layer.__call__ fills each mask argument not given from the mask its input carries
            // (Embedding(maskZero), Masking); the key's only when a key other than the value is given.
            queryMask ??= InputMask(query);
            valueMask ??= InputMask(value);
            if (key is not null && !ReferenceEquals(key, value)) keyMask ??= InputMask(key);
            key ??= value;
            using var mode = training is { } t ? TrainingMode(t) : null;
            AttentionArgs.CheckInputs(Name, nameof(MultiHeadAttention), query, value, key);
            if (!Built) (_valueShape, _keyShape) = (value.Shape, key.Shape);
            EnsureBuilt(query.Shape);
            AttentionArgs.CheckFeatures(Name, query, QueryKernel!, "query");
            AttentionArgs.CheckFeatures(Name, value, ValueKernel!, "value");
            AttentionArgs.CheckFeatures(Name, key, KeyKernel!, "key");
            var mask = AttentionArgs.Combine(Name, query.Shape[0], query.Shape[1], value.Shape[1], queryMask, valueMask, keyMask,
                                              attentionMask, useCausalMask, NumHeads);
            while (mask is not null && mask.Rank < 4) mask = NF.ExpandDims(mask, -3);   // Keras' mask_expansion_axis: over the heads

            var q = AttentionArgs.Project(query, QueryKernel!, QueryBias);                                // [B, Tq, N, H]
            var k = AttentionArgs.Project(key, KeyKernel!, KeyBias);
            var v = AttentionArgs.Project(value, ValueKernel!, ValueBias);
            // NF.DotProductAttention's two halves, with Keras' dropout on the probabilities between them.
            var probabilities = NF.AttentionProbabilities(Name, q, k, bias: null, mask, 1 / Math.Sqrt(KeyDim), isCausal: false); // [B, N, Tq, Tv]
            var weights = _dropout is null ? probabilities : _dropout.Call(probabilities);
            var heads = NF.AttendValues(weights, v);                                                      // [B, Tq, N, Hv]
            var y = NF.Einsum("abcd,cde->abe", heads, OutputKernel!);
            if (OutputBias is not null) y = y + OutputBias;
            OutputShape = y.Shape;
            if (ActivityRegularizer is not null) RecordActivity(y);
            // Keras sets the query's mask on the output (a padded query stays padded); the scores carry none.
            if (queryMask is not null) SetMask(y, AttentionArgs.AsBool(queryMask));
            return (y, probabilities);
        }
    }
}
