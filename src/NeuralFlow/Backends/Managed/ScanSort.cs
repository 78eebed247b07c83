using System.Numerics;
using System.Runtime.InteropServices;

namespace NeuralFlow.Backends.Managed;

// nf_scan's and nf_sort's contracts in C#. x is packed row-major first (a view or broadcast
// input costs one copy), then seen as [outer, len, inner]: each (outer, inner) pair is one line
// along the axis, and lines run in parallel.
public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public unsafe void Scan(ScanOp op, DType dtype, nint x, in Layout xLayout, int axis, bool exclusive, bool reverse, nint output)
    {
        const string M = nameof(Scan);
        if (op is not (ScanOp.Sum or ScanOp.Prod)) throw new ArgumentException($"{M}: op = {(int)op} is not a valid ScanOp.", nameof(op));
        CheckDType(M, nameof(dtype), dtype);
        long n = CheckLayout(M, nameof(xLayout), xLayout);
        CheckAxis(M, xLayout, axis);
        if (dtype == DType.Bool) throw Unsupported(M, "a cumulative scan", dtype);
        CheckPointer(M, nameof(x), x, n);
        CheckPointer(M, nameof(output), output, n);
        if (n == 0) return;
        using var packed = new Packed(this, dtype, x, xLayout);
        var (outer, len, inner) = Lines(xLayout, axis);
        switch (dtype)
        {
            case DType.Float32: ScanAs<float>(op, (float*)packed.Pointer, (float*)output, outer, len, inner, exclusive, reverse); break;
            case DType.Float64: ScanAs<double>(op, (double*)packed.Pointer, (double*)output, outer, len, inner, exclusive, reverse); break;
            case DType.Int32: ScanAs<int>(op, (int*)packed.Pointer, (int*)output, outer, len, inner, exclusive, reverse); break;
            case DType.Int64: ScanAs<long>(op, (long*)packed.Pointer, (long*)output, outer, len, inner, exclusive, reverse); break;
            default: ScanAs<byte>(op, (byte*)packed.Pointer, (byte*)output, outer, len, inner, exclusive, reverse); break;
        }
    }

    /// <inheritdoc/>
    public unsafe void Sort(DType dtype, nint x, in Layout xLayout, int axis, bool descending, nint valuesOut, DType indexDtype, nint indicesOut)
    {
        const string M = nameof(Sort);
        CheckDType(M, nameof(dtype), dtype);
        long n = CheckLayout(M, nameof(xLayout), xLayout);
        CheckAxis(M, xLayout, axis);
        CheckPointer(M, nameof(x), x, n);
        if (indicesOut != 0 && indexDtype is not (DType.Int32 or DType.Int64))
            throw new ArgumentException($"{M}: indexDtype = {indexDtype.Name()} must be int32 or int64.", nameof(indexDtype));
        if (n == 0 || (valuesOut == 0 && indicesOut == 0)) return;
        using var packed = new Packed(this, dtype, x, xLayout);
        var (outer, len, inner) = Lines(xLayout, axis);
        switch (dtype)
        {
            case DType.Float32: SortAs<float>((float*)packed.Pointer, outer, len, inner, descending, (float*)valuesOut, indexDtype, indicesOut); break;
            case DType.Float64: SortAs<double>((double*)packed.Pointer, outer, len, inner, descending, (double*)valuesOut, indexDtype, indicesOut); break;
            case DType.Int32: SortAs<int>((int*)packed.Pointer, outer, len, inner, descending, (int*)valuesOut, indexDtype, indicesOut); break;
            case DType.Int64: SortAs<long>((long*)packed.Pointer, outer, len, inner, descending, (long*)valuesOut, indexDtype, indicesOut); break;
            default: SortAs<byte>((byte*)packed.Pointer, outer, len, inner, descending, (byte*)valuesOut, indexDtype, indicesOut); break;
        }
    }

    private static void CheckAxis(string method, in Layout layout, int axis)
    {
        if ((uint)axis >= (uint)layout.Rank)
            throw new ArgumentException($"{method}: axis = {axis} is out of range for x of rank {layout.Rank} (shape {layout.Shape}).", nameof(axis));
    }

    private static (long Outer, long Len, long Inner) Lines(in Layout layout, int axis)
    {
        var dims = layout.Shape.Dims;
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        return (outer, dims[axis], inner);
    }

    /// <summary>x as a row-major block: its own memory when already contiguous, else a packed copy freed on dispose.</summary>
    private readonly unsafe struct Packed : IDisposable
    {
        private readonly void* _owned;
        public nint Pointer { get; }

        public Packed(ManagedBackend backend, DType dtype, nint x, in Layout layout)
        {
            if (layout.IsContiguous)
            {
                Pointer = x + (nint)(layout.Offset * dtype.SizeInBytes());
                return;
            }
            _owned = NativeMemory.AlignedAlloc((nuint)(layout.Shape.Count * dtype.SizeInBytes()), 64);
            Pointer = (nint)_owned;
            backend.Copy(dtype, x, layout, Pointer, Layout.Contiguous(layout.Shape));
        }

        public void Dispose()
        {
            if (_owned != null) NativeMemory.AlignedFree(_owned);
        }
    }

    // Runs body(line) for every line, in parallel pieces when the work is large.
    private static void ForLines(long lines, long workPerLine, Action<long, long> body)
    {
        WorkerPool.Split(body, lines, ChunksFor(lines * Math.Max(1, workPerLine), lines));
    }

    // Floats accumulate in double, integers in wrapping 64-bit words, as common/reduce_acc.h.
    private static unsafe void ScanAs<T>(ScanOp op, T* x, T* o, long outer, long len, long inner, bool exclusive, bool reverse)
        where T : unmanaged, INumberBase<T>
    {
        bool isFloat = typeof(T) == typeof(float) || typeof(T) == typeof(double);
        bool sum = op == ScanOp.Sum;
        ForLines(outer * inner, len, (begin, end) =>
        {
            for (long l = begin; l < end; l++)
            {
                long b = l / inner * len * inner + l % inner;
                long step = reverse ? -inner : inner;
                long at = reverse ? b + (len - 1) * inner : b;
                double fa = sum ? 0 : 1;
                ulong ia = sum ? 0UL : 1UL;
                for (long j = 0; j < len; j++, at += step)
                {
                    if (exclusive) o[at] = isFloat ? T.CreateTruncating(fa) : T.CreateTruncating(ia);
                    if (isFloat)
                    {
                        double v = double.CreateTruncating(x[at]);
                        fa = sum ? fa + v : fa * v;
                    }
                    else
                    {
                        ulong v = ulong.CreateTruncating(long.CreateTruncating(x[at]));
                        ia = unchecked(sum ? ia + v : ia * v);
                    }
                    if (!exclusive) o[at] = isFloat ? T.CreateTruncating(fa) : T.CreateTruncating(ia);
                }
            }
        });
    }

    private static unsafe void SortAs<T>(T* x, long outer, long len, long inner, bool descending, T* values, DType indexDtype, nint indices)
        where T : unmanaged, INumber<T>
    {
        ForLines(outer * inner, len * Math.Max(1, BitOperations.Log2((ulong)len)), (begin, end) =>
        {
            var order = new long[len];
            var keys = new T[len];
            for (long l = begin; l < end; l++)
            {
                long b = l / inner * len * inner + l % inner;
                for (long j = 0; j < len; j++)
                {
                    order[j] = j;
                    keys[j] = x[b + j * inner];
                }
                // Ties broken by position make the (unstable) introsort give the stable order.
                Array.Sort(order, (i, k) => Before(keys[i], keys[k]) ? -1 : Before(keys[k], keys[i]) ? 1 : i.CompareTo(k));
                for (long j = 0; j < len; j++)
                {
                    long at = b + j * inner;
                    if (values != null) values[at] = keys[order[j]];
                    if (indices != 0)
                    {
                        if (indexDtype == DType.Int32) ((int*)indices)[at] = (int)order[j];
                        else ((long*)indices)[at] = order[j];
                    }
                }
            }
        });

        // The order of common/scan_sort.h: NaN last ascending; descending the reverse, NaN first.
        bool Before(T a, T c)
        {
            bool an = T.IsNaN(a), cn = T.IsNaN(c);
            return descending ? (an && !cn) || (!an && !cn && a > c) : (!an && cn) || (!an && !cn && a < c);
        }
    }
}
