using System.Numerics;

namespace NeuralFlow.Backends.Managed;

// Fused batch and layer normalization with the native engines' arithmetic (native/src/common/
// norm.h): statistics in double, two passes (mean, then squared deviations), each element
// computed in double and rounded once. Batch norm runs in parallel over blocks of features,
// each block walking x row by row (axis -1's [N, C] reads stay contiguous); layer norm over
// rows, and its gamma/beta gradients over blocks of columns. Every sum has one owner and a
// fixed order, so results do not depend on the thread count.
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

    /// <summary>Runs <paramref name="body"/> over [0, n) in pieces when <paramref name="work"/> is large (the feature or row loops).</summary>
    private static void ForPieces(long n, long work, Action<long, long> body)
    {
        int pieces = ChunksFor(work, n);
        if (pieces == 1) body(0, n);
        else Parallel.For(0, pieces, Options, p => body(SplitPoint(n, pieces, p), SplitPoint(n, pieces, p + 1)));
    }

    /// <summary>Sums per feature of <paramref name="term"/>(f, k) over features [f0, f1), row by row, into acc[f].</summary>
    private static void AccumulateBlock(BnGeom g, long f0, long f1, double[] acc, Func<long, long, double> term)
    {
        for (long f = f0; f < f1; f++) acc[f] = 0;
        for (long o = 0; o < g.Outer; o++)
            for (long f = f0; f < f1; f++)
            {
                long b = (o * g.Features + f) * g.Inner;
                double s = acc[f];
                for (long i = 0; i < g.Inner; i++) s += term(f, b + i);
                acc[f] = s;
            }
    }

    private static unsafe void BatchStats<T>(BnGeom g, T* x, long f0, long f1, double epsilon, double[] mean, double[] var, double[] rstd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        AccumulateBlock(g, f0, f1, mean, (_, k) => double.CreateTruncating(x[k]));
        for (long f = f0; f < f1; f++) mean[f] /= g.Count;
        AccumulateBlock(g, f0, f1, var, (f, k) => { double d = double.CreateTruncating(x[k]) - mean[f]; return d * d; });
        for (long f = f0; f < f1; f++)
        {
            var[f] /= g.Count;
            rstd[f] = Rstd(var[f], epsilon);
        }
    }

    /// <summary>Calls <paramref name="body"/>(f, k) for every element of features [f0, f1), row by row.</summary>
    private static void ForBlock(BnGeom g, long f0, long f1, Action<long, long> body)
    {
        for (long o = 0; o < g.Outer; o++)
            for (long f = f0; f < f1; f++)
            {
                long b = (o * g.Features + f) * g.Inner;
                for (long i = 0; i < g.Inner; i++) body(f, b + i);
            }
    }

    private static unsafe void BatchNormKernel<T>(BnGeom g, nint xp, nint gamma, nint beta, nint meanIn, nint varIn, double epsilon,
                                                  nint output, nint batchMean, nint batchVar) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* x = (T*)xp, y = (T*)output;
        long F = g.Features;
        double[] mean = new double[F], var = new double[F], rstd = new double[F];
        ForPieces(F, g.Count * F * 4, (f0, f1) =>
        {
            if (meanIn != 0)
            {
                for (long f = f0; f < f1; f++)
                {
                    mean[f] = Param<T>(meanIn, f, 0);
                    rstd[f] = Rstd(Param<T>(varIn, f, 0), epsilon);
                }
            }
            else
            {
                BatchStats(g, x, f0, f1, epsilon, mean, var, rstd);
                for (long f = f0; f < f1; f++)
                {
                    ((T*)batchMean)[f] = T.CreateTruncating(mean[f]);
                    ((T*)batchVar)[f] = T.CreateTruncating(var[f]);
                }
            }
            ForBlock(g, f0, f1, (f, k) =>
                y[k] = T.CreateTruncating((double.CreateTruncating(x[k]) - mean[f]) * rstd[f] * Param<T>(gamma, f, 1) + Param<T>(beta, f, 0)));
        });
    }

    private static unsafe void BatchNormBackwardKernel<T>(BnGeom g, nint xp, nint dyp, nint gamma, nint meanIn, nint varIn, double epsilon,
                                                          nint dxp, nint dgamma, nint dbeta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* x = (T*)xp, dy = (T*)dyp, dx = (T*)dxp;
        bool training = meanIn == 0;
        long F = g.Features;
        double n = g.Count;
        double[] mean = new double[F], var = new double[F], rstd = new double[F], sdy = new double[F], sdyx = new double[F];
        ForPieces(F, g.Count * F * 6, (f0, f1) =>
        {
            if (training) BatchStats(g, x, f0, f1, epsilon, mean, var, rstd);
            else
                for (long f = f0; f < f1; f++)
                {
                    mean[f] = Param<T>(meanIn, f, 0);
                    rstd[f] = Rstd(Param<T>(varIn, f, 0), epsilon);
                }
            // Inference dx needs no sums; they are skipped when neither gamma nor beta wants them.
            if (training || dgamma != 0 || dbeta != 0)
            {
                AccumulateBlock(g, f0, f1, sdy, (_, k) => double.CreateTruncating(dy[k]));
                AccumulateBlock(g, f0, f1, sdyx, (f, k) => double.CreateTruncating(dy[k]) * (double.CreateTruncating(x[k]) - mean[f]) * rstd[f]);
            }
            for (long f = f0; f < f1; f++)
            {
                if (dgamma != 0) ((T*)dgamma)[f] = T.CreateTruncating(sdyx[f]);
                if (dbeta != 0) ((T*)dbeta)[f] = T.CreateTruncating(sdy[f]);
            }
            if (dxp == 0) return;
            ForBlock(g, f0, f1, (f, k) =>
            {
                double gm = Param<T>(gamma, f, 1), u = gm * double.CreateTruncating(dy[k]);
                if (!training) { dx[k] = T.CreateTruncating(u * rstd[f]); return; }
                double xhat = (double.CreateTruncating(x[k]) - mean[f]) * rstd[f];
                dx[k] = T.CreateTruncating(rstd[f] * (u - gm * sdy[f] / n - xhat * (gm * sdyx[f] / n)));
            });
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
        // Pass 2 (blocks of columns): each column's sums over the rows, in row order.
        double[] sg = new double[cols], sb = new double[cols];
        ForPieces(cols, rows * cols * 3, (c0, c1) =>
        {
            for (long r = 0; r < rows; r++)
                for (long c = c0; c < c1; c++)
                {
                    double d = double.CreateTruncating(dy[r * cols + c]);
                    sb[c] += d;
                    sg[c] += d * (double.CreateTruncating(x[r * cols + c]) - mean[r]) * rstd[r];
                }
            for (long c = c0; c < c1; c++)
            {
                if (dgamma != 0) ((T*)dgamma)[c] = T.CreateTruncating(sg[c]);
                if (dbeta != 0) ((T*)dbeta)[c] = T.CreateTruncating(sb[c]);
            }
        });
    }
}
