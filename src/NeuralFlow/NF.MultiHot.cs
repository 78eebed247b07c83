namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Multi-hot encoding (<c>keras.ops.multi_hot</c>): each row of integer labels becomes one
    /// vector of <paramref name="numClasses"/> with a 1 at every label it holds. Keras' rule: the
    /// labels are one-hot encoded (new axis at <paramref name="axis"/>) and the maximum is taken
    /// over axis 1 (axis 0 for a vector of labels), so [batch, n] labels give [batch, numClasses]
    /// and a vector [n] gives [numClasses]. Labels outside [0, numClasses) set nothing (as
    /// OneHot); float labels are truncated to int32 first, as Keras casts them; an empty row is all 0.
    /// </summary>
    /// <exception cref="ArgumentException">A scalar or bool input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">numClasses below 1, or axis out of range.</exception>
    public static Tensor MultiHot(Tensor inputs, int numClasses, int axis = -1, DType dtype = DType.Float32)
    {
        const string op = nameof(MultiHot);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank == 0)
            throw new ArgumentException($"{op}: the inputs need at least one axis of labels, got a scalar.", nameof(inputs));
        if (inputs.DType == DType.Bool)
            throw new ArgumentException($"{op}: the inputs must be integer (or float) class ids, got bool.", nameof(inputs));
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"{op}: numClasses must be at least 1.");
        var labels = inputs.DType.IsFloating() ? Cast(inputs, DType.Int32) : inputs;
        var encoded = OneHot(labels, numClasses, axis: axis, dtype: dtype);
        int reduce = inputs.Rank > 1 ? 1 : 0;
        if (encoded.Shape[reduce] == 0)
        {
            // No labels in a row: nothing is hot (the maximum of nothing has no value).
            var shape = encoded.Shape.ToArray().Where((_, i) => i != reduce).ToArray();
            using (UseBackend(inputs.Backend)) return Zeros(new Shape(shape), dtype);
        }
        return ReduceMax(encoded, reduce);
    }
}
