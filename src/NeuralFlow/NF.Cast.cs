namespace NeuralFlow;

public static partial class NF
{
    /// <summary>Converts to <paramref name="dtype"/> (<c>tf.cast</c>): floats to integers truncate toward zero and saturate; anything to bool is x != 0.</summary>
    [MethodImpl(Hot)]
    public static Tensor Cast(Tensor x, DType dtype)
    {
        Tensor result;
        if (x.DType == dtype) result = x.View(x.Layout);
        else
        {
            result = Tensor.Empty(x.Shape, dtype, x.Backend);
            Engine.Cast(x, result);
        }
        // Only float-to-float casts carry a gradient.
        return dtype.IsFloating() ? Tape.Record(result, x, static (g, n) => [Cast(g, n.X.DType)]) : result;
    }
}
