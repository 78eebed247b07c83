using System.Numerics;

namespace NeuralFlow.Backends.Managed;

// Fused batch and layer normalization with the native engines' arithmetic (native/src/common/
// norm.h): statistics in double, two passes (mean, then squared deviations), each element
// computed in double and rounded once. Every pass reads x in memory order, cut into parts:
// per-feature (or per-column) sums are kept per part, the parts fixed by the size alone and
// added in part order, so results do not depend on the thread count, and no two parts read the
// same memory (splitting by feature instead would make each part of an NHWC tensor walk all
// of it). Batch norm's parts are runs of outer rows (features x inner elements each); layer
// norm's are rows, and its gamma/beta gradients sum per column over row parts.
public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void BatchNorm(DType dtype, nint x, long outer, long features, long inner, nint gamma, nint beta, nint mean, nint variance,
                          double epsilon, nint output, nint batchMean, nint batchVariance)
    {
        const string M = nameof(BatchNorm);
        CheckNormOperands(M, dtype, outer, features, inner, epsilon, x, output, nameof(output));
        if ((mean == 0) != (variance == 0))
            throw new ArgumentException($"{M}: mean and variance must both be given (inference) or both be 0 (training).");
        if (mean != 0 && (batchMean != 0 || batchVariance != 0))
            throw new ArgumentException($"{M}: batchMean and batchVariance must be 0 when mean and variance are given.");
        if (mean == 0) CheckStatPointers(M, features, nameof(batchMean), batchMean, nameof(batchVariance), batchVariance);
        if (features == 0) return;
        var g = new BnGeom(outer, features, inner);
        if (dtype == DType.Float32) BatchNormKernel<float>(g, x, gamma, beta, mean, variance, epsilon, output, batchMean, batchVariance);
        else BatchNormKernel<double>(g, x, gamma, beta, mean, variance, epsilon, output, batchMean, batchVariance);
    }

    /// <inheritdoc/>
    public void BatchNormBackward(DType dtype, nint x, long outer, long features, long inner, nint dy, nint gamma, nint mean, nint variance,
                                  double epsilon, bool training, nint dx, nint dgamma, nint dbeta)
    {
        const string M = nameof(BatchNormBackward);
        CheckNormOperands(M, dtype, outer, features, inner, epsilon, x, dy, nameof(dy));
        if (training && (mean != 0 || variance != 0))
            throw new ArgumentException($"{M}: training recomputes the batch statistics, so mean and variance must be 0.");
        if (!training) CheckStatPointers(M, features, nameof(mean), mean, nameof(variance), variance);
        if (features == 0) return;
        var g = new BnGeom(outer, features, inner);
        if (dtype == DType.Float32) BatchNormBackwardKernel<float>(g, x, dy, gamma, mean, variance, epsilon, dx, dgamma, dbeta);
        else BatchNormBackwardKernel<double>(g, x, dy, gamma, mean, variance, epsilon, dx, dgamma, dbeta);
    }

    /// <inheritdoc/>
    public void LayerNorm(DType dtype, nint x, long rows, long cols, nint gamma, nint beta, double epsilon, nint output)
    {
        if (CheckNormOperands(nameof(LayerNorm), dtype, rows, cols, 1, epsilon, x, output, nameof(output)) == 0) return;
        if (dtype == DType.Float32) LayerNormKernel<float>(x, rows, cols, gamma, beta, epsilon, output);
        else LayerNormKernel<double>(x, rows, cols, gamma, beta, epsilon, output);
    }

    /// <inheritdoc/>
    public void LayerNormBackward(DType dtype, nint x, long rows, long cols, nint dy, nint gamma, double epsilon, nint dx, nint dgamma, nint dbeta)
    {
        CheckNormOperands(nameof(LayerNormBackward), dtype, rows, cols, 1, epsilon, x, dy, nameof(dy));
        if (cols == 0) return;
        if (dtype == DType.Float32) LayerNormBackwardKernel<float>(x, rows, cols, dy, gamma, epsilon, dx, dgamma, dbeta);
        else LayerNormBackwardKernel<double>(x, rows, cols, dy, gamma, epsilon, dx, dgamma, dbeta);
    }

    // What every normalization kernel takes first (the native engines' check_norm_operands): a
    // float dtype, x viewed as [a, b, c] with no negative count, epsilon finite and >= 0, and x
    // plus its same-sized partner (output or dy) given unless empty. Returns the element count.
    private static long CheckNormOperands(string method, DType dtype, long a, long b, long c, double epsilon, nint x, nint other, string otherName)
    {
        CheckDType(method, nameof(dtype), dtype);
        if (!dtype.IsFloating()) throw Unsupported(method, "normalization", dtype);
        if (a < 0 || b < 0 || c < 0)
            throw new ArgumentException($"{method}: dimensions [{a}, {b}, {c}] must not be negative.");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentException($"{method}: epsilon = {epsilon} must be finite and >= 0.", nameof(epsilon));
        long total = checked(a * b * c);
        CheckPointer(method, nameof(x), x, total);
        CheckPointer(method, otherName, other, total);
        return total;
    }

    // The [features] statistics a mode needs (given for inference, written in training).
    private static void CheckStatPointers(string method, long features, string aName, nint a, string bName, nint b)
    {
        CheckPointer(method, aName, a, features);
        CheckPointer(method, bName, b, features);
    }

    // x viewed as [outer, features, inner]; each feature's statistics run over outer * inner elements.
    private readonly record struct BnGeom(long Outer, long Features, long Inner)
    {
        public long Count => Outer * Inner;
    }

    private static double Rstd(double variance, double epsilon) => 1.0 / Math.Sqrt(variance + epsilon);

    private static unsafe double Param<T>(nint p, long i, double fallback) where T : unmanaged, IFloatingPointIeee754<T> =>
        p == 0 ? fallback : double.CreateTruncating(((T*)p)[i]);

    /// <summary>Runs <paramref name="body"/> over [0, n) in pieces when <paramref name="work"/> is large (elementwise and row passes).</summary>
    private static void ForPieces(long n, long work, Action<long, long> body)
    {
        WorkerPool.Split(body, n, ChunksFor(work, n));
    }

    /// <summary>
    /// out[j] for j in [0, <paramref name="width"/>): sums over rows [0, rows) that
    /// <paramref name="row"/>(r, acc) adds into acc. The rows are cut into parts by size alone
    /// (not by the thread count), each with its own accumulators, added up in part order.
    /// </summary>
    private static double[] ColumnSums(long rows, long width, long costPerRow, Action<long, double[]> row)
    {
        long work = rows * Math.Max(costPerRow, 1);
        int parts = rows < 2 || work < ParallelThreshold ? 1 : (int)Math.Clamp(work / (ParallelThreshold / 4), 1, Math.Min(rows, 64));
        var partial = new double[parts][];
        WorkerPool.Run(p =>
        {
            var acc = partial[p] = new double[width];
            for (long r = SplitPoint(rows, parts, p), e = SplitPoint(rows, parts, p + 1); r < e; r++) row(r, acc);
        }, parts);
        var sums = partial[0];
        for (int p = 1; p < parts; p++)
            for (long j = 0; j < width; j++) sums[j] += partial[p][j];
        return sums;
    }

    /// <summary>Batch mean, biased variance and rstd of every feature from x, in double (two passes).</summary>
    private static unsafe (double[] Mean, double[] Var, double[] Rstd) BatchStats<T>(BnGeom g, T* x, double epsilon) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long F = g.Features, inner = g.Inner;
        var mean = ColumnSums(g.Outer, F, F * inner, (o, acc) =>
        {
            for (long f = 0; f < F; f++)
            {
                T* p = x + (o * F + f) * inner;
                double s = 0;
                for (long i = 0; i < inner; i++) s += double.CreateTruncating(p[i]);
                acc[f] += s;
            }
        });
        for (long f = 0; f < F; f++) mean[f] /= g.Count;
        var var = ColumnSums(g.Outer, F, F * inner * 2, (o, acc) =>
        {
            for (long f = 0; f < F; f++)
            {
                T* p = x + (o * F + f) * inner;
                double m = mean[f], s = 0;
                for (long i = 0; i < inner; i++) { double d = double.CreateTruncating(p[i]) - m; s += d * d; }
                acc[f] += s;
            }
        });
        var rstd = new double[F];
        for (long f = 0; f < F; f++)
        {
            var[f] /= g.Count;
            rstd[f] = Rstd(var[f], epsilon);
        }
        return (mean, var, rstd);
    }

    /// <summary>The statistics an inference call was given, as mean and rstd.</summary>
    private static (double[] Mean, double[] Rstd) GivenStats<T>(long features, nint meanIn, nint varIn, double epsilon) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mean = new double[features];
        var rstd = new double[features];
        for (long f = 0; f < features; f++)
        {
            mean[f] = Param<T>(meanIn, f, 0);
            rstd[f] = Rstd(Param<T>(varIn, f, 0), epsilon);
        }
        return (mean, rstd);
    }

    /// <summary>Calls <paramref name="rows"/>(o0, o1) over the outer rows (features x inner elements each) in parallel pieces.</summary>
    private static void ForRows(BnGeom g, long cost, Action<long, long> rows) => ForPieces(g.Outer, g.Count * g.Features * cost, rows);

    /// <summary>gamma (1 when absent) or beta (0) of every feature, as doubles.</summary>
    private static double[] Params<T>(nint p, long features, double fallback) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new double[features];
        for (long f = 0; f < features; f++) values[f] = Param<T>(p, f, fallback);
        return values;
    }

    private static unsafe void BatchNormKernel<T>(BnGeom g, nint xp, nint gamma, nint beta, nint meanIn, nint varIn, double epsilon,
                                                  nint output, nint batchMean, nint batchVar) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* x = (T*)xp, y = (T*)output;
        double[] mean, rstd;
        if (meanIn != 0) (mean, rstd) = GivenStats<T>(g.Features, meanIn, varIn, epsilon);
        else
        {
            (mean, var variance, rstd) = BatchStats(g, x, epsilon);
            for (long f = 0; f < g.Features; f++)
            {
                ((T*)batchMean)[f] = T.CreateTruncating(mean[f]);
                ((T*)batchVar)[f] = T.CreateTruncating(variance[f]);
            }
        }
        long F = g.Features, inner = g.Inner;
        double[] gm = Params<T>(gamma, F, 1), bt = Params<T>(beta, F, 0);
        ForRows(g, 4, (o0, o1) =>
        {
            for (long o = o0; o < o1; o++)
                for (long f = 0; f < F; f++)
                {
                    double m = mean[f], s = rstd[f], a = gm[f], b = bt[f];
                    for (long k = (o * F + f) * inner, end = k + inner; k < end; k++)
                        y[k] = T.CreateTruncating((double.CreateTruncating(x[k]) - m) * s * a + b);
                }
        });
    }

    private static unsafe void BatchNormBackwardKernel<T>(BnGeom g, nint xp, nint dyp, nint gamma, nint meanIn, nint varIn, double epsilon,
                                                          nint dxp, nint dgamma, nint dbeta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* x = (T*)xp, dy = (T*)dyp, dx = (T*)dxp;
        bool training = meanIn == 0;
        long F = g.Features, inner = g.Inner;
        double n = g.Count;
        double[] mean, rstd;
        if (training) (mean, _, rstd) = BatchStats(g, x, epsilon);
        else (mean, rstd) = GivenStats<T>(F, meanIn, varIn, epsilon);
        // sums[f] = sum(dy), sums[F + f] = sum(dy * xhat). Inference dx needs neither; they are
        // skipped when gamma and beta want no gradient either.
        var sums = training || dgamma != 0 || dbeta != 0
            ? ColumnSums(g.Outer, 2 * F, F * inner * 4, (o, acc) =>
            {
                for (long f = 0; f < F; f++)
                {
                    T* px = x + (o * F + f) * inner, pd = dy + (o * F + f) * inner;
                    double m = mean[f], s = rstd[f], a = 0, b = 0;
                    for (long i = 0; i < inner; i++)
                    {
                        double d = double.CreateTruncating(pd[i]);
                        a += d;
                        b += d * (double.CreateTruncating(px[i]) - m) * s;
                    }
                    acc[f] += a;
                    acc[F + f] += b;
                }
            })
            : new double[2 * F];
        for (long f = 0; f < F; f++)
        {
            if (dgamma != 0) ((T*)dgamma)[f] = T.CreateTruncating(sums[F + f]);
            if (dbeta != 0) ((T*)dbeta)[f] = T.CreateTruncating(sums[f]);
        }
        if (dxp == 0) return;
        double[] gms = Params<T>(gamma, F, 1);
        ForRows(g, 6, (o0, o1) =>
        {
            for (long o = o0; o < o1; o++)
                for (long f = 0; f < F; f++)
                {
                    double gm = gms[f], s = rstd[f], m = mean[f];
                    double meanU = gm * sums[f] / n, meanUx = gm * sums[F + f] / n;
                    for (long k = (o * F + f) * inner, end = k + inner; k < end; k++)
                    {
                        double u = gm * double.CreateTruncating(dy[k]);
                        if (!training) { dx[k] = T.CreateTruncating(u * s); continue; }
                        double xhat = (double.CreateTruncating(x[k]) - m) * s;
                        dx[k] = T.CreateTruncating(s * (u - meanU - xhat * meanUx));
                    }
                }
        });
    }

    private static unsafe (double Mean, double Rstd) RowStats<T>(T* row, long cols, double epsilon) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0;
        for (long c = 0; c < cols; c++) s += double.CreateTruncating(row[c]);
        double m = s / cols, v = 0;
        for (long c = 0; c < cols; c++)
        {
            double d = double.CreateTruncating(row[c]) - m;
            v += d * d;
        }
        return (m, Rstd(v / cols, epsilon));
    }

    private static unsafe void LayerNormKernel<T>(nint xp, long rows, long cols, nint gamma, nint beta, double epsilon, nint output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* x = (T*)xp, y = (T*)output;
        ForPieces(rows, rows * cols * 4, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                T* xr = x + r * cols, yr = y + r * cols;
                var (m, s) = RowStats(xr, cols, epsilon);
                for (long c = 0; c < cols; c++)
                    yr[c] = T.CreateTruncating((double.CreateTruncating(xr[c]) - m) * s * Param<T>(gamma, c, 1) + Param<T>(beta, c, 0));
            }
        });
    }

    private static unsafe void LayerNormBackwardKernel<T>(nint xp, long rows, long cols, nint dyp, nint gamma, double epsilon,
                                                          nint dxp, nint dgamma, nint dbeta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* x = (T*)xp, dy = (T*)dyp, dx = (T*)dxp;
        // Pass 1 (rows): statistics, kept for pass 2, and dx.
        double[] mean = new double[rows], rstd = new double[rows];
        ForPieces(rows, rows * cols * 6, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                T* xr = x + r * cols, gr = dy + r * cols;
                (mean[r], rstd[r]) = RowStats(xr, cols, epsilon);
                if (dx == null) continue;
                double su = 0, sux = 0;
                for (long c = 0; c < cols; c++)
                {
                    double u = Param<T>(gamma, c, 1) * double.CreateTruncating(gr[c]);
                    su += u;
                    sux += u * (double.CreateTruncating(xr[c]) - mean[r]) * rstd[r];
                }
                T* dr = dx + r * cols;
                for (long c = 0; c < cols; c++)
                {
                    double u = Param<T>(gamma, c, 1) * double.CreateTruncating(gr[c]);
                    double xhat = (double.CreateTruncating(xr[c]) - mean[r]) * rstd[r];
                    dr[c] = T.CreateTruncating(rstd[r] * (u - su / cols - xhat * (sux / cols)));
                }
            }
        });
        if (dgamma == 0 && dbeta == 0) return;
        // Pass 2: each column's sums over the rows, in fixed row parts (memory order):
        // sums[c] = sum(dy * xhat), sums[cols + c] = sum(dy).
        var sums = ColumnSums(rows, 2 * cols, cols * 3, (r, acc) =>
        {
            T* xr = x + r * cols, gr = dy + r * cols;
            for (long c = 0; c < cols; c++)
            {
                double d = double.CreateTruncating(gr[c]);
                acc[c] += d * (double.CreateTruncating(xr[c]) - mean[r]) * rstd[r];
                acc[cols + c] += d;
            }
        });
        for (long c = 0; c < cols; c++)
        {
            if (dgamma != 0) ((T*)dgamma)[c] = T.CreateTruncating(sums[c]);
            if (dbeta != 0) ((T*)dbeta)[c] = T.CreateTruncating(sums[cols + c]);
        }
    }
}
