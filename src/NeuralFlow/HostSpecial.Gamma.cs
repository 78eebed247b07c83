namespace NeuralFlow;

// The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x) on host doubles, one
// element at a time: Cephes' igam / igamc (as SciPy, TensorFlow's Eigen kernel and PyTorch use),
// whose series and continued fraction run until their terms stop mattering. That count depends on
// the element (about 9 √a terms where x is near a large a), which is why these are host loops and
// not a fixed chain of tensor ops as the gamma family's compositions are. Cephes' Temme expansion for
// large a near x is not used: the series and the fraction converge there too, in more terms.
internal static partial class HostSpecial
{
    private const double MachEp = 1.11022302462515654042e-16;   // 2^-53, Cephes' MACHEP
    private const double Big = 4.503599627370496e15, BigInv = 2.22044604925031308085e-16;
    private const double HalfLogTwoPi = 0.91893853320467274178;
    // A bound that no convergent element reaches (a = 1e12 near x needs about 1e7 terms): past it the
    // element is NaN rather than an unconverged number.
    private const long MaxTerms = 100_000_000;

    /// <summary>A value and its derivative in a, carried through the same loops (forward mode).</summary>
    internal readonly record struct Dual(double Value, double DA)
    {
        public static Dual operator -(double c, Dual d) => new(c - d.Value, -d.DA);
        public static readonly Dual NaN = new(double.NaN, double.NaN);
    }

    /// <summary>P(a, x) = γ(a, x) / Γ(a): NaN for a or x negative or NaN, and for a = x = 0 (Cephes).</summary>
    public static double Igamma(double a, double x) => IgammaWithDA(a, x).Value;

    /// <summary>Q(a, x) = Γ(a, x) / Γ(a) = 1 - P(a, x), computed so that a small Q keeps its digits.</summary>
    public static double Igammac(double a, double x) => IgammacWithDA(a, x).Value;

    /// <summary>d/da P(a, x) (TensorFlow's igamma_grad_a); NaN at a = 0, where P is 1 for every a-free x &gt; 0 only in the limit.</summary>
    public static double IgammaDerivativeA(double a, double x) => IgammaWithDA(a, x).DA;

    /// <summary>P(a, x) with d/da P.</summary>
    public static Dual IgammaWithDA(double a, double x)
    {
        if (double.IsNaN(a) || double.IsNaN(x) || a < 0 || x < 0) return Dual.NaN;
        if (a == 0) return x > 0 ? new(1, double.NaN) : Dual.NaN;
        if (x == 0) return new(0, 0);
        if (double.IsPositiveInfinity(a)) return double.IsPositiveInfinity(x) ? Dual.NaN : new(0, 0);
        if (double.IsPositiveInfinity(x)) return new(1, 0);
        if (x > 1 && x > a) return 1 - IgammacWithDA(a, x);
        return GammaSeries(a, x);
    }

    /// <summary>Q(a, x) with d/da Q.</summary>
    public static Dual IgammacWithDA(double a, double x)
    {
        if (double.IsNaN(a) || double.IsNaN(x) || a < 0 || x < 0) return Dual.NaN;
        if (a == 0) return x > 0 ? new(0, double.NaN) : Dual.NaN;
        if (x == 0) return new(1, 0);
        if (double.IsPositiveInfinity(a)) return double.IsPositiveInfinity(x) ? Dual.NaN : new(1, 0);
        if (double.IsPositiveInfinity(x)) return new(0, 0);
        // Cephes' choice of the form that converges and keeps the digits of the smaller of P and Q.
        if (x > 1.1) return x < a ? 1 - GammaSeries(a, x) : GammaContinuedFraction(a, x);
        if (x <= 0.5) return -0.4 / Math.Log(x) < a ? 1 - GammaSeries(a, x) : GammacSeries(a, x);
        return x * 1.1 < a ? 1 - GammaSeries(a, x) : GammacSeries(a, x);
    }

    // P(a, x) = x^a e^-x / Γ(a + 1) Σ x^n / ((a + 1) ... (a + n)); each term's derivative in a beside it.
    private static Dual GammaSeries(double a, double x)
    {
        double factor = PowerFactor(a, x);
        if (factor == 0) return new(0, 0);
        double dFactor = factor * (Math.Log(x) - Digamma(a));
        double r = a, c = 1, dc = 0, sum = 1, dSum = 0;
        for (long n = 0; ; n++)
        {
            if (n == MaxTerms) return Dual.NaN;
            r += 1;
            dc = (dc - c / r) * x / r;
            c *= x / r;
            sum += c;
            dSum += dc;
            if (c <= MachEp * sum && Math.Abs(dc) <= MachEp * Math.Abs(dSum)) break;
        }
        return new(sum * factor / a, (dSum * factor + sum * dFactor) / a - sum * factor / (a * a));
    }

    // Q(a, x) by Legendre's continued fraction, evaluated forward with rescaling (Cephes' igamc); the
    // convergents' derivatives in a follow the same recurrence.
    private static Dual GammaContinuedFraction(double a, double x)
    {
        double factor = PowerFactor(a, x);
        if (factor == 0) return new(0, 0);
        double dFactor = factor * (Math.Log(x) - Digamma(a));
        double y = 1 - a, z = x + y + 1, c = 0;   // dy/da = dz/da = -1
        double pkm2 = 1, qkm2 = x, pkm1 = x + 1, qkm1 = z * x;
        double dpkm2 = 0, dqkm2 = 0, dpkm1 = 0, dqkm1 = -x;
        double ans = pkm1 / qkm1, dAns = -ans * dqkm1 / qkm1;
        for (long n = 0; ; n++)
        {
            if (n == MaxTerms) return Dual.NaN;
            c += 1;
            y += 1;
            z += 2;
            double yc = y * c;
            double pk = pkm1 * z - pkm2 * yc, qk = qkm1 * z - qkm2 * yc;
            double dpk = dpkm1 * z - pkm1 - dpkm2 * yc + pkm2 * c, dqk = dqkm1 * z - qkm1 - dqkm2 * yc + qkm2 * c;
            double t = 1, dt = 1;
            if (qk != 0)
            {
                double r = pk / qk, dr = (dpk - r * dqk) / qk;
                t = Math.Abs((ans - r) / r);
                dt = dr == 0 ? 0 : Math.Abs((dAns - dr) / dr);
                ans = r;
                dAns = dr;
            }
            (pkm2, pkm1, qkm2, qkm1) = (pkm1, pk, qkm1, qk);
            (dpkm2, dpkm1, dqkm2, dqkm1) = (dpkm1, dpk, dqkm1, dqk);
            if (Math.Abs(pk) > Big)
            {
                pkm2 *= BigInv; pkm1 *= BigInv; qkm2 *= BigInv; qkm1 *= BigInv;
                dpkm2 *= BigInv; dpkm1 *= BigInv; dqkm2 *= BigInv; dqkm1 *= BigInv;
            }
            if (t <= MachEp && dt <= 4 * MachEp) break;
        }
        return new(ans * factor, dAns * factor + ans * dFactor);
    }

    // Q(a, x) for small x: 1 - x^a / Γ(a + 1) + x^a / Γ(a) Σ (-x)^n / (n! (a + n)), n ≥ 1 (Cephes' igamc_series).
    private static Dual GammacSeries(double a, double x)
    {
        double fac = 1, sum = 0, dSum = 0;
        for (int n = 1; n < 2000; n++)
        {
            fac *= -x / n;
            double term = fac / (a + n);
            sum += term;
            dSum -= term / (a + n);
            if (Math.Abs(term) <= MachEp * Math.Abs(sum)) break;
        }
        double logx = Math.Log(x);
        double u = a * logx - Lgamma1p(a), v = a * logx - Lgamma(a), ev = Math.Exp(v);
        return new(-double.ExpM1(u) - ev * sum,
                   -Math.Exp(u) * (logx - Digamma(a + 1)) - ev * ((logx - Digamma(a)) * sum + dSum));
    }

    /// <summary>ψ(a) for a &gt; 0: shifted to a ≥ 10, then ln a - 1/(2a) - Σ B₂ₖ / (2k a²ᵏ) (as NF.Digamma's composition).</summary>
    internal static double Digamma(double a)
    {
        double shift = 0;
        while (a < 10) shift += 1 / a++;
        double w = 1 / (a * a);
        double series = ((((((-1.0 / 12 * w + 691.0 / 32760) * w - 1.0 / 132) * w + 1.0 / 240) * w - 1.0 / 252) * w + 1.0 / 120) * w - 1.0 / 12) * w;
        return Math.Log(a) - 0.5 / a + series - shift;
    }

    // x^a e^-x / Γ(a). For a ≥ 10 through Stirling's series, as a (log1p(t) - t) + log(a) / 2 - log √(2π) -
    // (lgamma's correction) with t = (x - a) / a: a log x, x and lgamma(a) are each near a log a there and
    // their difference would lose that many digits.
    private static double PowerFactor(double a, double x)
    {
        if (a < 10) return Math.Exp(a * Math.Log(x) - x - Lgamma(a));
        double t = (x - a) / a;
        return Math.Exp(a * Log1pMinusX(t) + 0.5 * Math.Log(a) - HalfLogTwoPi - StirlingCorrection(a));
    }

    // log(1 + t) - t, by its series where the subtraction would cancel.
    private static double Log1pMinusX(double t)
    {
        if (Math.Abs(t) > 0.25) return Math.Log(1 + t) - t;   // t > -1 here (x > 0)
        double term = t, sum = 0;   // term k is (-1)^(k+1) t^k
        for (int k = 2; k < 64; k++)
        {
            term *= -t;
            double add = term / k;
            sum += add;
            if (Math.Abs(add) <= MachEp * Math.Abs(sum)) break;
        }
        return sum;
    }

    // lgamma(a) - ((a - 1/2) log a - a + log √(2π)) for a ≥ 8: Stirling's series, Bernoulli's terms to B₁₄.
    private static double StirlingCorrection(double a)
    {
        double w = 1 / (a * a);
        return ((((((1.0 / 156 * w - 691.0 / 360360) * w + 1.0 / 1188) * w - 1.0 / 1680) * w + 1.0 / 1260) * w - 1.0 / 360) * w + 1.0 / 12) / a;
    }

    /// <summary>log |Γ(a)| on a double: Stirling's series past 8, shifted up below, reflected below 0, and near its
    /// roots 1 and 2 <see cref="Lgamma1p"/>'s series, which keeps its relative precision there.</summary>
    public static double Lgamma(double a)
    {
        if (double.IsNaN(a)) return a;
        if (double.IsInfinity(a)) return double.PositiveInfinity;
        if (Math.Abs(a - 1) < NearRoot) return Lgamma1p(a - 1);
        if (Math.Abs(a - 2) < NearRoot) return double.LogP1(a - 2) + Lgamma1p(a - 2);
        if (a < 0)
        {
            double r = a - Math.Round(a);
            if (r == 0) return double.PositiveInfinity;
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * r))) - Lgamma(1 - a);
        }
        if (a == 0) return double.PositiveInfinity;
        double product = 1;
        while (a < 8) product *= a++;
        return (a - 0.5) * Math.Log(a) - a + HalfLogTwoPi + StirlingCorrection(a) - Math.Log(product);
    }

    /// <summary>log Γ(1 + u), without rounding 1 + u first where u is small.</summary>
    public static double Lgamma1p(double u)
    {
        if (Math.Abs(u) >= NearRoot) return Lgamma(1 + u);
        double p = 0;
        foreach (double c in Lgamma1pSeries) p = p * u + c;
        return p * u;
    }

    /// <summary>Where <see cref="Lgamma1pSeries"/> serves: |u| below it (its last term is then below 1e-18).</summary>
    internal const double NearRoot = 0.2;

    /// <summary>
    /// log Γ(1 + u) = u (-γ + Σ (-1)^k ζ(k) / k · u^(k-1)), k = 2..25, as Horner's coefficients highest degree
    /// first (-γ last): the values of mpmath.zeta at 30 digits.
    /// </summary>
    internal static readonly double[] Lgamma1pSeries =
        [-0.04000000119214014, 0.04166666915034121, -0.04347826605304026, 0.04545455629320467, -0.047619070330142226,
         0.05000004769810169, -0.05263167937961666, 0.055555767627403614, -0.058823978658684585, 0.06250095514121304,
         -0.06666870588242046, 0.07143294629536133, -0.0769325164113522, 0.083353840546109, -0.09095401714582904,
         0.1000994575127818, -0.11133426586956469, 0.12550966952474304, -0.1440498967688461, 0.1695571769974082,
         -0.20738555102867398, 0.27058080842778454, -0.40068563438653143, 0.8224670334241132, -0.5772156649015329];
}
