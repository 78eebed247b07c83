namespace NeuralFlow;

/// <summary>Small pieces that several gradient rules share.</summary>
internal static class GradientHelpers
{
    /// <summary>
    /// Undoes broadcasting: sums <paramref name="grad"/> over the axes that broadcasting added or
    /// stretched, so that it has <paramref name="shape"/> again.
    /// </summary>
    [MethodImpl(Hot)]
    public static Tensor ReduceTo(Tensor grad, Shape shape)
    {
        if (grad.Shape == shape) return grad;
        int lead = grad.Rank - shape.Rank;
        var axes = new List<int>();
        for (int i = 0; i < grad.Rank; i++)
            if (i < lead || shape[i - lead] == 1 && grad.Shape[i] != 1) axes.Add(i);
        using var summed = NF.ReduceSum(grad, axes.ToArray(), keepDims: true);
        return NF.Reshape(summed, shape);
    }

    /// <summary>A reduction's gradient spread back over the input's shape (reduced axes had size 1 or were dropped).</summary>
    [MethodImpl(Hot)]
    public static Tensor Expand(Tensor grad, Shape inputShape, uint mask)
    {
        var kept = new int[inputShape.Rank];
        for (int i = 0; i < kept.Length; i++) kept[i] = (mask & (1u << i)) != 0 ? 1 : inputShape[i];
        using var reshaped = NF.Reshape(grad, kept);
        return NF.BroadcastTo(reshaped, inputShape);
    }


    /// <summary>The same values as a new tensor (a view), recorded as an identity op (<c>tf.identity</c>).</summary>
    public static Tensor Identity(Tensor x) => Identity(x, x, nameof(Identity));

    /// <summary>A view of <paramref name="value"/> recorded as an identity of <paramref name="source"/> (a variable's old value read for its gradient).</summary>
    public static Tensor Identity(Tensor value, Tensor source, string op) =>
        Tape.Record(value.View(value.Layout), source, static (g, _) => [g], op: op);

    /// <summary>1 where <paramref name="condition"/> holds, else 0, in <paramref name="dtype"/>.</summary>
    [MethodImpl(Hot)]
    public static Tensor Mask(Tensor condition, DType dtype)
    {
        using (condition) return NF.Cast(condition, dtype);
    }
}
