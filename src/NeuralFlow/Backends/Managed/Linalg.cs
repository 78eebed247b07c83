namespace NeuralFlow.Backends.Managed;

// nf_lu's, nf_triangular_solve's and nf_cholesky's contracts in C# (native/src/cpu/linalg.cpp):
// the same unblocked algorithms in the same order, each matrix read into doubles (float32 is
// widened and rounded once, as there), matrices in parallel.
public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public unsafe void Lu(DType dtype, nint a, in Layout aLayout, nint luOut, nint pivotsOut, nint permOut, nint infoOut, bool check)
    {
        const string M = nameof(Lu);
        var (batch, n, count) = CheckSquare(M, dtype, aLayout);
        CheckPointer(M, nameof(a), a, count);
        CheckPointer(M, nameof(luOut), luOut, count);
        CheckPointer(M, nameof(pivotsOut), pivotsOut, batch * n);
        CheckPointer(M, nameof(permOut), permOut, batch * n);
        CheckPointer(M, nameof(infoOut), infoOut, batch);
        var la = aLayout;
        bool f32 = dtype == DType.Float32;
        int* piv = (int*)pivotsOut, perm = (int*)permOut, info = (int*)infoOut;
        ForMatrices(batch, (long)n * n * n, (m, w) =>
        {
            ReadMatrix(f32, a, la, m, n, n, w);
            int* pm = perm + m * n, pv = piv + m * n;
            int bad = 0;
            for (int i = 0; i < n; i++) pm[i] = i;
            for (int k = 0; k < n; k++)
            {
                int p = k;
                double best = Math.Abs(w[k * n + k]);
                for (int i = k + 1; i < n; i++)
                {
                    double v = Math.Abs(w[i * n + k]);
                    if (v > best) { best = v; p = i; }
                }
                pv[k] = p;
                if (p != k)
                {
                    for (int j = 0; j < n; j++) (w[k * n + j], w[p * n + j]) = (w[p * n + j], w[k * n + j]);
                    (pm[k], pm[p]) = (pm[p], pm[k]);
                }
                double d = w[k * n + k];
                if (d == 0)
                {
                    if (bad == 0) bad = k + 1;  // getf2: note the first zero pivot and go on
                    continue;
                }
                for (int i = k + 1; i < n; i++)
                {
                    double l = w[i * n + k] /= d;
                    if (l == 0) continue;
                    for (int j = k + 1; j < n; j++) w[i * n + j] -= l * w[k * n + j];
                }
            }
            info[m] = bad;
            WriteMatrix(f32, w, luOut, m * n * (long)n, n * (long)n);
        }, n * (long)n);
        if (check) CheckLuInfo(M, info, batch);
    }

    /// <inheritdoc/>
    public unsafe void TriangularSolve(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, bool lower, bool unitDiagonal, nint output)
    {
        const string M = nameof(TriangularSolve);
        var (batch, n, count) = CheckSquare(M, dtype, aLayout);
        long bCount = CheckLayout(M, nameof(bLayout), bLayout);
        int rank = aLayout.Rank;
        if (bLayout.Rank != rank)
            throw new ArgumentException($"{M}: bLayout.rank = {bLayout.Rank} must equal aLayout.rank = {rank}.", nameof(bLayout));
        for (int d = 0; d < rank - 2; d++)
            if (bLayout.Shape[d] != aLayout.Shape[d])
                throw new ArgumentException($"{M}: batch axis {d}: aLayout has {aLayout.Shape[d]} but bLayout has {bLayout.Shape[d]} (broadcast batch axes are stride 0).", nameof(bLayout));
        if (bLayout.Shape[rank - 2] != n)
            throw new ArgumentException($"{M}: bLayout is {bLayout.Shape} but A is {n} x {n}: b needs {n} rows.", nameof(bLayout));
        int k = bLayout.Shape[rank - 1];
        CheckPointer(M, nameof(a), a, count);
        CheckPointer(M, nameof(b), b, bCount);
        CheckPointer(M, nameof(output), output, bCount);
        if (k == 0) return;
        var (la, lb) = (aLayout, bLayout);
        bool f32 = dtype == DType.Float32;
        ForMatrices(batch, (long)n * n * k, (m, w) =>
        {
            var am = new double[n * n];
            ReadMatrix(f32, a, la, m, n, n, am);
            ReadMatrix(f32, b, lb, m, n, k, w);
            // Row i of X: (B[i] - sum over the solved rows j of A[i, j] X[j]) / A[i, i].
            for (int s = 0; s < n; s++)
            {
                int i = lower ? s : n - 1 - s;
                int j0 = lower ? 0 : i + 1, j1 = lower ? i : n;
                for (int j = j0; j < j1; j++)
                {
                    double aij = am[i * n + j];
                    if (aij == 0) continue;
                    for (int c = 0; c < k; c++) w[i * k + c] -= aij * w[j * k + c];
                }
                if (!unitDiagonal)
                {
                    double d = am[i * n + i];
                    for (int c = 0; c < k; c++) w[i * k + c] /= d;
                }
            }
            WriteMatrix(f32, w, output, m * n * (long)k, n * (long)k);
        }, n * (long)k);
    }

    /// <inheritdoc/>
    public unsafe void Cholesky(DType dtype, nint a, in Layout aLayout, nint lOut, nint infoOut, bool check)
    {
        const string M = nameof(Cholesky);
        var (batch, n, count) = CheckSquare(M, dtype, aLayout);
        CheckPointer(M, nameof(a), a, count);
        CheckPointer(M, nameof(lOut), lOut, count);
        CheckPointer(M, nameof(infoOut), infoOut, batch);
        var la = aLayout;
        bool f32 = dtype == DType.Float32;
        int* info = (int*)infoOut;
        ForMatrices(batch, (long)n * n * n, (m, w) =>
        {
            ReadMatrix(f32, a, la, m, n, n, w);
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) w[i * n + j] = 0;  // the upper triangle is never read
            int bad = 0;
            for (int j = 0; j < n && bad == 0; j++)
            {
                double d = w[j * n + j];
                for (int p = 0; p < j; p++) d -= w[j * n + p] * w[j * n + p];
                if (!(d > 0))  // NaN too
                {
                    bad = j + 1;
                    for (int i = j; i < n; i++)
                        for (int c = j; c <= i; c++) w[i * n + c] = 0;
                    break;
                }
                d = Math.Sqrt(d);
                w[j * n + j] = d;
                for (int i = j + 1; i < n; i++)
                {
                    double s = w[i * n + j];
                    for (int p = 0; p < j; p++) s -= w[i * n + p] * w[j * n + p];
                    w[i * n + j] = s / d;
                }
            }
            info[m] = bad;
            WriteMatrix(f32, w, lOut, m * n * (long)n, n * (long)n);
        }, n * (long)n);
        if (check)
            for (long m = 0; m < batch; m++)
                if (info[m] != 0)
                    throw new ArgumentException($"{M}: batch element {m} of {batch} is not positive definite: its leading minor of order {info[m]} is not positive.");
    }

    private static unsafe void CheckLuInfo(string method, int* info, long batch)
    {
        for (long m = 0; m < batch; m++)
            if (info[m] != 0)
                throw new ArgumentException($"{method}: batch element {m} of {batch} is singular: U[{info[m] - 1}, {info[m] - 1}] is 0, so the matrix is not invertible.");
    }

    /// <summary>A [..., n, n] of float32 or float64: the number of matrices, n and the element count.</summary>
    private static (long Batch, int N, long Count) CheckSquare(string method, DType dtype, in Layout layout)
    {
        CheckDType(method, nameof(dtype), dtype);
        if (dtype is not (DType.Float32 or DType.Float64)) throw Unsupported(method, "a matrix factorization or solve", dtype);
        long count = CheckLayout(method, "aLayout", layout);
        int rank = layout.Rank;
        if (rank < 2) throw new ArgumentException($"{method}: aLayout.rank = {rank} must be >= 2 (a batch of matrices).", "aLayout");
        int n = layout.Shape[rank - 1];
        if (layout.Shape[rank - 2] != n)
            throw new ArgumentException($"{method}: aLayout is {layout.Shape}, but its last two axes must be equal (square matrices).", "aLayout");
        long batch = 1;
        for (int d = 0; d < rank - 2; d++) batch *= layout.Shape[d];
        return (batch, n, count);
    }

    private delegate void MatrixBody(long m, Span<double> work);

    // Runs body(m, work) for every matrix, in parallel when `cost` (multiply-adds per matrix) adds up.
    private static void ForMatrices(long batch, long cost, MatrixBody body, long workSize) =>
        WorkerPool.Split((begin, end) =>
        {
            var work = new double[workSize];
            for (long m = begin; m < end; m++) body(m, work);
        }, batch, ChunksFor(batch * Math.Max(cost, 1), batch));

    // Matrix m of the batch (rows x cols, the layout's batch axes walked row-major) into doubles.
    private static unsafe void ReadMatrix(bool f32, nint data, Layout l, long m, int rows, int cols, Span<double> w)
    {
        int rank = l.Rank;
        long off = l.Offset;
        for (int d = rank - 3; d >= 0; d--)
        {
            off += m % l.Shape[d] * l.Strides[d];
            m /= l.Shape[d];
        }
        long rs = l.Strides[rank - 2], cs = l.Strides[rank - 1];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                long e = off + i * rs + j * cs;
                w[i * cols + j] = f32 ? ((float*)data)[e] : ((double*)data)[e];
            }
    }

    private static unsafe void WriteMatrix(bool f32, Span<double> w, nint output, long start, long count)
    {
        for (long i = 0; i < count; i++)
        {
            if (f32) ((float*)output)[start + i] = (float)w[(int)i];
            else ((double*)output)[start + i] = w[(int)i];
        }
    }
}
