namespace NeuralFlow.Keras;

/// <summary>
/// The input and mask rules the attention layers share (Keras' <c>MultiHeadAttention._compute_attention_mask</c>
/// and <c>Attention._calculate_score_mask</c>): masks become bool (nonzero is kept), combine by
/// logical and, and must broadcast to the scores' (batch, Tq, Tv); the causal mask keeps key j
/// for query i when j ≤ i.
/// </summary>
internal static class AttentionArgs
{
    /// <summary>Throws naming the layer unless query, value and key are (batch, steps, features) of one batch, and key and value have the same steps.</summary>
    public static void CheckInputs(string layer, string kind, Tensor query, Tensor value, Tensor key)
    {
        foreach (var (what, t) in new[] { ("query", query), ("value", value), ("key", key) })
            if (t.Rank != 3)
                throw new ArgumentException($"{layer}: {kind} needs (batch, steps, features) inputs, but the {what} has shape {t.Shape}.", what);
        if (key.Shape[1] != value.Shape[1])
            throw new ArgumentException($"{layer}: the key {key.Shape} and the value {value.Shape} must have the same number of steps.", nameof(key));
        if (query.Shape[0] != value.Shape[0] || key.Shape[0] != value.Shape[0])
            throw new ArgumentException($"{layer}: the query {query.Shape}, value {value.Shape} and key {key.Shape} must have the same batch size.", nameof(value));
    }

    /// <summary>Keras' <c>_large_negative_number</c> for float32 and float64: what a masked score becomes.</summary>
    public const double LargeNegative = -1e9;

    /// <summary><paramref name="mask"/> as bool (Keras casts: nonzero is true), or null.</summary>
    public static Tensor? AsBool(Tensor? mask) => mask is null ? null : mask.DType == DType.Bool ? mask : NF.Cast(mask, DType.Bool);

    /// <summary>The logical and of two optional masks.</summary>
    public static Tensor? And(Tensor? a, Tensor? b) => a is null ? b : b is null ? a : NF.LogicalAnd(a, b);

    /// <summary>[1, Tq, Tv]: query i sees keys 0..i (Keras: ones' row cumsum ≥ column cumsum).</summary>
    public static Tensor Causal(int tq, int tv) => NF.Cast(NF.Tril(NF.Ones([1, tq, tv])), DType.Bool);

    /// <summary>
    /// The (batch, Tq, Tv) mask of a query mask (batch, Tq), value and key masks (batch, Tv), the
    /// causal mask and an explicit mask, each checked against the inputs' shapes first; null when none is given.
    /// With <paramref name="heads"/> (MultiHeadAttention), an explicit mask may also be (batch, heads, Tq, Tv),
    /// and the result is then of that rank.
    /// </summary>
    public static Tensor? Combine(string layer, int batch, int tq, int tv, Tensor? queryMask, Tensor? valueMask, Tensor? keyMask,
                                  Tensor? attentionMask, bool causal, int? heads = null)
    {
        Tensor? mask = null;
        if (queryMask is not null)
            mask = NF.ExpandDims(AsBool(Check(layer, "queryMask", queryMask, [batch, tq]))!, -1);          // [B, Tq, 1]
        if (valueMask is not null)
            mask = And(mask, NF.ExpandDims(AsBool(Check(layer, "valueMask", valueMask, [batch, tv]))!, -2)); // [B, 1, Tv]
        if (keyMask is not null)
            mask = And(mask, NF.ExpandDims(AsBool(Check(layer, "keyMask", keyMask, [batch, tv]))!, -2));
        if (causal) mask = And(mask, Causal(tq, tv));
        if (attentionMask is null) return mask;
        if (heads is { } n && attentionMask.Rank == 4)
            return And(AsBool(Check(layer, "attentionMask", attentionMask, [batch, n, tq, tv])), mask is null ? null : NF.ExpandDims(mask, 1));
        mask = And(AsBool(Check(layer, "attentionMask", attentionMask, [batch, tq, tv], allowLower: true)), mask);
        return mask;
    }

    /// <summary>
    /// Throws naming the layer unless <paramref name="mask"/> broadcasts to <paramref name="expected"/>
    /// with its own rank (each axis its size or 1), or with <paramref name="allowLower"/> with at
    /// least two trailing axes (a (Tq, Tv) mask shared by the batch).
    /// </summary>
    public static Tensor Check(string layer, string what, Tensor mask, int[] expected, bool allowLower = false)
    {
        var shape = mask.Shape.ToArray();
        bool fits = shape.Length == expected.Length || (allowLower && shape.Length >= 2 && shape.Length < expected.Length);
        for (int i = 1; fits && i <= shape.Length; i++)
            fits = shape[^i] == expected[^i] || shape[^i] == 1;
        return fits ? mask : throw new ArgumentException(
            $"{layer}: {what} has shape {mask.Shape}, but the inputs need ({string.Join(", ", expected)}){(allowLower ? " or a shape that broadcasts to it" : "")}.", what);
    }

    /// <summary>
    /// <paramref name="x"/> (batch, steps, features) projected to (batch, steps, heads, dim) by
    /// <paramref name="kernel"/> (features, heads, dim) and <paramref name="bias"/> (heads, dim):
    /// Keras' EinsumDense "abc,cde->abde" of the attention layers' query, key and value.
    /// </summary>
    public static Tensor Project(Tensor x, Variable kernel, Variable? bias)
    {
        var y = NF.Einsum("abc,cde->abde", x.DType == kernel.DType ? x : NF.Cast(x, kernel.DType), kernel);
        return bias is null ? y : y + bias;
    }

    /// <summary>Throws naming the layer unless <paramref name="x"/> has the features <paramref name="kernel"/> was built for.</summary>
    public static void CheckFeatures(string layer, Tensor x, Variable kernel, string what)
    {
        if (x.Shape[-1] != kernel.Shape[0])
            throw new ArgumentException($"{layer}: was built for a {what} of {kernel.Shape[0]} features, but the {what} has shape {x.Shape}.", what);
    }

    /// <summary>
    /// The node inputs and call arguments of a symbolic call with Keras' keywords: [query, value(, key)]
    /// then the masks given, named attention_mask, query_mask, value_mask, key_mask; the flags
    /// use_causal_mask and return_attention_scores.
    /// </summary>
    public static (KerasTensor[] Inputs, CallArgs Args) Symbolic(KerasTensor query, KerasTensor value, KerasTensor? key, KerasTensor? attentionMask,
                                                                 KerasTensor? queryMask, KerasTensor? valueMask, KerasTensor? keyMask, bool useCausalMask, bool scores)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        var masks = new (string Keyword, KerasTensor? Tensor)[] { ("attention_mask", attentionMask), ("query_mask", queryMask), ("value_mask", valueMask), ("key_mask", keyMask) }
            .Where(m => m.Tensor is not null).ToArray();
        var options = new System.Text.Json.Nodes.JsonObject();
        if (useCausalMask) options["use_causal_mask"] = true;
        if (scores) options["return_attention_scores"] = true;
        KerasTensor[] positional = key is null ? [query, value] : [query, value, key];
        return ([.. positional, .. masks.Select(m => m.Tensor!)], new CallArgs(listCall: true, masks.Select(m => m.Keyword).ToArray(), options));
    }

    /// <summary>A functional node's call of an attention layer, parsed back (see <see cref="Symbolic"/>).</summary>
    public readonly record struct NodeCall(Tensor Query, Tensor Value, Tensor? Key, Tensor? AttentionMask, Tensor? QueryMask, Tensor? ValueMask,
                                           Tensor? KeyMask, bool UseCausalMask, bool ReturnScores);

    /// <summary>Parses a node's concrete <paramref name="inputs"/> by <paramref name="args"/>; throws naming the layer unless there are 2 or 3 positional tensors.</summary>
    public static NodeCall Parse(string layer, string kind, Tensor[] inputs, CallArgs args)
    {
        var p = args.Positional(inputs);
        if (p.Length is < 2 or > 3)
            throw new ArgumentException($"{layer} ({kind}) takes [query, value] or [query, value, key], but {p.Length} tensor(s) were given.", nameof(inputs));
        return new(p[0], p[1], p.Length == 3 ? p[2] : null, args.Single(inputs, "attention_mask"), args.Single(inputs, "query_mask"),
                   args.Single(inputs, "value_mask"), args.Single(inputs, "key_mask"), args.Flag("use_causal_mask"), args.Flag("return_attention_scores"));
    }
}
