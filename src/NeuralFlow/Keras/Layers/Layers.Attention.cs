using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Dot-product (Luong) attention (<c>keras.layers.Attention</c>): scores of each query against
    /// each key, softmax over the keys, and the weighted sum of the values. Called on [query,
    /// value] or [query, value, key] of shapes (batch, Tq, dim), (batch, Tv, dim), (batch, Tv, dim);
    /// returns (batch, Tq, dim). <c>scoreMode</c> "dot" scores q·k (times a learned scalar
    /// <c>scale</c> with <c>useScale</c>); "concat" scores concat_score_weight · Σ tanh(scale·(q + k)).
    /// Masked keys get 1e9 subtracted from their scores, as Keras does.
    /// </summary>
    public class Attention : Layer
    {
        private readonly Dropout? _dropout;   // on the attention distribution, as MultiHeadAttention's

        /// <summary>A dot-product attention; see the type's summary for <paramref name="scoreMode"/>.</summary>
        public Attention(bool useScale = false, string scoreMode = "dot", double dropout = 0, int? seed = null, string? name = null)
            : base(name)
        {
            UseScale = useScale;
            ScoreMode = scoreMode is "dot" or "concat" ? scoreMode
                : throw new ArgumentException($"{GetType().Name}: scoreMode must be \"dot\" or \"concat\", got \"{scoreMode}\".", nameof(scoreMode));
            Dropout = dropout is >= 0 and < 1 ? dropout : throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{GetType().Name}: dropout must be in [0, 1).");
            Seed = seed;
            if (dropout > 0) _dropout = new Dropout(dropout, $"{Name}_dropout", seed: seed);
        }

        /// <summary>True, as Keras: the output carries the query mask.</summary>
        public override bool SupportsMasking => true;

        /// <summary>Whether a learned scale multiplies the scores (Attention: a scalar; AdditiveAttention: one per feature).</summary>
        public bool UseScale { get; }

        /// <summary>"dot" or "concat".</summary>
        public string ScoreMode { get; }

        /// <summary>The dropout rate on the attention distribution (training only).</summary>
        public double Dropout { get; }

        /// <summary>The seed of the dropout's own generator, or null (NF.Random's).</summary>
        public int? Seed { get; }

        /// <summary>The learned scale, once built (null without <see cref="UseScale"/>).</summary>
        public Variable? Scale { get; private protected set; }

        /// <summary>The learned scalar of "concat" scores, once built (null in "dot" mode).</summary>
        public Variable? ConcatScoreWeight { get; private set; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["use_scale"] = UseScale;
            if (this is not AdditiveAttention) c["score_mode"] = ScoreMode;   // Keras' AdditiveAttention deletes it
            c["dropout"] = Dropout;
            c["seed"] = Seed;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape queryShape)
        {
            if (UseScale) Scale = AddWeight("scale", [], Initializer.Get("ones"));
            if (ScoreMode == "concat") ConcatScoreWeight = AddWeight("concat_score_weight", [], Initializer.Get("ones"));
        }

        /// <summary>Self-attention on one tensor: query, value and key are all <paramref name="x"/>.</summary>
        public override Tensor Call(Tensor x) => Call([x, x]);

        /// <summary>Attention of [query, value] or [query, value, key] (Keras' <c>layer([q, v])</c>).</summary>
        public override Tensor Call(IReadOnlyList<Tensor> inputs) => CallWithScores(inputs).Output;

        /// <summary>
        /// Keras' <c>layer(inputs, mask=[query_mask, value_mask], use_causal_mask=, training=)</c>:
        /// <paramref name="queryMask"/> (batch, Tq) zeroes the outputs of masked queries,
        /// <paramref name="valueMask"/> (batch, Tv) excludes masked keys, <paramref name="useCausalMask"/>
        /// lets query i see keys 0..i. Masks are bool or numeric (nonzero keeps). When neither mask
        /// is given, they are the ones the query and value carry (Keras' implicit mask list, e.g.
        /// after <c>Embedding(maskZero: true)</c>); the output carries the query mask.
        /// </summary>
        public Tensor Call(IReadOnlyList<Tensor> inputs, Tensor? queryMask, Tensor? valueMask = null, bool useCausalMask = false, bool? training = null) =>
            CallWithScores(inputs, queryMask, valueMask, useCausalMask, training).Output;

        /// <summary>
        /// Calls the layer on symbolic [query, value] or [query, value, key] of a functional model with
        /// Keras' keyword arguments (<c>mask=[query_mask, value_mask]</c>, <c>use_causal_mask</c>);
        /// <paramref name="returnAttentionScores"/> makes the result [output, scores].
        /// </summary>
        public IReadOnlyList<KerasTensor> CallOutputs(IReadOnlyList<KerasTensor> inputs, KerasTensor? queryMask = null, KerasTensor? valueMask = null,
                                                      bool useCausalMask = false, bool returnAttentionScores = false)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            var masks = new (string Keyword, KerasTensor? Tensor)[] { ("query_mask", queryMask), ("value_mask", valueMask) }.Where(m => m.Tensor is not null).ToArray();
            var options = new System.Text.Json.Nodes.JsonObject();
            if (useCausalMask) options["use_causal_mask"] = true;
            if (returnAttentionScores) options["return_attention_scores"] = true;
            if (masks.Length == 0 && options.Count == 0) return CallOutputs(inputs);
            return CallSymbolic([.. inputs, .. masks.Select(m => m.Tensor!)], new CallArgs(listCall: true, masks.Select(m => m.Keyword).ToArray(), options));
        }

        /// <summary>The symbolic call of <see cref="CallOutputs(IReadOnlyList{KerasTensor}, KerasTensor?, KerasTensor?, bool, bool)"/> that returns the output only.</summary>
        public KerasTensor Call(IReadOnlyList<KerasTensor> inputs, KerasTensor? queryMask, KerasTensor? valueMask = null, bool useCausalMask = false) =>
            Single(CallOutputs(inputs, queryMask, valueMask, useCausalMask));

        internal override IReadOnlyList<Tensor> CallNode(Tensor[] inputs, CallArgs args)
        {
            if (args.Plain) return base.CallNode(inputs, args);
            var (output, scores) = CallWithScores(args.Positional(inputs), args.Single(inputs, "query_mask"), args.Single(inputs, "value_mask"), args.Flag("use_causal_mask"));
            return args.Flag("return_attention_scores") ? [output, scores] : [output];
        }

        /// <summary>The call with Keras' <c>return_attention_scores=True</c>: also the attention distribution (batch, Tq, Tv), after dropout as Keras returns it.</summary>
        public (Tensor Output, Tensor Scores) CallWithScores(IReadOnlyList<Tensor> inputs, Tensor? queryMask = null, Tensor? valueMask = null,
                                                             bool useCausalMask = false, bool? training = null)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            if (inputs.Count is < 2 or > 3)
                throw new ArgumentException($"{Name} ({GetType().Name}) takes [query, value] or [query, value, key], but a list of {inputs.Count} was given.", nameof(inputs));
            var (q, v) = (inputs[0], inputs[1]);
            var k = inputs.Count == 3 ? inputs[2] : v;
            ArgumentNullException.ThrowIfNull(q, "query");
            ArgumentNullException.ThrowIfNull(v, "value");
            ArgumentNullException.ThrowIfNull(k, "key");
            // Keras fills its mask list from the masks the inputs carry only when no mask is given at
            // all (mask=None); the key's carried mask is ignored there, as an explicit key mask is.
            if (queryMask is null && valueMask is null) (queryMask, valueMask) = (InputMask(q), InputMask(v));
            using var mode = training is { } t ? TrainingMode(t) : null;
            CheckInputs(q, v, k);
            EnsureBuilt(q.Shape);
            // Computed in the weights' dtype (as Dense), or without weights in the inputs' own.
            var dtype = Scale?.DType ?? ConcatScoreWeight?.DType ?? (q.DType.IsFloating() ? q.DType : VariableDType);
            (q, v, k) = (Cast(q, dtype), Cast(v, dtype), Cast(k, dtype));
            var scores = Scores(q, k);
            var mask = AttentionArgs.Combine(Name, q.Shape[0], q.Shape[1], v.Shape[1], null, valueMask, null, null, useCausalMask);
            // Keras: scores -= 1e9 * (not mask); a subtraction, not a select, as Keras writes it.
            if (mask is not null) scores = scores + AttentionArgs.LargeNegative * NF.Cast(NF.LogicalNot(mask), scores.DType);
            var weights = NF.Softmax(scores);
            if (_dropout is not null) weights = _dropout.Call(weights);
            var y = NF.MatMul(weights, v);
            if (queryMask is not null)
            {
                var keep = AttentionArgs.AsBool(AttentionArgs.Check(Name, "queryMask", queryMask, [q.Shape[0], q.Shape[1]]))!;
                y = y * NF.Cast(NF.ExpandDims(keep, -1), y.DType);
                // Keras' compute_mask: the output carries the query mask (the scores none).
                SetMask(y, keep);
            }
            OutputShape = y.Shape;
            return (y, weights);
        }

        private static Tensor Cast(Tensor x, DType dtype) => x.DType == dtype ? x : NF.Cast(x, dtype);

        /// <summary>The (batch, Tq, Tv) scores of the queries against the keys.</summary>
        private protected virtual Tensor Scores(Tensor q, Tensor k)
        {
            if (ScoreMode == "dot")
            {
                var dot = NF.MatMul(q, k, transposeB: true);
                return Scale is null ? dot : dot * Scale;
            }
            var sum = NF.ExpandDims(q, -2) + NF.ExpandDims(k, -3);   // [B, Tq, 1, d] + [B, 1, Tv, d]
            return ConcatScoreWeight! * NF.ReduceSum(NF.Tanh(Scale is null ? sum : Scale * sum), -1);
        }

        private void CheckInputs(Tensor q, Tensor v, Tensor k)
        {
            AttentionArgs.CheckInputs(Name, GetType().Name, q, v, k);
            if (q.Shape[-1] != k.Shape[-1])
                throw new ArgumentException($"{Name}: the query {q.Shape} and the key {k.Shape} must have the same features.", "key");
            if (Scale is not null && Scale.Rank == 1 && Scale.Shape[0] != q.Shape[-1])
                throw new ArgumentException($"{Name}: was built for {Scale.Shape[0]} features, but the query has shape {q.Shape}.", "query");
        }
    }

    /// <summary>
    /// Additive (Bahdanau) attention (<c>keras.layers.AdditiveAttention</c>): scores
    /// Σ scale · tanh(q + k) over the features, with a learned per-feature scale (Glorot uniform)
    /// when <c>useScale</c> (the default). Calls, masks and outputs as <see cref="Attention"/>.
    /// </summary>
    public sealed class AdditiveAttention(bool useScale = true, double dropout = 0, int? seed = null, string? name = null)
        : Attention(useScale, "dot", dropout, seed, name)
    {
        /// <inheritdoc/>
        protected override void Build(Shape queryShape)
        {
            if (queryShape.Rank != 3)
                throw new ArgumentException($"{Name}: AdditiveAttention needs (batch, steps, features) inputs, but the query has shape {queryShape}.", "query");
            if (UseScale) Scale = AddWeight("scale", [queryShape[-1]], Initializer.GlorotUniform);
        }

        private protected override Tensor Scores(Tensor q, Tensor k)
        {
            var t = NF.Tanh(NF.ExpandDims(q, -2) + NF.ExpandDims(k, -3));   // [B, Tq, Tv, d]
            return NF.ReduceSum(Scale is null ? t : Scale * t, -1);
        }
    }
}
