using System.Numerics;
using System.Runtime.CompilerServices;

namespace NeuralFlow.Backends.Managed;

/// <summary>Where one register tile reads and writes: A unpacked (any strides), B as rows of vectors, C with any strides.</summary>
internal unsafe struct TileArgs<T> where T : unmanaged
{
    /// <summary>A[0, 0] of the tile; row r, step p is at A + r * Sam + p * Sak.</summary>
    public T* A;
    public long Sam, Sak;
    /// <summary>B's k-row p of the tile starts at B + p * Ldb and holds the tile's vectors contiguously.</summary>
    public T* B;
    public long Ldb;
    /// <summary>C[0, 0] of the tile; element (r, q) is at C + r * Scm + q * Scn.</summary>
    public T* C;
    public long Scm, Scn;
    /// <summary>Valid columns (at most vectors * lanes); the rest of the last vector is computed and dropped.</summary>
    public int Width;
    public bool Accumulate;
}

/// <summary>
/// The GEMM register tile: C[R, V*lanes] (+)= A[R, kc] @ B[kc, V*lanes] with R*V vector
/// accumulators held for the whole k loop, A broadcast element by element straight from its
/// matrix (no packing: a row-major A streams along its rows, a transposed one reads R
/// neighbours of one row) and B loaded as V vectors per k. R (1-8) and V (1-2) are type
/// parameters, so each (R, V) is its own loop with exactly R*V live accumulators. Each output is
/// one FMA chain over k in order, so its bits depend only on kc and the data, never on the tile
/// or thread it landed in.
/// </summary>
internal static unsafe class GemmTile<T, TV, TS> where T : unmanaged, INumber<T> where TV : unmanaged where TS : ISimd<TV, T>
{
    public const int MaxRows = 8;

    /// <summary>Runs the (rows, vectors) tile; rows in 1..8, vectors in 1..2.</summary>
    [MethodImpl(ManagedKernel)]
    public static void Run(in TileArgs<T> t, int kc, int rows, int vectors)
    {
        if (vectors == 2) RunRows<Count2>(t, kc, rows);
        else RunRows<Count1>(t, kc, rows);
    }

    [MethodImpl(ManagedKernel)]
    private static void RunRows<TV2>(in TileArgs<T> t, int kc, int rows) where TV2 : struct, ITileCount
    {
        switch (rows)
        {
            case 8: Tile<Count8, TV2>(t, kc); break;
            case 7: Tile<Count7, TV2>(t, kc); break;
            case 6: Tile<Count6, TV2>(t, kc); break;
            case 5: Tile<Count5, TV2>(t, kc); break;
            case 4: Tile<Count4, TV2>(t, kc); break;
            case 3: Tile<Count3, TV2>(t, kc); break;
            case 2: Tile<Count2, TV2>(t, kc); break;
            default: Tile<Count1, TV2>(t, kc); break;
        }
    }

    [MethodImpl(ManagedKernel)]
    private static void Tile<TR, TW>(in TileArgs<T> t, int kc) where TR : struct, ITileCount where TW : struct, ITileCount
    {
        int L = TS.Lanes, R = TR.N;
        bool two = TW.N == 2;
        long sam = t.Sam, sak = t.Sak, ldb = t.Ldb;
        // Row pointers past the tile's R rows are formed but never read.
        T* a0 = t.A, a1 = a0 + sam, a2 = a1 + sam, a3 = a2 + sam, a4 = a3 + sam, a5 = a4 + sam, a6 = a5 + sam, a7 = a6 + sam;
        T* b = t.B;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TV c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        long o = 0;
        for (int p = 0; p < kc; p++, o += sak, b += ldb)
        {
            TV b0 = TS.Load(b);
            TV b1 = two ? TS.Load(b + L) : default;
            TV x = TS.Splat(a0[o]);
            c00 = TS.MulAdd(x, b0, c00); if (two) c01 = TS.MulAdd(x, b1, c01);
            if (R > 1) { x = TS.Splat(a1[o]); c10 = TS.MulAdd(x, b0, c10); if (two) c11 = TS.MulAdd(x, b1, c11); }
            if (R > 2) { x = TS.Splat(a2[o]); c20 = TS.MulAdd(x, b0, c20); if (two) c21 = TS.MulAdd(x, b1, c21); }
            if (R > 3) { x = TS.Splat(a3[o]); c30 = TS.MulAdd(x, b0, c30); if (two) c31 = TS.MulAdd(x, b1, c31); }
            if (R > 4) { x = TS.Splat(a4[o]); c40 = TS.MulAdd(x, b0, c40); if (two) c41 = TS.MulAdd(x, b1, c41); }
            if (R > 5) { x = TS.Splat(a5[o]); c50 = TS.MulAdd(x, b0, c50); if (two) c51 = TS.MulAdd(x, b1, c51); }
            if (R > 6) { x = TS.Splat(a6[o]); c60 = TS.MulAdd(x, b0, c60); if (two) c61 = TS.MulAdd(x, b1, c61); }
            if (R > 7) { x = TS.Splat(a7[o]); c70 = TS.MulAdd(x, b0, c70); if (two) c71 = TS.MulAdd(x, b1, c71); }
        }
        T* c = t.C;
        long scm = t.Scm;
        if (t.Scn == 1 && t.Width == TW.N * L)
        {
            // Full rows of a row-major C: vector stores (adds for a later k block).
            bool acc = t.Accumulate;
            StoreRow(c, c00, c01, acc, two);
            if (R > 1) StoreRow(c + scm, c10, c11, acc, two);
            if (R > 2) StoreRow(c + 2 * scm, c20, c21, acc, two);
            if (R > 3) StoreRow(c + 3 * scm, c30, c31, acc, two);
            if (R > 4) StoreRow(c + 4 * scm, c40, c41, acc, two);
            if (R > 5) StoreRow(c + 5 * scm, c50, c51, acc, two);
            if (R > 6) StoreRow(c + 6 * scm, c60, c61, acc, two);
            if (R > 7) StoreRow(c + 7 * scm, c70, c71, acc, two);
            return;
        }
        // A partial last vector or a transposed C: spill the tile and copy what is valid.
        int w = 2 * L;
        T* s = stackalloc T[MaxRows * 2 * TS.Lanes];
        TS.Store(s, c00); if (two) TS.Store(s + L, c01);
        if (R > 1) { TS.Store(s + w, c10); if (two) TS.Store(s + w + L, c11); }
        if (R > 2) { TS.Store(s + 2 * w, c20); if (two) TS.Store(s + 2 * w + L, c21); }
        if (R > 3) { TS.Store(s + 3 * w, c30); if (two) TS.Store(s + 3 * w + L, c31); }
        if (R > 4) { TS.Store(s + 4 * w, c40); if (two) TS.Store(s + 4 * w + L, c41); }
        if (R > 5) { TS.Store(s + 5 * w, c50); if (two) TS.Store(s + 5 * w + L, c51); }
        if (R > 6) { TS.Store(s + 6 * w, c60); if (two) TS.Store(s + 6 * w + L, c61); }
        if (R > 7) { TS.Store(s + 7 * w, c70); if (two) TS.Store(s + 7 * w + L, c71); }
        long scn = t.Scn;
        int width = t.Width;
        if (t.Accumulate)
        {
            // Column by column: with a transposed C (scm 1) the R values of a column are neighbours.
            for (int q = 0; q < width; q++)
                for (int r = 0; r < R; r++) c[r * scm + q * scn] += s[r * w + q];
        }
        else
        {
            for (int q = 0; q < width; q++)
                for (int r = 0; r < R; r++) c[r * scm + q * scn] = s[r * w + q];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* c, TV v0, TV v1, bool accumulate, bool two)
    {
        int L = TS.Lanes;
        if (accumulate)
        {
            v0 = TS.Add(TS.Load(c), v0);
            if (two) v1 = TS.Add(TS.Load(c + L), v1);
        }
        TS.Store(c, v0);
        if (two) TS.Store(c + L, v1);
    }
}
