namespace NeuralFlow;

// The small dense factorizations NF.Qr, Svd, Eigh and Eig run on the host, in double, one matrix
// at a time (row-major m x n arrays). They are textbook algorithms chosen to be short and exact
// to double rounding on the small matrices these ops see, not fast: Householder QR, cyclic
// Jacobi for symmetric eigenproblems, one-sided (Hestenes) Jacobi for the SVD. Every engine
// reads its values back and runs this same code, so all engines give the same answer.
internal static partial class HostLinalg
{
    internal const double Eps = 2.220446049250313e-16;   // float64 machine epsilon (numpy finfo.eps)
    private const int MaxSweeps = 100;

    /// <summary>
    /// A = Q R by Householder reflections with LAPACK's (dgeqrf/dorgqr) sign convention, the one
    /// numpy and torch return: each reflection maps its column onto -sign(a_kk) ||x|| e_k, so R's
    /// diagonal has the opposite sign of the pivot it replaced. Q is m x m when
    /// <paramref name="complete"/>, else m x min(m, n); R has Q's column count of rows.
    /// </summary>
    public static (double[] Q, double[] R) Qr(double[] a, int m, int n, bool complete)
    {
        int k = Math.Min(m, n), qCols = complete ? m : k;
        var r = (double[])a.Clone();
        var vs = new double[k][];
        var taus = new double[k];
        for (int j = 0; j < k; j++)
        {
            double alpha = r[j * n + j], xnorm = 0;
            for (int i = j + 1; i < m; i++) xnorm += r[i * n + j] * r[i * n + j];
            xnorm = Math.Sqrt(xnorm);
            var v = new double[m];
            vs[j] = v;
            if (xnorm == 0) continue;   // H = I (tau 0), as dlarfg: the column is already reduced
            double beta = -Math.CopySign(Hypot(alpha, xnorm), alpha);
            taus[j] = (beta - alpha) / beta;
            double scale = 1 / (alpha - beta);
            v[j] = 1;
            for (int i = j + 1; i < m; i++) { v[i] = r[i * n + j] * scale; r[i * n + j] = 0; }
            r[j * n + j] = beta;
            Reflect(r, m, n, v, taus[j], j, j + 1);
        }
        var q = new double[m * qCols];
        for (int i = 0; i < qCols; i++) q[i * qCols + i] = 1;
        for (int j = k - 1; j >= 0; j--)
            if (taus[j] != 0) Reflect(q, m, qCols, vs[j], taus[j], j, 0);
        var rOut = new double[qCols * n];
        for (int i = 0; i < Math.Min(qCols, m); i++)
            for (int c = i; c < n; c++) rOut[i * n + c] = r[i * n + c];
        return (q, rOut);
    }

    // x[rows from..m, cols c0..cols] -= tau v (v^T x): the reflection I - tau v v^T applied from the left.
    private static void Reflect(double[] x, int m, int cols, double[] v, double tau, int from, int c0)
    {
        for (int c = c0; c < cols; c++)
        {
            double s = 0;
            for (int i = from; i < m; i++) s += v[i] * x[i * cols + c];
            s *= tau;
            for (int i = from; i < m; i++) x[i * cols + c] -= s * v[i];
        }
    }

    /// <summary>
    /// The eigenvalues (ascending) and eigenvectors (columns of V, n x n) of the symmetric matrix
    /// whose lower triangle <paramref name="a"/> holds (the upper is not read, as torch's default
    /// UPLO='L'), by cyclic Jacobi rotations. Each eigenvector's largest component (the first of
    /// equal ones) is made positive: LAPACK fixes no sign, so NF fixes this one.
    /// </summary>
    public static (double[] W, double[] V) Eigh(double[] a, int n)
    {
        var s = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) s[i * n + j] = s[j * n + i] = a[i * n + j];
        var v = Identity(n);
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = s[p * n + q], app = s[p * n + p], aqq = s[q * n + q];
                    if (Math.Abs(apq) <= Eps * 0.5 * Math.Sqrt(Math.Abs(app * aqq)) || Math.Abs(apq) < double.Epsilon * 1e10) continue;
                    rotated = true;
                    double theta = (aqq - app) / (2 * apq);
                    double t = (theta >= 0 ? 1 : -1) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), sn = t * c;
                    RotateColumns(s, n, n, p, q, c, sn);
                    RotateRows(s, n, p, q, c, sn);
                    s[p * n + q] = s[q * n + p] = 0;
                    RotateColumns(v, n, n, p, q, c, sn);
                }
            if (!rotated) break;
        }
        var w = new double[n];
        for (int i = 0; i < n; i++) w[i] = s[i * n + i];
        var order = Enumerable.Range(0, n).OrderBy(i => w[i]).ToArray();
        var wSorted = order.Select(i => w[i]).ToArray();
        var vSorted = PickColumns(v, n, n, order);
        FixColumnSigns(vSorted, n, n, null, 0);
        return (wSorted, vSorted);
    }

    /// <summary>
    /// A = U diag(S) Vh with S descending, by one-sided Jacobi rotations on A's columns (on A^T's
    /// when m &lt; n). Reduced: U m x k, Vh k x n (k = min(m, n)); <paramref name="full"/>: U m x m
    /// and Vh n x n, completed with an orthonormal basis (as are the vectors of zero singular
    /// values). Signs: each column of U has its largest component positive (Vh's row follows);
    /// for m &lt; n each row of Vh instead (the factorization of A^T).
    /// </summary>
    public static (double[] U, double[] S, double[] Vh) Svd(double[] a, int m, int n, bool full)
    {
        if (m < n)
        {
            // A^T = U' S V'^T, so A = V' S U'^T: U = V', Vh = U'^T.
            // The sign rule then holds for Vh's rows rather than U's columns.
            var (ut, st, vht) = Svd(Transpose(a, m, n), n, m, full);   // ut: n x uCols, vht: m x m
            int uCols = full ? n : m;
            return (Transpose(vht, m, m), st, Transpose(ut, n, uCols));
        }
        int k = n;
        var w = (double[])a.Clone();   // m x n, its columns rotated until orthogonal
        var v = Identity(n);
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int i = 0; i < m; i++)
                    {
                        double x = w[i * n + p], y = w[i * n + q];
                        alpha += x * x; beta += y * y; gamma += x * y;
                    }
                    if (Math.Abs(gamma) <= Eps * Math.Sqrt(alpha * beta) || gamma == 0) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = (zeta >= 0 ? 1 : -1) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t), s = c * t;
                    RotateColumns(w, m, n, p, q, c, s);
                    RotateColumns(v, n, n, p, q, c, s);
                }
            if (!rotated) break;
        }
        var sv = new double[k];
        for (int j = 0; j < k; j++)
        {
            double norm = 0;
            for (int i = 0; i < m; i++) norm += w[i * n + j] * w[i * n + j];
            sv[j] = Math.Sqrt(norm);
        }
        var order = Enumerable.Range(0, k).OrderByDescending(j => sv[j]).ToArray();
        var sSorted = order.Select(j => sv[j]).ToArray();
        int cols = full ? m : k;
        var uOut = new double[m * cols];
        var present = new bool[cols];
        // A column whose singular value is negligible carries no direction: complete it instead.
        double tiny = (sSorted.Length > 0 ? sSorted[0] : 0) * Eps * Math.Max(m, n);
        for (int j = 0; j < k; j++)
        {
            int src = order[j];
            if (!(sSorted[j] > tiny) || sSorted[j] == 0) continue;
            present[j] = true;
            for (int i = 0; i < m; i++) uOut[i * cols + j] = w[i * n + src] / sSorted[j];
        }
        CompleteBasis(uOut, m, cols, present);
        var vSorted = PickColumns(v, n, n, order);
        FixColumnSigns(uOut, m, cols, vSorted, n);
        return (uOut, sSorted, Transpose(vSorted, n, n));
    }

    // Fills the columns of x (rows x cols) not marked present with unit vectors orthogonal to the
    // others: standard basis vectors, Gram-Schmidt twice against every column kept so far.
    private static void CompleteBasis(double[] x, int rows, int cols, bool[] present)
    {
        int candidate = 0;
        for (int j = 0; j < cols; j++)
        {
            if (present[j]) continue;
            while (candidate < rows)
            {
                var e = new double[rows];
                e[candidate++] = 1;
                for (int pass = 0; pass < 2; pass++)
                    for (int c = 0; c < cols; c++)
                    {
                        if (!present[c]) continue;
                        double dot = 0;
                        for (int i = 0; i < rows; i++) dot += x[i * cols + c] * e[i];
                        for (int i = 0; i < rows; i++) e[i] -= dot * x[i * cols + c];
                    }
                double norm = Math.Sqrt(e.Sum(z => z * z));
                if (norm < 0.5) continue;   // too close to the span already (a unit vector's residual is 0 or >= 1/sqrt(rows))
                for (int i = 0; i < rows; i++) x[i * cols + j] = e[i] / norm;
                present[j] = true;
                break;
            }
        }
    }

    // Makes each column's largest-magnitude entry (the first of equal ones) positive; flips the
    // matching column of the partner matrix (V for an SVD's U) with it.
    private static void FixColumnSigns(double[] x, int rows, int cols, double[]? partner, int partnerRows)
    {
        int partnerCols = partner is null ? 0 : partner.Length / Math.Max(partnerRows, 1);
        for (int j = 0; j < cols; j++)
        {
            int best = 0;
            for (int i = 1; i < rows; i++)
                if (Math.Abs(x[i * cols + j]) > Math.Abs(x[best * cols + j]) * (1 + 1e-12)) best = i;
            if (rows == 0 || x[best * cols + j] >= 0) continue;
            for (int i = 0; i < rows; i++) x[i * cols + j] = -x[i * cols + j];
            if (partner is not null && j < partnerCols)
                for (int i = 0; i < partnerRows; i++) partner[i * partnerCols + j] = -partner[i * partnerCols + j];
        }
    }

    // Columns p, q of x (rows x cols) <- (c x_p - s x_q, s x_p + c x_q): x times the Jacobi rotation.
    private static void RotateColumns(double[] x, int rows, int cols, int p, int q, double c, double s)
    {
        for (int i = 0; i < rows; i++)
        {
            double xp = x[i * cols + p], xq = x[i * cols + q];
            x[i * cols + p] = c * xp - s * xq;
            x[i * cols + q] = s * xp + c * xq;
        }
    }

    // Rows p, q of the square x (n x n) <- (c x_p - s x_q, s x_p + c x_q): the rotation's transpose times x.
    private static void RotateRows(double[] x, int n, int p, int q, double c, double s)
    {
        for (int j = 0; j < n; j++)
        {
            double xp = x[p * n + j], xq = x[q * n + j];
            x[p * n + j] = c * xp - s * xq;
            x[q * n + j] = s * xp + c * xq;
        }
    }

    private static double[] Identity(int n)
    {
        var x = new double[n * n];
        for (int i = 0; i < n; i++) x[i * n + i] = 1;
        return x;
    }

    internal static double[] Transpose(double[] x, int rows, int cols)
    {
        var t = new double[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }

    private static double[] PickColumns(double[] x, int rows, int cols, int[] order)
    {
        var y = new double[rows * order.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < order.Length; j++) y[i * order.Length + j] = x[i * cols + order[j]];
        return y;
    }

    // sqrt(a^2 + b^2) without overflow or underflow of the squares (LAPACK's dlapy2).
    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b), big = Math.Max(x, y), small = Math.Min(x, y);
        if (big == 0) return 0;
        double ratio = small / big;
        return big * Math.Sqrt(1 + ratio * ratio);
    }
}
