using System.Numerics;
using System.Numerics.Tensors;

namespace NeuralFlow.Backends.Managed;

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void Softmax(bool log, DType dtype, nint x, in Layout xLayout, int axis, nint output)
    {
        const string M = nameof(Softmax);
        CheckDType(M, nameof(dtype), dtype);
        long count = CheckLayout(M, nameof(xLayout), xLayout);
        if (!dtype.IsFloating()) throw Unsupported(M, log ? "log_softmax" : "softmax", dtype);
        int rank = xLayout.Rank;
        if (axis < 0 || axis >= rank)
            throw new ArgumentException($"{M}: axis {axis} is out of range for x of rank {rank} (shape {xLayout.Shape}).", nameof(axis));
        CheckPointer(M, nameof(x), x, count);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;

        // The kernels read a contiguous source with out's indexing ([outer, n, inner] row-major)
        // and write out. A contiguous x is read in place (the first pass reads x, later passes
        // work on out); any other layout is first copied into out, which then is the source.
        int size = dtype.SizeInBytes();
        nint source = x + (nint)(xLayout.Offset * size);
        if (!xLayout.IsContiguous)
        {
            var copyPlan = StridedPlan.Create(Layout.Contiguous(xLayout.Shape), xLayout);
            if (dtype == DType.Float32) RunCopy<int>(copyPlan, x, output);
            else RunCopy<long>(copyPlan, x, output);
            source = output;
        }

        var dims = xLayout.Shape.Dims;
        long outer = 1, inner = 1, n = dims[axis];
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < rank; d++) inner *= dims[d];
        if (dtype == DType.Float32) SoftmaxKernel<float>(log, source, output, outer, n, inner);
        else SoftmaxKernel<double>(log, source, output, outer, n, inner);
    }

    private const int SoftmaxBlock = 256;

    [MethodImpl(ManagedKernel)]
    private static unsafe void SoftmaxKernel<T>(bool log, nint source, nint output, long outer, long n, long inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = new SoftmaxJob<T> { Log = log, Src = (T*)source, Out = (T*)output, N = n, Inner = inner };
        if (inner == 1)
        {
            // Softmax along the last axis: each row is contiguous, so every step is a vector op.
            checked { _ = (int)n; }
            WorkerPool.Split(job, outer, ChunksFor(outer * n * 8, outer));
            return;
        }
        // Softmax along an inner axis: the lanes are columns of [n, inner] blocks. Handle a block
        // of columns at a time with row-wide vector ops, keeping max/sum vectors in L1.
        long blocks = (inner + SoftmaxBlock - 1) / SoftmaxBlock, units = outer * blocks;
        WorkerPool.Split(job, units, ChunksFor(outer * n * inner * 8, units));
    }

    /// <summary>Rows [b, e) when the axis is the last one (Inner 1), else units [b, e) of (outer index, block of SoftmaxBlock columns).</summary>
    private unsafe struct SoftmaxJob<T> : IRangeJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public bool Log;
        public T* Src, Out;
        public long N, Inner;

        [MethodImpl(ManagedKernel)]
        public readonly void Run(long b, long e)
        {
            long n = N, inner = Inner;
            if (inner == 1)
            {
                if (Log)
                    for (long r = b; r < e; r++) LogSoftmaxRow(new ReadOnlySpan<T>(Src + r * n, (int)n), new Span<T>(Out + r * n, (int)n));
                else SoftmaxRows(Src + b * n, Out + b * n, e - b, (int)n);
                return;
            }
            long blocks = (inner + SoftmaxBlock - 1) / SoftmaxBlock;
            for (long u = b; u < e; u++)
            {
                long o = u / blocks, c0 = (u - o * blocks) * SoftmaxBlock;
                int w = (int)Math.Min(SoftmaxBlock, inner - c0);
                SoftmaxColumns(Log, Src + o * n * inner + c0, Out + o * n * inner + c0, n, inner, w);
            }
        }
    }

    /// <summary>
    /// Rows of n contiguous lanes read from src and written to out: subtract each row's max, one
    /// exponentiation over all the rows (ExpOp, the Exp op's own bits), normalise each row (sum
    /// in double). A call per row cost a TensorPrimitives call per 10-class row, each running
    /// unoptimized code until tiered compilation reached it (issue 17, one series per build on a
    /// loaded machine: 256 x 10 took 280-500 us for the first ~0.25 s of a process, 40-65 us until
    /// ~1.2 s, 10.6 us after; see VectorLoops).
    /// </summary>
    [MethodImpl(ManagedKernel)]
    private static unsafe void SoftmaxRows<T>(T* src, T* out_, long rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long r = 0; r < rows; r++)
        {
            var x = new ReadOnlySpan<T>(src + r * n, n);
            SubOp<T>.VecAS(x, VectorLoops.Max(x), new Span<T>(out_ + r * n, n));
        }
        // Blocks of whole rows, so that the span length stays an int.
        long perBlock = Math.Max(1, (1L << 20) / n);
        for (long r0 = 0; r0 < rows; r0 += perBlock)
        {
            var block = new Span<T>(out_ + r0 * n, (int)(Math.Min(perBlock, rows - r0) * n));
            ExpOp<T>.Vec(block, block);
        }
        for (long r = 0; r < rows; r++)
        {
            var row = new Span<T>(out_ + r * n, n);
            DivFloatOp<T>.VecAS(row, T.CreateTruncating(SumFloat<T>.Contiguous(row, 0)), row);
        }
    }

    /// <summary>One contiguous lane read from src and written to row: log_softmax.</summary>
    [MethodImpl(ManagedKernel)]
    private static void LogSoftmaxRow<T>(ReadOnlySpan<T> src, Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SubOp<T>.VecAS(src, VectorLoops.Max(src), row);
        // log_softmax = (x - max) - log(sum(exp(x - max))). The exps are summed in double and
        // computed in double too: near the max, the result is a small difference, and float
        // exp's last-bit error (TensorPrimitives gives exp(0f) = 1.0000001) would dominate it.
        Span<double> tmp = stackalloc double[SoftmaxBlock];
        double s = 0;
        for (int i = 0; i < row.Length; i += SoftmaxBlock)
        {
            int m = Math.Min(SoftmaxBlock, row.Length - i);
            ExpToDouble<T>(row.Slice(i, m), tmp[..m]);
            s += TensorPrimitives.Sum((ReadOnlySpan<double>)tmp[..m]);
        }
        SubOp<T>.VecAS(row, T.CreateTruncating(Math.Log(s)), row);
    }

    /// <summary>d = exp(x) evaluated in double.</summary>
    [MethodImpl(ManagedKernel)]
    private static void ExpToDouble<T>(ReadOnlySpan<T> x, Span<double> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) VectorLoops.Widen(System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(x), d);
        else System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(x).CopyTo(d);
        TensorPrimitives.Exp(d, d);
    }

    /// <summary>w lanes that are columns: element (r, j) is read at src[r * stride + j] and written at p[r * stride + j].</summary>
    [MethodImpl(ManagedKernel)]
    private static unsafe void SoftmaxColumns<T>(bool log, T* src, T* p, long n, long stride, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> max = stackalloc T[w];
        Span<T> tmp = stackalloc T[w];
        Span<double> sum = stackalloc double[w];
        Span<double> expD = log ? stackalloc double[w] : default;
        new Span<T>(src, w).CopyTo(max);
        for (long r = 1; r < n; r++) TensorPrimitives.Max(max, new ReadOnlySpan<T>(src + r * stride, w), max);
        sum.Clear();
        for (long r = 0; r < n; r++)
        {
            var row = new Span<T>(p + r * stride, w);
            SubOp<T>.Vec(new ReadOnlySpan<T>(src + r * stride, w), max, row);
            if (log)
            {
                ExpToDouble<T>(row, expD);
                AddOp<double>.Vec(sum, expD, sum);
            }
            else
            {
                TensorPrimitives.Exp(row, row);
                SumFloat<T>.Columns(sum, row);
            }
        }
        // Reuse tmp for the per-column divisor (softmax) or log-sum (log_softmax), in T.
        for (int j = 0; j < w; j++) tmp[j] = T.CreateTruncating(log ? Math.Log(sum[j]) : sum[j]);
        for (long r = 0; r < n; r++)
        {
            var row = new Span<T>(p + r * stride, w);
            if (log) SubOp<T>.Vec(row, tmp, row);
            else DivFloatOp<T>.Vec(row, tmp, row);
        }
    }
}
