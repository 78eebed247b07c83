namespace NeuralFlow;

// The general (non-symmetric) real eigenproblem for NF.Eig: Householder reduction to Hessenberg
// form, Francis double-shift QR iterations (explicit) with deflation for the eigenvalues, inverse iteration for each
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
            // Francis' double shift: the trailing 2 x 2 block's two eigenvalues (a complex pair included)
            // through their real sum and product; exceptional shifts every 11 steps break cycles.
            double sum = p + s, product = p * s - q * r;
            if (iterations % 11 == 10)
            {
                double e = Math.Abs(h[hi * n + hi - 1]) + Math.Abs(h[(hi - 1) * n + hi - 2]);
                sum = 1.5 * e;
                product = e * e;
            }
            DoubleShiftStep(h, n, l, hi, sum, product);
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

    // One explicit double-shift QR step on the block [l, hi] of Hessenberg h: M = B^2 - sum B + product I
    // = Q R (real even for a complex pair of shifts), then h <- Q^T h Q on the block's rows and columns,
    // a similarity of the whole matrix; what rounding leaves below the subdiagonal is cleared.
    private static void DoubleShiftStep(double[] h, int n, int l, int hi, double sum, double product)
    {
        int k = hi - l + 1;
        if (l > 0) h[l * n + l - 1] = 0;   // the negligible subdiagonal that split the block off: dropped, so the step stays inside it
        var b = new double[k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) b[i * k + j] = h[(l + i) * n + l + j];
        var m = new double[k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double acc = 0;
                for (int t = 0; t < k; t++) acc += b[i * k + t] * b[t * k + j];
                m[i * k + j] = acc - sum * b[i * k + j] + (i == j ? product : 0);
            }
        var (q, _) = Qr(m, k, k, complete: true);
        var row = new double[k];
        for (int c = 0; c < n; c++)   // rows l..hi <- Q^T rows
        {
            for (int i = 0; i < k; i++)
            {
                double acc = 0;
                for (int t = 0; t < k; t++) acc += q[t * k + i] * h[(l + t) * n + c];
                row[i] = acc;
            }
            for (int i = 0; i < k; i++) h[(l + i) * n + c] = row[i];
        }
        for (int r = 0; r < n; r++)   // columns l..hi <- columns Q
        {
            for (int j = 0; j < k; j++)
            {
                double acc = 0;
                for (int t = 0; t < k; t++) acc += h[r * n + l + t] * q[t * k + j];
                row[j] = acc;
            }
            for (int j = 0; j < k; j++) h[r * n + l + j] = row[j];
        }
        for (int i = l + 2; i <= hi; i++)
            for (int j = l; j < i - 1; j++) h[i * n + j] = 0;
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
