namespace NeuralFlow;

// The general (non-symmetric) real eigenproblem for NF.Eig: Householder reduction to Hessenberg
// form, shifted QR iterations with deflation for the eigenvalues, inverse iteration for each
// eigenvector. NF has no complex dtype, so a complex conjugate pair of eigenvalues (a 2 x 2 block
// that does not split) is refused by name rather than returned.
internal static partial class HostLinalg
{
    /// <summary>
    /// The eigenvalues (ascending) and unit eigenvectors (columns, largest entry positive) of the
    /// real square matrix <paramref name="a"/>; null when an eigenvalue is complex.
    /// </summary>
    public static (double[] W, double[] V)? Eig(double[] a, int n)
    {
        var h = Hessenberg(a, n);
        var w = new double[n];
        double scale = Math.Max(a.Select(Math.Abs).DefaultIfEmpty(0).Max(), double.Epsilon);
        int hi = n - 1, iterations = 0;
        while (hi >= 0)
        {
            if (++iterations > 100 * Math.Max(n, 1))
                throw new ArgumentException("Eig: the QR iteration did not converge for this matrix.");
            // The lowest l with a negligible subdiagonal h[l, l-1] bounds the unreduced block [l, hi].
            int l = hi;
            while (l > 0 && Math.Abs(h[l * n + l - 1]) > Eps * (Math.Abs(h[l * n + l]) + Math.Abs(h[(l - 1) * n + l - 1]) + Eps * scale)) l--;
            if (l == hi)
            {
                w[hi] = h[hi * n + hi];   // a 1 x 1 block split off
                hi--;
                iterations = 0;
                continue;
            }
            double p = h[(hi - 1) * n + hi - 1], q = h[(hi - 1) * n + hi], r = h[hi * n + hi - 1], s = h[hi * n + hi];
            double mean = 0.5 * (p + s), disc = 0.25 * (p - s) * (p - s) + q * r;
            if (l == hi - 1)
            {
                if (disc < 0) return null;   // a 2 x 2 block with complex eigenvalues
                double root = Math.Sqrt(disc);
                w[hi - 1] = mean - root;
                w[hi] = mean + root;
                hi -= 2;
                iterations = 0;
                continue;
            }
            // Wilkinson's shift: the eigenvalue of the trailing 2 x 2 block nearer h[hi, hi]; its real
            // part for a complex pair; an exceptional shift every 11 steps breaks cycles.
            double shift = disc >= 0 ? (Math.Abs(mean + Math.Sqrt(disc) - s) < Math.Abs(mean - Math.Sqrt(disc) - s) ? mean + Math.Sqrt(disc) : mean - Math.Sqrt(disc)) : mean;
            if (iterations % 11 == 10) shift = s + Math.Abs(h[hi * n + hi - 1]) * 0.75;
            QrStep(h, n, l, hi, shift);
        }
        Array.Sort(w);
        var v = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            var x = InverseIteration(a, n, w[j], scale);
            for (int i = 0; i < n; i++) v[i * n + j] = x[i];
        }
        FixColumnSigns(v, n, n, null, 0);
        return (w, v);
    }

    // Q^T A Q upper Hessenberg, by Householder reflections on rows and columns k+1..n-1.
    private static double[] Hessenberg(double[] a, int n)
    {
        var h = (double[])a.Clone();
        for (int k = 0; k < n - 2; k++)
        {
            double norm = 0;
            for (int i = k + 1; i < n; i++) norm += h[i * n + k] * h[i * n + k];
            norm = Math.Sqrt(norm);
            if (norm == 0) continue;
            var v = new double[n];
            double alpha = -Math.CopySign(norm, h[(k + 1) * n + k]);
            for (int i = k + 1; i < n; i++) v[i] = h[i * n + k];
            v[k + 1] -= alpha;
            double vv = 0;
            for (int i = k + 1; i < n; i++) vv += v[i] * v[i];
            if (vv == 0) continue;
            Reflect(h, n, n, v, 2 / vv, k + 1, 0);                    // from the left
            for (int i = 0; i < n; i++)                               // and from the right
            {
                double s = 0;
                for (int j = k + 1; j < n; j++) s += h[i * n + j] * v[j];
                s *= 2 / vv;
                for (int j = k + 1; j < n; j++) h[i * n + j] -= s * v[j];
            }
        }
        return h;
    }

    // One explicit shifted QR step on the block [l, hi] of Hessenberg h: h - mu I = Q R by Givens
    // rotations, then R Q + mu I (the rotations act on the whole rows and columns, keeping similarity).
    private static void QrStep(double[] h, int n, int l, int hi, double mu)
    {
        for (int i = l; i <= hi; i++) h[i * n + i] -= mu;
        var cs = new (double C, double S)[hi - l];
        for (int k = l; k < hi; k++)
        {
            double x = h[k * n + k], y = h[(k + 1) * n + k], rr = Hypot(x, y);
            double c = rr == 0 ? 1 : x / rr, s = rr == 0 ? 0 : y / rr;
            cs[k - l] = (c, s);
            for (int j = 0; j < n; j++)
            {
                double t1 = h[k * n + j], t2 = h[(k + 1) * n + j];
                h[k * n + j] = c * t1 + s * t2;
                h[(k + 1) * n + j] = -s * t1 + c * t2;
            }
        }
        for (int k = l; k < hi; k++)
        {
            var (c, s) = cs[k - l];
            for (int i = 0; i < n; i++)
            {
                double t1 = h[i * n + k], t2 = h[i * n + k + 1];
                h[i * n + k] = c * t1 + s * t2;
                h[i * n + k + 1] = -s * t1 + c * t2;
            }
        }
        for (int i = l; i <= hi; i++) h[i * n + i] += mu;
    }

    // A unit vector of the null space of A - lambda I: three solves of (A - lambda' I) x = x with lambda'
    // a hair off lambda, so the near-singular system amplifies the eigenvector's component.
    private static double[] InverseIteration(double[] a, int n, double lambda, double scale)
    {
        var m = (double[])a.Clone();
        double shifted = lambda + 1e-10 * scale * (1 + Math.Abs(lambda) / scale);
        for (int i = 0; i < n; i++) m[i * n + i] -= shifted;
        var x = Enumerable.Range(0, n).Select(i => 1.0 + 0.1 * i).ToArray();
        for (int pass = 0; pass < 3; pass++)
        {
            x = LuSolve(m, n, x, Eps * scale);
            double norm = Math.Sqrt(x.Sum(z => z * z));
            for (int i = 0; i < n; i++) x[i] /= norm;
        }
        return x;
    }

    // x with m x = b by Gaussian elimination with partial pivoting; a pivot below tiny is replaced by tiny.
    private static double[] LuSolve(double[] matrix, int n, double[] b, double tiny)
    {
        var m = (double[])matrix.Clone();
        var x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int p = k;
            for (int i = k + 1; i < n; i++) if (Math.Abs(m[i * n + k]) > Math.Abs(m[p * n + k])) p = i;
            if (p != k)
            {
                for (int j = 0; j < n; j++) (m[k * n + j], m[p * n + j]) = (m[p * n + j], m[k * n + j]);
                (x[k], x[p]) = (x[p], x[k]);
            }
            if (Math.Abs(m[k * n + k]) < tiny) m[k * n + k] = m[k * n + k] < 0 ? -tiny : tiny;
            for (int i = k + 1; i < n; i++)
            {
                double f = m[i * n + k] / m[k * n + k];
                for (int j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
                x[i] -= f * x[k];
            }
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int j = i + 1; j < n; j++) s -= m[i * n + j] * x[j];
            x[i] = s / m[i * n + i];
        }
        return x;
    }
}
