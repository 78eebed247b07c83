namespace NeuralFlow.Backends.Managed;

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public unsafe void Gather(DType dtype, nint x, in Layout xLayout, int axis, DType indexDtype, nint indices, long indexCount, nint output)
    {
        const string M = nameof(Gather);
        long xCount = CheckIndexed(M, dtype, nameof(xLayout), xLayout, indexDtype, axis, "x");
        CheckCount(M, nameof(indexCount), indexCount);
        int rank = xLayout.Rank;
        CheckPointer(M, nameof(indices), indices, indexCount);
        var dims = xLayout.Shape.Dims;
        long axisSize = dims[axis];
        // Every index is checked before anything is written, so a bad index leaves out untouched.
        for (long j = 0; j < indexCount; j++)
        {
            long ix = ReadIndex(indexDtype, indices, j);
            if ((ulong)ix >= (ulong)axisSize)
                throw new ArgumentException($"{M}: index {ix} is out of range for axis {axis} of size {axisSize}.", nameof(indices));
        }
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < rank; d++) inner *= dims[d];
        long total = outer * indexCount * inner;
        CheckPointer(M, nameof(x), x, xCount);
        CheckPointer(M, nameof(output), output, total);
        if (total == 0) return;

        // out is [outer, indexCount, inner] contiguous; x is (outer dims) x axis x (inner dims)
        // with any strides. The inner block is copied by a 2-operand plan (out contiguous, x
        // strided), so a contiguous inner block (an embedding row) becomes one memcpy.
        var (innerPlan, outerPlan) = AxisPlans(xLayout, axis);

        var job = new GatherJob
        {
            Inner = innerPlan, Outer = outerPlan, X = x, Out = output, Indices = indices, IndexDtype = indexDtype,
            IndexCount = indexCount, InnerCount = inner, AxisStride = xLayout.Strides[axis], XOffset = xLayout.Offset,
            ElementSize = dtype.SizeInBytes(),
        };
        long units = outer * indexCount;
        int pieces = ChunksFor(total, units);
        WorkerPool.Split(job, units, pieces);
    }

    /// <summary>
    /// The plans of a tensor sliced along <paramref name="axis"/>: Inner walks one slice (the axes
    /// after axis) with operand 0 packed and operand 1 the tensor's strides; Outer gives the
    /// tensor's offset of each index of the axes before axis.
    /// </summary>
    private static (StridedPlan Inner, StridedPlan Outer) AxisPlans(in Layout layout, int axis)
    {
        var dims = layout.Shape.Dims;
        int innerRank = layout.Rank - axis - 1;
        Span<long> innerShape = stackalloc long[Math.Max(innerRank, 1)];
        Span<long> innerOut = stackalloc long[Math.Max(innerRank, 1)];
        long s = 1;
        for (int d = innerRank - 1; d >= 0; d--)
        {
            innerShape[d] = dims[axis + 1 + d];
            innerOut[d] = s;
            s *= innerShape[d];
        }
        var inner = StridedPlan.Create(2, innerShape[..innerRank], innerOut[..innerRank],
            layout.Strides.AsSpan(axis + 1), default, 0, 0, 0);
        Span<long> outerShape = stackalloc long[Math.Max(axis, 1)];
        for (int d = 0; d < axis; d++) outerShape[d] = dims[d];
        var outer = StridedPlan.Create(1, outerShape[..axis], layout.Strides.AsSpan(0, axis), default, default, 0, 0, 0);
        return (inner, outer);
    }

    private struct GatherJob : IRangeJob
    {
        public StridedPlan Inner, Outer;
        public nint X, Out, Indices;
        public DType IndexDtype;
        public long IndexCount, InnerCount, AxisStride, XOffset;
        public int ElementSize;

        /// <summary>Copies units [begin, end), unit u = (outer o, index j) = o * IndexCount + j.</summary>
        public readonly void Run(long begin, long end)
        {
            switch (ElementSize)
            {
                case 1: Run<byte>(begin, end); break;
                case 4: Run<int>(begin, end); break;
                default: Run<long>(begin, end); break;
            }
        }

        private readonly unsafe void Run<T>(long begin, long end) where T : unmanaged
        {
            var plan = Inner;
            var copy = new CopyRun<T> { Out = (T*)Out, X = (T*)X, SO = plan.Inner0, SX = plan.Inner1 };
            for (long u = begin; u < end; u++)
            {
                long o = u / IndexCount, j = u - o * IndexCount;
                plan.Base0 = u * InnerCount;
                plan.Base1 = XOffset + Outer.OffsetOf(o, Outer.S0) + ReadIndex(IndexDtype, Indices, j) * AxisStride;
                plan.ForRuns(0, InnerCount, ref copy);
            }
        }
    }

    /// <summary>What Gather and ScatterAdd check alike: the dtypes, the sliced tensor's layout and the axis; returns its element count.</summary>
    private static long CheckIndexed(string method, DType dtype, string layoutArg, in Layout layout, DType indexDtype, int axis, string what)
    {
        CheckDType(method, nameof(dtype), dtype);
        long count = CheckLayout(method, layoutArg, layout);
        CheckIndexDType(method, nameof(indexDtype), indexDtype);
        if (axis < 0 || axis >= layout.Rank)
            throw new ArgumentException($"{method}: axis {axis} is out of range for {what} of rank {layout.Rank} (shape {layout.Shape}).", nameof(axis));
        return count;
    }

    private static void CheckIndexDType(string method, string arg, DType dtype)
    {
        if (dtype is not (DType.Int32 or DType.Int64 or DType.UInt8))
            throw new ArgumentException($"{method}: {arg} = {dtype.Name()} is not an index dtype; use int32, int64 or uint8.", arg);
    }

    private static unsafe long ReadIndex(DType dtype, nint p, long i) => dtype switch
    {
        DType.Int32 => ((int*)p)[i],
        DType.Int64 => ((long*)p)[i],
        _ => ((byte*)p)[i],
    };

    /// <inheritdoc/>
    public unsafe void OneHot(DType indexDtype, nint indices, in Layout indicesLayout, long depth, double onValue, double offValue, DType outDtype, nint output)
    {
        const string M = nameof(OneHot);
        CheckIndexDType(M, nameof(indexDtype), indexDtype);
        CheckDType(M, nameof(outDtype), outDtype);
        long count = CheckLayout(M, nameof(indicesLayout), indicesLayout);
        CheckCount(M, nameof(depth), depth);
        CheckPointer(M, nameof(indices), indices, count);
        CheckPointer(M, nameof(output), output, count * depth);
        if (count == 0 || depth == 0) return;
        var plan = StridedPlan.Create(indicesLayout);
        switch (outDtype)
        {
            case DType.Float32: OneHotAs<float, NumberFromDouble<float>>(plan, indexDtype, indices, depth, onValue, offValue, output); break;
            case DType.Float64: OneHotAs<double, NumberFromDouble<double>>(plan, indexDtype, indices, depth, onValue, offValue, output); break;
            case DType.Int32: OneHotAs<int, NumberFromDouble<int>>(plan, indexDtype, indices, depth, onValue, offValue, output); break;
            case DType.Int64: OneHotAs<long, NumberFromDouble<long>>(plan, indexDtype, indices, depth, onValue, offValue, output); break;
            case DType.UInt8: OneHotAs<byte, NumberFromDouble<byte>>(plan, indexDtype, indices, depth, onValue, offValue, output); break;
            default: OneHotAs<byte, BoolFromDouble>(plan, indexDtype, indices, depth, onValue, offValue, output); break;
        }
    }

    private static unsafe void OneHotAs<T, TConv>(in StridedPlan plan, DType indexDtype, nint indices, long depth, double on, double off, nint output)
        where T : unmanaged where TConv : IFromDouble<T>
    {
        var k = new OneHotRun<T>
        {
            Out = (T*)output, Indices = indices, IndexDtype = indexDtype, Stride = plan.Inner0,
            Depth = depth, On = TConv.From(on), Off = TConv.From(off),
        };
        plan.ExecuteInOrder(k, plan.Count * depth);
    }

    /// <summary>Writes one row of out per index; runs arrive in row-major order, so Next tracks the row.</summary>
    private unsafe struct OneHotRun<T> : IOrderedRunKernel where T : unmanaged
    {
        public T* Out;
        public nint Indices;
        public DType IndexDtype;
        public long Stride, Depth;
        public long Next { get; set; }
        public T On, Off;

        [MethodImpl(ManagedKernel)]
        public void Run(long o0, long o1, long o2, long n)
        {
            for (long i = 0; i < n; i++, Next++)
            {
                T* row = Out + Next * Depth;
                FillWith(row, Depth, Off);
                long ix = ReadIndex(IndexDtype, Indices, o0 + i * Stride);
                if ((ulong)ix < (ulong)Depth) row[ix] = On; // out of range: the row stays off_value
            }
        }
    }
}
