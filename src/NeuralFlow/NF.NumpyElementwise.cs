using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// The elementwise NumPy functions of keras.ops that NeuralFlow lacked (np.trunc, hypot, fmax,
// fmin, logaddexp, logaddexp2, deg2rad, rad2deg, heaviside, sinc), each a composition of existing ops so
// that every engine runs it. The smooth ones compute in float64 with the tape paused and record
// their textbook derivative as one rule (as Trig.cs does, for the same reason: the chain through
// where's untaken branches may be inf or NaN where the function is smooth). Integer inputs give
// float32, as Exp does, except for the ones NumPy keeps integral (trunc, fmax, fmin, heaviside).
public static partial class NF
{
    /// <summary>
    /// x rounded toward zero (<c>np.trunc</c>, <c>keras.ops.trunc</c>): -1.7 → -1, -0.2 → -0, 1.7 → 1.
    /// Integers are returned as they are; the gradient is zero (PyTorch's).
    /// </summary>
    public static Tensor Trunc(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating()) return Floor(x);   // integers unchanged, bool as Floor treats it
        return Where(Less(x, 0), Ceil(x), Floor(x));   // the mask is not disposed: Where's gradient keeps it
    }

    /// <summary>
    /// sqrt(a² + b²) without overflow or underflow in between (<c>np.hypot</c>): max · sqrt(1 + (min/max)²).
    /// An infinite leg gives +inf even when the other is NaN (C's hypot). Gradients a / h and b / h
    /// (0 at the origin, as for |x|).
    /// </summary>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices (different dtypes promote, as NumPy's).</exception>
    public static Tensor Hypot(Tensor a, Tensor b) => SmoothPair(nameof(Hypot), a, b, static (x, y) =>
    {
        var ax = Abs(x);
        var ay = Abs(y);
        var big = Maximum(ax, ay);
        var small = Minimum(ax, ay);
        var ratio = small / Where(Equal(big, 0), 1.0, big);
        var h = big * Sqrt(1 + Square(ratio));
        return Where(LogicalOr(IsInf(ax), IsInf(ay)), double.PositiveInfinity, h);
    }, static (g, n) =>
    {
        var h = Where(Equal(n.Output, 0), 1.0, n.Output);
        return [n.Wants(0) ? ReduceTo(g * n.X / h, n.X.Shape) : null, n.Wants(1) ? ReduceTo(g * n.Y / h, n.Y.Shape) : null];
    });

    /// <summary>
    /// log2(2^a + 2^b) without overflow (<c>np.logaddexp2</c>): max(a, b) + log2(1 + 2^-|a - b|);
    /// equal infinities give that infinity. Gradients 2^a / (2^a + 2^b) and 2^b / (2^a + 2^b).
    /// </summary>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices (different dtypes promote, as NumPy's).</exception>
    public static Tensor LogAddExp2(Tensor a, Tensor b) => SmoothPair(nameof(LogAddExp2), a, b, static (x, y) =>
    {
        var spread = Log1p(Exp(-Abs(x - y) * Ln2)) / Ln2;
        return Where(Equal(x, y), x + 1, Maximum(x, y) + spread);   // x = y = ±inf: inf - inf would be NaN
    }, static (g, n) =>
    {
        // 2^a / (2^a + 2^b) = sigmoid((a - b) ln 2), finite for every a, b.
        var share = Sigmoid((n.X - n.Y) * Ln2);
        return [n.Wants(0) ? ReduceTo(g * share, n.X.Shape) : null, n.Wants(1) ? ReduceTo(g * (1 - share), n.Y.Shape) : null];
    });

    /// <summary>
    /// log(e^a + e^b) without overflow (<c>np.logaddexp</c>, <c>keras.ops.logaddexp</c>, <c>torch.logaddexp</c>):
    /// max(a, b) + log1p(e^-|a - b|); equal infinities give that infinity. Gradients e^a / (e^a + e^b) =
    /// sigmoid(a - b) and sigmoid(b - a).
    /// </summary>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices (different dtypes promote, as NumPy's).</exception>
    public static Tensor LogAddExp(Tensor a, Tensor b) => SmoothPair(nameof(LogAddExp), a, b, static (x, y) =>
        Where(Equal(x, y), x + Ln2, Maximum(x, y) + Log1p(Exp(-Abs(x - y)))),   // x = y = ±inf: inf - inf would be NaN
    static (g, n) =>
    {
        // Half each where a = b, equal infinities included (sigmoid(inf - inf) would be NaN).
        var share = Where(Equal(n.X, n.Y), 0.5, Sigmoid(n.X - n.Y));
        return [n.Wants(0) ? ReduceTo(g * share, n.X.Shape) : null, n.Wants(1) ? ReduceTo(g * (1 - share), n.Y.Shape) : null];
    });

    /// <summary>
    /// Elementwise maximum that ignores NaN (<c>np.fmax</c>): the other operand where one is NaN,
    /// NaN only where both are. Gradient as <see cref="Maximum(Tensor, Tensor)"/>'s, to the operand chosen.
    /// </summary>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices (different dtypes promote, as NumPy's).</exception>
    public static Tensor Fmax(Tensor a, Tensor b) => NanIgnoring(nameof(Fmax), a, b, Maximum);

    /// <summary>Elementwise minimum that ignores NaN (<c>np.fmin</c>); see <see cref="Fmax"/>.</summary>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices (different dtypes promote, as NumPy's).</exception>
    public static Tensor Fmin(Tensor a, Tensor b) => NanIgnoring(nameof(Fmin), a, b, Minimum);

    // Maximum/Minimum propagate NaN; fmax/fmin take the other operand there instead.
    private static Tensor NanIgnoring(string op, Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> pick)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Engine.Promote(op, a, b);
        var extreme = pick(a, b);
        if (!extreme.DType.IsFloating()) return extreme;   // no NaN to ignore
        // The masks are not disposed: Where's gradient keeps them.
        return Where(IsNan(b), a, Where(IsNan(a), b, extreme));
    }

    /// <summary>Degrees to radians (<c>np.deg2rad</c>): x · π / 180. Integers give float32.</summary>
    public static Tensor Deg2Rad(Tensor x) => FloatOf(x) * (Math.PI / 180);

    /// <summary>Radians to degrees (<c>np.rad2deg</c>): x · 180 / π. Integers give float32.</summary>
    public static Tensor Rad2Deg(Tensor x) => FloatOf(x) * (180 / Math.PI);

    /// <summary>
    /// The Heaviside step (<c>np.heaviside(x, h0)</c>): 0 where x &lt; 0, <paramref name="h0"/> where
    /// x == 0, 1 where x &gt; 0, NaN where x is NaN; the dtype is the two operands' common one. The
    /// gradient is zero for x (piecewise constant) and the upstream gradient for h0 where x == 0.
    /// </summary>
    /// <exception cref="ArgumentException">x and h0 do not broadcast or are on different devices (different dtypes promote, as NumPy's).</exception>
    public static Tensor Heaviside(Tensor x, Tensor h0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(h0);
        var dtype = Engine.PromotedDType(nameof(Heaviside), x, h0);
        var xs = x.DType == dtype || x.IsWeakScalar ? x : Cast(x, dtype);
        var at0 = h0.DType == dtype || h0.IsWeakScalar ? h0 : Cast(h0, dtype);
        // A zero-gradient copy of x carries x's NaN through (and no gradient back to x).
        var nan = xs.DType.IsFloating() ? Floor(xs) : xs;
        var step = Where(Equal(xs, 0), at0, nan);
        return Where(Less(xs, 0), 0, Where(Greater(xs, 0), 1, step));
    }

    /// <summary>
    /// The normalised sinc (<c>np.sinc</c>): sin(πx) / (πx), 1 at x = 0. Integers give float32.
    /// Gradient (cos(πx) - sinc(x)) / x, 0 at x = 0.
    /// </summary>
    public static Tensor Sinc(Tensor x) => Smooth(x, static t =>
    {
        var px = t * Math.PI;
        return Where(Equal(t, 0), 1.0, Sin(px) / Where(Equal(t, 0), 1.0, px));
    }, static (g, n) =>
    {
        var zero = Equal(n.X, 0);
        var slope = (Cos(n.X * Math.PI) - n.Output) / Where(zero, 1.0, n.X);
        return [g * Where(zero, 0.0, slope)];
    }, nameof(Sinc));

    // x itself when it is a float tensor, else x in float32 (the integer rule of Exp).
    private static Tensor FloatOf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType.IsFloating() ? x : Cast(x, DType.Float32);
    }

    // Smooth's two-operand form: a and b broadcast together in float64 with the tape paused, the
    // result in their common float dtype (float32 for integers), `derivative` recorded as its rule.
    private static Tensor SmoothPair(string op, Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> value, GradientRule derivative)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        a = Engine.OnBackendOf(a, a.IsWeakScalar ? b : a);
        b = Engine.OnBackendOf(b, b.IsWeakScalar ? a : b);
        (a, b) = Engine.Promote(op, a, b);   // the rule records a and b: one dtype, as its products need
        var dtype = Engine.CommonDType(op, a, b);
        Engine.BackendOf(op, a, b);
        var shape = Engine.BroadcastShapes(op, a.Shape, b.Shape);
        var outType = dtype.IsFloating() ? dtype : DType.Float32;
        Tensor result;
        using (Tape.Pause())
        using (var scope = TensorScope.Begin())
            result = scope.Keep(Cast(value(BroadcastTo(Cast(a, DType.Float64), shape), BroadcastTo(Cast(b, DType.Float64), shape)), outType));
        return Tape.Record(result, a, b, derivative, op: op);
    }
}
