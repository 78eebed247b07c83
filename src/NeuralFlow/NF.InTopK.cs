namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Whether each row's target class scores among the <paramref name="k"/> highest predictions
    /// (<c>tf.math.in_top_k(targets, predictions, k)</c>, <c>keras.ops.in_top_k</c>): fewer than k classes score
    /// strictly higher, so classes tied at the boundary are all in (TensorFlow's rule, unlike TopK's). A target
    /// whose prediction is NaN or infinite, or a target outside [0, classes), is not in the top k, as in
    /// TensorFlow's kernel; k = 0 gives false everywhere. The result is bool, shape (batch,).
    /// </summary>
    /// <param name="targets">Class ids, integer, shape (batch,).</param>
    /// <param name="predictions">Scores, shape (batch, classes).</param>
    /// <param name="k">How many of the highest scores count; not negative.</param>
    /// <exception cref="ArgumentException">targets is not an integer vector, predictions not a matrix with one row per target.</exception>
    /// <exception cref="ArgumentOutOfRangeException">k is negative.</exception>
    public static Tensor InTopK(Tensor targets, Tensor predictions, int k)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(predictions);
        if (targets.Rank != 1 || targets.DType.IsFloating() || targets.DType == DType.Bool)
            throw new ArgumentException($"InTopK: targets must be a vector of integer class ids, not {targets.DType.Name()} of shape {targets.Shape}.", nameof(targets));
        if (predictions.Rank != 2 || predictions.Shape[0] != targets.Shape[0])
            throw new ArgumentException(
                $"InTopK: predictions must have shape (batch, classes) with one row per target; it has shape {predictions.Shape} for {targets.Shape[0]} targets.", nameof(predictions));
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        using var scope = TensorScope.Begin();
        int classes = predictions.Shape[1];
        var ids = Cast(targets, DType.Int64);
        var valid = LogicalAnd(GreaterEqual(ids, 0), Less(ids, classes));
        // The target's own score, selected by its one-hot mask (a one-hot product would turn an infinite score
        // elsewhere in the row into NaN; a gather checks the ids on the host, which a compiled step cannot replay).
        var mask = Cast(OneHot(Where(valid, ids, 0L), classes), DType.Bool);
        var target = ReduceSum(Where(mask, predictions, ZerosLike(predictions)), 1, keepDims: true);
        var higher = ReduceSum(Cast(Greater(predictions, target), DType.Int64), 1);
        var finite = predictions.DType.IsFloating() ? IsFinite(Squeeze(target, [1])) : OnesLike(valid);
        return scope.Keep(LogicalAnd(LogicalAnd(valid, Cast(finite, DType.Bool)), Less(higher, k)));
    }
}
