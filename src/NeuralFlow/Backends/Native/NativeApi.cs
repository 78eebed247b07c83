using NeuralFlow.Native;

namespace NeuralFlow.Backends.Native;

/// <summary>
/// The kernel functions one native engine exports, as static members, so that
/// <see cref="NativeKernelBackend{TApi}"/> is written once and specialised (no indirection)
/// for the CPU engine (<c>nf_*</c>) and the CUDA engine (<c>nf_cuda_*</c>), whose kernels take
/// the same arguments.
/// </summary>
internal unsafe interface INativeApi
{
    /// <summary>Throws the exception for a failed call of this engine, with its message.</summary>
    static abstract void ThrowIfFailed(NfStatus status);

    static abstract NfStatus Binary(int op, int dtype, nint a, NfLayout* aLayout, nint b, NfLayout* bLayout, nint output, NfLayout* outLayout);
    static abstract NfStatus Unary(int op, int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout);
    static abstract NfStatus Reduce(int op, int dtype, nint x, NfLayout* xLayout, uint axesMask, nint output, int outDtype);
    static abstract NfStatus Softmax(int log, int dtype, nint x, NfLayout* xLayout, int axis, nint output);
    static abstract NfStatus MatMul(int dtype, nint a, NfLayout* aLayout, int transposeA, nint b, NfLayout* bLayout, int transposeB, nint output, NfLayout* outLayout);
    static abstract NfStatus Cast(int source, nint x, NfLayout* xLayout, int destination, nint output);
    static abstract NfStatus Copy(int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout);
    static abstract NfStatus Gather(int dtype, nint x, NfLayout* xLayout, int axis, int indexDtype, nint indices, long indexCount, nint output);
    static abstract NfStatus OneHot(int indexDtype, nint indices, NfLayout* indicesLayout, long depth, double onValue, double offValue, int outDtype, nint output);
    static abstract NfStatus Fill(int dtype, nint output, long count, double value);
    static abstract NfStatus Range(int dtype, nint output, long count, double start, double delta);
    static abstract NfStatus RandomUniform(int dtype, nint output, long count, ulong seed, ulong offset, double low, double high);
    static abstract NfStatus RandomNormal(int dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev);
    static abstract NfStatus OptimizerUpdate(int kind, int dtype, nint param, nint grad, nint slot0, nint slot1, long count, NfOptimizerParams* p);
    static abstract NfStatus SoftmaxCrossEntropy(int dtype, nint logits, NfLayout* logitsLayout, int labelDtype, nint labels, int sparse, nint lossOut, nint gradOut);
}

/// <summary>The CPU engine's kernels (libneuralflow).</summary>
internal readonly unsafe struct CpuApi : INativeApi
{
    [MethodImpl(Hot)]
    public static void ThrowIfFailed(NfStatus status) => NativeErrors.ThrowIfFailed(status);
    [MethodImpl(Hot)]
    public static NfStatus Binary(int op, int dtype, nint a, NfLayout* aLayout, nint b, NfLayout* bLayout, nint output, NfLayout* outLayout) => NativeMethods.nf_binary(op, dtype, a, aLayout, b, bLayout, output, outLayout);
    [MethodImpl(Hot)]
    public static NfStatus Unary(int op, int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout) => NativeMethods.nf_unary(op, dtype, x, xLayout, output, outLayout);
    [MethodImpl(Hot)]
    public static NfStatus Reduce(int op, int dtype, nint x, NfLayout* xLayout, uint axesMask, nint output, int outDtype) => NativeMethods.nf_reduce(op, dtype, x, xLayout, axesMask, output, outDtype);
    [MethodImpl(Hot)]
    public static NfStatus Softmax(int log, int dtype, nint x, NfLayout* xLayout, int axis, nint output) => NativeMethods.nf_softmax(log, dtype, x, xLayout, axis, output);
    [MethodImpl(Hot)]
    public static NfStatus MatMul(int dtype, nint a, NfLayout* aLayout, int transposeA, nint b, NfLayout* bLayout, int transposeB, nint output, NfLayout* outLayout) => NativeMethods.nf_matmul(dtype, a, aLayout, transposeA, b, bLayout, transposeB, output, outLayout);
    [MethodImpl(Hot)]
    public static NfStatus Cast(int source, nint x, NfLayout* xLayout, int destination, nint output) => NativeMethods.nf_cast(source, x, xLayout, destination, output);
    [MethodImpl(Hot)]
    public static NfStatus Copy(int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout) => NativeMethods.nf_copy(dtype, x, xLayout, output, outLayout);
    [MethodImpl(Hot)]
    public static NfStatus Gather(int dtype, nint x, NfLayout* xLayout, int axis, int indexDtype, nint indices, long indexCount, nint output) => NativeMethods.nf_gather(dtype, x, xLayout, axis, indexDtype, indices, indexCount, output);
    public static NfStatus OneHot(int indexDtype, nint indices, NfLayout* indicesLayout, long depth, double onValue, double offValue, int outDtype, nint output) => NativeMethods.nf_one_hot(indexDtype, indices, indicesLayout, depth, onValue, offValue, outDtype, output);
    [MethodImpl(Hot)]
    public static NfStatus Fill(int dtype, nint output, long count, double value) => NativeMethods.nf_fill(dtype, output, count, value);
    public static NfStatus Range(int dtype, nint output, long count, double start, double delta) => NativeMethods.nf_range(dtype, output, count, start, delta);
    public static NfStatus RandomUniform(int dtype, nint output, long count, ulong seed, ulong offset, double low, double high) => NativeMethods.nf_random_uniform(dtype, output, count, seed, offset, low, high);
    public static NfStatus RandomNormal(int dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev) => NativeMethods.nf_random_normal(dtype, output, count, seed, offset, mean, stddev);
    [MethodImpl(Hot)]
    public static NfStatus OptimizerUpdate(int kind, int dtype, nint param, nint grad, nint slot0, nint slot1, long count, NfOptimizerParams* p) => NativeMethods.nf_optimizer_update(kind, dtype, param, grad, slot0, slot1, count, p);
    [MethodImpl(Hot)]
    public static NfStatus SoftmaxCrossEntropy(int dtype, nint logits, NfLayout* logitsLayout, int labelDtype, nint labels, int sparse, nint lossOut, nint gradOut) => NativeMethods.nf_softmax_cross_entropy(dtype, logits, logitsLayout, labelDtype, labels, sparse, lossOut, gradOut);
}

/// <summary>The CUDA engine's kernels (libneuralflow_cuda).</summary>
internal readonly unsafe struct CudaApi : INativeApi
{
    [MethodImpl(Hot)]
    public static void ThrowIfFailed(NfStatus status) => NativeErrors.ThrowIfCudaFailed(status);
    [MethodImpl(Hot)]
    public static NfStatus Binary(int op, int dtype, nint a, NfLayout* aLayout, nint b, NfLayout* bLayout, nint output, NfLayout* outLayout) => NativeCudaMethods.nf_cuda_binary(op, dtype, a, aLayout, b, bLayout, output, outLayout);
    [MethodImpl(Hot)]
    public static NfStatus Unary(int op, int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout) => NativeCudaMethods.nf_cuda_unary(op, dtype, x, xLayout, output, outLayout);
    [MethodImpl(Hot)]
    public static NfStatus Reduce(int op, int dtype, nint x, NfLayout* xLayout, uint axesMask, nint output, int outDtype) => NativeCudaMethods.nf_cuda_reduce(op, dtype, x, xLayout, axesMask, output, outDtype);
    [MethodImpl(Hot)]
    public static NfStatus Softmax(int log, int dtype, nint x, NfLayout* xLayout, int axis, nint output) => NativeCudaMethods.nf_cuda_softmax(log, dtype, x, xLayout, axis, output);
    [MethodImpl(Hot)]
    public static NfStatus MatMul(int dtype, nint a, NfLayout* aLayout, int transposeA, nint b, NfLayout* bLayout, int transposeB, nint output, NfLayout* outLayout) => NativeCudaMethods.nf_cuda_matmul(dtype, a, aLayout, transposeA, b, bLayout, transposeB, output, outLayout);
    [MethodImpl(Hot)]
    public static NfStatus Cast(int source, nint x, NfLayout* xLayout, int destination, nint output) => NativeCudaMethods.nf_cuda_cast(source, x, xLayout, destination, output);
    [MethodImpl(Hot)]
    public static NfStatus Copy(int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout) => NativeCudaMethods.nf_cuda_copy(dtype, x, xLayout, output, outLayout);
    [MethodImpl(Hot)]
    public static NfStatus Gather(int dtype, nint x, NfLayout* xLayout, int axis, int indexDtype, nint indices, long indexCount, nint output) => NativeCudaMethods.nf_cuda_gather(dtype, x, xLayout, axis, indexDtype, indices, indexCount, output);
    public static NfStatus OneHot(int indexDtype, nint indices, NfLayout* indicesLayout, long depth, double onValue, double offValue, int outDtype, nint output) => NativeCudaMethods.nf_cuda_one_hot(indexDtype, indices, indicesLayout, depth, onValue, offValue, outDtype, output);
    [MethodImpl(Hot)]
    public static NfStatus Fill(int dtype, nint output, long count, double value) => NativeCudaMethods.nf_cuda_fill(dtype, output, count, value);
    public static NfStatus Range(int dtype, nint output, long count, double start, double delta) => NativeCudaMethods.nf_cuda_range(dtype, output, count, start, delta);
    public static NfStatus RandomUniform(int dtype, nint output, long count, ulong seed, ulong offset, double low, double high) => NativeCudaMethods.nf_cuda_random_uniform(dtype, output, count, seed, offset, low, high);
    public static NfStatus RandomNormal(int dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev) => NativeCudaMethods.nf_cuda_random_normal(dtype, output, count, seed, offset, mean, stddev);
    [MethodImpl(Hot)]
    public static NfStatus OptimizerUpdate(int kind, int dtype, nint param, nint grad, nint slot0, nint slot1, long count, NfOptimizerParams* p) => NativeCudaMethods.nf_cuda_optimizer_update(kind, dtype, param, grad, slot0, slot1, count, p);
    [MethodImpl(Hot)]
    public static NfStatus SoftmaxCrossEntropy(int dtype, nint logits, NfLayout* logitsLayout, int labelDtype, nint labels, int sparse, nint lossOut, nint gradOut) => NativeCudaMethods.nf_cuda_softmax_cross_entropy(dtype, logits, logitsLayout, labelDtype, labels, sparse, lossOut, gradOut);
}
