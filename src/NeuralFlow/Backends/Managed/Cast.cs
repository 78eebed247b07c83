using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NeuralFlow.Backends.Managed;

/// <summary>An elementwise conversion TSrc -> TDst (static-abstract, specialised per pair).</summary>
internal interface IConvertOp<TSrc, TDst> where TSrc : unmanaged where TDst : unmanaged
{
    static abstract TDst Apply(TSrc x);
    static abstract void Vec(ReadOnlySpan<TSrc> x, Span<TDst> d);
}

/// <summary>
/// Float to integer: truncates toward zero, saturates at the target's range and maps NaN to 0
/// (CreateSaturating defines exactly that, unlike a C cast, which is undefined out of range).
/// </summary>
internal struct SaturatingConvert<TSrc, TDst> : IConvertOp<TSrc, TDst>
    where TSrc : unmanaged, INumberBase<TSrc> where TDst : unmanaged, INumberBase<TDst>
{
    public static TDst Apply(TSrc x) => TDst.CreateSaturating(x);
    public static void Vec(ReadOnlySpan<TSrc> x, Span<TDst> d) => TensorPrimitives.ConvertSaturating(x, d);
}

/// <summary>
/// Everything else: integer to integer wraps (keeps the low bits, as C's static_cast does),
/// to float rounds to nearest (double to float overflows to infinity).
/// </summary>
internal struct TruncatingConvert<TSrc, TDst> : IConvertOp<TSrc, TDst>
    where TSrc : unmanaged, INumberBase<TSrc> where TDst : unmanaged, INumberBase<TDst>
{
    public static TDst Apply(TSrc x) => TDst.CreateTruncating(x);
    public static void Vec(ReadOnlySpan<TSrc> x, Span<TDst> d)
    {
        // float <-> double in VectorLoops (optimized from the first call, see there): the
        // conversions of every float32 kernel that computes in double.
        if (typeof(TSrc) == typeof(float) && typeof(TDst) == typeof(double))
            VectorLoops.Widen(MemoryMarshal.Cast<TSrc, float>(x), MemoryMarshal.Cast<TDst, double>(d));
        else if (typeof(TSrc) == typeof(double) && typeof(TDst) == typeof(float))
            VectorLoops.Narrow(MemoryMarshal.Cast<TSrc, double>(x), MemoryMarshal.Cast<TDst, float>(d));
        else TensorPrimitives.ConvertTruncating(x, d);
    }
}

/// <summary>Anything to bool is (x != 0); NaN != 0, so NaN gives true.</summary>
internal struct ToBoolConvert<TSrc> : IConvertOp<TSrc, byte> where TSrc : unmanaged, INumberBase<TSrc>
{
    public static byte Apply(TSrc x) => x != TSrc.Zero ? (byte)1 : (byte)0;
    [MethodImpl(ManagedKernel)]
    public static void Vec(ReadOnlySpan<TSrc> x, Span<byte> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] != TSrc.Zero ? (byte)1 : (byte)0;
    }
}

/// <summary>
/// double -> element, the conversion every "computed in double, then converted" path of the
/// header uses (fill, range, one_hot, random): floats round, integers truncate and saturate
/// with NaN -> 0, bool is (x != 0). Bool and uint8 share the byte type, hence two structs.
/// </summary>
internal interface IFromDouble<T> where T : unmanaged
{
    static abstract T From(double x);
}

internal struct NumberFromDouble<T> : IFromDouble<T> where T : unmanaged, INumberBase<T>
{
    public static T From(double x) => T.CreateSaturating(x);
}

internal struct BoolFromDouble : IFromDouble<byte>
{
    public static byte From(double x) => x != 0.0 ? (byte)1 : (byte)0;
}

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void Cast(DType source, nint x, in Layout xLayout, DType destination, nint output)
    {
        const string M = nameof(Cast);
        CheckStorageDType(M, nameof(source), source);
        CheckStorageDType(M, nameof(destination), destination);
        long count = CheckLayout(M, nameof(xLayout), xLayout);
        CheckPointer(M, nameof(x), x, count);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        var outLayout = Layout.Contiguous(xLayout.Shape);
        if (source == destination)
        {
            Copy(source, x, xLayout, output, outLayout);
            return;
        }
        var plan = StridedPlan.Create(outLayout, xLayout);
        switch (source)
        {
            case DType.Float32: CastFrom<float>(destination, plan, x, output); break;
            case DType.Float64: CastFrom<double>(destination, plan, x, output); break;
            case DType.Int32: CastFrom<int>(destination, plan, x, output); break;
            case DType.Int64: CastFrom<long>(destination, plan, x, output); break;
            case DType.Float16: CastFrom<Half>(destination, plan, x, output); break;
            default: CastFrom<byte>(destination, plan, x, output); break; // uint8, and bool as 0/1 bytes
        }
    }

    [MethodImpl(ManagedKernel)]
    private static void CastFrom<TSrc>(DType dst, in StridedPlan p, nint x, nint o) where TSrc : unmanaged, INumberBase<TSrc>
    {
        bool fromFloat = typeof(TSrc) == typeof(float) || typeof(TSrc) == typeof(double) || typeof(TSrc) == typeof(Half);
        switch (dst)
        {
            // Half's conversions round once to nearest even (from double too), overflow to inf
            // and keep NaN: NumPy's astype(np.float16).
            case DType.Float16: RunCast<TSrc, Half, TruncatingConvert<TSrc, Half>>(p, x, o); break;
            case DType.Float32: RunCast<TSrc, float, TruncatingConvert<TSrc, float>>(p, x, o); break;
            case DType.Float64: RunCast<TSrc, double, TruncatingConvert<TSrc, double>>(p, x, o); break;
            case DType.Int32:
                if (fromFloat) RunCast<TSrc, int, SaturatingConvert<TSrc, int>>(p, x, o);
                else RunCast<TSrc, int, TruncatingConvert<TSrc, int>>(p, x, o);
                break;
            case DType.Int64:
                if (fromFloat) RunCast<TSrc, long, SaturatingConvert<TSrc, long>>(p, x, o);
                else RunCast<TSrc, long, TruncatingConvert<TSrc, long>>(p, x, o);
                break;
            case DType.UInt8:
                if (fromFloat) RunCast<TSrc, byte, SaturatingConvert<TSrc, byte>>(p, x, o);
                else RunCast<TSrc, byte, TruncatingConvert<TSrc, byte>>(p, x, o);
                break;
            default: RunCast<TSrc, byte, ToBoolConvert<TSrc>>(p, x, o); break;
        }
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void RunCast<TSrc, TDst, TOp>(in StridedPlan p, nint x, nint o)
        where TSrc : unmanaged where TDst : unmanaged where TOp : IConvertOp<TSrc, TDst>
    {
        p.Execute(new CastRun<TSrc, TDst, TOp> { Out = (TDst*)o, X = (TSrc*)x, SO = p.Inner0, SX = p.Inner1 });
    }

    private unsafe struct CastRun<TSrc, TDst, TOp> : IRunKernel
        where TSrc : unmanaged where TDst : unmanaged where TOp : IConvertOp<TSrc, TDst>
    {
        public TDst* Out;
        public TSrc* X;
        public long SO, SX;

        [MethodImpl(ManagedKernel)]
        public void Run(long oo, long ox, long unused, long n)
        {
            TDst* po = Out + oo;
            TSrc* px = X + ox;
            if (SO == 1 && SX == 1)
            {
                while (n > 0)
                {
                    int m = (int)Math.Min(n, 1 << 30);
                    TOp.Vec(new ReadOnlySpan<TSrc>(px, m), new Span<TDst>(po, m));
                    n -= m; po += m; px += m;
                }
                return;
            }
            long so = SO, sx = SX;
            for (long i = 0; i < n; i++, po += so, px += sx) *po = TOp.Apply(*px);
        }
    }

    /// <inheritdoc/>
    public void Copy(DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        const string M = nameof(Copy);
        CheckStorageDType(M, nameof(dtype), dtype);
        long count = CheckLayout(M, nameof(xLayout), xLayout);
        CheckLayout(M, nameof(outLayout), outLayout);
        CheckSameShape(M, nameof(xLayout), xLayout, nameof(outLayout), outLayout);
        CheckPointer(M, nameof(x), x, count);
        CheckPointer(M, nameof(output), output, count);
        if (count == 0) return;
        var plan = StridedPlan.Create(outLayout, xLayout);
        // A copy only moves bits, so one kernel per element size serves every dtype.
        switch (dtype.SizeInBytes())
        {
            case 1: if (!TryTiledCopy<byte>(plan, x, output)) RunCopy<byte>(plan, x, output); break;
            case 2: if (!TryTiledCopy<ushort>(plan, x, output)) RunCopy<ushort>(plan, x, output); break;
            case 4: if (!TryTiledCopy<int>(plan, x, output)) RunCopy<int>(plan, x, output); break;
            default: if (!TryTiledCopy<long>(plan, x, output)) RunCopy<long>(plan, x, output); break;
        }
    }

    private const int Tile = 32;

    /// <summary>
    /// Transposing copies (out contiguous along the last axis, x contiguous along the one
    /// before): the run-wise loop would read x with a large stride, one cache line per element.
    /// Going through 32 x 32 tiles keeps both sides' lines in L1 until they are used up.
    /// </summary>
    private static unsafe bool TryTiledCopy<T>(in StridedPlan p, nint x, nint o) where T : unmanaged
    {
        int r = p.Rank;
        if (r < 2 || p.Inner0 != 1 || p.Inner1 == 1 || p.S1[r - 2] != 1 || p.Shape[r - 1] < Tile || p.Shape[r - 2] < Tile)
            return false;
        long rows = p.Shape[r - 2], cols = p.Shape[r - 1], so = p.S0[r - 2], sx = p.Inner1;
        long tilesI = (rows + Tile - 1) / Tile, outer = p.Count / (rows * cols), units = outer * tilesI;
        WorkerPool.Split(new TiledCopyJob<T> { Plan = p, X = (T*)x, Out = (T*)o, TilesI = tilesI, Rows = rows, Cols = cols, So = so, Sx = sx },
            units, ChunksFor(p.Count, units));
        return true;
    }

    private unsafe struct TiledCopyJob<T> : IRangeJob where T : unmanaged
    {
        public StridedPlan Plan;
        public T* X, Out;
        public long TilesI, Rows, Cols, So, Sx;

        [MethodImpl(ManagedKernel)]
        public readonly void Run(long ub, long ue)
        {
            ref readonly var plan = ref Plan;
            long tilesI = TilesI, rows = Rows, cols = Cols, so = So, sx = Sx;
            T* px = X, po = Out;
            for (long u = ub; u < ue; u++)
            {
                long ob = u / tilesI, i0 = (u - ob * tilesI) * Tile;
                long first = ob * rows * cols;
                T* xo = px + plan.Base1 + plan.OffsetOf(first, plan.S1);
                T* oo = po + plan.Base0 + plan.OffsetOf(first, plan.S0);
                long i1 = Math.Min(rows, i0 + Tile);
                for (long j0 = 0; j0 < cols; j0 += Tile)
                {
                    long j1 = Math.Min(cols, j0 + Tile);
                    for (long i = i0; i < i1; i++)
                    {
                        T* dst = oo + i * so;
                        T* src = xo + i;
                        for (long j = j0; j < j1; j++) dst[j] = src[j * sx];
                    }
                }
            }
        }
    }

    internal static unsafe void RunCopy<T>(in StridedPlan p, nint x, nint o) where T : unmanaged
    {
        p.Execute(new CopyRun<T> { Out = (T*)o, X = (T*)x, SO = p.Inner0, SX = p.Inner1 });
    }

    private unsafe struct CopyRun<T> : IRunKernel where T : unmanaged
    {
        public T* Out, X;
        public long SO, SX;

        [MethodImpl(ManagedKernel)]
        public void Run(long oo, long ox, long unused, long n)
        {
            T* po = Out + oo, px = X + ox;
            if (SO == 1 && SX == 1)
            {
                // memmove semantics: correct even when a view is copied onto an overlapping one.
                Buffer.MemoryCopy(px, po, n * sizeof(T), n * sizeof(T));
                return;
            }
            if (SO == 1 && SX == 0)
            {
                T v = *px;
                for (long i = 0; i < n; i++) po[i] = v;
                return;
            }
            long so = SO, sx = SX;
            for (long i = 0; i < n; i++, po += so, px += sx) *po = *px;
        }
    }
}
