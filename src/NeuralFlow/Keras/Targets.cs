namespace NeuralFlow.Keras;

/// <summary>
/// How every loss and metric lines targets up with predictions, written once: Keras'
/// <c>squeeze_or_expand_dimensions</c> for dense targets and its sparse-label rule (with the
/// range check TensorFlow's kernels make) for class ids.
/// </summary>
internal static class Targets
{
    /// <summary>
    /// yTrue and yPred at the same rank, then checked to have the same shape. When the ranks
    /// differ by one and the larger has a last axis of 1 ((4,) against (4, 1)), the smaller gets
    /// that axis: Keras squeezes the larger instead, which gives the same values, but expanding
    /// keeps one value per example. Without this, (4,) and (4, 1) broadcast to 4x4 pairs.
    /// </summary>
    public static (Tensor YTrue, Tensor YPred) Align(string who, Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var (t, p) = (yTrue, yPred);
        if (p.Rank == t.Rank + 1 && p.Shape[-1] == 1) t = NF.ExpandDims(t, -1);
        else if (t.Rank == p.Rank + 1 && t.Shape[-1] == 1) p = NF.ExpandDims(p, -1);
        if (t.Shape != p.Shape)
            throw new ArgumentException(
                $"{who}: yTrue has shape {yTrue.Shape} but yPred has shape {yPred.Shape}; they must match (or differ only by a last axis of size 1).");
        return (t, p);
    }

    /// <summary>
    /// Integer class ids for predictions of shape (..., classes): float labels cast to int64 (as
    /// Keras), a last axis of 1 removed, the shape checked to be yPred's without its last axis,
    /// and, unless <paramref name="checkRange"/> is false (a kernel checks them), every label
    /// checked to be in [0, classes): a one-hot of any other label is all zeros, which would add
    /// nothing to a loss instead of failing.
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor SparseLabels(string who, Tensor yTrue, Tensor yPred, bool checkRange = true)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yPred.Rank == 0)
            throw new ArgumentException($"{who}: yPred must have a class axis (shape (..., classes)), got a scalar.");
        var labels = yTrue.DType is DType.Int32 or DType.Int64 or DType.UInt8 ? yTrue : NF.Cast(yTrue, DType.Int64);
        if (labels.Rank == yPred.Rank && labels.Shape[-1] == 1) labels = NF.Squeeze(labels, -1);
        var expected = new Shape(yPred.Shape.ToArray()[..^1]);
        if (labels.Shape != expected && yTrue.Shape == yPred.Shape && yPred.Rank >= 2)
            throw new ArgumentException(
                $"{who}: labels of shape {yTrue.Shape} have the predictions' shape, as one-hot labels do, but {who} takes integer class ids of shape {expected}; " +
                "use the categorical (not sparse) loss or metric for one-hot labels (e.g. CategoricalCrossentropy, \"categorical_accuracy\"), or pass NF.ArgMax(labels, -1).");
        if (labels.Shape != expected)
            throw new ArgumentException(
                $"{who}: labels of shape {yTrue.Shape} do not match predictions of shape {yPred.Shape}; expected labels of shape {expected}.");
        if (checkRange) CheckLabelRange(who, labels, yPred.Shape[-1]);
        return labels;
    }

    /// <summary>
    /// Throws, naming the first bad label, its position and the number of classes, unless every
    /// label is in [0, <paramref name="classes"/>). Reads two numbers (the minimum and maximum);
    /// the labels themselves only when one is bad.
    /// </summary>
    [MethodImpl(Hot)]
    public static void CheckLabelRange(string who, Tensor labels, int classes)
    {
        // Labels a kernel of this step has just checked (sparse cross-entropy) need no second, host, check.
        if (labels.Count == 0 || CheckedLabels.Cover(labels, classes)) return;
        using var scope = TensorScope.Begin();
        var ids = labels.DType == DType.Int64 ? labels : NF.Cast(labels, DType.Int64);
        // A replayed NF.Function step checks the bounds again (without the position, which would need all labels).
        var shape = labels.Shape;
        var bounds = FunctionTrace.ReadChecked<long>(NF.Stack([NF.ReduceMin(ids), NF.ReduceMax(ids)]), b =>
        {
            if (b[0] < 0 || b[1] >= classes)
                throw new ArgumentException(
                    $"{who}: received a label value of {(b[0] < 0 ? b[0] : b[1])} which is outside the valid range of [0, {classes}) (predictions have {classes} classes; labels shape {shape}).");
        });
        if (bounds[0] >= 0 && bounds[1] < classes) return;
        var values = ids.ToArray<long>();
        int i = Array.FindIndex(values, v => v < 0 || v >= classes);
        throw new ArgumentException(
            $"{who}: received a label value of {values[i]} at position {Position(i, ids.Shape)} which is outside the valid range of [0, {classes}) " +
            $"(predictions have {classes} classes; labels shape {labels.Shape}).");
    }

    // The multi-index of flat (row-major) index i, e.g. [1, 2].
    private static string Position(long i, Shape shape)
    {
        var index = new long[shape.Rank];
        for (int axis = shape.Rank - 1; axis >= 0; axis--)
        {
            index[axis] = i % shape[axis];
            i /= shape[axis];
        }
        return "[" + string.Join(", ", index) + "]";
    }
}
