using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
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
    /// <see cref="Call(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, Tensor?, bool, bool?)"/>
    /// for masks and the causal mask; masks follow MultiHeadAttention's rules.
    /// </summary>
    public sealed class GroupedQueryAttention : Layer
    {
        private readonly Dropout? _dropout;   // Keras' _dropout_layer, on the attention probabilities
        private Shape? _valueShape, _keyShape; // the shapes Build creates weights for (it is handed the query's alone)

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
            : base(name, activityRegularizer)
        {
            const string kind = nameof(GroupedQueryAttention);
            HeadDim = headDim > 0 ? headDim : throw new ArgumentOutOfRangeException(nameof(headDim), headDim, $"{kind}: headDim must be positive.");
            NumQueryHeads = numQueryHeads > 0 ? numQueryHeads : throw new ArgumentOutOfRangeException(nameof(numQueryHeads), numQueryHeads, $"{kind}: numQueryHeads must be positive.");
            NumKeyValueHeads = numKeyValueHeads > 0 ? numKeyValueHeads
                : throw new ArgumentOutOfRangeException(nameof(numKeyValueHeads), numKeyValueHeads, $"{kind}: numKeyValueHeads must be positive.");
            if (numQueryHeads % numKeyValueHeads != 0)
                throw new ArgumentException($"{kind}: numQueryHeads ({numQueryHeads}) must be divisible by numKeyValueHeads ({numKeyValueHeads}).", nameof(numKeyValueHeads));
            Dropout = dropout is >= 0 and < 1 ? dropout : throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{kind}: dropout must be in [0, 1).");
            SlidingWindow = slidingWindow is null or > 0 ? slidingWindow
                : throw new ArgumentOutOfRangeException(nameof(slidingWindow), slidingWindow, $"{kind}: slidingWindow must be null or a positive integer.");
            UseBias = useBias;
            UseGate = useGate;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
            (KernelRegularizer, BiasRegularizer) = (kernelRegularizer, biasRegularizer);
            Seed = seed;
            if (dropout > 0) _dropout = new Dropout(dropout, $"{Name}_dropout", seed: seed);
        }

        /// <summary>True, as Keras: the output carries the query's mask.</summary>
        public override bool SupportsMasking => true;

        /// <summary>The features of each head.</summary>
        public int HeadDim { get; }

        /// <summary>The number of query heads.</summary>
        public int NumQueryHeads { get; }

        /// <summary>The number of key/value heads (dividing <see cref="NumQueryHeads"/>).</summary>
        public int NumKeyValueHeads { get; }

        /// <summary>The dropout rate on the attention probabilities (training only).</summary>
        public double Dropout { get; }

        /// <summary>Whether the projections add biases.</summary>
        public bool UseBias { get; }

        /// <summary>The band half-width + 1 of the sliding-window mask, or null (full attention).</summary>
        public int? SlidingWindow { get; }

        /// <summary>Whether a sigmoid gate of the query multiplies the attended heads.</summary>
        public bool UseGate { get; }

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

        /// <summary>The query projection (query features, query heads, head_dim), once built.</summary>
        public Variable? QueryKernel { get; private set; }
        /// <summary>The query projection's bias (query heads, head_dim), or null.</summary>
        public Variable? QueryBias { get; private set; }
        /// <summary>The key projection (key features, key/value heads, head_dim).</summary>
        public Variable? KeyKernel { get; private set; }
        /// <summary>The key projection's bias (key/value heads, head_dim), or null.</summary>
        public Variable? KeyBias { get; private set; }
        /// <summary>The gate projection (query features, query heads, head_dim), with <see cref="UseGate"/>.</summary>
        public Variable? GateKernel { get; private set; }
        /// <summary>The gate projection's bias, or null.</summary>
        public Variable? GateBias { get; private set; }
        /// <summary>The value projection (value features, key/value heads, head_dim).</summary>
        public Variable? ValueKernel { get; private set; }
        /// <summary>The value projection's bias, or null.</summary>
        public Variable? ValueBias { get; private set; }
        /// <summary>The output projection (query heads, head_dim, query features).</summary>
        public Variable? OutputKernel { get; private set; }
        /// <summary>The output projection's bias (query features), or null.</summary>
        public Variable? OutputBias { get; private set; }

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
            new[] { QueryKernel, KeyKernel, GateKernel, ValueKernel, OutputKernel }.Where(w => w is not null)
                .Select(w => new RegularizerSlot("kernel_regularizer", w, KernelRegularizer, r => KernelRegularizer = r))
                .Concat(new[] { QueryBias, KeyBias, GateBias, ValueBias, OutputBias }.Where(w => w is not null)
                .Select(w => new RegularizerSlot("bias_regularizer", w, BiasRegularizer, r => BiasRegularizer = r)));

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["head_dim"] = HeadDim;
            c["num_query_heads"] = NumQueryHeads;
            c["num_key_value_heads"] = NumKeyValueHeads;
            c["use_bias"] = UseBias;
            c["use_gate"] = UseGate;
            c["sliding_window"] = SlidingWindow;
            c["dropout"] = Dropout;
            c["kernel_initializer"] = KernelInitializer.ToConfig();
            c["bias_initializer"] = BiasInitializer.ToConfig();
            c["seed"] = Seed;
            // The value and key shapes a loaded layer builds for (Build is handed the query's alone).
            if (_valueShape is { } v && _keyShape is { } k)
            {
                c["value_shape"] = new JsonArray(v.ToArray().Select(d => (JsonNode)d).ToArray());
                c["key_shape"] = new JsonArray(k.ToArray().Select(d => (JsonNode)d).ToArray());
            }
            return c;
        }

        /// <summary>Sets the value and key shapes a saved config names (see <see cref="GetConfig"/>), before it is built.</summary>
        internal GroupedQueryAttention WithBuildShapes(int[]? valueShape, int[]? keyShape)
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
                    throw new ArgumentException($"{Name}: GroupedQueryAttention needs (batch, steps, features) inputs, but the {what} has shape {s}.", what);
            (_valueShape, _keyShape) = (valueShape, keyShape);
            int features = queryShape[-1];
            // Keras' build order, which is its weights' order.
            (QueryKernel, QueryBias) = Projection("query", [features, NumQueryHeads, HeadDim], [NumQueryHeads, HeadDim]);
            (KeyKernel, KeyBias) = Projection("key", [keyShape[-1], NumKeyValueHeads, HeadDim], [NumKeyValueHeads, HeadDim]);
            if (UseGate) (GateKernel, GateBias) = Projection("gate", [features, NumQueryHeads, HeadDim], [NumQueryHeads, HeadDim]);
            (ValueKernel, ValueBias) = Projection("value", [valueShape[-1], NumKeyValueHeads, HeadDim], [NumKeyValueHeads, HeadDim]);
            (OutputKernel, OutputBias) = Projection("attention_output", [NumQueryHeads, HeadDim, features], [features]);
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
                _ => throw new ArgumentException($"{Name} (GroupedQueryAttention) takes [query, value] or [query, value, key], but a list of {inputs.Count} was given.", nameof(inputs)),
            };
        }

        /// <summary>
        /// Calls the layer on symbolic query, value and (optional) key tensors of a functional model,
        /// with Keras' keyword arguments (symbolic masks, <paramref name="useCausalMask"/>).
        /// </summary>
        public KerasTensor Call(KerasTensor query, KerasTensor value, KerasTensor? key = null, KerasTensor? attentionMask = null,
                                KerasTensor? queryMask = null, KerasTensor? valueMask = null, KerasTensor? keyMask = null, bool useCausalMask = false)
        {
            var (inputs, args) = AttentionArgs.Symbolic(query, value, key, attentionMask, queryMask, valueMask, keyMask, useCausalMask, scores: false);
            return Single(CallSymbolic(inputs, args));
        }

        /// <summary>The symbolic call with Keras' <c>return_attention_scores=True</c>: [output, scores (batch, query heads, Tq, Tv)].</summary>
        public IReadOnlyList<KerasTensor> CallWithScores(KerasTensor query, KerasTensor value, KerasTensor? key = null, KerasTensor? attentionMask = null,
                                                         KerasTensor? queryMask = null, KerasTensor? valueMask = null, KerasTensor? keyMask = null, bool useCausalMask = false)
        {
            var (inputs, args) = AttentionArgs.Symbolic(query, value, key, attentionMask, queryMask, valueMask, keyMask, useCausalMask, scores: true);
            return CallSymbolic(inputs, args);
        }

        internal override IReadOnlyList<Tensor> CallNode(Tensor[] inputs, CallArgs args)
        {
            if (args.Plain) return base.CallNode(inputs, args);
            var c = AttentionArgs.Parse(Name, nameof(GroupedQueryAttention), inputs, args);
            var (output, scores) = CallWithScores(c.Query, c.Value, c.Key, c.AttentionMask, c.QueryMask, c.ValueMask, c.KeyMask, c.UseCausalMask);
            return c.ReturnScores ? [output, scores] : [output];
        }

        /// <summary>
        /// Keras' <c>layer(query, value, key, query_mask=, value_mask=, key_mask=, attention_mask=,
        /// use_causal_mask=, training=)</c>: <paramref name="key"/> defaults to <paramref name="value"/>;
        /// masks are bool or numeric (nonzero keeps): <paramref name="queryMask"/> (batch, Tq),
        /// <paramref name="valueMask"/> and <paramref name="keyMask"/> (batch, Tv),
        /// <paramref name="attentionMask"/> (batch, Tq, Tv), (batch, query heads, Tq, Tv) or anything
        /// broadcasting to (batch, Tq, Tv); <paramref name="useCausalMask"/> lets query i see keys 0..i.
        /// Masks not given come from the inputs' own masks, and the output carries the query mask, as
        /// MultiHeadAttention's. Returns (batch, Tq, query features).
        /// </summary>
        public Tensor Call(Tensor query, Tensor value, Tensor? key = null, Tensor? attentionMask = null, Tensor? queryMask = null,
                           Tensor? valueMask = null, Tensor? keyMask = null, bool useCausalMask = false, bool? training = null) =>
            CallWithScores(query, value, key, attentionMask, queryMask, valueMask, keyMask, useCausalMask, training).Output;

        /// <summary>
        /// The call with Keras' <c>return_attention_scores=True</c>: also the attention probabilities
        /// (batch, query heads, Tq, Tv), after the mask and softmax and before dropout.
        /// </summary>
        public (Tensor Output, Tensor Scores) CallWithScores(Tensor query, Tensor value, Tensor? key = null, Tensor? attentionMask = null,
                                                             Tensor? queryMask = null, Tensor? valueMask = null, Tensor? keyMask = null,
                                                             bool useCausalMask = false, bool? training = null)
        {
            ArgumentNullException.ThrowIfNull(query);
            ArgumentNullException.ThrowIfNull(value);
            // Keras' Layer.__call__ fills each mask not given from the mask its input carries.
            queryMask ??= InputMask(query);
            valueMask ??= InputMask(value);
            if (key is not null && !ReferenceEquals(key, value)) keyMask ??= InputMask(key);
            key ??= value;
            using var mode = training is { } t ? TrainingMode(t) : null;
            AttentionArgs.CheckInputs(Name, nameof(GroupedQueryAttention), query, value, key);
            if (!Built) (_valueShape, _keyShape) = (value.Shape, key.Shape);
            EnsureBuilt(query.Shape);
            AttentionArgs.CheckFeatures(Name, query, QueryKernel!, "query");
            AttentionArgs.CheckFeatures(Name, value, ValueKernel!, "value");
            AttentionArgs.CheckFeatures(Name, key, KeyKernel!, "key");
            int tq = query.Shape[1], tv = value.Shape[1];
            var mask = AttentionArgs.Combine(Name, query.Shape[0], tq, tv, queryMask, valueMask, keyMask, attentionMask, useCausalMask, NumQueryHeads);
            if (SlidingWindow is { } w) mask = AttentionArgs.And(mask, Band(tq, tv, w));
            while (mask is not null && mask.Rank < 4) mask = NF.ExpandDims(mask, -3);   // Keras' mask_expansion_axis: over the heads

            var q = AttentionArgs.Project(query, QueryKernel!, QueryBias);   // [B, Tq, Nq, H]
            var k = AttentionArgs.Project(key, KeyKernel!, KeyBias);         // [B, Tv, Nkv, H]
            var v = AttentionArgs.Project(value, ValueKernel!, ValueBias);
            var probabilities = NF.AttentionProbabilities(Name, q, k, bias: null, mask, 1 / Math.Sqrt(HeadDim), isCausal: false); // [B, Nq, Tq, Tv]
            var weights = _dropout is null ? probabilities : _dropout.Call(probabilities);
            var heads = NF.AttendValues(weights, v);                          // [B, Tq, Nq, H]
            if (UseGate) heads = heads * NF.Sigmoid(AttentionArgs.Project(query, GateKernel!, GateBias));
            var y = NF.Einsum("abcd,cde->abe", heads, OutputKernel!);
            if (OutputBias is not null) y = y + OutputBias;
            OutputShape = y.Shape;
            if (ActivityRegularizer is not null) RecordActivity(y);
            if (queryMask is not null) SetMask(y, AttentionArgs.AsBool(queryMask));
            return (y, probabilities);
        }

        // [1, Tq, Tv]: key j is within the window of query i when |i - j| < window (Keras' sliding-window mask).
        private static Tensor Band(int tq, int tv, int window)
        {
            var rows = NF.Reshape(NF.Range(tq), [1, tq, 1]);
            var cols = NF.Reshape(NF.Range(tv), [1, 1, tv]);
            return NF.Less(NF.Abs(rows - cols), window);
        }
    }
}
