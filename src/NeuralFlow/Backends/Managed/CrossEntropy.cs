using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NeuralFlow.Backends.Managed;

public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public void SoftmaxCrossEntropy(DType dtype, nint logits, in Layout logitsLayout, DType labelDtype, nint labels, bool sparse, nint lossOut, nint gradOut)
    {
        const string M = nameof(SoftmaxCrossEntropy);
        CheckDType(M, nameof(dtype), dtype);
        if (!dtype.IsFloating()) throw Unsupported(M, "softmax cross-entropy", dtype);
        long total = CheckLayout(M, nameof(logitsLayout), logitsLayout);
        if (logitsLayout.Rank != 2)
            throw new ArgumentException($"{M}: logits have shape {logitsLayout.Shape} (rank {logitsLayout.Rank}) but must be rank 2 ([N, C]).", nameof(logitsLayout));
        CheckDType(M, nameof(labelDtype), labelDtype);
        if (sparse) CheckIndexDType(M, nameof(labelDtype), labelDtype);
        else if (labelDtype != dtype)
            throw new ArgumentException($"{M}: dense labels have dtype {labelDtype.Name()} but must have the logits' dtype {dtype.Name()}.", nameof(labelDtype));
        long n = logitsLayout.Shape.Dims[0], c = logitsLayout.Shape.Dims[1];
        CheckPointer(M, nameof(logits), logits, total);
        CheckPointer(M, nameof(labels), labels, sparse ? n : total);
        CheckPointer(M, nameof(lossOut), lossOut, n);
        // Every label is checked before anything is written, so a bad one leaves no partial result.
        if (sparse)
        {
            for (long i = 0; i < n; i++)
            {
                long k = ReadIndex(labelDtype, labels, i);
                if ((ulong)k >= (ulong)c)
                    throw new ArgumentException($"{M}: row {i} has label {k}, outside [0, {c}).", nameof(labels));
            }
        }
        if (n == 0) return;
        var rows = new CrossEntropyRows
        {
            Logits = logits + (nint)(logitsLayout.Offset * dtype.SizeInBytes()), RowStride = logitsLayout.Strides[0],
            ColStride = logitsLayout.Strides[1], Classes = (int)c, LabelDtype = labelDtype, Labels = labels, Sparse = sparse,
            Loss = lossOut, Grad = gradOut,
        };
        if (dtype == DType.Float32) rows.Run<float>(n);
        else rows.Run<double>(n);
    }

    /// <summary>
    /// The rows of one call. Per row: the logits are read once into a double row d, then
    /// m = max(d) at column a, d -= m, e = exp(d), s = 1 + rest (rest: the sum without column a);
    /// loss = sum_c y_c (log1p(rest) - d_c) (a sum of non-negative terms, so small losses keep
    /// their relative precision) and grad = e / s - y, rounded to T once. Same formulas as
    /// <c>nf_softmax_cross_entropy</c>.
    /// </summary>
    private struct CrossEntropyRows
    {
        public nint Logits, Labels, Loss, Grad;
        public long RowStride, ColStride;
        public int Classes;
        public DType LabelDtype;
        public bool Sparse;

        [MethodImpl(ManagedKernel)]
        public readonly void Run<T>(long n) where T : unmanaged, IFloatingPointIeee754<T>
        {
            WorkerPool.Split(new RowsJob<T> { Rows = this }, n, ChunksFor(n * Classes * 24, n));
        }

        private struct RowsJob<T> : IRangeJob where T : unmanaged, IFloatingPointIeee754<T>
        {
            public CrossEntropyRows Rows;
            [MethodImpl(ManagedKernel)]
            public readonly void Run(long begin, long end) => Rows.Rows<T>(begin, end);
        }

        [MethodImpl(ManagedKernel)]
        private readonly unsafe void Rows<T>(long begin, long end) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int c = Classes;
            if (c == 0)
            {
                // Dense only (sparse labels cannot be in range): no terms, zero loss.
                new Span<T>((T*)Loss + begin, (int)(end - begin)).Clear();
                return;
            }
            double[] rented = ArrayPool<double>.Shared.Rent(2 * c);
            try
            {
                var d = rented.AsSpan(0, c);
                var e = rented.AsSpan(c, c);
                for (long i = begin; i < end; i++)
                {
                    LoadRow((T*)Logits + i * RowStride, d);
                    int arg = VectorLoops.IndexOfMax<double>(d);
                    SubOp<double>.VecAS(d, d[arg], d);
                    // s = 1 + rest with the max's own term exactly 1 (d[arg] is exactly 0):
                    // log1p(rest) keeps a small loss's relative precision where log(s) would not.
                    // Plain loops, not TensorPrimitives.Exp/Sum: those pick vector or scalar paths by
                    // the scratch array's alignment, so the same row could differ in the last bit
                    // from call to call (the loss with and without the gradient differed by 1 ulp).
                    d[arg] = double.NegativeInfinity;
                    double rest = 0;
                    for (int j = 0; j < c; j++) rest += e[j] = Math.Exp(d[j]);
                    double logS = Log1P(rest);
                    d[arg] = 0;
                    e[arg] = 1;
                    MulOp<double>.VecAS(e, 1.0 / (1.0 + rest), e);
                    T* grad = Grad == 0 ? null : (T*)Grad + i * c;
                    double loss;
                    if (Sparse)
                    {
                        long k = ReadIndex(LabelDtype, Labels, i);
                        loss = logS - d[(int)k];
                        e[(int)k] -= 1.0;
                    }
                    else
                    {
                        T* y = (T*)Labels + i * c;
                        loss = 0;
                        for (int j = 0; j < c; j++)
                        {
                            double yj = double.CreateTruncating(y[j]);
                            // A zero label contributes nothing, even where log_softmax is -inf.
                            if (yj != 0) loss += yj * (logS - d[j]);
                        }
                        if (grad != null)
                        {
                            LoadRow(y, d, 1);
                            SubOp<double>.Vec(e, d, e);
                        }
                    }
                    ((T*)Loss)[i] = T.CreateTruncating(loss);
                    if (grad != null) StoreRow(e, new Span<T>(grad, c));
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }

        private readonly unsafe void LoadRow<T>(T* row, Span<double> d) where T : unmanaged, IFloatingPointIeee754<T> =>
            LoadRow(row, d, ColStride);

        /// <summary>d[j] = row[j * stride], widened to double.</summary>
        [MethodImpl(ManagedKernel)]
        private static unsafe void LoadRow<T>(T* row, Span<double> d, long stride) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (stride == 1)
            {
                var src = new ReadOnlySpan<T>(row, d.Length);
                if (typeof(T) == typeof(float)) VectorLoops.Widen(MemoryMarshal.Cast<T, float>(src), d);
                else MemoryMarshal.Cast<T, double>(src).CopyTo(d);
                return;
            }
            for (int j = 0; j < d.Length; j++) d[j] = double.CreateTruncating(row[j * stride]);
        }

        /// <summary>
        /// log(1 + x) accurate for small x (Goldberg's trick: the rounding of 1 + x cancels in
        /// log(u) / (u - 1)); .NET's double.LogP1 is log(x + 1), which loses small x entirely.
        /// </summary>
        internal static double Log1P(double x)
        {
            double u = 1.0 + x;
            return u == 1.0 ? x : double.IsPositiveInfinity(u) ? u : Math.Log(u) * x / (u - 1.0);
        }

        /// <summary>out = (T)e, rounded to nearest.</summary>
        [MethodImpl(ManagedKernel)]
        private static void StoreRow<T>(ReadOnlySpan<double> e, Span<T> output) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (typeof(T) == typeof(float)) VectorLoops.Narrow(e, MemoryMarshal.Cast<T, float>(output));
            else e.CopyTo(MemoryMarshal.Cast<T, double>(output));
        }
    }
}
