namespace NeuralFlow;

// NumPy's tests and repairs of special float values (np.isneginf, isposinf, isreal, isclose,
// allclose, nan_to_num), composed of comparisons and selects so every engine runs them. As with
// IsNan, integer and bool inputs hold no NaN or infinity. The predicates give bool tensors and
// so no gradient; NanToNum passes the gradient to the values it keeps.
public static partial class NF
{
    /// <summary>True where x is -inf (<c>np.isneginf</c>); all false for integers and bool.</summary>
    public static Tensor IsNegInf(Tensor x) => IsInfinity(x, double.NegativeInfinity);

    /// <summary>True where x is +inf (<c>np.isposinf</c>); all false for integers and bool.</summary>
    public static Tensor IsPosInf(Tensor x) => IsInfinity(x, double.PositiveInfinity);

    private static Tensor IsInfinity(Tensor x, double infinity)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloating() ? Equal(x, infinity) : Fill(x.Shape, 0, DType.Bool, x.Backend);
    }

    /// <summary>
    /// True where x has no imaginary part (<c>np.isreal</c>, <c>keras.ops.isreal</c>): every
    /// element, NeuralFlow's tensors being real. A bool tensor of x's shape.
    /// </summary>
    public static Tensor IsReal(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Fill(x.Shape, 1, DType.Bool, x.Backend);
    }

    /// <summary>
    /// True where a and b are equal within a tolerance (<c>np.isclose</c>, <c>keras.ops.isclose</c>):
    /// |a - b| ≤ atol + rtol · |b| (not symmetric, as NumPy's), equal infinities are close, a
    /// NaN is close to nothing unless <paramref name="equalNan"/> and both are NaN. Integers are
    /// compared in float64.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">rtol or atol is negative or NaN.</exception>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices.</exception>
    public static Tensor IsClose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false)
    {
        if (!(rtol >= 0)) throw new ArgumentOutOfRangeException(nameof(rtol), rtol, $"IsClose: rtol must be a non-negative number, got {rtol}.");
        if (!(atol >= 0)) throw new ArgumentOutOfRangeException(nameof(atol), atol, $"IsClose: atol must be a non-negative number, got {atol}.");
        (a, b) = PromotedPair(nameof(IsClose), a, b);
        using var paused = Tape.Pause();
        using var scope = TensorScope.Begin();
        if (!a.DType.IsFloating())
        {
            a = Cast(a, DType.Float64);
            b = Cast(b, DType.Float64);
        }
        var within = LogicalAnd(LessEqual(Abs(a - b), atol + rtol * Abs(b)), IsFinite(b));
        var close = LogicalOr(within, Equal(a, b));
        if (equalNan) close = LogicalOr(close, LogicalAnd(IsNan(a), IsNan(b)));
        return scope.Keep(close);
    }

    /// <summary>
    /// Whether every element of a is close to b's (<c>np.allclose</c>): <see cref="IsClose"/>
    /// everywhere; true for empty operands. Reads one bool back to the host.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">rtol or atol is negative or NaN.</exception>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices.</exception>
    public static bool AllClose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false)
    {
        using var close = IsClose(a, b, rtol, atol, equalNan);
        using var all = ReduceAll(close);
        return all.Item<bool>();
    }

    /// <summary>
    /// x with NaN replaced by <paramref name="nan"/>, +inf by <paramref name="posinf"/> and -inf by
    /// <paramref name="neginf"/> (<c>np.nan_to_num</c>, <c>keras.ops.nan_to_num</c>); null
    /// infinities become the dtype's largest and lowest finite values. Integers and bool are
    /// returned as they are. Gradient: g where x was kept, 0 where it was replaced.
    /// </summary>
    public static Tensor NanToNum(Tensor x, double nan = 0.0, double? posinf = null, double? neginf = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating()) return x.View(x.Layout);
        bool single = x.DType == DType.Float32;
        double top = posinf ?? (single ? float.MaxValue : double.MaxValue);
        double bottom = neginf ?? (single ? float.MinValue : double.MinValue);
        // The masks are not disposed: Where's gradient keeps them.
        var finite = Where(Equal(x, double.PositiveInfinity), top, Where(Equal(x, double.NegativeInfinity), bottom, x));
        return Where(IsNan(x), nan, finite);
    }
}
