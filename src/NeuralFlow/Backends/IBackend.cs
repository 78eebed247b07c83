namespace NeuralFlow.Backends;

/// <summary>
/// The narrow seam between the tensor API and the engines that do arithmetic. Every method
/// receives buffers plus layouts that the API has already validated (same shapes, broadcasts
/// expanded to stride 0, dtypes checked); a backend only computes. The contract of each method
/// is the one of the C function of the same family in <c>native/include/neuralflow.h</c>.
/// Pointers are addresses of buffers from <see cref="Allocate"/> (host or device memory, see
/// <see cref="IsHostMemory"/>); layouts count elements.
/// </summary>
public interface IBackend
{
    /// <summary>"managed", "cpu" or "cuda".</summary>
    string Name { get; }

    /// <summary>A human-readable description (engine, GEMM provider, threads).</summary>
    string Description { get; }

    /// <summary>The device that holds this backend's buffers ("cpu" for managed and cpu, "gpu:N" for CUDA).</summary>
    Device Device { get; }

    /// <summary>
    /// True when buffer pointers are host addresses the CPU may read and write (managed, cpu);
    /// false for device memory (CUDA), which only <see cref="Upload"/>/<see cref="Download"/> reach.
    /// </summary>
    bool IsHostMemory { get; }

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes, 64-byte aligned.</summary>
    DeviceBuffer Allocate(long bytes);

    /// <summary>Allocator statistics of this backend.</summary>
    MemoryStats GetMemoryStats();

    /// <summary>Copies host bytes into a buffer at byte offset <paramref name="byteOffset"/>.</summary>
    void Upload(ReadOnlySpan<byte> source, nint destination, long byteOffset);

    /// <summary>Copies bytes out of a buffer from byte offset <paramref name="byteOffset"/>.</summary>
    void Download(nint source, long byteOffset, Span<byte> destination);

    /// <summary>out = a (op) b over one shape; out is <paramref name="dtype"/>, or Bool for comparisons.</summary>
    void Binary(BinaryOp op, DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout);

    /// <summary>out = op(x) over one shape and dtype.</summary>
    void Unary(UnaryOp op, DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout);

    /// <summary>Reduces over the axes set in <paramref name="axesMask"/> into a contiguous output.</summary>
    void Reduce(ReduceOp op, DType dtype, nint x, in Layout xLayout, uint axesMask, nint output, DType outDtype);

    /// <summary>Softmax or log-softmax along <paramref name="axis"/> into a contiguous output.</summary>
    void Softmax(bool log, DType dtype, nint x, in Layout xLayout, int axis, nint output);

    /// <summary>
    /// Batched matrix product a @ b into a contiguous output. A transposed operand is a layout
    /// with its last two axes swapped (NF.MatMul makes it; kernels read such views in place).
    /// </summary>
    void MatMul(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout);

    /// <summary>
    /// Convolution patches (im2col): x [N, H, W, C] (any layout) into the contiguous output
    /// [N, OH, OW, KH, KW, C], out[n, oh, ow, kh, kw, c] = x at the tap's pixel, 0 for padding.
    /// </summary>
    void Im2Col(DType dtype, nint x, in Layout xLayout, in Window2D window, nint output, in Layout outLayout) =>
        throw new NotSupportedException($"{Name}: Im2Col is not implemented on this backend.");

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/> (col2im): cols [N, OH, OW, KH, KW, C] (any layout)
    /// summed back onto the contiguous output [N, H, W, C], which it overwrites.
    /// </summary>
    void Col2Im(DType dtype, nint cols, in Layout colsLayout, in Window2D window, nint output, in Layout outLayout) =>
        throw new NotSupportedException($"{Name}: Col2Im is not implemented on this backend.");

    /// <summary>Max or average pooling: x [N, H, W, C] (any layout) into the contiguous output [N, OH, OW, C].</summary>
    void Pool2D(PoolOp op, DType dtype, nint x, in Layout xLayout, in Window2D window, nint output, in Layout outLayout) =>
        throw new NotSupportedException($"{Name}: Pool2D is not implemented on this backend.");

    /// <summary>
    /// The gradient of <see cref="Pool2D"/>: dy [N, OH, OW, C] back onto the contiguous dx
    /// [N, H, W, C], which it overwrites. Max: each output's gradient goes to the first tap (in
    /// kh, kw order) holding its maximum (a NaN tap wins); average: split evenly over its
    /// in-image taps.
    /// </summary>
    void Pool2DBackward(PoolOp op, DType dtype, nint x, in Layout xLayout, nint dy, in Layout dyLayout, in Window2D window, nint dx, in Layout dxLayout) =>
        throw new NotSupportedException($"{Name}: Pool2DBackward is not implemented on this backend.");

    /// <summary>
    /// Fused batch normalization over contiguous x viewed as [outer, features, inner] (the
    /// feature axis in the middle), statistics per feature over outer * inner elements,
    /// accumulated in double. gamma/beta [features] may be 0 (1 and 0). With mean and variance 0
    /// (training) it writes the batch mean and biased variance to batchMean/batchVariance; with
    /// them given (inference) it uses them and batchMean/batchVariance must be 0. Output: contiguous, shaped as x.
    /// </summary>
    void BatchNorm(DType dtype, nint x, long outer, long features, long inner, nint gamma, nint beta, nint mean, nint variance,
                   double epsilon, nint output, nint batchMean, nint batchVariance) =>
        throw new NotSupportedException($"{Name}: BatchNorm is not implemented on this backend.");

    /// <summary>
    /// The gradient of <see cref="BatchNorm"/> for the contiguous upstream dy: training
    /// (mean and variance 0) differentiates through the batch statistics, recomputed from x in
    /// double; inference uses the given mean/variance. dx, dgamma and dbeta may each be 0.
    /// </summary>
    void BatchNormBackward(DType dtype, nint x, long outer, long features, long inner, nint dy, nint gamma, nint mean, nint variance,
                           double epsilon, bool training, nint dx, nint dgamma, nint dbeta) =>
        throw new NotSupportedException($"{Name}: BatchNormBackward is not implemented on this backend.");

    /// <summary>Fused layer normalization of contiguous x viewed as [rows, cols], per-row statistics in double; gamma/beta [cols] may be 0.</summary>
    void LayerNorm(DType dtype, nint x, long rows, long cols, nint gamma, nint beta, double epsilon, nint output) =>
        throw new NotSupportedException($"{Name}: LayerNorm is not implemented on this backend.");

    /// <summary>The gradient of <see cref="LayerNorm"/> for the contiguous upstream dy; dx, dgamma and dbeta may each be 0.</summary>
    void LayerNormBackward(DType dtype, nint x, long rows, long cols, nint dy, nint gamma, double epsilon, nint dx, nint dgamma, nint dbeta) =>
        throw new NotSupportedException($"{Name}: LayerNormBackward is not implemented on this backend.");

    /// <summary>Converts x into a contiguous output of dtype <paramref name="destination"/>.</summary>
    void Cast(DType source, nint x, in Layout xLayout, DType destination, nint output);

    /// <summary>Strided copy between two layouts of one shape.</summary>
    void Copy(DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout);

    /// <summary>Slices of x along <paramref name="axis"/> picked by contiguous indices.</summary>
    void Gather(DType dtype, nint x, in Layout xLayout, int axis, DType indexDtype, nint indices, long indexCount, nint output);

    /// <summary>
    /// The adjoint of <see cref="Gather"/>: output[o, indices[j], r] += src[o, j, r], where src (any
    /// strides) has indexCount = srcLayout.Shape[axis] slices along <paramref name="axis"/> and the
    /// contiguous output has src's shape with <paramref name="rows"/> there. The output is added to,
    /// not overwritten (the caller fills it first); an index outside [0, rows) throws before anything
    /// is written. float32, float64, int32, int64.
    /// </summary>
    void ScatterAdd(DType dtype, nint src, in Layout srcLayout, int axis, DType indexDtype, nint indices, long rows, nint output);

    /// <summary>One-hot rows of length <paramref name="depth"/>.</summary>
    void OneHot(DType indexDtype, nint indices, in Layout indicesLayout, long depth, double onValue, double offValue, DType outDtype, nint output);

    /// <summary>Sets <paramref name="count"/> elements to <paramref name="value"/>.</summary>
    void Fill(DType dtype, nint output, long count, double value);

    /// <summary>out[i] = start + i * delta.</summary>
    void Range(DType dtype, nint output, long count, double start, double delta);

    /// <summary>Philox uniform numbers in [low, high), identical on every backend.</summary>
    void RandomUniform(DType dtype, nint output, long count, ulong seed, ulong offset, double low, double high);

    /// <summary>Philox normal numbers, identical on every backend.</summary>
    void RandomNormal(DType dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev);

    /// <summary>
    /// One fused optimizer step, in place, over <paramref name="count"/> elements of contiguous
    /// float32/float64 buffers: <paramref name="param"/> -= update(<paramref name="grad"/>),
    /// with the slots (<see cref="OptimizerKind"/> says which) updated alongside. Slots a kind
    /// does not use may be 0.
    /// </summary>
    void OptimizerUpdate(OptimizerKind kind, DType dtype, nint param, nint grad, nint slot0, nint slot1, long count, in OptimizerParams p) =>
        OptimizerUpdate(kind, dtype, param, grad, slot0, slot1, 0, count, p);

    /// <summary>
    /// <see cref="OptimizerUpdate(OptimizerKind, DType, nint, nint, nint, nint, long, in OptimizerParams)"/>
    /// with a third slot (AMSGrad's maximum of v, centered RMSprop's mean gradient) and the
    /// clipping and weight-decay options of <paramref name="p"/> (<c>nf_optimizer_update_ex</c>).
    /// </summary>
    void OptimizerUpdate(OptimizerKind kind, DType dtype, nint param, nint grad, nint slot0, nint slot1, nint slot2, long count, in OptimizerParams p);

    /// <summary>
    /// The step of <see cref="OptimizerUpdate(OptimizerKind, DType, nint, nint, nint, nint, nint, long, in OptimizerParams)"/>
    /// on every tensor of <paramref name="tensors"/>, with one <paramref name="p"/> for all, in one
    /// pass over all their elements (<c>nf_optimizer_update_multi</c>; PyTorch's foreach optimizers):
    /// the same bits as one call per tensor. Buffers a step writes may not overlap another buffer of the call.
    /// </summary>
    void OptimizerUpdateMulti(OptimizerKind kind, DType dtype, ReadOnlySpan<OptimizerTensor> tensors, in OptimizerParams p);

    /// <summary>
    /// Row-wise, numerically stable cross-entropy of softmax(logits) for logits [N, C] (any
    /// strides): <paramref name="lossOut"/>[N] = -sum_c y_c log_softmax(x)_c and, when
    /// <paramref name="gradOut"/> is not 0, the contiguous [N, C] gradient softmax(x) - y.
    /// Sparse labels are N contiguous class indices of int32/int64/uint8 (out of range throws);
    /// dense labels are a contiguous [N, C] of <paramref name="dtype"/>.
    /// </summary>
    void SoftmaxCrossEntropy(DType dtype, nint logits, in Layout logitsLayout, DType labelDtype, nint labels, bool sparse, nint lossOut, nint gradOut);

    // ---- issue 16 (ops2)

    /// <summary>
    /// out = cond ? x : y over one shape (broadcasts expanded to stride 0): cond is Bool, x, y and
    /// out are <paramref name="dtype"/>. A true select: the operand not chosen never enters
    /// arithmetic, so its inf or NaN cannot reach out.
    /// </summary>
    void Where(DType dtype, nint cond, in Layout condLayout, nint x, in Layout xLayout, nint y, in Layout yLayout, nint output, in Layout outLayout);

    /// <summary>
    /// Cumulative sum or product of x along <paramref name="axis"/> into the contiguous output
    /// (x's shape and dtype); <paramref name="exclusive"/> leaves each element out of its own
    /// output, <paramref name="reverse"/> runs from the end. Floats accumulate in double, integers
    /// wrap; Bool is not supported.
    /// </summary>
    void Scan(ScanOp op, DType dtype, nint x, in Layout xLayout, int axis, bool exclusive, bool reverse, nint output);

    /// <summary>
    /// Stable sort of every line of x along <paramref name="axis"/>: the values (x's dtype) and/or
    /// their positions along the axis (Int32 or Int64), each contiguous with x's shape or 0 when
    /// not wanted. Ascending puts NaN last; descending is the reverse order with ties still in
    /// index order (NaN first); -0 equals +0.
    /// </summary>
    void Sort(DType dtype, nint x, in Layout xLayout, int axis, bool descending, nint valuesOut, DType indexDtype, nint indicesOut);

    /// <summary>
    /// P A = L U with partial pivoting (<c>nf_lu</c>, LAPACK getrf) of every matrix of a [..., n, n]
    /// (any strides; float32/float64): luOut (contiguous, a's shape) holds U and L's multipliers;
    /// pivotsOut (Int32 [..., n]) the row swapped with row k at step k; permOut (Int32 [..., n]) the
    /// row of A that is row i of P A; infoOut (Int32, one per matrix) 0 or k + 1 for the first zero
    /// U[k, k]. With <paramref name="check"/> a singular matrix throws, naming the batch element,
    /// after the outputs are written.
    /// </summary>
    void Lu(DType dtype, nint a, in Layout aLayout, nint luOut, nint pivotsOut, nint permOut, nint infoOut, bool check);

    /// <summary>
    /// output (contiguous [..., n, k]) = A^-1 B for triangular A [..., n, n] (<c>nf_triangular_solve</c>):
    /// A and B have one rank and batch shape (broadcasts stride 0); only A's lower or upper triangle
    /// is read, and not its diagonal when <paramref name="unitDiagonal"/>. No singularity check.
    /// </summary>
    void TriangularSolve(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, bool lower, bool unitDiagonal, nint output);

    /// <summary>
    /// A = L L^T (<c>nf_cholesky</c>) from A's lower triangle: lOut (contiguous, a's shape) is L with
    /// zeros above the diagonal; infoOut (Int32, one per matrix) 0 or k + 1 when the leading minor of
    /// order k + 1 is not positive. With <paramref name="check"/> that throws, naming the batch element.
    /// </summary>
    void Cholesky(DType dtype, nint a, in Layout aLayout, nint lOut, nint infoOut, bool check);

    /// <summary>
    /// Issue 17: a fused elementwise program (<c>nf_fused_elementwise</c>): output = the last
    /// step's register per element, over one shape (<paramref name="inputLayouts"/> share
    /// <paramref name="outLayout"/>'s shape; broadcasts are stride 0); float32/float64 only. Each
    /// step computes exactly what <see cref="Binary"/> / <see cref="Unary"/> computes for its op,
    /// so a program is bit for bit its steps run one by one. The ops it may use:
    /// FusedProgram.Supports (the list of native/src/common/fused_program.h).
    /// </summary>
    void FusedElementwise(DType dtype, ReadOnlySpan<nint> inputs, ReadOnlySpan<Layout> inputLayouts, ReadOnlySpan<FusedStep> steps,
                          nint output, in Layout outLayout) =>
        throw new NotSupportedException($"{Name}: FusedElementwise is not implemented on this backend.");

    /// <summary>
    /// Issue 17: a linear layer's logits, sparse softmax cross-entropy and weight gradient in one
    /// call (<c>nf_linear_cross_entropy</c>, which reads x once): bit for bit the separate calls
    /// <see cref="LinearCrossEntropyCall.RunSeparately"/> makes. Replay plans use it
    /// (LinearCrossEntropyFusion); eager steps make the separate calls. By default a backend makes
    /// them (the managed and CUDA engines); the CPU engine fuses the shapes its kernel takes.
    /// </summary>
    void LinearCrossEntropy(in LinearCrossEntropyCall call) => call.RunSeparately(this);

    /// <summary>
    /// Issue 17: a product whose first operand is a row gather, g @ b or g^T @ b with g = x[indices]
    /// (<c>nf_gather_matmul</c>, which reads x's rows through the indices instead of copying them):
    /// bit for bit the separate calls <see cref="GatherMatMulCall.RunSeparately"/> makes. Replay
    /// plans use it (GatherMatMulFusion); eager steps make the separate calls. By default a backend
    /// makes them (the managed and CUDA engines); the CPU engine fuses the shapes its kernel takes.
    /// </summary>
    void GatherMatMul(in GatherMatMulCall call) => call.RunSeparately(this, call.GatherFirst);
}

/// <summary>Allocator statistics (bytes and counts), as <c>nf_memory_stats</c>.</summary>
/// <param name="LiveBytes">Bytes handed out and not yet freed.</param>
/// <param name="PeakBytes">Highest <paramref name="LiveBytes"/> seen.</param>
/// <param name="CachedBytes">Freed bytes kept for reuse.</param>
/// <param name="AllocCount">Successful allocations.</param>
/// <param name="FreeCount">Frees.</param>
/// <param name="CacheHits">Allocations served from the cache.</param>
public readonly record struct MemoryStats(long LiveBytes, long PeakBytes, long CachedBytes, long AllocCount, long FreeCount, long CacheHits);
