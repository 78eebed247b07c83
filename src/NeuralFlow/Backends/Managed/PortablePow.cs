namespace NeuralFlow.Backends.Managed;

/// <summary>
/// x^y from IEEE basic operations alone, step for step as <c>nf::portable_pow</c> in
/// native/src/common/portable_pow.h (change both together), so that the managed, CPU and CUDA
/// engines raise Ftrl's accumulator to -lrPower with the very same bits: the C runtime's pow and
/// CUDA's pow differ in the last bits. RyuJIT does not contract a * b + c into a fused
/// multiply-add, as the native engines are compiled not to.
/// </summary>
internal static class PortablePow
{
    private const double Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;

    public static double Pow(double x, double y)
    {
        if (y == 0.0 || x == 1.0) return 1.0;
        if (double.IsNaN(x) || double.IsNaN(y)) return x + y;
        if (x < 0.0) return double.NaN;
        if (x == 0.0) return y > 0.0 ? 0.0 : double.PositiveInfinity;
        if (double.IsPositiveInfinity(x)) return y > 0.0 ? x : 0.0;
        int e = Math.ILogB(x);
        double m = Math.ScaleB(x, -e);
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            e += 1;
        }
        double s = (m - 1.0) / (m + 1.0), s2 = s * s;
        double series = 0.0;
        for (int k = 23; k >= 1; k -= 2) series = series * s2 + 1.0 / k;
        double t = y * (e * Ln2Hi) + y * (e * Ln2Lo + 2.0 * s * series);
        if (t > 709.782712893384) return double.PositiveInfinity;
        if (t < -745.1332191019412) return 0.0;
        double kk = Math.Floor(t * 1.4426950408889634 + 0.5);
        double r = (t - kk * Ln2Hi) - kk * Ln2Lo;
        double p = 1.0;
        for (int n = 15; n >= 1; --n) p = 1.0 + (r / n) * p;
        return Math.ScaleB(p, (int)kk);
    }
}
