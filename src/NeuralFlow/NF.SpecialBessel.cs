namespace NeuralFlow;

// The Bessel functions of the first and second kind J0, J1, Y0, Y1 and the modified ones of the second kind K0, K1
// (and e^x K0, e^x K1) of tf.math.special and torch.special. Each computes in float64 with the tape paused (Smooth)
// from Chebyshev series of a smooth remainder (SpecialChebyshev.cs, written by scripts/special_chebyshev.py with
// mpmath): the logarithm, the oscillation or the exponential that is not smooth is applied here, so a series of
// about 20 terms holds double precision (relative error about 1e-15, absolute near J's and Y's zeros). Gradients are
// the functions' own recurrences (J0' = -J1, ...), so second derivatives work too.
public static partial class NF
{
    /// <summary>
    /// The Bessel function of the first kind, order 0 (<c>tf.math.special.bessel_j0</c>, <c>torch.special.bessel_j0</c>,
    /// <c>scipy.special.j0</c>): even, J0(0) = 1, 0 at ±inf. Integers give float32. Gradient g · -J1(x).
    /// </summary>
    public static Tensor BesselJ0(Tensor x) =>
        Smooth(x, static t => BesselJYOf(t, order: 0, secondKind: false), static (g, n) => [-g * BesselJ1(n.X)], nameof(BesselJ0));

    /// <summary>
    /// The Bessel function of the first kind, order 1 (<c>tf.math.special.bessel_j1</c>, <c>torch.special.bessel_j1</c>):
    /// odd, J1(0) = 0, ±0 at ±inf. Integers give float32. Gradient g · (J0(x) - J1(x) / x), 1/2 at 0.
    /// </summary>
    public static Tensor BesselJ1(Tensor x) => Smooth(x, static t => BesselJYOf(t, order: 1, secondKind: false), static (g, n) =>
        [g * OverXAtZero(BesselJ0(n.X), n.Output, n.X, -1, 0.5)], nameof(BesselJ1));

    /// <summary>
    /// The Bessel function of the second kind, order 0 (<c>tf.math.special.bessel_y0</c>, <c>torch.special.bessel_y0</c>):
    /// defined for x ≥ 0, -inf at 0, NaN below. Integers give float32. Gradient g · -Y1(x).
    /// </summary>
    public static Tensor BesselY0(Tensor x) =>
        Smooth(x, static t => BesselJYOf(t, order: 0, secondKind: true), static (g, n) => [-g * BesselY1(n.X)], nameof(BesselY0));

    /// <summary>
    /// The Bessel function of the second kind, order 1 (<c>tf.math.special.bessel_y1</c>, <c>torch.special.bessel_y1</c>):
    /// defined for x ≥ 0, -inf at 0, NaN below. Integers give float32. Gradient g · (Y0(x) - Y1(x) / x).
    /// </summary>
    public static Tensor BesselY1(Tensor x) => Smooth(x, static t => BesselJYOf(t, order: 1, secondKind: true), static (g, n) =>
        [g * (BesselY0(n.X) - n.Output / n.X)], nameof(BesselY1));

    /// <summary>
    /// The modified Bessel function of the second kind, order 0 (<c>tf.math.special.bessel_k0</c>,
    /// <c>torch.special.modified_bessel_k0</c>): defined for x ≥ 0, +inf at 0, NaN below, 0 at +inf. Integers give
    /// float32. Gradient g · -K1(x).
    /// </summary>
    public static Tensor BesselK0(Tensor x) =>
        Smooth(x, static t => BesselKOf(t, order: 0, scaled: false), static (g, n) => [-g * BesselK1(n.X)], nameof(BesselK0));

    /// <summary>
    /// The modified Bessel function of the second kind, order 1 (<c>tf.math.special.bessel_k1</c>,
    /// <c>torch.special.modified_bessel_k1</c>): defined for x ≥ 0, +inf at 0, NaN below. Integers give float32.
    /// Gradient g · (-K0(x) - K1(x) / x).
    /// </summary>
    public static Tensor BesselK1(Tensor x) => Smooth(x, static t => BesselKOf(t, order: 1, scaled: false), static (g, n) =>
        [g * (-BesselK0(n.X) - n.Output / n.X)], nameof(BesselK1));

    /// <summary>
    /// The exponentially scaled K0, e^x K0(x) (<c>tf.math.special.bessel_k0e</c>, <c>torch.special.scaled_modified_bessel_k0</c>):
    /// finite where K0 underflows (K0(800) is 0, K0e(800) 0.0443). Gradient g · (K0e(x) - K1e(x)).
    /// </summary>
    public static Tensor BesselK0e(Tensor x) => Smooth(x, static t => BesselKOf(t, order: 0, scaled: true), static (g, n) =>
        [g * (n.Output - BesselK1e(n.X))], nameof(BesselK0e));

    /// <summary>
    /// The exponentially scaled K1, e^x K1(x) (<c>tf.math.special.bessel_k1e</c>, <c>torch.special.scaled_modified_bessel_k1</c>).
    /// Gradient g · (K1e(x) - K0e(x) - K1e(x) / x).
    /// </summary>
    public static Tensor BesselK1e(Tensor x) => Smooth(x, static t => BesselKOf(t, order: 1, scaled: true), static (g, n) =>
        [g * (n.Output - BesselK0e(n.X) - n.Output / n.X)], nameof(BesselK1e));

    /// <summary>PyTorch's name of <see cref="BesselK0"/> (<c>torch.special.modified_bessel_k0</c>).</summary>
    public static Tensor ModifiedBesselK0(Tensor x) => BesselK0(x);

    /// <summary>PyTorch's name of <see cref="BesselK1"/> (<c>torch.special.modified_bessel_k1</c>).</summary>
    public static Tensor ModifiedBesselK1(Tensor x) => BesselK1(x);

    /// <summary>PyTorch's name of <see cref="BesselK0e"/> (<c>torch.special.scaled_modified_bessel_k0</c>).</summary>
    public static Tensor ScaledModifiedBesselK0(Tensor x) => BesselK0e(x);

    /// <summary>PyTorch's name of <see cref="BesselK1e"/> (<c>torch.special.scaled_modified_bessel_k1</c>).</summary>
    public static Tensor ScaledModifiedBesselK1(Tensor x) => BesselK1e(x);

    /// <summary>PyTorch's name of <see cref="I0"/> (<c>torch.special.modified_bessel_i0</c>).</summary>
    public static Tensor ModifiedBesselI0(Tensor x) => I0(x);

    /// <summary>PyTorch's name of <see cref="I1"/> (<c>torch.special.modified_bessel_i1</c>).</summary>
    public static Tensor ModifiedBesselI1(Tensor x) => I1(x);

    // d/dx of an order-1 function whose derivative is other + sign·f(x)/x: the limit at 0 is given (f(0) = 0 there).
    private static Tensor OverXAtZero(Tensor other, Tensor f, Tensor x, double sign, double atZero)
    {
        var zero = Equal(x, 0);
        return Where(zero, atZero, other + sign * f / Where(zero, 1.0, x));
    }

    // J or Y of order 0 or 1 on a float64 tensor. Up to 8: J0, J1/x and Y's remainders after (2/π) ln(x) J(x) (and
    // -(2/π)/x for Y1) are series in x². Beyond: Hankel's form √(2/(πx)) (P cos θ - Q sin θ) for J and (P sin θ +
    // Q cos θ) for Y, θ = x - π/4 (order 0) or x - 3π/4 (order 1), P and x·Q series in 8/x; sin θ and cos θ come from
    // sin x and cos x (x - π/4 would round away the low bits of a large x).
    private static Tensor BesselJYOf(Tensor x, int order, bool secondKind)
    {
        var a = Abs(x);
        var near = LessEqual(a, 8.0);
        var an = Minimum(a, 8.0);
        var t = Square(an) / 16 - 2;   // 2(x²/32 - 1): NF.Chebyshev's argument
        var j = order == 0 ? Chebyshev(t, SpecialChebyshev.J0Near) : Chebyshev(t, SpecialChebyshev.J1Near) * an;
        Tensor nearValue = j;
        if (secondKind)
        {
            nearValue = order == 0
                ? Chebyshev(t, SpecialChebyshev.Y0Near) + TwoOverPi * Log(an) * j
                : Chebyshev(t, SpecialChebyshev.Y1Near) * an + TwoOverPi * (Log(an) * j - 1 / an);
        }

        var af = Maximum(a, 8.0);
        var tf = 32 / af - 2;          // 2(16/x - 1)
        var p = Chebyshev(tf, order == 0 ? SpecialChebyshev.P0Far : SpecialChebyshev.P1Far);
        var q = Chebyshev(tf, order == 0 ? SpecialChebyshev.Q0Far : SpecialChebyshev.Q1Far) / af;
        var (s, c) = (Sin(af), Cos(af));
        var (sinTheta, cosTheta) = order == 0 ? ((s - c) * Sqrt1Over2, (c + s) * Sqrt1Over2) : ((-s - c) * Sqrt1Over2, (s - c) * Sqrt1Over2);
        var far = Sqrt(TwoOverPi / af) * (secondKind ? p * sinTheta + q * cosTheta : p * cosTheta - q * sinTheta);
        far = Where(IsInf(af), 0.0, far);   // sin(inf) is NaN; the limit is 0

        var value = Where(near, nearValue, far);
        if (secondKind) return Where(Less(x, 0), double.NaN, Where(Equal(x, 0), double.NegativeInfinity, value));
        return order == 0 ? value : Where(Less(x, 0), -value, value);
    }

    // K0 or K1 (or e^x times it) on a float64 tensor. Up to 2: K0 + ln(x/2) I0 and x K1 - x ln(x/2) I1 are series in x²
    // (I0 and I1 by BesselOf). Beyond: e^x √x K is a series in 2/x, whose e^-x underflows gracefully to 0.
    private static Tensor BesselKOf(Tensor x, int order, bool scaled)
    {
        var near = LessEqual(x, 2.0);
        var an = Minimum(Maximum(x, 0.0), 2.0);
        var t = Square(an) - 2;        // 2(x²/2 - 1)
        var log = Log(an / 2);
        var nearValue = order == 0
            ? Chebyshev(t, SpecialChebyshev.K0Near) - log * BesselOf(an, order: 0, scaled: false)
            : Chebyshev(t, SpecialChebyshev.K1Near) / an + log * BesselOf(an, order: 1, scaled: false);
        if (scaled) nearValue *= Exp(an);

        var af = Maximum(x, 2.0);
        var farScaled = Chebyshev(8 / af - 2, order == 0 ? SpecialChebyshev.K0Far : SpecialChebyshev.K1Far) / Sqrt(af);
        var far = scaled ? farScaled : farScaled * Exp(-af);

        var value = Where(near, nearValue, far);
        return Where(Less(x, 0), double.NaN, Where(Equal(x, 0), double.PositiveInfinity, value));
    }

    private const double TwoOverPi = 0.63661977236758134308, Sqrt1Over2 = 0.70710678118654752440;
}
