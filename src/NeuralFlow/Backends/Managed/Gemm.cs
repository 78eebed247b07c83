using System.Numerics;
using System.Runtime.InteropServices;

namespace NeuralFlow.Backends.Managed;

/// <summary>One matrix product C[M, N] = A[M, K] @ B[K, N] with element strides for A, B and C (any sign, 0 allowed for A and B).</summary>
internal unsafe struct GemmArgs<T> where T : unmanaged
{
    public long M, N, K;
    public T* A, B, C;
    public long Sam, Sak, Sbk, Sbn, Scm, Scn;

    /// <summary>The same product seen as C^T = B^T @ A^T: rows and columns trade places.</summary>
    public readonly GemmArgs<T> Transposed() => new()
    {
        M = N, N = M, K = K, A = B, B = A, C = C,
        Sam = Sbn, Sak = Sbk, Sbk = Sak, Sbn = Sam, Scm = Scn, Scn = Scm,
    };
}

/// <summary>
/// The managed GEMM. The output is cut into register tiles of up to 8 rows by 2 vectors
/// (<see cref="GemmTile{T, TV, TS}"/>); A is never packed (the tile broadcasts its elements in
/// place), B is read in place where its rows are contiguous and otherwise packed once per call
/// into zero-padded panels of 2 vectors. The product is computed either as given (vectors along
/// N) or transposed (vectors along M, C written column-wise), whichever wastes fewer vector lanes
/// and packs less; e.g. the workshop's [784, 256] @ [256, 50] weight gradient runs as 50 rows of
/// 784-wide vectors with X read in place. Tiles are split over the <see cref="WorkerPool"/> in one job per
/// call; every output's k order is fixed by the shape, so the bits do not depend on the thread
/// count or on how the tiles were split.
/// </summary>
internal static unsafe class Gemm<T, TV, TS> where T : unmanaged, INumber<T> where TV : unmanaged where TS : ISimd<TV, T>
{
    private const int MR = GemmTile<T, TV, TS>.MaxRows;
    /// <summary>Longest k run per tile pass: a B panel of KC rows (2 vectors each) stays in L2 while the A rows stream past.</summary>
    private const int KC = 512;
    private static int NR => 2 * TS.Lanes;

    /// <summary>Flops below which one GEMM stays on one thread (about 20 microseconds of work).</summary>
    internal const long ParallelFlops = 1L << 21;

    [MethodImpl(ManagedKernel)]
    public static void Run(in GemmArgs<T> given, bool allowParallel)
    {
        var g = PreferTransposed(given) ? given.Transposed() : given;
        int nr = NR;
        long panels = (g.N + nr - 1) / nr;
        bool direct = ReadsBInPlace(g);
        long lastWidth = g.N - (panels - 1) * nr;
        bool lastDirect = direct && lastWidth % TS.Lanes == 0;
        long packed = direct ? (lastDirect ? 0 : 1) : panels;
        long packElems = packed * g.K * nr;
        T* pack = packElems > 0 ? Scratch.Get(packElems) : null;
        try
        {
            if (direct)
            {
                if (!lastDirect) PackPanel(g, pack, panels - 1);
            }
            else
            {
                for (long j = 0; j < panels; j++) PackPanel(g, pack + j * g.K * nr, j);
            }
            var plan = new Plan
            {
                G = g, Pack = pack, Panels = panels, Direct = direct, LastDirect = lastDirect,
                RowTiles = (g.M + MR - 1) / MR, KBlocks = (int)((g.K + KC - 1) / KC),
            };
            long units = plan.RowTiles * panels;
            long flops = 2 * g.M * g.N * g.K;
            int pieces = allowParallel && ManagedBackend.Workers > 1 && flops >= 2 * ParallelFlops
                ? (int)Math.Min(units, Math.Min(ManagedBackend.Workers * ManagedBackend.PiecesPerWorker, flops / ParallelFlops))
                : 1;
            WorkerPool.Split(plan, units, pieces);
        }
        finally
        {
            Scratch.Release(pack, packElems);
        }
    }

    /// <summary>One call's tiles: unit u is row tile u / Panels, column panel u % Panels (row-major, so an A tile is reused across panels).</summary>
    private readonly struct Plan : IRangeJob
    {
        public GemmArgs<T> G { get; init; }
        public T* Pack { get; init; }
        public long Panels { get; init; }
        public long RowTiles { get; init; }
        public bool Direct { get; init; }
        public bool LastDirect { get; init; }
        public int KBlocks { get; init; }

        [MethodImpl(ManagedKernel)]
        public void Run(long begin, long end)
        {
            var g = G;
            int nr = NR, L = TS.Lanes;
            for (int kb = 0; kb < KBlocks; kb++)
            {
                long k0 = ManagedBackend.SplitPoint(g.K, KBlocks, kb), k1 = ManagedBackend.SplitPoint(g.K, KBlocks, kb + 1);
                for (long u = begin; u < end; u++)
                {
                    long ir = u / Panels, jr = u - ir * Panels;
                    long i0 = ir * MR, j0 = jr * nr;
                    int width = (int)Math.Min(nr, g.N - j0);
                    T* b;
                    long ldb;
                    if (Direct && (jr < Panels - 1 || LastDirect)) { b = g.B + j0; ldb = g.Sbk; }
                    else { b = Pack + (Direct ? 0 : jr * g.K * nr); ldb = nr; }
                    var t = new TileArgs<T>
                    {
                        A = g.A + i0 * g.Sam + k0 * g.Sak, Sam = g.Sam, Sak = g.Sak,
                        B = b + k0 * ldb, Ldb = ldb,
                        C = g.C + i0 * g.Scm + j0 * g.Scn, Scm = g.Scm, Scn = g.Scn,
                        Width = width, Accumulate = kb > 0,
                    };
                    GemmTile<T, TV, TS>.Run(t, (int)(k1 - k0), (int)Math.Min(MR, g.M - i0), (width + L - 1) / L);
                }
            }
        }
    }

    /// <summary>
    /// B's rows can be loaded in place when they are contiguous and their stride is not a
    /// multiple of 1 KB (such strides map every row of a panel onto a few cache sets and thrash).
    /// </summary>
    private static bool ReadsBInPlace(in GemmArgs<T> g) => g.Sbn == 1 && g.Sbk * sizeof(T) % 1024 != 0;

    /// <summary>
    /// Chooses the orientation by estimated cost in lane-FMAs: the vector lanes computed
    /// (padding included), packing (a strided gather costs far more per element than a copy)
    /// and, for the transposed form, C written element by element once per k block.
    /// Depends on the shape and strides only, never on the thread count.
    /// </summary>
    private static bool PreferTransposed(in GemmArgs<T> g)
    {
        long kBlocks = (g.K + KC - 1) / KC;
        double asGiven = Cost(g) + (g.Scn == 1 ? 0 : 16.0 * g.M * g.N * kBlocks);
        var t = g.Transposed();
        double transposed = Cost(t) + (t.Scn == 1 ? 0 : 16.0 * g.M * g.N * kBlocks);
        return transposed < asGiven;
    }

    private static double Cost(in GemmArgs<T> g)
    {
        int L = TS.Lanes;
        double lanes = (double)g.K * g.M * ((g.N + L - 1) / L * L);
        double pack = ReadsBInPlace(g) ? 2.0 * g.K * NR : (g.Sbn == 1 ? 2.0 : 32.0) * g.K * g.N;
        return lanes + pack;
    }

    /// <summary>Column panel j of B (NR columns, zero-padded past N) as K rows of NR values.</summary>
    [MethodImpl(ManagedKernel)]
    private static void PackPanel(in GemmArgs<T> g, T* dst, long j)
    {
        int nr = NR;
        long j0 = j * nr;
        int w = (int)Math.Min(nr, g.N - j0);
        T* src = g.B + j0 * g.Sbn;
        long k = g.K;
        if (w < nr) new Span<T>(dst, checked((int)(k * nr))).Clear();
        if (g.Sbn == 1)
        {
            for (long p = 0; p < k; p++) new ReadOnlySpan<T>(src + p * g.Sbk, w).CopyTo(new Span<T>(dst + p * nr, w));
        }
        else if (Math.Abs(g.Sbk) < Math.Abs(g.Sbn))
        {
            // Columns of B are the contiguous direction (a transposed view): read along them.
            for (int q = 0; q < w; q++)
            {
                T* s = src + q * g.Sbn;
                for (long p = 0; p < k; p++) dst[p * nr + q] = s[p * g.Sbk];
            }
        }
        else
        {
            for (long p = 0; p < k; p++)
            {
                T* s = src + p * g.Sbk;
                for (int q = 0; q < w; q++) dst[p * nr + q] = s[q * g.Sbn];
            }
        }
    }

    /// <summary>
    /// The packing buffer: kept per thread between calls (a step's GEMMs reuse it instead of
    /// mapping and faulting in fresh pages each time), except for very large ones.
    /// </summary>
    private static class Scratch
    {
        private const long KeepElems = (8 << 20) / 8;
        [ThreadStatic] private static nint _buffer;
        [ThreadStatic] private static long _elems;
        [ThreadStatic] private static bool _inUse;

        public static T* Get(long elems)
        {
            // A fresh block when large, or when this thread is already inside a GEMM (a task
            // inlined while it waited) and the kept one is taken.
            if (elems > KeepElems || _inUse) return (T*)NativeMemory.AlignedAlloc((nuint)(elems * sizeof(T)), 64);
            if (_elems < elems)
            {
                NativeMemory.AlignedFree((void*)_buffer);
                _buffer = 0;
                _elems = 0;
                _buffer = (nint)NativeMemory.AlignedAlloc((nuint)(elems * sizeof(T)), 64);
                _elems = elems;
            }
            _inUse = true;
            return (T*)_buffer;
        }

        public static void Release(T* buffer, long elems)
        {
            if (buffer == null) return;
            if (buffer == (T*)_buffer) _inUse = false;
            else NativeMemory.AlignedFree(buffer);
        }
    }
}
