using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// The few SIMD operations the GEMM micro-kernel needs, over a vector type TV of T. One
/// kernel is written against this and instantiated for Vector512, Vector256, Vector128 and
/// plain scalars; TV is the vector type itself (no wrapper), so the JIT emits the same code as
/// a hand-written kernel for each width.
/// </summary>
internal unsafe interface ISimd<TV, T> where TV : unmanaged where T : unmanaged
{
    static abstract int Lanes { get; }
    static abstract TV Load(T* p);
    static abstract void Store(T* p, TV v);
    static abstract TV Splat(T v);
    /// <summary>a * b + c, fused where the hardware has FMA.</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
}

internal unsafe struct Simd512<T> : ISimd<Vector512<T>, T> where T : unmanaged
{
    public static int Lanes => Vector512<T>.Count;
    public static Vector512<T> Load(T* p) => Vector512.Load(p);
    public static void Store(T* p, Vector512<T> v) => v.Store(p);
    public static Vector512<T> Splat(T v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
        typeof(T) == typeof(float) ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
}

internal unsafe struct Simd256<T> : ISimd<Vector256<T>, T> where T : unmanaged
{
    public static int Lanes => Vector256<T>.Count;
    public static Vector256<T> Load(T* p) => Vector256.Load(p);
    public static void Store(T* p, Vector256<T> v) => v.Store(p);
    public static Vector256<T> Splat(T v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MulAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        typeof(T) == typeof(float) ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
}

internal unsafe struct Simd128<T> : ISimd<Vector128<T>, T> where T : unmanaged
{
    public static int Lanes => Vector128<T>.Count;
    public static Vector128<T> Load(T* p) => Vector128.Load(p);
    public static void Store(T* p, Vector128<T> v) => v.Store(p);
    public static Vector128<T> Splat(T v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MulAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c) =>
        typeof(T) == typeof(float) ? Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;
}

/// <summary>The no-SIMD fallback: a "vector" of one element.</summary>
internal unsafe struct SimdScalar<T> : ISimd<T, T> where T : unmanaged, INumber<T>
{
    public static int Lanes => 1;
    public static T Load(T* p) => *p;
    public static void Store(T* p, T v) => *p = v;
    public static T Splat(T v) => v;
    public static T MulAdd(T a, T b, T c) => a * b + c;
    public static T Add(T a, T b) => a + b;
}

/// <summary>One matrix product C[M, N] = A[M, K] @ B[K, N] with element strides for A and B (any sign, 0 allowed) and a row-major C.</summary>
internal unsafe struct GemmArgs<T> where T : unmanaged
{
    public long M, N, K;
    public T* A, B, C;
    public long Sam, Sak, Sbk, Sbn, Ldc;
}

/// <summary>
/// A Goto/BLIS-style GEMM: B is packed into KC x NR column panels (L1/L3 resident), A into
/// MC x KC blocks of MR-row panels (L2 resident), and an MR x NR register-tile micro-kernel
/// streams both with broadcast FMAs. Packing also absorbs any input strides (transposes,
/// slices, negative steps), so the micro-kernel only ever reads contiguous memory. Row blocks
/// of A run in parallel; each thread packs its own A block.
/// </summary>
internal static unsafe class Gemm<T, TV, TS> where T : unmanaged, INumber<T> where TV : unmanaged where TS : ISimd<TV, T>
{
    private const int MR = 6;
    private const int KC = 256;
    private const int MC = 72; // a multiple of MR: 12 panels, MC x KC floats = 72 KB (L2)
    private const int NC = 4096;
    private static int NR => 2 * TS.Lanes;

    public static void Run(in GemmArgs<T> g, bool allowParallel)
    {
        int nr = NR;
        long ncMax = Math.Min(g.N, NC);
        long nPanelsMax = (ncMax + nr - 1) / nr;
        T* bPack = (T*)NativeMemory.AlignedAlloc((nuint)(KC * nPanelsMax * nr * sizeof(T)), 64);
        try
        {
            var args = g;
            for (long jc = 0; jc < g.N; jc += NC)
            {
                long nc = Math.Min(NC, g.N - jc);
                for (long pc = 0; pc < g.K; pc += KC)
                {
                    int kc = (int)Math.Min(KC, g.K - pc);
                    PackB(g, bPack, pc, kc, jc, nc);
                    long blocks = (g.M + MC - 1) / MC;
                    bool accumulate = pc > 0;
                    long flops = 2L * g.M * nc * kc;
                    int pieces = allowParallel && flops >= 4 * ParallelFlops ? (int)Math.Min(blocks, ManagedBackend.Workers * 2L) : 1;
                    if (pieces <= 1)
                    {
                        RowBlocks(args, bPack, 0, blocks, pc, kc, jc, nc, accumulate);
                    }
                    else
                    {
                        long j0 = jc, p0 = pc;
                        Parallel.For(0, pieces, ManagedBackend.Options, piece => RowBlocks(args, bPack,
                            ManagedBackend.SplitPoint(blocks, pieces, piece), ManagedBackend.SplitPoint(blocks, pieces, piece + 1),
                            p0, kc, j0, nc, accumulate));
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(bPack);
        }
    }

    /// <summary>Flops below which one GEMM stays on one thread (about 50 microseconds of work).</summary>
    internal const long ParallelFlops = 1L << 21;

    private static void RowBlocks(in GemmArgs<T> g, T* bPack, long blockBegin, long blockEnd, long pc, int kc, long jc, long nc, bool accumulate)
    {
        int nr = NR;
        T* aPack = (T*)NativeMemory.AlignedAlloc((nuint)(MC * KC * sizeof(T)), 64);
        try
        {
            for (long blk = blockBegin; blk < blockEnd; blk++)
            {
                long ic = blk * MC;
                int mc = (int)Math.Min(MC, g.M - ic);
                PackA(g, aPack, ic, mc, pc, kc);
                // jr outer, ir inner: one B micro-panel (kc x NR) stays in L1 while the A block
                // (in L2) streams past it.
                for (long jr = 0; jr < nc; jr += nr)
                {
                    int nw = (int)Math.Min(nr, nc - jr);
                    T* bp = bPack + jr * kc;
                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        int mw = Math.Min(MR, mc - ir);
                        T* c = g.C + (ic + ir) * g.Ldc + jc + jr;
                        MicroKernel(kc, aPack + ir * kc, bp, c, g.Ldc, accumulate, mw, nw);
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(aPack);
        }
    }

    /// <summary>B[pc.., jc..] into panels of NR columns: panel j holds kc rows of NR values, zero-padded past nc.</summary>
    private static void PackB(in GemmArgs<T> g, T* dst, long pc, int kc, long jc, long nc)
    {
        int nr = NR;
        for (long j = 0; j < nc; j += nr)
        {
            int w = (int)Math.Min(nr, nc - j);
            T* panel = dst + j * kc;
            for (int p = 0; p < kc; p++)
            {
                T* src = g.B + (pc + p) * g.Sbk + (jc + j) * g.Sbn;
                T* d = panel + p * nr;
                if (g.Sbn == 1) new ReadOnlySpan<T>(src, w).CopyTo(new Span<T>(d, w));
                else for (int q = 0; q < w; q++) d[q] = src[q * g.Sbn];
                for (int q = w; q < nr; q++) d[q] = T.Zero;
            }
        }
    }

    /// <summary>A[ic.., pc..] into panels of MR rows: panel i holds kc columns of MR values, zero-padded past mc.</summary>
    private static void PackA(in GemmArgs<T> g, T* dst, long ic, int mc, long pc, int kc)
    {
        for (int i = 0; i < mc; i += MR)
        {
            int h = Math.Min(MR, mc - i);
            T* panel = dst + i * kc;
            for (int r = 0; r < h; r++)
            {
                T* src = g.A + (ic + i + r) * g.Sam + pc * g.Sak;
                long s = g.Sak;
                for (int p = 0; p < kc; p++) panel[p * MR + r] = src[p * s];
            }
            for (int r = h; r < MR; r++)
                for (int p = 0; p < kc; p++) panel[p * MR + r] = T.Zero;
        }
    }

    /// <summary>
    /// C[0..mw, 0..nw] (+)= Apanel (kc x MR) @ Bpanel (kc x NR) with 12 vector accumulators
    /// (6 rows x 2 vectors) held in registers for the whole k loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(int kc, T* a, T* b, T* c, long ldc, bool accumulate, int mw, int nw)
    {
        int L = TS.Lanes;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TS.Load(b), b1 = TS.Load(b + L);
            TV a0 = TS.Splat(a[0]);
            c00 = TS.MulAdd(a0, b0, c00); c01 = TS.MulAdd(a0, b1, c01);
            TV a1 = TS.Splat(a[1]);
            c10 = TS.MulAdd(a1, b0, c10); c11 = TS.MulAdd(a1, b1, c11);
            TV a2 = TS.Splat(a[2]);
            c20 = TS.MulAdd(a2, b0, c20); c21 = TS.MulAdd(a2, b1, c21);
            TV a3 = TS.Splat(a[3]);
            c30 = TS.MulAdd(a3, b0, c30); c31 = TS.MulAdd(a3, b1, c31);
            TV a4 = TS.Splat(a[4]);
            c40 = TS.MulAdd(a4, b0, c40); c41 = TS.MulAdd(a4, b1, c41);
            TV a5 = TS.Splat(a[5]);
            c50 = TS.MulAdd(a5, b0, c50); c51 = TS.MulAdd(a5, b1, c51);
            a += MR;
            b += 2 * L;
        }
        if (mw == MR && nw == 2 * L)
        {
            StoreRow(c, c00, c01, accumulate, L);
            StoreRow(c + ldc, c10, c11, accumulate, L);
            StoreRow(c + 2 * ldc, c20, c21, accumulate, L);
            StoreRow(c + 3 * ldc, c30, c31, accumulate, L);
            StoreRow(c + 4 * ldc, c40, c41, accumulate, L);
            StoreRow(c + 5 * ldc, c50, c51, accumulate, L);
            return;
        }
        // Edge tile: spill the register tile to the stack and copy the valid part.
        T* t = stackalloc T[MR * 2 * L];
        int w = 2 * L;
        TS.Store(t, c00); TS.Store(t + L, c01);
        TS.Store(t + w, c10); TS.Store(t + w + L, c11);
        TS.Store(t + 2 * w, c20); TS.Store(t + 2 * w + L, c21);
        TS.Store(t + 3 * w, c30); TS.Store(t + 3 * w + L, c31);
        TS.Store(t + 4 * w, c40); TS.Store(t + 4 * w + L, c41);
        TS.Store(t + 5 * w, c50); TS.Store(t + 5 * w + L, c51);
        for (int r = 0; r < mw; r++)
        {
            T* cr = c + r * ldc;
            T* tr = t + r * w;
            if (accumulate) for (int q = 0; q < nw; q++) cr[q] += tr[q];
            else for (int q = 0; q < nw; q++) cr[q] = tr[q];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* c, TV v0, TV v1, bool accumulate, int L)
    {
        if (accumulate)
        {
            v0 = TS.Add(TS.Load(c), v0);
            v1 = TS.Add(TS.Load(c + L), v1);
        }
        TS.Store(c, v0);
        TS.Store(c + L, v1);
    }
}

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

    private static unsafe void MatMulTyped<T>(T* a, T* b, T* c, StridedPlan batches, long batch, long m, long n, long k,
        long sam, long sak, long sbk, long sbn) where T : unmanaged, INumber<T>
    {
        long flops = 2 * m * n * k;
        GemmArgs<T> At(long i) => new()
        {
            M = m, N = n, K = k, Sam = sam, Sak = sak, Sbk = sbk, Sbn = sbn, Ldc = n,
            A = a + batches.Base0 + batches.OffsetOf(i, batches.S0),
            B = b + batches.Base1 + batches.OffsetOf(i, batches.S1),
            C = c + i * m * n,
        };
        // Many small products: one per task. Otherwise products run in turn, each split by rows.
        if (batch > 1 && flops < 4 * Gemm<T, T, SimdScalar<T>>.ParallelFlops && batch * flops >= Gemm<T, T, SimdScalar<T>>.ParallelFlops)
        {
            int pieces = (int)Math.Min(batch, Workers * 4L);
            Parallel.For(0, pieces, ManagedBackend.Options, piece =>
            {
                for (long i = SplitPoint(batch, pieces, piece), e = SplitPoint(batch, pieces, piece + 1); i < e; i++)
                    GemmOne(At(i), flops, false);
            });
            return;
        }
        for (long i = 0; i < batch; i++) GemmOne(At(i), flops, true);
    }

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
                    g.C[i * g.Ldc + j] = acc;
                }
            return;
        }
        if (Vector512.IsHardwareAccelerated) Gemm<T, Vector512<T>, Simd512<T>>.Run(g, allowParallel);
        else if (Vector256.IsHardwareAccelerated) Gemm<T, Vector256<T>, Simd256<T>>.Run(g, allowParallel);
        else if (Vector128.IsHardwareAccelerated) Gemm<T, Vector128<T>, Simd128<T>>.Run(g, allowParallel);
        else Gemm<T, T, SimdScalar<T>>.Run(g, allowParallel);
    }
}
