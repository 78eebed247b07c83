namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// Weights <paramref name="values"/> (per-example losses) by <paramref name="sampleWeight"/>
    /// and reduces them, as Keras' <c>reduce_weighted_values</c>: the weights are first squeezed
    /// or expanded to the values' rank (an (N, 1) weight against (N,) values loses its last axis,
    /// never broadcasting to N x N), then must broadcast with the values. With
    /// <paramref name="valid"/> (1 for values that count, 0 for ignored ones) the
    /// "sum_over_batch_size" reduction divides by the number of valid values instead of all of
    /// them, as Keras' <c>apply_mask</c> does. This is the piece
    /// <c>Fit</c>'s <c>sampleWeight</c> and <c>classWeight</c> (see <see cref="ClassWeights"/>) use.
    /// </summary>
    /// <param name="values">Per-example losses.</param>
    /// <param name="sampleWeight">A scalar or per-example weights; null for none.</param>
    /// <param name="reduction">"sum_over_batch_size", "sum", "none" or "mean_with_sample_weight".</param>
    /// <param name="who">The loss's name, for error messages.</param>
    /// <param name="valid">1 for values that count, 0 for ignored ones; null when all count.</param>
    [MethodImpl(Hot)]
    public static Tensor ReduceWeighted(Tensor values, Tensor? sampleWeight, string? reduction = SumOverBatchSize, string who = "loss", Tensor? valid = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        reduction = CheckReduction(reduction, who);
        Tensor? weight = null;
        if (sampleWeight is not null)
        {
            weight = LikePrediction(sampleWeight, values);
            (values, weight) = SqueezeOrExpand(values, weight);
            CheckBroadcasts(who, weight, values, sampleWeight.Shape);
            values = values * weight;
        }
        if (valid is not null) values = values * LikePrediction(valid, values);
        if (reduction == "none" || values.Rank == 0) return values;
        if (reduction == "sum") return NF.ReduceSum(values);
        // Keras divides with divide_no_nan: an empty batch, or one with every target ignored, gives 0.
        if (reduction == "mean_with_sample_weight" && sampleWeight is not null)
            // Keras weighs by sample_weight * mask, so only the valid values' weights count.
            return DivideNoNan(NF.ReduceSum(values), NF.ReduceSum(valid is null ? LikePrediction(sampleWeight, values) : NF.BroadcastTo(weight!, values.Shape) * LikePrediction(valid, values)));
        if (valid is not null) return DivideNoNan(NF.ReduceSum(values), NF.ReduceSum(LikePrediction(valid, values)));
        return values.Count == 0 ? NF.ReduceSum(values) : NF.ReduceMean(values);
    }

    /// <summary>a / b, and 0 where b is 0 (<c>divide_no_nan</c>), on the device.</summary>
    internal static Tensor DivideNoNan(Tensor a, Tensor b)
    {
        var zero = Where(NF.Equal(b, 0), b.DType);
        return a / (b + zero) * (1 - zero);
    }

    /// <summary>
    /// Per-example weights from <c>classWeight</c> (Keras' <c>class_weight_to_sample_weights</c>):
    /// the weight of each example's class, 1 for classes the dictionary does not name. Targets are
    /// class ids, (N,) or (N, 1), or one-hot rows (N, C) whose arg-max is the class. Stays on the
    /// device: a lookup table indexed by the ids.
    /// </summary>
    public static Tensor ClassWeights(Tensor yTrue, IReadOnlyDictionary<int, double> classWeight, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(classWeight);
        if (classWeight.Keys.Any(k => k < 0))
            throw new ArgumentException($"classWeight: class ids must be non-negative, got {classWeight.Keys.Min()}.", nameof(classWeight));
        var ids = yTrue;
        if (ids.Rank > 1) ids = ids.Shape[-1] == 1 ? NF.Squeeze(ids, -1) : NF.ArgMax(ids, -1);
        if (ids.Rank != 1)
            throw new ArgumentException($"classWeight: targets must be class ids (N,) or (N, 1), or one-hot rows (N, C); got shape {yTrue.Shape}.", nameof(yTrue));
        // Float ids round to the nearest class, as Keras' np.round (a cast truncates toward zero).
        ids = ids.DType.IsFloating() ? NF.Cast(ids + 0.5, DType.Int64) : NF.Cast(ids, DType.Int64);
        int size = classWeight.Count == 0 ? 1 : classWeight.Keys.Max() + 1;
        var table = Enumerable.Repeat(1.0, size).ToArray();
        foreach (var (id, w) in classWeight) table[id] = w;
        using var scope = NF.UseBackend(yTrue.Backend);
        var inRange = Where(NF.GreaterEqual(ids, 0L), dtype) * Where(NF.Less(ids, (long)size), dtype);
        var safe = NF.Minimum(NF.Maximum(ids, 0L), size - 1L);
        return NF.Gather(NF.Cast(NF.Constant(table), dtype), safe) * inRange + (1 - inRange);
    }

    /// <summary>
    /// Keras' <c>squeeze_or_expand_to_same_rank</c>: when the ranks differ by one, the larger
    /// loses a last axis of 1, or else the smaller gains one.
    /// </summary>
    internal static (Tensor A, Tensor B) SqueezeOrExpand(Tensor a, Tensor b)
    {
        if (a.Rank == b.Rank + 1) return a.Shape[-1] == 1 ? (NF.Squeeze(a, -1), b) : (a, NF.ExpandDims(b, -1));
        if (b.Rank == a.Rank + 1) return b.Shape[-1] == 1 ? (a, NF.Squeeze(b, -1)) : (NF.ExpandDims(a, -1), b);
        return (a, b);
    }

    // After squeeze_or_expand, weights and values broadcast against each other as in Keras
    // (a scalar loss times per-example weights, say); any other pairing is a mistake.
    private static void CheckBroadcasts(string who, Tensor weight, Tensor values, Shape given)
    {
        bool fits = true;
        for (int i = 1; fits && i <= Math.Min(weight.Rank, values.Rank); i++)
            fits = weight.Shape[-i] == 1 || values.Shape[-i] == 1 || weight.Shape[-i] == values.Shape[-i];
        if (!fits)
            throw new ArgumentException(
                $"{who}: sampleWeight has shape {given}, which does not match the per-example losses of shape {values.Shape}; " +
                "give a scalar or one weight per example.", "sampleWeight");
    }

    /// <summary>
    /// Keras' reductions: "sum_over_batch_size" (also "mean", and TF2's "auto"), "sum", "none"
    /// (also null, as Keras' <c>reduction=None</c>), and "mean_with_sample_weight" (the weighted
    /// sum over the sum of the weights).
    /// </summary>
    internal static string CheckReduction(string? reduction, string who) => reduction switch
    {
        SumOverBatchSize or "auto" or "mean" => SumOverBatchSize,
        null => "none",
        "sum" or "none" or "mean_with_sample_weight" => reduction,
        _ => throw new ArgumentException(
            $"{who}: unknown reduction '{reduction}'; use \"sum_over_batch_size\", \"sum\", \"none\" or \"mean_with_sample_weight\".", nameof(reduction)),
    };
}
