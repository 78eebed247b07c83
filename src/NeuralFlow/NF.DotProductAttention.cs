using NeuralFlow.Keras;

namespace NeuralFlow;

// keras.ops.dot_product_attention (torch.nn.functional.scaled_dot_product_attention with the
// heads and steps axes swapped). Its two halves, the probabilities softmax(q·k * scale + bias,
// masked) and their weighting of the values, are also the core of the MultiHeadAttention and
// GroupedQueryAttention layers, which put dropout between them and return the probabilities:
// one definition of the attention math for the op and the layers.
//
// Grouped heads (GQA / MQA) are computed without repeating the keys and values: the query's N
// heads are viewed as K groups of N / K, and query head n reads key/value head n / (N / K), the
// pairing of Keras' ops.repeat(key, N / K, axis=2) and of jax.nn.dot_product_attention.
public static partial class NF
{
    /// <summary>
    /// Scaled dot-product attention in Keras' layout (<c>keras.ops.dot_product_attention</c>):
    /// softmax(Q·Kᵀ * scale + bias, masked) V, with <paramref name="query"/> [B, T, N, H],
    /// <paramref name="key"/> [B, S, K, H] and <paramref name="value"/> [B, S, K, Hv], giving
    /// [B, T, N, Hv]. K must divide N: K = N is multi-head attention, 1 &lt; K &lt; N grouped-query
    /// attention (query head n uses key/value head n / (N / K)), K = 1 multi-query attention.
    /// <paramref name="bias"/> is added to the logits and <paramref name="mask"/> (bool, or nonzero
    /// keeps) keeps logits; both must broadcast to [B, N, T, S]. <paramref name="scale"/> defaults
    /// to 1 / sqrt(H); <paramref name="isCausal"/> lets query step t see key steps 0..t (the
    /// top-left aligned lower triangle, as Keras and PyTorch). Masked logits become a large negative
    /// number (Keras' rule), so a query with every key masked averages the values uniformly where
    /// PyTorch gives NaN. Float inputs of mixed precision are promoted; the gradient is that of
    /// the composition (einsum, softmax, where).
    /// </summary>
    /// <exception cref="ArgumentException">An input is not a float tensor of rank 4; batch, step, head or
    /// feature sizes do not agree; K does not divide N; bias or mask do not broadcast to [B, N, T, S].</exception>
    public static Tensor DotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? bias = null, Tensor? mask = null,
                                             double? scale = null, bool isCausal = false)
    {
        const string op = nameof(DotProductAttention);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var (what, t) in new[] { ("query", query), ("key", key), ("value", value) })
        {
            if (t.Rank != 4)
                throw new ArgumentException($"{op}: the {what} must be [batch, steps, heads, features] (rank 4), got shape {t.Shape}.", what);
            if (!t.DType.IsFloating())
                throw new ArgumentException($"{op}: the {what} must be float32 or float64, got {t.DType.Name()}.", what);
        }
        if (key.Shape[0] != query.Shape[0] || value.Shape[0] != query.Shape[0])
            throw new ArgumentException($"{op}: query {query.Shape}, key {key.Shape} and value {value.Shape} must have the same batch size.", nameof(key));
        if (value.Shape[1] != key.Shape[1] || value.Shape[2] != key.Shape[2])
            throw new ArgumentException($"{op}: the key {key.Shape} and the value {value.Shape} must have the same steps and heads.", nameof(value));
        if (key.Shape[3] != query.Shape[3])
            throw new ArgumentException($"{op}: the query {query.Shape} and the key {key.Shape} must have the same features per head.", nameof(key));
        if (scale is { } sc && !double.IsFinite(sc))
            throw new ArgumentException($"{op}: scale must be finite, got {sc}.", nameof(scale));
        CheckHeadGroups(op, query.Shape[2], key.Shape[2]);
        // Keras' result_type of the three: float64 if any is.
        var dtype = new[] { query, key, value }.Any(x => x.DType == DType.Float64) ? DType.Float64 : DType.Float32;
        var probabilities = AttentionProbabilities(op, AsDType(query, dtype), AsDType(key, dtype), bias, mask,
                                                   scale ?? 1 / Math.Sqrt(query.Shape[3]), isCausal);
        return AttendValues(probabilities, AsDType(value, dtype));
    }

    private static Tensor AsDType(Tensor x, DType dtype) => x.DType == dtype ? x : Cast(x, dtype);

    // N query heads share K key/value heads in groups of N / K.
    private static void CheckHeadGroups(string op, int queryHeads, int keyValueHeads)
    {
        if (keyValueHeads < 1 || queryHeads % keyValueHeads != 0)
            throw new ArgumentException(
                $"{op}: the key/value heads ({keyValueHeads}) must divide the query heads ({queryHeads}) (grouped-query attention).", "key");
    }

    /// <summary>
    /// softmax(q·kᵀ * scale + bias) over the keys, masked, for q [B, T, N, H] and k [B, S, K, H]
    /// (K dividing N): [B, N, T, S]. The caller has checked the shapes of q and k; bias and mask
    /// are checked here against [B, N, T, S].
    /// </summary>
    internal static Tensor AttentionProbabilities(string op, Tensor query, Tensor key, Tensor? bias, Tensor? mask, double scale, bool isCausal)
    {
        int b = query.Shape[0], t = query.Shape[1], n = query.Shape[2], h = query.Shape[3];
        int s = key.Shape[1], k = key.Shape[2];
        CheckHeadGroups(op, n, k);
        Shape scores = new([b, n, t, s]);
        Tensor logits = k == n
            ? Einsum("btnh,bsnh->bnts", query, key)
            : Reshape(Einsum("btkgh,bskh->bkgts", Reshape(query, [b, t, k, n / k, h]), key), scores);
        if (scale != 1) logits = logits * scale;   // the layers pass 1: they scaled the query already
        if (bias is not null)
        {
            CheckBroadcastsTo(op, "bias", bias, scores);
            logits = logits + AsDType(bias, logits.DType);
        }
        Tensor? keep = null;
        if (mask is not null)
        {
            CheckBroadcastsTo(op, "mask", mask, scores);
            keep = AttentionArgs.AsBool(mask);
        }
        if (isCausal) keep = AttentionArgs.And(keep, AttentionArgs.Causal(t, s));
        if (keep is not null) logits = Where(keep, logits, AttentionArgs.LargeNegative);
        return Softmax(logits, -1);
    }

    /// <summary>The probabilities p [B, N, T, S] weighing the values v [B, S, K, Hv] (K dividing N): [B, T, N, Hv].</summary>
    internal static Tensor AttendValues(Tensor probabilities, Tensor value)
    {
        int b = probabilities.Shape[0], n = probabilities.Shape[1], t = probabilities.Shape[2], s = probabilities.Shape[3];
        int k = value.Shape[2], hv = value.Shape[3];
        if (k == n) return Einsum("bnts,bsnh->btnh", probabilities, value);
        var grouped = Einsum("bkgts,bskh->btkgh", Reshape(probabilities, [b, k, n / k, t, s]), value);
        return Reshape(grouped, [b, t, n, hv]);
    }

    // A bias or mask must broadcast to the scores' shape without growing it (NumPy's rule, trailing axes aligned).
    private static void CheckBroadcastsTo(string op, string what, Tensor x, Shape target)
    {
        var shape = x.Shape.ToArray();
        bool fits = shape.Length <= target.Rank;
        for (int i = 1; fits && i <= shape.Length; i++)
            fits = shape[^i] == target[-i] || shape[^i] == 1;
        if (!fits)
            throw new ArgumentException($"{op}: the {what} has shape {x.Shape}, which does not broadcast to the scores' [B, N, T, S] = {target}.", what);
    }
}
