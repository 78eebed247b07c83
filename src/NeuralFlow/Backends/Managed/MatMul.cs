using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralFlow.Backends.Managed;

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public unsafe void MatMul(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout)
    {
        const string Mn = nameof(MatMul);
        CheckDType(Mn, nameof(dtype), dtype);
        long aCount = CheckLayout(Mn, nameof(aLayout), aLayout);
        long bCount = CheckLayout(Mn, nameof(bLayout), bLayout);
        long outCount = CheckLayout(Mn, nameof(outLayout), outLayout);
        if (!dtype.IsFloating()) throw Unsupported(Mn, "matmul", dtype);
        int rank = outLayout.Rank;
        if (rank < 2 || aLayout.Rank != rank || bLayout.Rank != rank)
            throw new ArgumentException($"{Mn}: a, b and out need one rank >= 2, got a {aLayout.Shape}, b {bLayout.Shape}, out {outLayout.Shape}.", nameof(outLayout));
        if (!outLayout.IsContiguous)
            throw new ArgumentException($"{Mn}: outLayout must be contiguous, got {outLayout}.", nameof(outLayout));
        var ad = aLayout.Shape.Dims; var bd = bLayout.Shape.Dims; var od = outLayout.Shape.Dims;
        var ast = aLayout.Strides; var bst = bLayout.Strides;
        int r2 = rank - 2, r1 = rank - 1;
        // op() swaps the last two axes logically: only which stride walks rows changes.
        long m = od[r2], n = od[r1];
        long am = ad[r2], ak = ad[r1], sam = ast[r2], sak = ast[r1];
        long bk = bd[r2], bn = bd[r1], sbk = bst[r2], sbn = bst[r1];
        if (am != m || bn != n || ak != bk)
            throw new ArgumentException($"{Mn}: shapes do not multiply: a is {aLayout.Shape}, b is {bLayout.Shape}, out is {outLayout.Shape}.", nameof(bLayout));
        // Batch axes: a and b match out there (or are 1, which broadcasts like stride 0).
        Span<long> batchShape = stackalloc long[Math.Max(r2, 1)], aBs = stackalloc long[Math.Max(r2, 1)], bBs = stackalloc long[Math.Max(r2, 1)];
        long batch = 1;
        for (int d = 0; d < r2; d++)
        {
            if ((ad[d] != od[d] && ad[d] != 1) || (bd[d] != od[d] && bd[d] != 1))
                throw new ArgumentException($"{Mn}: batch axis {d} of out {outLayout.Shape} does not match a {aLayout.Shape} or b {bLayout.Shape}.", nameof(outLayout));
            batchShape[d] = od[d];
            aBs[d] = ad[d] == 1 ? 0 : ast[d];
            bBs[d] = bd[d] == 1 ? 0 : bst[d];
            batch *= od[d];
        }
        CheckPointer(Mn, nameof(a), a, aCount);
        CheckPointer(Mn, nameof(b), b, bCount);
        CheckPointer(Mn, nameof(output), output, outCount);
        if (outCount == 0) return;
        if (ak == 0)
        {
            Fill(dtype, output, outCount, 0); // an empty sum
            return;
        }
        var batches = StridedPlan.Create(2, batchShape[..r2], aBs[..r2], bBs[..r2], default, aLayout.Offset, bLayout.Offset, 0);
        if (dtype == DType.Float32) MatMulTyped<float>((float*)a, (float*)b, (float*)output, batches, batch, m, n, ak, sam, sak, sbk, sbn);
        else MatMulTyped<double>((double*)a, (double*)b, (double*)output, batches, batch, m, n, ak, sam, sak, sbk, sbn);
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void MatMulTyped<T>(T* a, T* b, T* c, StridedPlan batches, long batch, long m, long n, long k,
        long sam, long sak, long sbk, long sbn) where T : unmanaged, INumber<T>
    {
        var job = new BatchJob<T>
        {
            A = a, B = b, C = c, Batches = batches,
            One = new GemmArgs<T> { M = m, N = n, K = k, Sam = sam, Sak = sak, Sbk = sbk, Sbn = sbn, Scm = n, Scn = 1 },
        };
        // Many small products: a piece of them per part. Otherwise products run in turn, each split by rows.
        long flops = 2 * m * n * k;
        if (batch > 1 && flops < 4 * Gemm<T, T, SimdScalar<T>>.ParallelFlops && batch * flops >= Gemm<T, T, SimdScalar<T>>.ParallelFlops)
        {
            WorkerPool.Split(job, batch, (int)Math.Min(batch, Workers * 4L));
            return;
        }
        job.AllowParallel = true;
        job.Run(0, batch);
    }

    /// <summary>Products [begin, end) of a batched MatMul: <see cref="One"/> with each one's A, B and C.</summary>
    private unsafe struct BatchJob<T> : IRangeJob where T : unmanaged, INumber<T>
    {
        public T* A, B, C;
        public StridedPlan Batches;
        public GemmArgs<T> One;
        public bool AllowParallel;

        [MethodImpl(ManagedKernel)]
        public readonly void Run(long begin, long end)
        {
            long flops = 2 * One.M * One.N * One.K;
            for (long i = begin; i < end; i++)
            {
                var g = One;
                g.A = A + Batches.Base0 + Batches.OffsetOf(i, Batches.S0);
                g.B = B + Batches.Base1 + Batches.OffsetOf(i, Batches.S1);
                g.C = C + i * One.M * One.N;
                GemmOne(g, flops, AllowParallel);
            }
        }
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void GemmOne<T>(in GemmArgs<T> g, long flops, bool allowParallel) where T : unmanaged, INumber<T>
    {
        // Tiny products: packing would cost more than the arithmetic.
        if (flops <= 2 * 12 * 12 * 12)
        {
            for (long i = 0; i < g.M; i++)
                for (long j = 0; j < g.N; j++)
                {
                    T acc = T.Zero;
                    T* pa = g.A + i * g.Sam, pb = g.B + j * g.Sbn;
                    for (long p = 0; p < g.K; p++) acc += pa[p * g.Sak] * pb[p * g.Sbk];
                    g.C[i * g.Scm + j * g.Scn] = acc;
                }
            return;
        }
        if (Vector512.IsHardwareAccelerated) Gemm<T, Vector512<T>, SimdVector<Vector512<T>, T>>.Run(g, allowParallel);
        else if (Vector256.IsHardwareAccelerated) Gemm<T, Vector256<T>, SimdVector<Vector256<T>, T>>.Run(g, allowParallel);
        else if (Vector128.IsHardwareAccelerated) Gemm<T, Vector128<T>, SimdVector<Vector128<T>, T>>.Run(g, allowParallel);
        else Gemm<T, T, SimdScalar<T>>.Run(g, allowParallel);
    }
}
