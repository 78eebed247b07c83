using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// The gamma family of tf.math and torch.special: lgamma, digamma, polygamma and the Hurwitz zeta
// function, which no engine has a kernel for. As Erfinv and I0 (SpecialFunctions.cs) each
// computes in float64 with the tape paused (Smooth / SmoothPair) from a fixed number of tensor
// ops, so it runs on every engine and inside a compiled step without reading a value on the host,
// and records its derivative as one rule of differentiable ops: lgamma' = digamma,
// digamma' = polygamma(1), polygamma(n)' = polygamma(n + 1), d/dq zeta(s, q) = -s zeta(s + 1, q).
public static partial class NF
{
    /// <summary>
    /// log |Γ(x)| (<c>tf.math.lgamma</c>, <c>torch.lgamma</c>): +inf at 0, at the negative integers and at ±inf,
    /// exactly 0 at 1 and 2; about 1e-15 relative, near its roots 1 and 2 too (Taylor's series there). Integers
    /// give float32. Gradient g · <see cref="Digamma"/>(x).
    /// </summary>
    public static Tensor Lgamma(Tensor x) => Smooth(x, LgammaOf, static (g, n) => [g * Digamma(n.X)], nameof(Lgamma));

    /// <summary>
    /// ψ(x) = d/dx log Γ(x) (<c>tf.math.digamma</c>, <c>torch.digamma</c>): -inf at +0 and +inf at -0 (PyTorch's
    /// signs), NaN at the negative integers and at -inf. Integers give float32. Gradient g · ψ'(x) (the trigamma function).
    /// </summary>
    public static Tensor Digamma(Tensor x) => Smooth(x, DigammaOf, static (g, n) => [g * Trigamma(n.X)], nameof(Digamma));

    /// <summary>
    /// The polygamma function ψ⁽ⁿ⁾(x), the n-th derivative of <see cref="Digamma"/> (<c>tf.math.polygamma(a, x)</c>,
    /// <c>torch.polygamma(n, x)</c>): ψ for n = 0, else (-1)ⁿ⁺¹ n! ζ(n + 1, x). n is a whole number (a C# int or a
    /// tensor broadcast with x); a negative or fractional n gives NaN, as TensorFlow's. +inf at 0, at the negative
    /// integers and at -inf; 0 at +inf. Gradient with respect to x: g · ψ⁽ⁿ⁺¹⁾(x); n has none.
    /// </summary>
    /// <exception cref="ArgumentException">n and x do not broadcast or are on different devices.</exception>
    public static Tensor Polygamma(Tensor n, Tensor x) => SmoothPair(nameof(Polygamma), n, x, PolygammaOf, static (g, node) =>
        [null, node.Wants(1) ? ReduceTo(g * Polygamma(node.X + 1, node.Y), node.Y.Shape) : null]);

    /// <summary>
    /// The Hurwitz zeta function ζ(s, q) = Σₖ (q + k)⁻ˢ (<c>tf.math.zeta(x, q)</c>, <c>torch.special.zeta</c>), for s &gt; 1:
    /// +inf at s = 1 and where q is 0 or a negative integer, NaN for s &lt; 1 and for a negative fractional q with a
    /// fractional s (Cephes', TensorFlow's and PyTorch's rules); any negative fractional q with a whole s is defined.
    /// Gradient with respect to q: -g · s · ζ(s + 1, q); s has none (TensorFlow's).
    /// </summary>
    /// <exception cref="ArgumentException">s and q do not broadcast or are on different devices.</exception>
    public static Tensor Zeta(Tensor s, Tensor q) => SmoothPair(nameof(Zeta), s, q, ZetaOf, static (g, n) =>
        [null, n.Wants(1) ? ReduceTo(-g * n.X * Zeta(n.X + 1, n.Y), n.Y.Shape) : null]);

    /// <summary>
    /// log |B(x)| = Σ log Γ(xᵢ) - log Γ(Σ xᵢ) over the last axis (<c>tf.math.lbeta</c>), the log of the multivariate beta
    /// function, the normalizer of a Dirichlet: shape (..., n) gives (...); an empty last axis gives -inf (TF's
    /// convention: the empty sum is 0, the empty product 1). Integers give float32. Differentiable through Lgamma.
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar.</exception>
    public static Tensor Lbeta(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) throw new ArgumentException("Lbeta: x must have at least one axis (the beta function's arguments are its last axis); it is a scalar.", nameof(x));
        var v = x.DType.IsFloating() ? x : Cast(x, DType.Float32);
        return ReduceSum(Lgamma(v), -1) - Lgamma(ReduceSum(v, -1));
    }

    private const double HalfLogTwoPi = 0.91893853320467274178;

    // x shifted up by Shift where it is small, so that the asymptotic series below converge to double
    // precision: Γ(x + 8) = x (x + 1) ... (x + 7) Γ(x), and ψ(x + 10) = ψ(x) + Σ 1 / (x + k).
    private const int LgammaShift = 8, DigammaShift = 10;

    // Stirling's series at z ≥ 8 (its eighth term is below 1e-16 of the sum); log of the shift's product
    // below 8; log(π / |sin(πx)|) - lgamma(1 - x) for x < 0, with sin(πx) reduced to (-1/2, 1/2] first
    // so that it is exactly 0 at the integers (log(π / 0) = +inf).
    private static Tensor LgammaOf(Tensor x)
    {
        var reflect = Less(x, 0);
        var y = Where(reflect, 1 - x, x);
        var small = Less(y, LgammaShift);
        var z = Where(small, y + LgammaShift, y);
        Tensor product = Where(small, y, 1.0);
        for (int k = 1; k < LgammaShift; k++) product *= Where(small, y + k, 1.0);
        var w = 1 / Square(z);
        var series = (((((((1.0 / 156 * w - 691.0 / 360360) * w + 1.0 / 1188) * w - 1.0 / 1680) * w + 1.0 / 1260) * w - 1.0 / 360) * w + 1.0 / 12)) / z;
        var positive = (z - 0.5) * Log(z) - z + HalfLogTwoPi + series - Log(product);
        var reflected = Log(Math.PI / Abs(SinPi(x))) - positive;
        // Near the roots 1 and 2 the series minus the shift's log leaves a few ulp of 8.5 (2e-15), a large relative
        // error where log Γ is near 0: there log Γ(1 + u) = u (-γ + ...) (HostSpecial.Lgamma1pSeries), and
        // log Γ(2 + u) = log(1 + u) + log Γ(1 + u), exactly 0 at 1 and 2 as C's lgamma.
        var near1 = Less(Abs(x - 1), HostSpecial.NearRoot);
        var near2 = Less(Abs(x - 2), HostSpecial.NearRoot);
        var u = Where(near1, x - 1, Where(near2, x - 2, 0.0));
        var taylor = u * Horner(u, HostSpecial.Lgamma1pSeries);
        var nearRoot = Where(near2, Log1p(u) + taylor, taylor);
        var value = Where(LogicalOr(near1, near2), nearRoot, Where(reflect, reflected, positive));
        return Where(IsInf(x), double.PositiveInfinity, value);
    }

    // The asymptotic series ln z - 1/(2z) - Σ B₂ₖ / (2k z²ᵏ) at z ≥ 10, the shift's sum below; for x < 0,
    // ψ(1 - x) - π / tan(πx) with tan(πx) reduced to (-1/2, 1/2] (infinite at the integers: NaN there).
    private static Tensor DigammaOf(Tensor x)
    {
        var reflect = Less(x, 0);
        var y = Where(reflect, 1 - x, x);
        var small = Less(y, DigammaShift);
        var z = Where(small, y + DigammaShift, y);
        Tensor shifted = ZerosLike(y);
        for (int k = 0; k < DigammaShift; k++) shifted += Where(small, 1 / (y + k), 0.0);
        var w = 1 / Square(z);
        var series = ((((((-1.0 / 12 * w + 691.0 / 32760) * w - 1.0 / 132) * w + 1.0 / 240) * w - 1.0 / 252) * w + 1.0 / 120) * w - 1.0 / 12) * w;
        var positive = Log(z) - 0.5 / z + series - shifted;
        var r = x - Round(x);
        var atInteger = Equal(r, 0);
        var reflected = Where(atInteger, double.NaN, positive - Math.PI / Tan(Math.PI * Where(atInteger, 0.25, r)));
        // ψ(±0) is ∓inf (the pole's sign as x reaches 0 from that side); ψ(+inf) = +inf, ψ(-inf) NaN.
        var atZero = Equal(x, 0);
        var zeroValue = Where(Less(1 / Where(atZero, x, 1.0), 0), double.PositiveInfinity, double.NegativeInfinity);
        return Where(atZero, zeroValue, Where(Equal(x, double.NegativeInfinity), double.NaN, Where(reflect, reflected, positive)));
    }

    // sin(πx) with x reduced to r = x - round(x) in [-1/2, 1/2] first: |sin(πx)| = |sin(πr)|, exactly 0 at the integers.
    private static Tensor SinPi(Tensor x) => Sin(Math.PI * (x - Round(x)));

    private static Tensor PolygammaOf(Tensor n, Tensor x)
    {
        var whole = LogicalAnd(Equal(n, Floor(n)), GreaterEqual(n, 0));
        var order = Where(whole, n, 1.0);
        // (-1)^(n+1) n! ζ(n + 1, x); n! = Γ(n + 1) exactly enough (a few ulp) from lgamma.
        var sign = Where(Equal(FloorMod(order, 2), 0), -1.0, 1.0);
        var value = sign * Exp(LgammaOf(order + 1)) * ZetaOf(order + 1, x);
        return Where(whole, Where(Equal(n, 0), DigammaOf(x), value), double.NaN);
    }

    // ψ'(x), the trigamma function, on Digamma's gradient path: ζ(2, x) for x ≥ 0, and for x < 0 the
    // reflection π² / sin²(πx) - ψ'(1 - x), which needs one zeta sum where ZetaOf's general shift of a
    // negative q needs three. Equal to PolygammaOf(1, x) to rounding.
    private static Tensor TrigammaOf(Tensor x)
    {
        var reflect = LogicalAnd(Less(x, 0), IsFinite(x));
        var zeta = ZetaOf(2.0 * OnesLike(x), Where(reflect, 1 - x, x));
        var mirrored = Where(Equal(x, Round(x)), double.PositiveInfinity, Square(Math.PI / SinPi(x)) - zeta);
        return Where(reflect, mirrored, zeta);
    }

    // ψ'(x) with its own rule, ψ''(x) = Polygamma(2, x), so that Digamma's gradient costs one zeta sum.
    private static Tensor Trigamma(Tensor x) =>
        Smooth(x, TrigammaOf, static (g, n) => [g * Polygamma(2, n.X)], "Trigamma");

    // ζ(s, q). For q ≥ 0 Cephes' sum (ZetaSeries). A negative q (defined for whole s only) is shifted to its
    // fractional part f = q + N in (0, 1), N = ceil(-q): the N terms skipped, (q + k)^-s = (f - j)^-s for
    // j = 1..N, are (-1)^s (j - f)^-s, whose sum is ζ(s, 1 - f) - ζ(s, N + 1 - f). Three sums at positive
    // arguments, a fixed count of ops for any q, where Cephes adds terms until q + k passes 9.
    private static Tensor ZetaOf(Tensor s, Tensor q)
    {
        var negative = LogicalAnd(Less(q, 0), IsFinite(q));
        var skipped = Where(negative, Ceil(-q), 0.0);
        var f = q + skipped;
        var head = ZetaSeries(s, Where(negative, 1 - f, 1.0)) - ZetaSeries(s, Where(negative, skipped + 1 - f, 2.0));
        var oddPower = Equal(FloorMod(Where(Equal(s, Floor(s)), s, 0.0), 2), 1);
        var sum = ZetaSeries(s, Where(negative, f, q)) + Where(negative, Where(oddPower, -head, head), 0.0);
        var poleOrInteger = LogicalOr(Equal(s, 1), LogicalAnd(LessEqual(q, 0), Equal(q, Floor(q))));
        var undefined = LogicalOr(Less(s, 1), LogicalAnd(Less(q, 0), NotEqual(s, Floor(s))));
        return Where(poleOrInteger, double.PositiveInfinity,
               Where(undefined, double.NaN, Where(Equal(q, double.PositiveInfinity), 0.0, sum)));
    }

    // Cephes' zeta for q ≥ 0: Σ (q + k)^-s for k = 0..16, then Euler-Maclaurin at w = q + 16 with
    // Bernoulli's terms (2j)! / B₂ⱼ; all 12 are added (Cephes stops when they stop mattering), a fixed
    // count that every element shares. Shifting by 16 keeps w ≥ 16, where the series is accurate.
    private static Tensor ZetaSeries(Tensor s, Tensor q)
    {
        const int Shift = 16;
        Tensor sum = ZerosLike(q);
        for (int k = 0; k <= Shift; k++) sum += Pow(q + k, -s);
        var w = q + Shift;
        var b = Pow(w, -s);
        sum += w * b / (s - 1) - 0.5 * b;
        Tensor a = OnesLike(s);
        int j = 0;
        foreach (double bernoulli in ZetaBernoulli)
        {
            a *= s + j++;
            b /= w;
            sum += a * b / bernoulli;
            a *= s + j++;
            b /= w;
        }
        return sum;
    }

    // (2j)! / B₂ⱼ for j = 1..12 (Cephes' zeta.c table).
    private static readonly double[] ZetaBernoulli =
        [12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
         -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
         1.8152105401943546773e17, -7.1661652561756670113e18];
}
