using NeuralFlow.Native;
using static NeuralFlow.Native.NativeMethods;

namespace NeuralFlow.Backends.Native;

/// <summary>The C++ engine (BLAS-grade GEMM, OpenMP kernels) through the C ABI.</summary>
public sealed unsafe class NativeCpuBackend : IBackend
{
    private NativeCpuBackend() { }

    /// <summary>The engine, or null with the reason when the native library cannot be loaded.</summary>
    public static NativeCpuBackend? TryCreate(out string? failure) =>
        NativeLibraryLoader.TryLoad(out failure) ? new NativeCpuBackend() : null;

    /// <inheritdoc/>
    public string Name => "cpu";

    /// <inheritdoc/>
    public string Description =>
        $"native CPU engine ({System.Runtime.InteropServices.Marshal.PtrToStringUTF8(nf_build_info())}) from {NativeLibraryLoader.LoadedFrom}";

    private sealed class NativeBuffer(nint pointer, long bytes) : DeviceBuffer(pointer, bytes)
    {
        protected override void Free(nint pointer) => nf_buffer_free(pointer);
    }

    /// <inheritdoc/>
    public DeviceBuffer Allocate(long bytes)
    {
        nint p;
        NativeErrors.ThrowIfFailed(nf_buffer_alloc(bytes, &p));
        return new NativeBuffer(p, bytes);
    }

    /// <inheritdoc/>
    public MemoryStats GetMemoryStats()
    {
        NfMemoryStats s;
        NativeErrors.ThrowIfFailed(nf_memory_stats_get(&s));
        return new MemoryStats(s.LiveBytes, s.PeakBytes, s.CachedBytes, s.AllocCount, s.FreeCount, s.CacheHits);
    }

    /// <summary>Releases cached host blocks to the system.</summary>
    public static void EmptyCache() => NativeErrors.ThrowIfFailed(nf_memory_empty_cache());

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<byte> source, nint destination, long byteOffset) =>
        source.CopyTo(new Span<byte>((byte*)destination + byteOffset, source.Length));

    /// <inheritdoc/>
    public void Download(nint source, long byteOffset, Span<byte> destination) =>
        new ReadOnlySpan<byte>((byte*)source + byteOffset, destination.Length).CopyTo(destination);

    private static NfLayout ToNative(in Layout layout)
    {
        NfLayout n = default;
        n.Rank = layout.Rank;
        n.Offset = layout.Offset;
        var dims = layout.Shape.Dims;
        var strides = layout.Strides;
        for (int i = 0; i < dims.Length; i++)
        {
            n.Shape[i] = dims[i];
            n.Strides[i] = strides[i];
        }
        return n;
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout)
    {
        NfLayout la = ToNative(aLayout), lb = ToNative(bLayout), lo = ToNative(outLayout);
        NativeErrors.ThrowIfFailed(nf_binary((int)op, (int)dtype, a, &la, b, &lb, output, &lo));
    }

    /// <inheritdoc/>
    public void Unary(UnaryOp op, DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        NfLayout lx = ToNative(xLayout), lo = ToNative(outLayout);
        NativeErrors.ThrowIfFailed(nf_unary((int)op, (int)dtype, x, &lx, output, &lo));
    }

    /// <inheritdoc/>
    public void Reduce(ReduceOp op, DType dtype, nint x, in Layout xLayout, uint axesMask, nint output, DType outDtype)
    {
        NfLayout lx = ToNative(xLayout);
        NativeErrors.ThrowIfFailed(nf_reduce((int)op, (int)dtype, x, &lx, axesMask, output, (int)outDtype));
    }

    /// <inheritdoc/>
    public void Softmax(bool log, DType dtype, nint x, in Layout xLayout, int axis, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        NativeErrors.ThrowIfFailed(nf_softmax(log ? 1 : 0, (int)dtype, x, &lx, axis, output));
    }

    /// <inheritdoc/>
    public void MatMul(DType dtype, nint a, in Layout aLayout, bool transposeA, nint b, in Layout bLayout, bool transposeB, nint output, in Layout outLayout)
    {
        NfLayout la = ToNative(aLayout), lb = ToNative(bLayout), lo = ToNative(outLayout);
        NativeErrors.ThrowIfFailed(nf_matmul((int)dtype, a, &la, transposeA ? 1 : 0, b, &lb, transposeB ? 1 : 0, output, &lo));
    }

    /// <inheritdoc/>
    public void Cast(DType source, nint x, in Layout xLayout, DType destination, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        NativeErrors.ThrowIfFailed(nf_cast((int)source, x, &lx, (int)destination, output));
    }

    /// <inheritdoc/>
    public void Copy(DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        NfLayout lx = ToNative(xLayout), lo = ToNative(outLayout);
        NativeErrors.ThrowIfFailed(nf_copy((int)dtype, x, &lx, output, &lo));
    }

    /// <inheritdoc/>
    public void Gather(DType dtype, nint x, in Layout xLayout, int axis, DType indexDtype, nint indices, long indexCount, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        NativeErrors.ThrowIfFailed(nf_gather((int)dtype, x, &lx, axis, (int)indexDtype, indices, indexCount, output));
    }

    /// <inheritdoc/>
    public void OneHot(DType indexDtype, nint indices, in Layout indicesLayout, long depth, double onValue, double offValue, DType outDtype, nint output)
    {
        NfLayout li = ToNative(indicesLayout);
        NativeErrors.ThrowIfFailed(nf_one_hot((int)indexDtype, indices, &li, depth, onValue, offValue, (int)outDtype, output));
    }

    /// <inheritdoc/>
    public void Fill(DType dtype, nint output, long count, double value) =>
        NativeErrors.ThrowIfFailed(nf_fill((int)dtype, output, count, value));

    /// <inheritdoc/>
    public void Range(DType dtype, nint output, long count, double start, double delta) =>
        NativeErrors.ThrowIfFailed(nf_range((int)dtype, output, count, start, delta));

    /// <inheritdoc/>
    public void RandomUniform(DType dtype, nint output, long count, ulong seed, ulong offset, double low, double high) =>
        NativeErrors.ThrowIfFailed(nf_random_uniform((int)dtype, output, count, seed, offset, low, high));

    /// <inheritdoc/>
    public void RandomNormal(DType dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev) =>
        NativeErrors.ThrowIfFailed(nf_random_normal((int)dtype, output, count, seed, offset, mean, stddev));

    /// <inheritdoc/>
    public void OptimizerUpdate(OptimizerKind kind, DType dtype, nint param, nint grad, nint slot0, nint slot1, long count, in OptimizerParams p)
    {
        var np = new NfOptimizerParams
        {
            LearningRate = p.LearningRate, Momentum = p.Momentum, Beta1 = p.Beta1, Beta2 = p.Beta2,
            Epsilon = p.Epsilon, Rho = p.Rho, Nesterov = p.Nesterov ? 1 : 0, Step = p.Step,
        };
        NativeErrors.ThrowIfFailed(nf_optimizer_update((int)kind, (int)dtype, param, grad, slot0, slot1, count, &np));
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropy(DType dtype, nint logits, in Layout logitsLayout, DType labelDtype, nint labels, bool sparse, nint lossOut, nint gradOut)
    {
        NfLayout lx = ToNative(logitsLayout);
        NativeErrors.ThrowIfFailed(nf_softmax_cross_entropy((int)dtype, logits, &lx, (int)labelDtype, labels, sparse ? 1 : 0, lossOut, gradOut));
    }
}
