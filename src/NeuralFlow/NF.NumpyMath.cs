using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// NumPy's elementwise exponent and sign functions that keras.ops / np have and NeuralFlow lacked
// (np.log2, log10, exp2, cbrt, reciprocal, ldexp, copysign, signbit, fmod). Each is composed
// of existing ops so every engine runs it; the smooth ones compute in float64 with the tape
// paused and record their derivative as one rule of differentiable ops (Smooth, in Trig.cs), so
// a tape over a tape differentiates again. Integer inputs give float32 (as Exp does).
public static partial class NF
{
    private const double Ln10 = 2.302585092994046;

    /// <summary>
    /// Base-2 logarithm (<c>np.log2</c>, <c>keras.ops.log2</c>). Exact at powers of two (log2(8) is
    /// 3, as NumPy's), -inf at 0, NaN below 0. Gradient g / (x ln 2).
    /// </summary>
    public static Tensor Log2(Tensor x) =>
        Smooth(x, static t => LogExactAtPowers(t, 2, Ln2), static (g, n) => [g / (n.X * Ln2)], nameof(Log2));

    /// <summary>
    /// Base-10 logarithm (<c>np.log10</c>, <c>keras.ops.log10</c>). Exact at powers of ten
    /// (log10(1000) is 3). Gradient g / (x ln 10).
    /// </summary>
    public static Tensor Log10(Tensor x) =>
        Smooth(x, static t => LogExactAtPowers(t, 10, Ln10), static (g, n) => [g / (n.X * Ln10)], nameof(Log10));

    // ln(t) / ln(base) is off by an ulp at some exact powers (ln 1000 / ln 10 = 2.9999999999999996):
    // where base^round(r) is t itself, that integer. Pow is exact for these on every engine.
    private static Tensor LogExactAtPowers(Tensor t, double @base, double lnBase)
    {
        var r = Log(t) / lnBase;
        var k = Round(r);
        return Where(Equal(Pow(@base, k), t), k, r);
    }

    /// <summary>2^x (<c>np.exp2</c>, <c>keras.ops.exp2</c>): exact at integers (exp2(3) is 8). Gradient g · 2^x · ln 2.</summary>
    public static Tensor Exp2(Tensor x) =>
        Smooth(x, static t => Pow(2.0, t), static (g, n) => [g * n.Output * Ln2], nameof(Exp2));

    /// <summary>
    /// The real cube root (<c>np.cbrt</c>, <c>keras.ops.cbrt</c>): negative for negative x
    /// (cbrt(-8) is -2), exact at perfect cubes, ±0 and ±inf kept. Gradient g / (3 cbrt(x)²),
    /// +inf at 0 (as d/dx x^(1/3) in PyTorch).
    /// </summary>
    public static Tensor Cbrt(Tensor x) => Smooth(x, static t =>
    {
        var y = Sign(t) * Pow(Abs(t), 1.0 / 3);
        // One Newton step for the last bits: 1/3 is not a double, so pow(x, 1/3) is off by up to
        // |ln x| · 2e-17 relatively (pow(27, 1/3) is 3.0000000000000004). In the form
        // y - (y - x / y²) / 3 no intermediate overflows; 0, ±inf and NaN are kept as they are.
        var refine = LogicalAnd(IsFinite(t), NotEqual(t, 0));
        var safe = Where(refine, y, 1.0);
        return Where(refine, safe - (safe - t / (safe * safe)) / 3, Where(Equal(t, 0), t, y));
    }, static (g, n) => [g / (3 * Square(n.Output))], nameof(Cbrt));

    /// <summary>
    /// 1 / x (<c>np.reciprocal</c>, <c>torch.reciprocal</c>): inf at 0. Integers give float32 (as
    /// PyTorch; NumPy's integer reciprocal truncates to 0). Gradient -g / x².
    /// </summary>
    public static Tensor Reciprocal(Tensor x) => 1.0 / FloatOf(x);

    /// <summary>
    /// x · 2^e (<c>np.ldexp</c>, <c>keras.ops.ldexp</c>) for an integer exponent e, broadcast with x;
    /// exact unless the result leaves the dtype's range (then ±inf or a subnormal, as C's ldexp).
    /// Integer x gives float32. Gradient g · 2^e for x; e gets none.
    /// </summary>
    /// <exception cref="ArgumentException">e is not an integer tensor, or x and e do not broadcast.</exception>
    public static Tensor Ldexp(Tensor x, Tensor e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var xf = FloatOf(x);
        if (!e.DType.IsInteger())
            throw new ArgumentException($"Ldexp: the exponent e must be an integer tensor, got {e.DType.Name()} (np.ldexp refuses float exponents).", nameof(e));
        e = Engine.OnBackendOf(e, xf);
        Tensor result;
        using (Tape.Pause())
        using (var scope = TensorScope.Begin())
        {
            // Two halves of 2^e: 2^1100 overflows though 2^-1074 · 2^1100 does not.
            var ed = Cast(e, DType.Float64);
            var half = Floor(ed / 2);
            result = scope.Keep(Cast(Cast(xf, DType.Float64) * Pow(2.0, half) * Pow(2.0, ed - half), xf.DType));
        }
        return Tape.Record(result, xf, e, static (g, n) =>
            [n.Wants(0) ? ReduceTo(g * Cast(Pow(2.0, Cast(n.Y, DType.Float64)), g.DType), n.X.Shape) : null, null]);
    }

    /// <summary>
    /// |a| with the sign of b (<c>np.copysign</c>, <c>keras.ops.copysign</c>), -0 in b counting as
    /// negative. A NaN b counts as positive (its sign bit is not visible to comparisons).
    /// Integers give float32. Gradient (PyTorch's): g · sign(a) · sign(result) for a, none for b.
    /// </summary>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices.</exception>
    public static Tensor Copysign(Tensor a, Tensor b)
    {
        (a, b) = PromotedPair(nameof(Copysign), a, b);
        var magnitude = Abs(FloatOf(a));
        return Where(SignBit(FloatOf(b)), -magnitude, magnitude);   // the mask is not disposed: Where's gradient keeps it
    }

    /// <summary>
    /// True where x's sign bit is set (<c>np.signbit</c>, <c>keras.ops.signbit</c>): negative
    /// numbers, -0 and -inf. NaN gives false whatever its sign bit. Integers: x &lt; 0.
    /// </summary>
    public static Tensor Signbit(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var paused = Tape.Pause();
        return x.DType.IsFloating() ? SignBit(x) : x.DType == DType.Bool ? Fill(x.Shape, 0, DType.Bool, x.Backend) : Less(x, 0);
    }

    /// <summary>
    /// C's fmod (<c>np.fmod</c>, <c>keras.ops.fmod</c>): the remainder with the dividend's sign,
    /// which <see cref="TruncateMod"/> already is (fmod(-7, 2) is -1, fmod(x, 0) is NaN for floats).
    /// </summary>
    /// <exception cref="DivideByZeroException">Integers with a zero divisor (NumPy gives 0 and warns).</exception>
    public static Tensor Fmod(Tensor a, Tensor b) => TruncateMod(a, b);

    /// <summary>
    /// The next representable value after a toward b (<c>np.nextafter</c>), in the operands'
    /// common float dtype (float32 for integers): b itself where a == b, NaN where either is NaN,
    /// the smallest subnormal stepping off 0. Piecewise constant: no gradient (as PyTorch).
    /// </summary>
    /// <exception cref="ArgumentException">a and b do not broadcast or are on different devices.</exception>
    public static Tensor Nextafter(Tensor a, Tensor b)
    {
        (a, b) = PromotedPair(nameof(Nextafter), a, b);
        var dtype = a.DType.IsFloating() ? a.DType : DType.Float32;
        bool single = dtype == DType.Float32;
        int mantissa = single ? 23 : 52, minExponent = single ? -126 : -1022;
        double largest = single ? float.MaxValue : double.MaxValue;
        using var paused = Tape.Pause();
        using var scope = TensorScope.Begin();
        var x = Cast(a, DType.Float64);
        var y = Cast(b, DType.Float64);
        var ax = Abs(x);
        // The binade of |x|: floor(log2 |x|), corrected where the logarithm rounded across a power of two.
        var e = Floor(Log(Where(Equal(ax, 0), 1.0, ax)) / Ln2);
        e = Where(Greater(Pow(2.0, e), ax), e - 1, e);
        e = Where(LessEqual(Pow(2.0, e + 1), ax), e + 1, e);
        e = Where(Equal(ax, 0), (double)minExponent, Maximum(e, (double)minExponent));
        var spacingAbove = Pow(2.0, e - mantissa);
        // Below a power of two the spacing halves (not below the smallest normal: subnormals are evenly spaced).
        var spacingBelow = Where(LogicalAnd(Equal(ax, Pow(2.0, e)), Greater(e, (double)minExponent)), spacingAbove / 2, spacingAbove);
        var up = Greater(y, x);
        var awayFromZero = LogicalOr(LogicalAnd(up, GreaterEqual(x, 0)), LogicalAnd(LogicalNot(up), LessEqual(x, 0)));
        var step = Where(awayFromZero, spacingAbove, spacingBelow);
        var next = Where(up, x + step, x - step);
        next = Where(IsInf(x), Sign(x) * largest, next);   // from ±inf toward anything finite
        next = Where(Equal(x, y), y, Where(LogicalOr(IsNan(x), IsNan(y)), double.NaN, next));
        return scope.Keep(Cast(next, dtype));
    }

    // Two operands on one device (a C# number moves to the tensor's) in their common dtype, as
    // NumPy's binary functions take them.
    private static (Tensor A, Tensor B) PromotedPair(string op, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        a = Engine.OnBackendOf(a, a.IsWeakScalar ? b : a);
        b = Engine.OnBackendOf(b, b.IsWeakScalar ? a : b);
        return Engine.Promote(op, a, b);
    }
}
