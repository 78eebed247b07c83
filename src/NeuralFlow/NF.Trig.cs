using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// The trigonometric and hyperbolic functions TensorFlow has beyond sin and cos. Each value is
// composed of existing kernels (exp, expm1, log1p, sqrt, where, ...), so every engine, the tape,
// NF.Function replays and CUDA graphs run them with no kernel of their own; the inverse
// functions use Cephes' arctangent. Values are computed in float64 and rounded to the input's
// dtype (float32 results are then within an ulp of the true value); integer inputs give
// float32, as Exp does. The derivative of each is recorded as one rule with its textbook
// formula: the composition's own chain would pass through where's untaken branches, which may
// be inf or NaN where the function itself is smooth.
public static partial class NF
{
    /// <summary>Elementwise tangent (<c>tf.math.tan</c>), in radians: sin(x) / cos(x). Gradient 1 + tan²(x).</summary>
    public static Tensor Tan(Tensor x) =>
        Smooth(x, static t => Sin(t) / Cos(t), static (g, n) => [g * (1 + Square(n.Output))], nameof(Tan));

    /// <summary>Elementwise hyperbolic sine (<c>tf.math.sinh</c>), exact near 0 and finite up to where sinh itself overflows. Gradient cosh(x).</summary>
    public static Tensor Sinh(Tensor x) => Smooth(x, static t =>
    {
        // |x| < 1: (expm1(x) - expm1(-x)) / 2 keeps the small values; beyond, h = e^(|x|/2) and
        // h * h / 2 overflows only where sinh does (e^|x| alone would overflow earlier).
        var a = Abs(t);
        var h = Exp(a * 0.5);
        var large = Sign(t) * ((h * 0.5) * h - 0.5 / (h * h));
        return Where(Less(a, 1), (Expm1(t) - Expm1(-t)) * 0.5, large);
    }, static (g, n) => [g * Cosh(n.X)], nameof(Sinh));

    /// <summary>Elementwise hyperbolic cosine (<c>tf.math.cosh</c>), finite up to where cosh itself overflows. Gradient sinh(x).</summary>
    public static Tensor Cosh(Tensor x) => Smooth(x, static t =>
    {
        var h = Exp(Abs(t) * 0.5);
        return (h * 0.5) * h + 0.5 / (h * h);
    }, static (g, n) => [g * Sinh(n.X)], nameof(Cosh));

    /// <summary>Elementwise arctangent (<c>tf.math.atan</c>), in (-π/2, π/2). Gradient 1 / (1 + x²).</summary>
    public static Tensor Atan(Tensor x) =>
        Smooth(x, AtanOf, static (g, n) => [g / (1 + Square(n.X))], nameof(Atan));

    /// <summary>Elementwise arcsine (<c>tf.math.asin</c>), in [-π/2, π/2]; NaN outside [-1, 1]. Gradient 1 / sqrt(1 - x²).</summary>
    public static Tensor Asin(Tensor x) => Smooth(x, static d => AtanOf(d / Sqrt((1 - d) * (1 + d))),
        static (g, n) => [g / Sqrt((1 - n.X) * (1 + n.X))], nameof(Asin));

    /// <summary>Elementwise arccosine (<c>tf.math.acos</c>), in [0, π]; NaN outside [-1, 1]. Gradient -1 / sqrt(1 - x²).</summary>
    public static Tensor Acos(Tensor x) => Smooth(x, static d => 2 * AtanOf(Sqrt((1 - d) / (1 + d))),
        static (g, n) => [-g / Sqrt((1 - n.X) * (1 + n.X))], nameof(Acos));

    /// <summary>Elementwise inverse hyperbolic sine (<c>tf.math.asinh</c>). Gradient 1 / sqrt(1 + x²).</summary>
    public static Tensor Asinh(Tensor x) => Smooth(x, static t =>
    {
        // log1p(a + a²/(1 + sqrt(1 + a²))) loses nothing near 0; past 2^28, 1 + a² rounds to a²
        // and asinh(a) is log(2a) to the last bit, which also never squares a huge a.
        var a = Abs(t);
        var a2 = Square(a);
        var r = Where(Greater(a, LargeArgument), Log(a) + Ln2, Log1p(a + a2 / (1 + Sqrt(1 + a2))));
        return Where(Less(t, 0), -r, r);
    }, static (g, n) => [g / Sqrt(1 + Square(n.X))], nameof(Asinh));

    /// <summary>Elementwise inverse hyperbolic cosine (<c>tf.math.acosh</c>), for x ≥ 1 (NaN below). Gradient 1 / sqrt(x² - 1).</summary>
    public static Tensor Acosh(Tensor x) => Smooth(x, static t =>
    {
        // With u = x - 1 (exact near 1): log1p(u + sqrt(u (u + 2))); past 2^28, log(2x). Below 1
        // that formula can still be a number (u (u + 2) > 0 for x < -1), so the domain is explicit.
        var u = t - 1;
        var r = Where(Greater(t, LargeArgument), Log(t) + Ln2, Log1p(u + Sqrt(u * (u + 2))));
        return Where(Less(t, 1), double.NaN, r);
    }, static (g, n) => [g / Sqrt((n.X - 1) * (n.X + 1))], nameof(Acosh));

    /// <summary>Elementwise inverse hyperbolic tangent (<c>tf.math.atanh</c>): ±inf at ±1, NaN outside [-1, 1]. Gradient 1 / (1 - x²).</summary>
    public static Tensor Atanh(Tensor x) => Smooth(x, static t =>
    {
        // log1p(2a / (1 - a)) / 2 on a = |x|, then the sign: the negative side alone would round 1 + u badly.
        var a = Abs(t);
        var r = Log1p(2 * a / (1 - a)) * 0.5;
        return Where(Less(t, 0), -r, r);
    }, static (g, n) => [g / ((1 - n.X) * (1 + n.X))], nameof(Atanh));

    /// <summary>
    /// The angle of the point (x, y) in radians, in [-π, π] (<c>tf.math.atan2(y, x)</c>, C's
    /// atan2: the signs of zeros and infinities pick the quadrant, atan2(0, 0) = 0,
    /// atan2(0, -1) = π, atan2(-0, -1) = -π). y and x broadcast together. Gradients
    /// x / (x² + y²) for y and -y / (x² + y²) for x (NaN at the origin, as in TensorFlow).
    /// </summary>
    /// <exception cref="ArgumentException">y and x do not broadcast, differ in dtype, or are on different devices.</exception>
    public static Tensor Atan2(Tensor y, Tensor x) => SmoothPair(nameof(Atan2), y, x, static (yd, xd) =>
    {
        var ay = Abs(yd);
        var ax = Abs(xd);
        var small = Minimum(ax, ay);
        var big = Maximum(ax, ay);
        // The ratio of the smaller to the larger leg, in [0, 1]: 0 at the origin, 1 when both are infinite.
        var ratio = Where(IsInf(small), 1.0, Where(Equal(big, 0), 0.0, small / big));
        var r = AtanOf(ratio);
        r = Where(Greater(ay, ax), Math.PI / 2 - r, r);
        r = Where(SignBit(xd), Math.PI - r, r);
        return Where(SignBit(yd), -r, r);
    }, static (g, n) =>
    {
        var (yv, xv) = (n.X, n.Y);
        var squared = Square(xv) + Square(yv);
        return [n.Wants(0) ? ReduceTo(g * xv / squared, yv.Shape) : null,
                n.Wants(1) ? ReduceTo(-g * yv / squared, xv.Shape) : null];
    });

    private const double LargeArgument = 268435456.0;   // 2^28: past it 1 + x² rounds to x² even in float64
    private const double Ln2 = 0.6931471805599453;

    // Runs `value` on x in float64 (the result in x's float dtype, float32 for integers) with the
    // tape paused and its temporaries freed, then records `derivative` as the result's one rule.
    private static Tensor Smooth(Tensor x, Func<Tensor, Tensor> value, GradientRule derivative, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor y;
        using (Tape.Pause())
        using (var scope = TensorScope.Begin())
            y = scope.Keep(InFloat64(x.DType.IsFloating() ? x : Cast(x, DType.Float32), value));
        return Tape.Record(y, x, derivative, op: op);
    }

    // f evaluated in float64 and rounded back to x's (float) dtype.
    private static Tensor InFloat64(Tensor x, Func<Tensor, Tensor> f) =>
        x.DType == DType.Float64 ? f(x) : Cast(f(Cast(x, DType.Float64)), x.DType);

    // True where t's sign bit is set: negative numbers, -0 and -inf (1 / -0 is -inf).
    private static Tensor SignBit(Tensor t) => LogicalOr(Less(t, 0), LogicalAnd(Equal(t, 0), Less(1.0 / t, 0)));

    // Cephes' atan (double precision, relative error about 1e-16) on a float64 tensor: the
    // argument reduced to |x| ≤ 0.66 by atan(x) = π/2 - atan(1/x) and π/4 + atan((x-1)/(x+1)),
    // then a rational function. NaN passes through (every comparison with it is false).
    private static Tensor AtanOf(Tensor x)
    {
        const double Tan3PiOver8 = 2.41421356237309504880, MoreBits = 6.123233995736765886130E-17;
        var a = Abs(x);
        var far = Greater(a, Tan3PiOver8);
        var middle = LogicalAnd(Greater(a, 0.66), LogicalNot(far));
        var reduced = Where(far, -1.0 / a, Where(middle, (a - 1) / (a + 1), a));
        var offset = Where(far, Math.PI / 2 + MoreBits, Where(middle, Math.PI / 4 + 0.5 * MoreBits, 0.0));
        var z = Square(reduced);
        var p = (((AtanP[0] * z + AtanP[1]) * z + AtanP[2]) * z + AtanP[3]) * z + AtanP[4];
        var q = ((((z + AtanQ[0]) * z + AtanQ[1]) * z + AtanQ[2]) * z + AtanQ[3]) * z + AtanQ[4];
        var r = offset + (reduced * (z * p / q) + reduced);
        return Where(Less(x, 0), -r, r);
    }

    private static readonly double[] AtanP =
        [-8.750608600031904122785E-1, -1.615753718733365076637E1, -7.500855792314704667340E1, -1.228866684490136173410E2, -6.485021904942025371773E1];

    private static readonly double[] AtanQ =
        [2.485846490142306297962E1, 1.650270098316988542046E2, 4.328810604912902668951E2, 4.853903996359136964868E2, 1.945506571482613964425E2];
}
