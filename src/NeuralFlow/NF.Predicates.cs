namespace NeuralFlow;

// Elementwise float classification (tf.math.is_nan, is_inf, is_finite), composed of comparisons
// so that every engine runs them. Integer and bool inputs hold no NaN or infinity: all false
// (IsNan, IsInf) or all true (IsFinite), as torch.isnan does; TensorFlow refuses them instead.
// Bool results, so no gradient.
public static partial class NF
{
    /// <summary>True where <paramref name="x"/> is NaN (<c>tf.math.is_nan</c>): the one value not equal to itself.</summary>
    public static Tensor IsNan(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloating() ? NotEqual(x, x) : Fill(x.Shape, 0, DType.Bool, x.Backend);
    }

    /// <summary>True where <paramref name="x"/> is +inf or -inf (<c>tf.math.is_inf</c>).</summary>
    public static Tensor IsInf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating()) return Fill(x.Shape, 0, DType.Bool, x.Backend);
        using var paused = Tape.Pause();   // a comparison has no gradient: nothing to record, so |x| can go at once
        using var magnitude = Abs(x);
        return Equal(magnitude, double.PositiveInfinity);
    }

    /// <summary>True where <paramref name="x"/> is neither NaN nor infinite (<c>tf.math.is_finite</c>).</summary>
    public static Tensor IsFinite(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating()) return Fill(x.Shape, 1, DType.Bool, x.Backend);
        using var paused = Tape.Pause();
        using var magnitude = Abs(x);
        return Less(magnitude, double.PositiveInfinity);   // NaN compares false
    }
}
