namespace NeuralFlow;

// The regularized incomplete beta function I_x(a, b) on host doubles, one element at a time:
// Cephes' incbet (as TensorFlow's Eigen kernel and SciPy's betainc), a power series where b x is
// small and otherwise one of two continued fractions, taken on the side of the mean a / (a + b)
// where it converges (I_x(a, b) = 1 - I_(1-x)(b, a) on the other side).
internal static partial class HostSpecial
{
    private const double MaxLog = 709.782712893384;   // log(double.MaxValue)

    /// <summary>I_x(a, b): NaN for a or b not positive, for x outside [0, 1] and for NaN (TensorFlow's).</summary>
    public static double Betainc(double a, double b, double x)
    {
        if (double.IsNaN(a) || double.IsNaN(b) || double.IsNaN(x) || a <= 0 || b <= 0 || x < 0 || x > 1) return double.NaN;
        if (x == 0) return 0;
        if (x == 1) return 1;
        if (double.IsPositiveInfinity(a) || double.IsPositiveInfinity(b))
            return double.IsPositiveInfinity(a) && double.IsPositiveInfinity(b) ? double.NaN : double.IsPositiveInfinity(a) ? 0 : 1;
        if (b * x <= 1 && x <= 0.95) return BetaSeries(a, b, x);
        bool flipped = false;
        double xc = 1 - x;
        if (x > a / (a + b))
        {
            flipped = true;
            (a, b, x, xc) = (b, a, xc, x);
        }
        if (flipped && b * x <= 1 && x <= 0.95)
        {
            double s = BetaSeries(a, b, x);
            return s <= MachEp ? 1 - MachEp : 1 - s;
        }
        double w = x * (a + b - 2) - (a - 1) < 0 ? BetaFractionOne(a, b, x) : BetaFractionTwo(a, b, x) / xc;
        // w times x^a (1 - x)^b / (a B(a, b)), in logs.
        double t = Math.Exp(a * Math.Log(x) + b * Math.Log(xc) + LogBetaInverse(a, b) + Math.Log(w / a));
        if (flipped) t = t <= MachEp ? 1 - MachEp : 1 - t;
        return t;
    }

    // -log B(a, b) = lgamma(a + b) - lgamma(a) - lgamma(b).
    private static double LogBetaInverse(double a, double b) => Lgamma(a + b) - Lgamma(a) - Lgamma(b);

    // I_x(a, b) for b x ≤ 1, x ≤ 0.95: x^a / (a B(a, b)) (1 + a Σ (1-b)(2-b)...(n-b) x^n / (n! (a + n))).
    private static double BetaSeries(double a, double b, double x)
    {
        double ai = 1 / a, u = (1 - b) * x, v = u / (a + 1), t1 = v, t = u, s = 0, z = MachEp * ai;
        for (double n = 2; Math.Abs(v) > z && n < MaxTerms; n++)
        {
            u = (n - b) * x / n;
            t *= u;
            v = t / (a + n);
            s += v;
        }
        s += t1 + ai;
        double log = a * Math.Log(x) + LogBetaInverse(a, b) + Math.Log(s);
        return log < -MaxLog ? 0 : Math.Exp(log);
    }

    // The continued fraction of I_x(a, b) for x below the mean (Cephes' incbcf), evaluated forward with rescaling.
    private static double BetaFractionOne(double a, double b, double x)
    {
        double k1 = a, k2 = a + b, k3 = a, k4 = a + 1, k5 = 1, k6 = b - 1, k7 = k4, k8 = a + 2;
        return BetaFraction((ref double d1, ref double d2) =>
        {
            d1 = -(x * k1 * k2) / (k3 * k4);
            d2 = (x * k5 * k6) / (k7 * k8);
            k1 += 1; k2 += 1; k3 += 2; k4 += 2; k5 += 1; k6 -= 1; k7 += 2; k8 += 2;
        });
    }

    // The second continued fraction (Cephes' incbd), in z = x / (1 - x); its value is divided by 1 - x.
    private static double BetaFractionTwo(double a, double b, double x)
    {
        double z = x / (1 - x);
        double k1 = a, k2 = b - 1, k3 = a, k4 = a + 1, k5 = 1, k6 = a + b, k7 = a + 1, k8 = a + 2;
        return BetaFraction((ref double d1, ref double d2) =>
        {
            d1 = -(z * k1 * k2) / (k3 * k4);
            d2 = (z * k5 * k6) / (k7 * k8);
            k1 += 1; k2 -= 1; k3 += 2; k4 += 2; k5 += 1; k6 += 1; k7 += 2; k8 += 2;
        });
    }

    private delegate void FractionTerms(ref double d1, ref double d2);

    // Two partial numerators per step (the even and odd terms), convergents p/q until they settle to 3 ulp;
    // Cephes stops at 300 steps, which its domain never needs more than.
    private static double BetaFraction(FractionTerms next)
    {
        double pkm2 = 0, qkm2 = 1, pkm1 = 1, qkm1 = 1, ans = 1, r = 1;
        for (int n = 0; n < 300; n++)
        {
            double d1 = 0, d2 = 0;
            next(ref d1, ref d2);
            double pk = pkm1 + pkm2 * d1, qk = qkm1 + qkm2 * d1;
            (pkm2, pkm1, qkm2, qkm1) = (pkm1, pk, qkm1, qk);
            pk = pkm1 + pkm2 * d2;
            qk = qkm1 + qkm2 * d2;
            (pkm2, pkm1, qkm2, qkm1) = (pkm1, pk, qkm1, qk);
            if (qk != 0) r = pk / qk;
            double t = 1;
            if (r != 0)
            {
                t = Math.Abs((ans - r) / r);
                ans = r;
            }
            if (t < 3 * MachEp) break;
            if (Math.Abs(qk) + Math.Abs(pk) > Big) { pkm2 *= BigInv; pkm1 *= BigInv; qkm2 *= BigInv; qkm1 *= BigInv; }
            if (Math.Abs(qk) < BigInv || Math.Abs(pk) < BigInv) { pkm2 *= Big; pkm1 *= Big; qkm2 *= Big; qkm1 *= Big; }
        }
        return ans;
    }
}
