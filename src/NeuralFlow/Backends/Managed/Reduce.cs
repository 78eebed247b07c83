using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// A reduction as a static-abstract struct. TAcc is the accumulator: double for float sums,
/// means and products (the header: floats accumulate in double), long for integer ones (the
/// result is the same as wrapping arithmetic in T, since truncating a long keeps the low bits),
/// T itself for max/min. Contiguous is the vector path of a row run, Columns the vector path of
/// a column reduction (acc[j] = step(acc[j], row[j]) over one contiguous row).
/// </summary>
internal interface IReducer<T, TAcc> where T : unmanaged where TAcc : unmanaged
{
    static abstract TAcc Identity { get; }
    static abstract TAcc Step(TAcc acc, T x);
    static abstract TAcc Combine(TAcc a, TAcc b);
    static abstract TAcc Contiguous(ReadOnlySpan<T> x, TAcc acc);
    static abstract void Columns(Span<TAcc> acc, ReadOnlySpan<T> row);
    static abstract T Finish(TAcc acc, long count);
}

/// <summary>Vector kernels that widen float to double so float sums keep double accuracy at vector speed.</summary>
internal static class Widening
{
    [MethodImpl(ManagedKernel)]
    public static double Sum(ReadOnlySpan<float> x)
    {
        int i = 0;
        double s = 0;
        ref float r = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated && x.Length >= 16)
        {
            Vector512<double> a0 = default, a1 = default;
            for (; i <= x.Length - 16; i += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref r, (nuint)i));
                a0 += lo; a1 += hi;
            }
            s = Vector512.Sum(a0 + a1);
        }
        else if (Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            Vector256<double> a0 = default, a1 = default;
            for (; i <= x.Length - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                a0 += lo; a1 += hi;
            }
            s = Vector256.Sum(a0 + a1);
        }
        for (; i < x.Length; i++) s += x[i];
        return s;
    }

    [MethodImpl(ManagedKernel)]
    public static void AddTo(Span<double> acc, ReadOnlySpan<float> row)
    {
        int i = 0, n = row.Length;
        ref float r = ref MemoryMarshal.GetReference(row);
        ref double a = ref MemoryMarshal.GetReference(acc);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref r, (nuint)i));
                (Vector512.LoadUnsafe(ref a, (nuint)i) + lo).StoreUnsafe(ref a, (nuint)i);
                (Vector512.LoadUnsafe(ref a, (nuint)(i + 8)) + hi).StoreUnsafe(ref a, (nuint)(i + 8));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                (Vector256.LoadUnsafe(ref a, (nuint)i) + lo).StoreUnsafe(ref a, (nuint)i);
                (Vector256.LoadUnsafe(ref a, (nuint)(i + 4)) + hi).StoreUnsafe(ref a, (nuint)(i + 4));
            }
        }
        for (; i < n; i++) acc[i] += row[i];
    }
}

/// <summary>Lowest / highest values as max/min identities: infinities for floats (so an all -inf row stays -inf).</summary>
internal static class Limits<T> where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    public static T Lowest => typeof(T) == typeof(float) ? (T)(object)float.NegativeInfinity
        : typeof(T) == typeof(double) ? (T)(object)double.NegativeInfinity : T.MinValue;
    public static T Highest => typeof(T) == typeof(float) ? (T)(object)float.PositiveInfinity
        : typeof(T) == typeof(double) ? (T)(object)double.PositiveInfinity : T.MaxValue;
}

internal struct SumFloat<T> : IReducer<T, double> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static double Identity => 0;
    public static double Step(double acc, T x) => acc + double.CreateTruncating(x);
    public static double Combine(double a, double b) => a + b;
    public static double Contiguous(ReadOnlySpan<T> x, double acc) => typeof(T) == typeof(float)
        ? acc + Widening.Sum(MemoryMarshal.Cast<T, float>(x))
        : acc + TensorPrimitives.Sum(MemoryMarshal.Cast<T, double>(x));
    [MethodImpl(ManagedKernel)]
    public static void Columns(Span<double> acc, ReadOnlySpan<T> row)
    {
        if (typeof(T) == typeof(float)) Widening.AddTo(acc, MemoryMarshal.Cast<T, float>(row));
        else AddOp<double>.Vec(acc, MemoryMarshal.Cast<T, double>(row), acc);
    }
    public static T Finish(double acc, long count) => T.CreateTruncating(acc);
}

/// <summary>Mean of floats: the double sum over the count (an empty mean is 0/0 = NaN, as the header says).</summary>
internal struct MeanFloat<T> : IReducer<T, double> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static double Identity => 0;
    public static double Step(double acc, T x) => acc + double.CreateTruncating(x);
    public static double Combine(double a, double b) => a + b;
    public static double Contiguous(ReadOnlySpan<T> x, double acc) => SumFloat<T>.Contiguous(x, acc);
    public static void Columns(Span<double> acc, ReadOnlySpan<T> row) => SumFloat<T>.Columns(acc, row);
    public static T Finish(double acc, long count) => T.CreateTruncating(acc / count);
}

internal struct ProdFloat<T> : IReducer<T, double> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static double Identity => 1;
    public static double Step(double acc, T x) => acc * double.CreateTruncating(x);
    public static double Combine(double a, double b) => a * b;
    [MethodImpl(ManagedKernel)]
    public static double Contiguous(ReadOnlySpan<T> x, double acc)
    {
        foreach (var v in x) acc *= double.CreateTruncating(v);
        return acc;
    }
    [MethodImpl(ManagedKernel)]
    public static void Columns(Span<double> acc, ReadOnlySpan<T> row)
    {
        for (int i = 0; i < row.Length; i++) acc[i] *= double.CreateTruncating(row[i]);
    }
    public static T Finish(double acc, long count) => T.CreateTruncating(acc);
}

internal struct SumInt<T> : IReducer<T, long> where T : unmanaged, IBinaryInteger<T>
{
    public static long Identity => 0;
    public static long Step(long acc, T x) => acc + long.CreateTruncating(x);
    public static long Combine(long a, long b) => a + b;
    [MethodImpl(ManagedKernel)]
    public static long Contiguous(ReadOnlySpan<T> x, long acc)
    {
        // Two accumulators break the add dependency chain.
        long s0 = 0, s1 = 0;
        int i = 0;
        for (; i <= x.Length - 2; i += 2) { s0 += long.CreateTruncating(x[i]); s1 += long.CreateTruncating(x[i + 1]); }
        if (i < x.Length) s0 += long.CreateTruncating(x[i]);
        return acc + s0 + s1;
    }
    [MethodImpl(ManagedKernel)]
    public static void Columns(Span<long> acc, ReadOnlySpan<T> row)
    {
        for (int i = 0; i < row.Length; i++) acc[i] += long.CreateTruncating(row[i]);
    }
    public static T Finish(long acc, long count) => T.CreateTruncating(acc);
}

/// <summary>Truncating integer mean (C division truncates toward zero, as C# does); an empty mean is 0.</summary>
internal struct MeanInt<T> : IReducer<T, long> where T : unmanaged, IBinaryInteger<T>
{
    public static long Identity => 0;
    public static long Step(long acc, T x) => acc + long.CreateTruncating(x);
    public static long Combine(long a, long b) => a + b;
    public static long Contiguous(ReadOnlySpan<T> x, long acc) => SumInt<T>.Contiguous(x, acc);
    public static void Columns(Span<long> acc, ReadOnlySpan<T> row) => SumInt<T>.Columns(acc, row);
    public static T Finish(long acc, long count) => count == 0 ? T.Zero : T.CreateTruncating(acc / count);
}

internal struct ProdInt<T> : IReducer<T, long> where T : unmanaged, IBinaryInteger<T>
{
    public static long Identity => 1;
    public static long Step(long acc, T x) => acc * long.CreateTruncating(x);
    public static long Combine(long a, long b) => a * b;
    [MethodImpl(ManagedKernel)]
    public static long Contiguous(ReadOnlySpan<T> x, long acc)
    {
        foreach (var v in x) acc *= long.CreateTruncating(v);
        return acc;
    }
    [MethodImpl(ManagedKernel)]
    public static void Columns(Span<long> acc, ReadOnlySpan<T> row)
    {
        for (int i = 0; i < row.Length; i++) acc[i] *= long.CreateTruncating(row[i]);
    }
    public static T Finish(long acc, long count) => T.CreateTruncating(acc);
}

/// <summary>Maximum; NaN propagates (TensorPrimitives.Max returns NaN when any element is NaN). Bool: any.</summary>
internal struct MaxReducer<T> : IReducer<T, T> where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    public static T Identity => Limits<T>.Lowest;
    public static T Step(T acc, T x) => x > acc || T.IsNaN(x) ? x : acc;
    public static T Combine(T a, T b) => Step(a, b);
    public static T Contiguous(ReadOnlySpan<T> x, T acc) => x.IsEmpty ? acc : Step(acc, TensorPrimitives.Max(x));
    public static void Columns(Span<T> acc, ReadOnlySpan<T> row) => TensorPrimitives.Max(acc, row, acc);
    public static T Finish(T acc, long count) => acc;
}

/// <summary>Minimum; NaN propagates. Bool: all.</summary>
internal struct MinReducer<T> : IReducer<T, T> where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    public static T Identity => Limits<T>.Highest;
    public static T Step(T acc, T x) => x < acc || T.IsNaN(x) ? x : acc;
    public static T Combine(T a, T b) => Step(a, b);
    public static T Contiguous(ReadOnlySpan<T> x, T acc) => x.IsEmpty ? acc : Step(acc, TensorPrimitives.Min(x));
    public static void Columns(Span<T> acc, ReadOnlySpan<T> row) => TensorPrimitives.Min(acc, row, acc);
    public static T Finish(T acc, long count) => acc;
}

/// <summary>Called once per output element with its linear index and the x offset of its first input.</summary>
internal interface IOutputKernel
{
    void At(long output, long xOffset);
}

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public unsafe void Reduce(ReduceOp op, DType dtype, nint x, in Layout xLayout, uint axesMask, nint output, DType outDtype)
    {
        const string M = nameof(Reduce);
        CheckDType(M, nameof(dtype), dtype);
        CheckDType(M, nameof(outDtype), outDtype);
        long xCount = CheckLayout(M, nameof(xLayout), xLayout);
        if ((uint)op > (uint)ReduceOp.ArgMin)
            throw new ArgumentException($"{M}: op = {(int)op} is not a valid ReduceOp.", nameof(op));
        int rank = xLayout.Rank;
        if ((axesMask >> rank) != 0)
            throw new ArgumentException($"{M}: axesMask = 0x{axesMask:x} has bits at or past the rank {rank} of x (shape {xLayout.Shape}).", nameof(axesMask));
        bool arg = op is ReduceOp.ArgMax or ReduceOp.ArgMin;
        if (arg)
        {
            if (BitOperations.PopCount(axesMask) != 1)
                throw new ArgumentException($"{M}: {op} takes exactly one axis, but axesMask = 0x{axesMask:x}.", nameof(axesMask));
            if (outDtype is not (DType.Int64 or DType.Int32))
                throw new ArgumentException($"{M}: {op} writes int64 or int32 indices, not outDtype = {outDtype.Name()}.", nameof(outDtype));
        }
        else if (outDtype != dtype)
            throw new ArgumentException($"{M}: {op} of {dtype.Name()} writes {dtype.Name()}, not outDtype = {outDtype.Name()}.", nameof(outDtype));
        if (dtype == DType.Bool && op is ReduceOp.Sum or ReduceOp.Mean or ReduceOp.Prod)
            throw Unsupported(M, op.ToString(), dtype);

        // Kept axes (in order: they index the contiguous output) and reduced axes.
        var dims = xLayout.Shape.Dims;
        Span<long> kShape = stackalloc long[Shape.MaxRank], kStr = stackalloc long[Shape.MaxRank];
        Span<long> rShape = stackalloc long[Shape.MaxRank], rStr = stackalloc long[Shape.MaxRank];
        int kr = 0, rr = 0;
        long outCount = 1, rCount = 1;
        for (int d = 0; d < rank; d++)
        {
            if ((axesMask & (1u << d)) != 0) { rShape[rr] = dims[d]; rStr[rr++] = xLayout.Strides[d]; rCount *= dims[d]; }
            else { kShape[kr] = dims[d]; kStr[kr++] = xLayout.Strides[d]; outCount *= dims[d]; }
        }
        if (rCount == 0 && op is not (ReduceOp.Sum or ReduceOp.Mean or ReduceOp.Prod))
            throw new ArgumentException($"{M}: {op} of an empty axis has no value (x shape {xLayout.Shape}, axesMask = 0x{axesMask:x}).", nameof(xLayout));
        CheckPointer(M, nameof(x), x, xCount);
        CheckPointer(M, nameof(output), output, outCount);
        if (outCount == 0) return;
        // The order of the reduced axes is free: put the smallest |stride| innermost so runs are
        // as long and as contiguous as the data allows (insertion sort of at most 8).
        for (int i = 1; i < rr; i++)
            for (int j = i; j > 0 && Math.Abs(rStr[j - 1]) < Math.Abs(rStr[j]); j--)
            {
                (rStr[j - 1], rStr[j]) = (rStr[j], rStr[j - 1]);
                (rShape[j - 1], rShape[j]) = (rShape[j], rShape[j - 1]);
            }
        var K = StridedPlan.Create(1, kShape[..kr], kStr[..kr], default, default, xLayout.Offset, 0, 0);
        var R = StridedPlan.Create(1, rShape[..rr], rStr[..rr], default, default, 0, 0, 0);

        if (arg)
        {
            bool max = op == ReduceOp.ArgMax;
            long n = rShape[0], s = rStr[0];
            switch (dtype)
            {
                case DType.Float32: ArgReduce<float>(K, n, s, max, x, output, outDtype); break;
                case DType.Float64: ArgReduce<double>(K, n, s, max, x, output, outDtype); break;
                case DType.Int32: ArgReduce<int>(K, n, s, max, x, output, outDtype); break;
                case DType.Int64: ArgReduce<long>(K, n, s, max, x, output, outDtype); break;
                default: ArgReduce<byte>(K, n, s, max, x, output, outDtype); break;
            }
            return;
        }
        switch (dtype)
        {
            case DType.Float32: ReduceFloat<float>(op, K, R, x, output); break;
            case DType.Float64: ReduceFloat<double>(op, K, R, x, output); break;
            case DType.Int32: ReduceInt<int>(op, K, R, x, output); break;
            case DType.Int64: ReduceInt<long>(op, K, R, x, output); break;
            default: ReduceInt<byte>(op, K, R, x, output); break; // uint8; bool only reaches max (any) / min (all)
        }
    }

    [MethodImpl(ManagedKernel)]
    private static void ReduceFloat<T>(ReduceOp op, in StridedPlan K, in StridedPlan R, nint x, nint o) where T : unmanaged, IFloatingPointIeee754<T>, IMinMaxValue<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: RunReduce<T, double, SumFloat<T>>(K, R, x, o); break;
            case ReduceOp.Mean: RunReduce<T, double, MeanFloat<T>>(K, R, x, o); break;
            case ReduceOp.Prod: RunReduce<T, double, ProdFloat<T>>(K, R, x, o); break;
            case ReduceOp.Max: RunReduce<T, T, MaxReducer<T>>(K, R, x, o); break;
            default: RunReduce<T, T, MinReducer<T>>(K, R, x, o); break;
        }
    }

    private static void ReduceInt<T>(ReduceOp op, in StridedPlan K, in StridedPlan R, nint x, nint o) where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: RunReduce<T, long, SumInt<T>>(K, R, x, o); break;
            case ReduceOp.Mean: RunReduce<T, long, MeanInt<T>>(K, R, x, o); break;
            case ReduceOp.Prod: RunReduce<T, long, ProdInt<T>>(K, R, x, o); break;
            case ReduceOp.Max: RunReduce<T, T, MaxReducer<T>>(K, R, x, o); break;
            default: RunReduce<T, T, MinReducer<T>>(K, R, x, o); break;
        }
    }

    [MethodImpl(ManagedKernel)]
    private static unsafe void RunReduce<T, TAcc, TRed>(in StridedPlan K, in StridedPlan R, nint x, nint o)
        where T : unmanaged where TAcc : unmanaged where TRed : IReducer<T, TAcc>
    {
        T* px = (T*)x, po = (T*)o;
        long outCount = K.Count, rCount = R.Count;
        if (rCount == 0)
        {
            FillWith(po, outCount, TRed.Finish(TRed.Identity, 0)); // 0, 1, NaN (float mean) or 0 (integer mean)
            return;
        }
        // Column reduction: the kept inner axis is contiguous and the reduced axes step over it
        // (e.g. [256, 50] -> [50]): add whole rows into a block of accumulators with vector ops
        // instead of walking each column with a stride.
        if (K.InnerSize >= 8 && K.Inner0 == 1 && R.Inner0 != 1 && rCount > 1)
        {
            RunColumns<T, TAcc, TRed>(K, R, px, po);
            return;
        }
        long work = outCount * rCount;
        if (outCount >= Workers * 4L || work < ParallelThreshold)
        {
            ForOutputs(K, new RowReduce<T, TAcc, TRed> { R = R, X = px, Out = po }, work);
            return;
        }
        // Few outputs, long reductions (a full sum): split each reduction into pieces and
        // combine the partial accumulators in order.
        int pieces = ChunksFor(rCount, rCount / 256);
        var heap = pieces > 64 ? new TAcc[pieces] : null;
        Span<TAcc> partSpan = heap != null ? heap : stackalloc TAcc[pieces];
        fixed (TAcc* parts = partSpan)
        for (long i = 0; i < outCount; i++)
        {
            var job = new PartialReduce<T, TAcc, TRed> { R = R, X = px, Parts = parts, Count = rCount, Pieces = pieces };
            job.R.Base0 = K.Base0 + K.OffsetOf(i, K.S0);
            WorkerPool.Run(job, pieces);
            TAcc acc = parts[0];
            for (int j = 1; j < pieces; j++) acc = TRed.Combine(acc, parts[j]);
            po[i] = TRed.Finish(acc, rCount);
        }
    }

    /// <summary>Part `piece` of one long reduction: its share of R's elements, accumulated into Parts[piece] (combined in order by the caller).</summary>
    private unsafe struct PartialReduce<T, TAcc, TRed> : IPartJob
        where T : unmanaged where TAcc : unmanaged where TRed : IReducer<T, TAcc>
    {
        public StridedPlan R;
        public T* X;
        public TAcc* Parts;
        public long Count;
        public int Pieces;

        [MethodImpl(ManagedKernel)]
        public readonly void Part(int piece)
        {
            var k = new AccumulateRun<T, TAcc, TRed> { X = X, S = R.Inner0, Acc = TRed.Identity };
            R.ForRuns(SplitPoint(Count, Pieces, piece), SplitPoint(Count, Pieces, piece + 1), ref k);
            Parts[piece] = k.Acc;
        }
    }

    /// <summary>Calls kernel.At for every output, walking the kept axes in runs; parallel over output ranges when <paramref name="work"/> is large.</summary>
    [MethodImpl(ManagedKernel)]
    private static void ForOutputs<TK>(in StridedPlan K, TK kernel, long work) where TK : struct, IOutputKernel
    {
        long outCount = K.Count;
        WorkerPool.Split(new OutputsJob<TK> { K = K, Kernel = kernel }, outCount, ChunksFor(work, outCount));
    }

    private struct OutputsJob<TK> : IRangeJob where TK : struct, IOutputKernel
    {
        public StridedPlan K;
        public TK Kernel;

        [MethodImpl(ManagedKernel)]
        public readonly void Run(long begin, long end)
        {
            var w = new OutputWalker<TK> { Kernel = Kernel, Stride = K.Inner0, Next = begin };
            K.ForRuns(begin, end, ref w);
        }
    }

    private struct OutputWalker<TK> : IRunKernel where TK : struct, IOutputKernel
    {
        public TK Kernel;
        public long Stride, Next;

        [MethodImpl(ManagedKernel)]
        public void Run(long o0, long o1, long o2, long n)
        {
            for (long i = 0; i < n; i++) Kernel.At(Next++, o0 + i * Stride);
        }
    }

    /// <summary>Accumulates runs of x: the vector path for stride 1, a scalar loop otherwise.</summary>
    private unsafe struct AccumulateRun<T, TAcc, TRed> : IRunKernel
        where T : unmanaged where TAcc : unmanaged where TRed : IReducer<T, TAcc>
    {
        public T* X;
        public long S;
        public TAcc Acc;

        [MethodImpl(ManagedKernel)]
        public void Run(long o0, long o1, long o2, long n)
        {
            T* p = X + o0;
            if (S == 1)
            {
                while (n > 0)
                {
                    int m = (int)Math.Min(n, 1 << 30);
                    Acc = TRed.Contiguous(new ReadOnlySpan<T>(p, m), Acc);
                    p += m; n -= m;
                }
                return;
            }
            long s = S;
            TAcc acc = Acc;
            for (long i = 0; i < n; i++, p += s) acc = TRed.Step(acc, *p);
            Acc = acc;
        }
    }

    private unsafe struct RowReduce<T, TAcc, TRed> : IOutputKernel
        where T : unmanaged where TAcc : unmanaged where TRed : IReducer<T, TAcc>
    {
        public StridedPlan R;
        public T* X, Out;

        [MethodImpl(ManagedKernel)]
        public void At(long output, long xOffset)
        {
            R.Base0 = xOffset;
            var k = new AccumulateRun<T, TAcc, TRed> { X = X, S = R.Inner0, Acc = TRed.Identity };
            R.ForRuns(0, R.Count, ref k);
            Out[output] = TRed.Finish(k.Acc, R.Count);
        }
    }

    private const int ColumnBlock = 1024; // 8 KB of double accumulators: L1-resident, long contiguous row segments

    [MethodImpl(ManagedKernel)]
    private static unsafe void RunColumns<T, TAcc, TRed>(in StridedPlan K, in StridedPlan R, T* px, T* po)
        where T : unmanaged where TAcc : unmanaged where TRed : IReducer<T, TAcc>
    {
        long L = K.InnerSize, rows = K.Count / L;
        long blocks = (L + ColumnBlock - 1) / ColumnBlock, units = rows * blocks;
        WorkerPool.Split(new ColumnsJob<T, TAcc, TRed> { K = K, R = R, X = px, Out = po, L = L, Blocks = blocks }, units, ChunksFor(K.Count * R.Count, units));
    }

    /// <summary>
    /// Units [ub, ue) of a column reduction; unit u = (kept row, block of ColumnBlock columns): its
    /// accumulators stay in L1 while every reduced row streams through once.
    /// </summary>
    private unsafe struct ColumnsJob<T, TAcc, TRed> : IRangeJob
        where T : unmanaged where TAcc : unmanaged where TRed : IReducer<T, TAcc>
    {
        public StridedPlan K, R;
        public T* X, Out;
        public long L, Blocks;

        [MethodImpl(ManagedKernel)]
        public readonly void Run(long ub, long ue)
        {
            TAcc* acc = stackalloc TAcc[ColumnBlock];
            var plan = R;
            ref readonly var k = ref K;
            long L = this.L, blocks = Blocks;
            T* px = X, po = Out;
            for (long u = ub; u < ue; u++)
            {
                long row = u / blocks, c0 = (u - row * blocks) * ColumnBlock;
                int w = (int)Math.Min(ColumnBlock, L - c0);
                new Span<TAcc>(acc, w).Fill(TRed.Identity);
                plan.Base0 = k.Base0 + k.OffsetOf(row * L, k.S0) + c0;
                var run = new ColumnRun<T, TAcc, TRed> { X = px, Acc = acc, Width = w, S = plan.Inner0 };
                plan.ForRuns(0, plan.Count, ref run);
                T* dst = po + row * L + c0;
                for (int j = 0; j < w; j++) dst[j] = TRed.Finish(acc[j], plan.Count);
            }
        }
    }

    private unsafe struct ColumnRun<T, TAcc, TRed> : IRunKernel
        where T : unmanaged where TAcc : unmanaged where TRed : IReducer<T, TAcc>
    {
        public T* X;
        public TAcc* Acc;
        public int Width;
        public long S;

        [MethodImpl(ManagedKernel)]
        public void Run(long o0, long o1, long o2, long n)
        {
            var acc = new Span<TAcc>(Acc, Width);
            for (long i = 0; i < n; i++) TRed.Columns(acc, new ReadOnlySpan<T>(X + o0 + i * S, Width));
        }
    }

    private static unsafe void ArgReduce<T>(in StridedPlan K, long n, long s, bool max, nint x, nint o, DType outDtype)
        where T : unmanaged, INumber<T>
    {
        var kernel = new ArgKernel<T> { X = (T*)x, Out = o, N = n, S = s, Max = max, Long = outDtype == DType.Int64 };
        ForOutputs(K, kernel, K.Count * n);
    }

    /// <summary>First index of the extreme along the axis; the first NaN wins outright.</summary>
    private unsafe struct ArgKernel<T> : IOutputKernel where T : unmanaged, INumber<T>
    {
        public T* X;
        public nint Out;
        public long N, S;
        public bool Max, Long;

        public readonly void At(long output, long xOffset)
        {
            T* p = X + xOffset;
            T best = *p;
            long bi = 0;
            if (!T.IsNaN(best))
            {
                for (long i = 1; i < N; i++)
                {
                    T v = p[i * S];
                    if (T.IsNaN(v)) { bi = i; break; }
                    if (Max ? v > best : v < best) { best = v; bi = i; }
                }
            }
            if (Long) ((long*)Out)[output] = bi;
            else ((int*)Out)[output] = (int)bi;
        }
    }
}
