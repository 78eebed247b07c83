namespace NeuralFlow;

// The ops NumPy and Keras 3 let take a tuple of axes where TensorFlow's take one
// (np.expand_dims(x, (0, 2)), keras.ops.softmax(x, axis=(1, 2))): the several-axes forms, so that
// a Keras 3 model recording them (and its symbolic NF calls) runs the same eager code.
public static partial class NF
{
    /// <summary>
    /// Size-1 axes inserted at each of <paramref name="axes"/> (<c>np.expand_dims(x, (0, 2))</c>),
    /// the positions being those of the result (rank + axes.Length; negative from its end), as in NumPy.
    /// </summary>
    public static Tensor ExpandDims(Tensor x, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(x);
        var positions = ExpandedAxes(axes, x.Rank, x.Shape.ToString());
        var result = x;
        foreach (int a in positions) result = ExpandDims(result, a);
        return ReferenceEquals(result, x) ? x.View(x.Layout) : result;
    }

    /// <summary>
    /// The axes of the result of inserting <paramref name="axes"/> into a rank-<paramref name="rank"/>
    /// tensor, ascending (NumPy's normalize_axis_tuple on rank + axes.Length); a repeat or an axis out
    /// of range is an error naming the shape.
    /// </summary>
    internal static int[] ExpandedAxes(int[] axes, int rank, string shape)
    {
        ArgumentNullException.ThrowIfNull(axes);
        int outRank = rank + axes.Length;
        var positions = axes.Select(a => a >= -outRank && a < outRank ? (a + outRank) % outRank
            : throw new ArgumentOutOfRangeException(nameof(axes), a, $"ExpandDims: axis {a} is out of range for shape {shape} with {axes.Length} new axes; valid axes are {-outRank}..{outRank - 1}.")).ToArray();
        if (positions.Distinct().Count() != positions.Length)
            throw new ArgumentException($"ExpandDims: the axes ({string.Join(", ", axes)}) name one position twice for shape {shape}.", nameof(axes));
        return positions.Order().ToArray();
    }

    /// <summary>
    /// Softmax over several axes together (<c>keras.ops.softmax(x, axis=(1, 2))</c>): each slice
    /// over <paramref name="axes"/> sums to 1. One axis is <see cref="Softmax(Tensor, int)"/>.
    /// </summary>
    public static Tensor Softmax(Tensor logits, int[] axes)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0) throw new ArgumentException("Softmax: the list of axes is empty.", nameof(axes));
        var normalized = axes.Select(a => logits.Shape.NormalizeAxis(a, nameof(axes))).Distinct().ToArray();
        if (normalized.Length == 1) return Softmax(logits, normalized[0]);
        if (!logits.DType.IsFloating())
            throw new ArgumentException($"Softmax: needs a float tensor, got {logits.DType.Name()}; convert with NF.Cast(x, DType.Float32).", nameof(logits));
        // Shifted by the maximum, as the one-axis kernel is, so large logits do not overflow
        // (not disposed: a tape may hold the intermediate values).
        var exp = Exp(logits - ReduceMax(logits, normalized, keepDims: true));
        return exp / ReduceSum(exp, normalized, keepDims: true);
    }
}
