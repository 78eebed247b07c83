using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What <see cref="MultiHeadAttention"/> and <see cref="GroupedQueryAttention"/> share (Keras
    /// writes the two layers out separately): query, key and value projected to heads by kernels
    /// (features, heads, dim) and biases (heads, dim) (Keras' EinsumDense layout), the masks of
    /// Keras' <c>_compute_attention_mask</c>, <see cref="NF.DotProductAttention"/>'s softmax and
    /// weighting with dropout on the probabilities between them, the output projection
    /// (heads, dim, out) and (out), and the eager, symbolic and functional-model calls. Inputs are
    /// (batch, steps, features); attention runs over the steps. Not meant to be derived from outside.
    /// </summary>
    public abstract class ProjectedAttention : Layer
    {
        private readonly Dropout? _dropout;   // Keras' _dropout_layer, on the attention probabilities
        private Shape? _valueShape, _keyShape; // the shapes Build creates weights for (it is handed the query's alone)

        private protected ProjectedAttention(string kind, double dropout, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
                                             Regularizers.Regularizer? kernelRegularizer, Regularizers.Regularizer? biasRegularizer,
                                             Regularizers.Regularizer? activityRegularizer, int? seed, string? name)
            : base(name, activityRegularizer)
        {
            Dropout = dropout is >= 0 and < 1 ? dropout : throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{kind}: dropout must be in [0, 1).");
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
            (KernelRegularizer, BiasRegularizer) = (kernelRegularizer, biasRegularizer);
            Seed = seed;
            if (dropout > 0) _dropout = new Dropout(dropout, $"{Name}_dropout", seed: seed);
        }

        /// <summary>True, as Keras: the output carries the query's mask.</summary>
        public override bool SupportsMasking => true;

        /// <summary>The dropout rate on the attention probabilities (training only).</summary>
        public double Dropout { get; }

        /// <summary>Whether the projections add biases.</summary>
        public bool UseBias { get; }

        /// <summary>The seed of the dropout's own generator, or null (NF.Random's).</summary>
        public int? Seed { get; }

        /// <summary>How the kernels start (Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the biases start (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>A penalty on each kernel (Keras passes kernel_regularizer to each projection).</summary>
        public Regularizers.Regularizer? KernelRegularizer { get; set; }

        /// <summary>A penalty on each bias.</summary>
        public Regularizers.Regularizer? BiasRegularizer { get; set; }

        /// <summary>The query projection (query features, heads, dim), once built.</summary>
        public Variable? QueryKernel { get; private protected set; }
        /// <summary>The query projection's bias (heads, dim), or null.</summary>
        public Variable? QueryBias { get; private protected set; }
        /// <summary>The key projection (key features, key heads, dim).</summary>
        public Variable? KeyKernel { get; private protected set; }
        /// <summary>The key projection's bias, or null.</summary>
        public Variable? KeyBias { get; private protected set; }
        /// <summary>The value projection (value features, value heads, value dim).</summary>
        public Variable? ValueKernel { get; private protected set; }
        /// <summary>The value projection's bias, or null.</summary>
        public Variable? ValueBias { get; private protected set; }
        /// <summary>The output projection (heads, value dim, output features).</summary>
        public Variable? OutputKernel { get; private protected set; }
        /// <summary>The output projection's bias (output features), or null.</summary>
        public Variable? OutputBias { get; private protected set; }

        /// <summary>The heads of the scores (batch, heads, Tq, Tv): what a 4-D attention mask may name.</summary>
        private protected abstract int ScoreHeads { get; }

        /// <summary>The softmax's scale of q·k (1 / √dim).</summary>
        internal abstract double Scale { get; }

        /// <summary>The kernels, then the biases, each penalized by the kernel or bias regularizer.</summary>
        private protected virtual IEnumerable<Variable?> Kernels => [QueryKernel, KeyKernel, ValueKernel, OutputKernel];

        /// <summary>The biases, in the order of <see cref="Kernels"/>.</summary>
        private protected virtual IEnumerable<Variable?> Biases => [QueryBias, KeyBias, ValueBias, OutputBias];

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
            Kernels.Select(w => new RegularizerSlot("kernel_regularizer", w, KernelRegularizer, r => KernelRegularizer = r))
                .Concat(Biases.Select(w => new RegularizerSlot("bias_regularizer", w, BiasRegularizer, r => BiasRegularizer = r)));

        /// <summary>A projection of the kernels (query, key, value, output) after each optimizer step (Keras' kernel_constraint), set in an initializer.</summary>
        public Constraints.Constraint? KernelConstraint { get; set { field = value; SyncConstraints(); } }

        /// <summary>A projection of the biases after each optimizer step (Keras' bias_constraint).</summary>
        public Constraints.Constraint? BiasConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots =>
            Kernels.Select(w => new ConstraintSlot("kernel_constraint", w, KernelConstraint, c => KernelConstraint = c))
                .Concat(Biases.Select(w => new ConstraintSlot("bias_constraint", w, BiasConstraint, c => BiasConstraint = c)));

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["dropout"] = Dropout;
            c["use_bias"] = UseBias;
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
        internal void SetBuildShapes(JsonObject config)
        {
            if (config["value_shape"] is JsonArray v) _valueShape = new Shape(v.Select(d => d!.GetValue<int>()).ToArray());
            if (config["key_shape"] is JsonArray k) _keyShape = new Shape(k.Select(d => d!.GetValue<int>()).ToArray());
        }

        /// <inheritdoc/>
        protected override void Build(Shape queryShape)
        {
            var valueShape = _valueShape ?? queryShape;
            var keyShape = _keyShape ?? valueShape;
            foreach (var (what, s) in new[] { ("query", queryShape), ("value", valueShape), ("key", keyShape) })
                if (s.Rank != 3)
                    throw new ArgumentException($"{Name}: {GetType().Name} needs (batch, steps, features) inputs, but the {what} has shape {s}.", what);
            (_valueShape, _keyShape) = (valueShape, keyShape);
            BuildProjections(queryShape[-1], valueShape[-1], keyShape[-1]);
        }

        /// <summary>Creates the weights, in Keras' order, for inputs of these features.</summary>
        private protected abstract void BuildProjections(int queryFeatures, int valueFeatures, int keyFeatures);

        /// <summary>A projection's kernel and (with <see cref="UseBias"/>) bias, named as Keras names them.</summary>
        private protected (Variable, Variable?) Projection(string name, Shape kernel, Shape bias) =>
            (AddWeight($"{name}/kernel", kernel, KernelInitializer), UseBias ? AddWeight($"{name}/bias", bias, BiasInitializer) : null);

        /// <summary>A mask (1, Tq, Tv) the layer itself adds (GroupedQueryAttention's sliding window), or null.</summary>
        internal virtual Tensor? OwnMask(int tq, int tv) => null;

        /// <summary>The attended heads (batch, Tq, heads, dim) before the output projection (GroupedQueryAttention's gate).</summary>
        private protected virtual Tensor GateHeads(Tensor heads, Tensor query) => heads;

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
                _ => throw new ArgumentException($"{Name} ({GetType().Name}) takes [query, value] or [query, value, key], but a list of {inputs.Count} was given.", nameof(inputs)),
            };
        }

        /// <summary>
        /// Calls the layer on symbolic query, value and (optional) key tensors of a functional model,
        /// with Keras' keyword arguments: symbolic masks and <paramref name="useCausalMask"/> (a GPT
        /// block's self-attention: <c>layer.Call(x, x, useCausalMask: true)</c>).
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
            var c = AttentionArgs.Parse(Name, GetType().Name, inputs, args);
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
        /// (Keras' implicit masks: <c>Embedding(maskZero: true)</c> then <c>layer.Call(x, x)</c> masks
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
            AttentionArgs.CheckInputs(Name, GetType().Name, query, value, key);
            if (!Built) (_valueShape, _keyShape) = (value.Shape, key.Shape);
            EnsureBuilt(query.Shape);
            AttentionArgs.CheckFeatures(Name, query, QueryKernel!, "query");
            AttentionArgs.CheckFeatures(Name, value, ValueKernel!, "value");
            AttentionArgs.CheckFeatures(Name, key, KeyKernel!, "key");
            int tq = query.Shape[1], tv = value.Shape[1];
            var mask = AttentionArgs.Combine(Name, query.Shape[0], tq, tv, queryMask, valueMask, keyMask, attentionMask, useCausalMask, ScoreHeads);
            if (OwnMask(tq, tv) is { } own) mask = AttentionArgs.And(mask, own);
            while (mask is not null && mask.Rank < 4) mask = NF.ExpandDims(mask, -3);   // Keras' mask_expansion_axis: over the heads

            // Keras scales the query, not the scores: H multiplies per query step instead of Tv.
            var q = AttentionArgs.Project(query, QueryKernel!, QueryBias) * Scale;   // [B, Tq, N, H]
            var k = AttentionArgs.Project(key, KeyKernel!, KeyBias);         // [B, Tv, K, H]
            var v = AttentionArgs.Project(value, ValueKernel!, ValueBias);   // [B, Tv, K, Hv]
            // NF.DotProductAttention's two halves, with Keras' dropout on the probabilities between them.
            var probabilities = NF.AttentionProbabilities(Name, q, k, bias: null, mask, scale: 1, isCausal: false); // [B, N, Tq, Tv]
            var weights = _dropout is null ? probabilities : _dropout.Call(probabilities);
            var heads = GateHeads(NF.AttendValues(weights, v), query);     // [B, Tq, N, Hv]
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
