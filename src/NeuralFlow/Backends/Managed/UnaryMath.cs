using System.Numerics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// A float function evaluated in double. float32 rounds the double result once, which is as
/// close as (or closer than) the native engine's sinf/erff; float64 uses it directly.
/// </summary>
internal interface IDoubleFn
{
    static abstract double F(double x);
}

/// <summary>Lifts an <see cref="IDoubleFn"/> to an <see cref="IUnaryOp{T}"/> (a scalar loop: these ops are compute bound).</summary>
internal struct DoubleFnOp<T, TFn> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T> where TFn : IDoubleFn
{
    public static T Apply(T x) => T.CreateTruncating(TFn.F(double.CreateTruncating(x)));
    [MethodImpl(ManagedKernel)]
    public static void Vec(ReadOnlySpan<T> x, Span<T> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i]);
    }
}

internal struct FloorFn : IDoubleFn { public static double F(double x) => Math.Floor(x); }
internal struct CeilFn : IDoubleFn { public static double F(double x) => Math.Ceiling(x); }
/// <summary>Half to even (Math.Round's default, tf.round's and np.round's rule); -0.5 gives -0.</summary>
internal struct RoundFn : IDoubleFn { public static double F(double x) => Math.Round(x, MidpointRounding.ToEven); }
internal struct SinFn : IDoubleFn { public static double F(double x) => Math.Sin(x); }
internal struct CosFn : IDoubleFn { public static double F(double x) => Math.Cos(x); }
internal struct RsqrtFn : IDoubleFn { public static double F(double x) => 1.0 / Math.Sqrt(x); }
internal struct Log1pFn : IDoubleFn { public static double F(double x) => PreciseMath.Log1p(x); }
internal struct Expm1Fn : IDoubleFn { public static double F(double x) => PreciseMath.Expm1(x); }
internal struct ErfFn : IDoubleFn { public static double F(double x) => PreciseMath.Erf(x); }
internal struct ErfcFn : IDoubleFn { public static double F(double x) => PreciseMath.Erfc(x); }

/// <summary>log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exp never overflows and the left tail keeps its relative precision.</summary>
internal struct SoftplusFn : IDoubleFn
{
    public static double F(double x) => x > 0 ? x + PreciseMath.Log1p(Math.Exp(-x)) : PreciseMath.Log1p(Math.Exp(x));
}

/// <summary>
/// log1p, expm1, erf and erfc to near double precision. .NET has no erf, and double.LogP1 / ExpM1 are
/// computed as log(1 + x) and exp(x) - 1, which lose every digit for tiny x.
/// </summary>
internal static class PreciseMath
{
    /// <summary>Goldberg's log1p: log(u) * x / (u - 1) with u = 1 + x cancels u's rounding error.</summary>
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x; // also keeps -0
        if (double.IsPositiveInfinity(u)) return u;
        if (u == 0.0) return double.NegativeInfinity;
        return Math.Log(u) * (x / (u - 1.0));
    }

    /// <summary>Kahan's expm1: (u - 1) * x / log(u) with u = e^x cancels u's rounding error.</summary>
    public static double Expm1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        if (double.IsPositiveInfinity(u)) return u;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * x / Math.Log(u);
    }

    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double OneOverSqrtPi = 0.5641895835477563;

    /// <summary>
    /// erf: below |x| = 2.5 the all-positive series 2/sqrt(pi) e^-x² Σ 2^n x^(2n+1) / (2n+1)!!
    /// (no cancellation); above, 1 - erfc with erfc's continued fraction (modified Lentz), which
    /// converges fast there. Both are accurate to a few double ulp.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a >= 6.0) return Math.CopySign(1.0, x); // erfc(6) = 2e-17: erf is 1 in double
        if (a < 2.5)
        {
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 200; n++)
            {
                term *= 2.0 * x2 / (2 * n + 1);
                sum += term;
                if (term < sum * 1e-17) break;
            }
            return Math.CopySign(TwoOverSqrtPi * Math.Exp(-x2) * sum, x); // erf(-0) is -0
        }
        return Math.CopySign(1.0 - ErfcFraction(a), x);
    }

    /// <summary>
    /// erfc = 1 - erf without losing the tail: below 1.5 (erfc above 0.03, so the subtraction loses at most
    /// five bits) 1 - erf; above, the continued fraction, which converges in under 100 terms there and keeps
    /// e^-x²'s relative precision down to the underflow near x = 27.
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return x;
        return x < 1.5 ? 1.0 - Erf(x) : ErfcFraction(x);
    }

    // erfc(x) = e^-x²/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), x >= 1.5.
    private static double ErfcFraction(double x)
    {
        if (double.IsPositiveInfinity(x)) return 0.0;
        const double Tiny = 1e-300;
        double f = x, c = x, d = 0.0;
        for (int n = 1; n < 300; n++)
        {
            double an = n * 0.5;
            d = x + an * d;
            d = Math.Abs(d) < Tiny ? 1 / Tiny : 1.0 / d;
            c = x + an / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) break;
        }
        return OneOverSqrtPi * Math.Exp(-x * x) / f;
    }
}
