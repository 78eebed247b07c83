using System.Numerics;

namespace NeuralFlow.Backends.Managed;

// nf_scatter_add's contract in C# (the adjoint of Gather): out[o, indices[j], r] += src[o, j, r],
// out contiguous and prefilled by the caller. As the CPU engine: no atomics and no per-thread
// partials; each piece owns a block of the output (an outer index, a range of rows, a range of
// columns) and walks every index in order, so the sums are the same bits on any worker count.
public sealed partial class ManagedBackend
{
    // Columns a piece takes at least, so a piece's walk over all indices adds whole runs per index.
    private const long ScatterMinColumns = 256;
    // Columns of a block per row piece: a row piece reads (and skips) every index, so at least 8 adds per index it reads.
    private const long ScatterRowColumns = 8;

    /// <inheritdoc/>
    public unsafe void ScatterAdd(DType dtype, nint src, in Layout srcLayout, int axis, DType indexDtype, nint indices, long rows, nint output)
    {
        const string M = nameof(ScatterAdd);
        long srcCount = CheckIndexed(M, dtype, nameof(srcLayout), srcLayout, indexDtype, axis, "src");
        CheckCount(M, nameof(rows), rows);
        int rank = srcLayout.Rank;
        if (dtype is not (DType.Float32 or DType.Float64 or DType.Int32 or DType.Int64))
            throw new NotSupportedException($"{M}: dtype {dtype.Name()} is not supported (float32, float64, int32, int64).");
        var dims = srcLayout.Shape.Dims;
        long count = dims[axis];
        CheckPointer(M, nameof(indices), indices, count);
        // Every index is checked before anything is written, so a bad index leaves out untouched.
        for (long j = 0; j < count; j++)
        {
            long ix = ReadIndex(indexDtype, indices, j);
            if ((ulong)ix >= (ulong)rows)
                throw new ArgumentException($"{M}: indices[{j}] = {ix} is out of range [0, {rows}) for axis {axis} of the output.", nameof(indices));
        }
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < rank; d++) inner *= dims[d];
        CheckPointer(M, nameof(src), src, srcCount);
        CheckPointer(M, nameof(output), output, outer * rows * inner);
        if (srcCount == 0) return;

        var (innerPlan, outerPlan) = AxisPlans(srcLayout, axis);

        // Blocks: split columns first, then rows when outer axes and columns give too few (an
        // embedding table: one outer index, 64 columns); each row-split piece skips other rows,
        // so row pieces are capped as in the CPU kernel.
        int pieces = ChunksFor(srcCount, 64);
        long cols = Math.Clamp(inner / ScatterMinColumns, 1, pieces);
        long rowCap = Math.Max(1, Math.Min(rows, inner / cols / ScatterRowColumns));
        long rowParts = Math.Min(Math.Max(1, pieces / Math.Max(1, outer * cols)), rowCap);
        long units = outer * rowParts * cols;
        var geometry = new ScatterGeometry
        {
            Inner = innerPlan, Outer = outerPlan, Src = src, Out = output, Indices = indices, IndexDtype = indexDtype,
            Count = count, Rows = rows, InnerCount = inner, AxisStride = srcLayout.Strides[axis], SrcOffset = srcLayout.Offset,
            Cols = cols, RowParts = rowParts,
        };
        int split = (int)Math.Min(units, pieces);
        switch (dtype)
        {
            case DType.Float32: WorkerPool.Split(new ScatterJob<float> { G = geometry }, units, split); break;
            case DType.Float64: WorkerPool.Split(new ScatterJob<double> { G = geometry }, units, split); break;
            case DType.Int32: WorkerPool.Split(new ScatterJob<int> { G = geometry }, units, split); break;
            default: WorkerPool.Split(new ScatterJob<long> { G = geometry }, units, split); break;
        }
    }

    private struct ScatterGeometry
    {
        public StridedPlan Inner, Outer;
        public nint Src, Out, Indices;
        public DType IndexDtype;
        public long Count, Rows, InnerCount, AxisStride, SrcOffset, Cols, RowParts;
    }

    private struct ScatterJob<T> : IRangeJob where T : unmanaged, IAdditionOperators<T, T, T>
    {
        public ScatterGeometry G;

        /// <summary>Adds the output blocks [begin, end), block u = (o * RowParts + row part) * Cols + column part.</summary>
        public readonly unsafe void Run(long begin, long end)
        {
            var plan = G.Inner;
            bool contiguous = plan.Rank == 1 && plan.Inner1 == 1;
            var add = new AddRun<T> { Out = (T*)G.Out, X = (T*)G.Src, SO = plan.Inner0, SX = plan.Inner1 };
            for (long u = begin; u < end; u++)
            {
                long col = u % G.Cols, q = u / G.Cols;
                long rp = q % G.RowParts, o = q / G.RowParts;
                long r0 = Part(G.Rows, G.RowParts, rp), r1 = Part(G.Rows, G.RowParts, rp + 1);
                long c0 = Part(G.InnerCount, G.Cols, col), c1 = Part(G.InnerCount, G.Cols, col + 1);
                long srcBase = G.SrcOffset + G.Outer.OffsetOf(o, G.Outer.S0), outBase = o * G.Rows * G.InnerCount;
                for (long j = 0; j < G.Count; j++)
                {
                    long v = ReadIndex(G.IndexDtype, G.Indices, j);
                    if (v < r0 || v >= r1) continue;
                    long so = srcBase + j * G.AxisStride, oo = outBase + v * G.InnerCount;
                    if (contiguous)
                    {
                        T* d = add.Out + oo, x = add.X + so;
                        for (long c = c0; c < c1; c++) d[c] += x[c];
                        continue;
                    }
                    plan.Base0 = oo;
                    plan.Base1 = so;
                    plan.ForRuns(c0, c1, ref add);
                }
            }
        }

        private static long Part(long n, long parts, long p) => n / parts * p + Math.Min(p, n % parts);
    }

    private unsafe struct AddRun<T> : IRunKernel where T : unmanaged, IAdditionOperators<T, T, T>
    {
        public T* Out, X;
        public long SO, SX;

        [MethodImpl(ManagedKernel)]
        public void Run(long oo, long ox, long unused, long n)
        {
            for (long i = 0; i < n; i++) Out[oo + i * SO] += X[ox + i * SX];
        }
    }
}
