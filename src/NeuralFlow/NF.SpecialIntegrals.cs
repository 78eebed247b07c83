namespace NeuralFlow;

// tf.math.special's integrals: Dawson's integral, the Fresnel integrals, Spence's function and the exponential
// integral. Like the Bessel functions (NF.SpecialBessel.cs) each computes in float64 with the tape paused from
// Chebyshev series of smooth remainders (SpecialChebyshev.cs, by scripts/special_chebyshev.py), piece by interval,
// and records its derivative as ordinary ops.
public static partial class NF
{
    /// <summary>
    /// Dawson's integral F(x) = e^(-x²) ∫₀ˣ e^(t²) dt (<c>tf.math.special.dawsn</c>, <c>scipy.special.dawsn</c>): odd,
    /// largest (0.5410) at x = 0.9241, ~1/(2x) far out, ±0 at ±inf. Integers give float32. Gradient g · (1 - 2x F(x)).
    /// </summary>
    public static Tensor Dawsn(Tensor x) =>
        Smooth(x, DawsonOf, static (g, n) => [g * (1 - 2 * n.X * n.Output)], nameof(Dawsn));

    /// <summary>
    /// The Fresnel cosine integral C(x) = ∫₀ˣ cos(πt²/2) dt (<c>tf.math.special.fresnel_cos</c>, scipy's C): odd, ±1/2 at
    /// ±inf. Integers give float32. Gradient g · cos(πx²/2).
    /// </summary>
    public static Tensor FresnelCos(Tensor x) =>
        Smooth(x, static t => FresnelOf(t, cosine: true), static (g, n) => [g * Cos(Math.PI / 2 * Square(n.X))], nameof(FresnelCos));

    /// <summary>
    /// The Fresnel sine integral S(x) = ∫₀ˣ sin(πt²/2) dt (<c>tf.math.special.fresnel_sin</c>, scipy's S): odd, ±1/2 at
    /// ±inf. Integers give float32. Gradient g · sin(πx²/2).
    /// </summary>
    public static Tensor FresnelSin(Tensor x) =>
        Smooth(x, static t => FresnelOf(t, cosine: false), static (g, n) => [g * Sin(Math.PI / 2 * Square(n.X))], nameof(FresnelSin));

    /// <summary>
    /// Spence's function ∫₁ˣ ln(t) / (1 - t) dt = Li₂(1 - x) (<c>tf.math.special.spence</c>, <c>scipy.special.spence</c>):
    /// defined for x ≥ 0 (NaN below), π²/6 at 0, 0 at 1, -inf at +inf. Integers give float32. Gradient g · ln(x) / (1 - x),
    /// -1 at x = 1.
    /// </summary>
    public static Tensor Spence(Tensor x) => Smooth(x, SpenceOf, static (g, n) =>
    {
        var one = Equal(n.X, 1);
        return [g * Where(one, -1.0, Log(n.X) / (1 - Where(one, 0.0, n.X)))];
    }, nameof(Spence));

    /// <summary>
    /// The exponential integral Ei(x) = ∫₋∞ˣ eᵗ / t dt, a principal value for x &gt; 0 (<c>tf.math.special.expint</c>,
    /// <c>scipy.special.expi</c>): -E1(-x) for x &lt; 0, -inf at 0, +inf beyond about 716 and at +inf, -0 at -inf.
    /// Integers give float32. Gradient g · eˣ / x.
    /// </summary>
    public static Tensor Expint(Tensor x) =>
        Smooth(x, ExpintOf, static (g, n) => [g * Exp(n.X) / n.X], nameof(Expint));

    private const double PiSquaredOver6 = 1.6449340668482264365, EulerGamma = 0.57721566490153286061;

    // Odd; on |x|: F/x in x² up to 2, F itself on [2, 4] and [4, 8], x F in 64/x² beyond.
    private static Tensor DawsonOf(Tensor x)
    {
        var a = Abs(x);
        var a1 = Minimum(a, 2.0);
        var v1 = Chebyshev(Square(a1) - 2, SpecialChebyshev.DawsonNear) * a1;
        var v2 = Chebyshev(2 * (Minimum(Maximum(a, 2.0), 4.0) - 3), SpecialChebyshev.DawsonMid);
        var v3 = Chebyshev(Minimum(Maximum(a, 4.0), 8.0) - 6, SpecialChebyshev.DawsonHigh);
        var a4 = Maximum(a, 8.0);
        var v4 = Chebyshev(256 / Square(a4) - 2, SpecialChebyshev.DawsonFar) / a4;
        var value = Where(LessEqual(a, 2.0), v1, Where(LessEqual(a, 4.0), v2, Where(LessEqual(a, 8.0), v3, v4)));
        return Where(Less(x, 0), -value, value);
    }

    // Odd; on |x|: C/x and S/x³ are series in x⁴ up to 2; beyond, C = 1/2 + f sin φ - g cos φ and S = 1/2 - f cos φ -
    // g sin φ with φ = πx²/2 and x f, x³ g series in 4/x².
    private static Tensor FresnelOf(Tensor x, bool cosine)
    {
        var a = Abs(x);
        var an = Minimum(a, 2.0);
        var t = Square(Square(an)) / 4 - 2;   // 2(x⁴/8 - 1)
        var nearValue = cosine
            ? Chebyshev(t, SpecialChebyshev.FresnelCNear) * an
            : Chebyshev(t, SpecialChebyshev.FresnelSNear) * an * Square(an);
        var af = Maximum(a, 2.0);
        var tf = 16 / Square(af) - 2;         // 2(8/x² - 1)
        var f = Chebyshev(tf, SpecialChebyshev.FresnelFFar) / af;
        var g = Chebyshev(tf, SpecialChebyshev.FresnelGFar) / (af * Square(af));
        var phase = Math.PI * HalfSquareModuloTwo(Minimum(af, 1e17));   // past 1e17, f and g are below 1e-17
        var (s, c) = (Sin(phase), Cos(phase));
        var far = cosine ? 0.5 + f * s - g * c : 0.5 - f * c - g * s;
        var value = Where(LessEqual(a, 2.0), nearValue, far);
        return Where(Less(x, 0), -value, value);
    }

    // x²/2 modulo 2 for 0 ≤ x ≤ 1e17, so that π times it is the Fresnel phase without the rounding of x² (whose lost
    // low bits are whole turns of the phase already at x = 1e4): x split into a 26-bit head and a tail (Veltkamp),
    // each product exact, each reduced modulo 2.
    private static Tensor HalfSquareModuloTwo(Tensor x)
    {
        var c = 134217729.0 * x;   // 2^27 + 1
        var head = c - (c - x);
        var tail = x - head;
        return ModuloTwo(ModuloTwo(Square(head) / 2) + ModuloTwo(head * tail) + Square(tail) / 2);
    }

    private static Tensor ModuloTwo(Tensor v) => v - 2 * Floor(v / 2);

    // Li₂(z) for z in [-1, 1/2]: z times a series in z.
    private static Tensor DilogOf(Tensor z) => Chebyshev((8 * z + 2) / 3, SpecialChebyshev.Dilog) * z;

    // Li₂(1 - x) from Li₂ on [-1, 1/2]: directly for x in [1/2, 2]; by the reflection Li₂(1-x) = π²/6 - ln x ln(1-x) -
    // Li₂(x) below 1/2; by the inversion Li₂(1-x) = -π²/6 - ln²(x-1)/2 - Li₂(1/(1-x)) above 2.
    private static Tensor SpenceOf(Tensor x)
    {
        var low = Minimum(Maximum(x, 0.0), 0.5);
        var lowValue = PiSquaredOver6 - Where(Equal(low, 0), 0.0, Log(low) * Log1p(-low)) - DilogOf(low);
        var middle = Minimum(Maximum(x, 0.5), 2.0);
        var middleValue = DilogOf(1 - middle);
        var high = Maximum(x, 2.0);
        var highValue = -PiSquaredOver6 - 0.5 * Square(Log(high - 1)) - DilogOf(1 / (1 - high));
        var value = Where(LessEqual(x, 0.5), lowValue, Where(LessEqual(x, 2.0), middleValue, highValue));
        return Where(Less(x, 0), double.NaN, value);
    }

    // Ei: γ + ln|x| + an entire series on [-2, 2]; x e^-x Ei(x) on the octaves (2, 4], ..., (32, 64] and beyond 64;
    // Ei(-y) = -E1(y) with y e^y E1(y) on (2, 8], (8, 32] and beyond 32. Each piece reads x clamped to its interval
    // and the one whose interval holds x is kept.
    private static Tensor ExpintOf(Tensor x)
    {
        var s = Minimum(Maximum(x, -2.0), 2.0);
        var value = EulerGamma + Log(Abs(s)) + Chebyshev(s, SpecialChebyshev.EiSmall);
        double[][] octaves = [SpecialChebyshev.EiPos2, SpecialChebyshev.EiPos4, SpecialChebyshev.EiPos8, SpecialChebyshev.EiPos16, SpecialChebyshev.EiPos32];
        for (int i = 0; i < octaves.Length; i++)
        {
            double lo = 2 << i, hi = 2 * lo;
            var xp = Minimum(Maximum(x, lo), hi);
            value = Where(Greater(x, lo), ScaledPiece(xp, lo, hi, octaves[i]) * Exp(xp) / xp, value);
        }

        var far = Maximum(x, 64.0);
        // e^x / x as e^(x - ln x) past 700, where e^x alone overflows before Ei does (at about 716).
        var expOverX = Where(Greater(far, 700.0), Exp(far - Log(far)), Exp(Minimum(far, 700.0)) / far);
        var farValue = Chebyshev(256 / far - 2, SpecialChebyshev.EiPosFar) * expOverX;   // 2(128/x - 1)
        value = Where(Greater(x, 64.0), Where(IsInf(far), double.PositiveInfinity, farValue), value);

        var y = -x;
        foreach (var (lo, hi, series) in new[] { (2.0, 8.0, SpecialChebyshev.E1Neg2), (8.0, 32.0, SpecialChebyshev.E1Neg8) })
        {
            var yp = Minimum(Maximum(y, lo), hi);
            value = Where(Greater(y, lo), -ScaledPiece(yp, lo, hi, series) * Exp(-yp) / yp, value);
        }

        var yFar = Maximum(y, 32.0);
        return Where(Greater(y, 32.0), -Chebyshev(128 / yFar - 2, SpecialChebyshev.E1NegFar) * Exp(-yFar) / yFar, value);   // 2(64/y - 1)
    }

    // A series in 1/x over [lo, hi] (t = 1 at lo, -1 at hi), as special_chebyshev.py's inverse_interval maps it.
    private static Tensor ScaledPiece(Tensor x, double lo, double hi, double[] series)
    {
        double middle = (1 / hi + 1 / lo) / 2, half = (1 / lo - 1 / hi) / 2;
        return Chebyshev(2 * ((1 / x - middle) / half), series);
    }
}
