using NeuralFlow.Native;
using static NeuralFlow.Native.NativeMethods;

namespace NeuralFlow.Backends.Native;

/// <summary>The C++ engine (BLAS-grade GEMM, OpenMP kernels) through the C ABI.</summary>
internal sealed unsafe class NativeCpuBackend : NativeKernelBackend, IBackend
{
    [MethodImpl(Hot)]
    private NativeCpuBackend() : base(NativeLibraryLoader.Kernels) { }

    /// <summary>The engine, or null with the reason when the native library cannot be loaded.</summary>
    public static NativeCpuBackend? TryCreate(out string? failure) =>
        NativeLibraryLoader.TryLoad(out failure) ? new NativeCpuBackend() : null;

    /// <inheritdoc/>
    public string Name => "cpu";

    /// <inheritdoc/>
    public Device Device => Device.Cpu;

    /// <inheritdoc/>
    public bool IsHostMemory => true;

    /// <inheritdoc/>
    public string Description =>
        $"native CPU engine ({System.Runtime.InteropServices.Marshal.PtrToStringUTF8(Api.build_info())}) from {NativeLibraryLoader.LoadedFrom}";

    private sealed class NativeBuffer(nint pointer, long bytes) : DeviceBuffer(pointer, bytes)
    {
        // Static readonly: read once the engine is loaded (buffers exist only after that), and
        // the JIT then calls it as a constant.
        private static readonly delegate* unmanaged<nint, NfStatus> s_free = NativeLibraryLoader.Kernels.buffer_free;

        /// <summary>Returns a block to the native cache.</summary>
        public static void FreeBlock(nint pointer) => NativeErrors.ThrowIfFailed(s_free(pointer));

        [MethodImpl(Hot)]
        protected override void Free(nint pointer)
        {
            if (!RecycledBlocks.TryKeep(Bytes, pointer)) s_free(pointer);
        }
    }

    /// <summary>Hands the blocks <see cref="RecycledBlocks"/> keeps back to the native cache (tests).</summary>
    internal static void EmptyRecycledBlocks() => RecycledBlocks.Empty(NativeBuffer.FreeBlock);

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public DeviceBuffer Allocate(long bytes)
    {
        nint p = RecycledBlocks.TryTake(bytes);
        if (p == 0) Api.ThrowIfFailed(Api.buffer_alloc(bytes, &p));
        return new NativeBuffer(p, bytes);
    }

    /// <inheritdoc/>
    public MemoryStats GetMemoryStats()
    {
        NfMemoryStats s;
        NativeErrors.ThrowIfFailed(nf_memory_stats_get(&s));
        return new MemoryStats(s.LiveBytes, s.PeakBytes, s.CachedBytes, s.AllocCount, s.FreeCount, s.CacheHits);
    }

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public void Upload(ReadOnlySpan<byte> source, nint destination, long byteOffset) =>
        source.CopyTo(new Span<byte>((byte*)destination + byteOffset, source.Length));

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public void Download(nint source, long byteOffset, Span<byte> destination) =>
        new ReadOnlySpan<byte>((byte*)source + byteOffset, destination.Length).CopyTo(destination);

    /// <summary>True when nf_linear_cross_entropy fuses <paramref name="call"/>'s layouts and dtypes (its pointers are not read).</summary>
    public bool FusesLinearCrossEntropy(in LinearCrossEntropyCall call)
    {
        NfLayout lx = ToNative(call.XLayout), lw = ToNative(call.WLayout);
        int fused;
        NativeErrors.ThrowIfFailed(nf_linear_cross_entropy((int)call.DType, 0, &lx, 0, &lw, 0, null, (int)call.LabelDType, 0, 0, null, 0, 0, 0, 0, 0, &fused));
        return fused != 0 && call.DWLayout.Offset == 0 && call.DWLayout.IsContiguous;
    }

    /// <summary>
    /// nf_linear_cross_entropy (x read once) for the shapes it fuses; the separate kernels, whose
    /// bits it has, for the rest (it then writes nothing and says so).
    /// </summary>
    public void LinearCrossEntropy(in LinearCrossEntropyCall call)
    {
        // The kernel writes dw contiguous from element 0.
        if (call.DWLayout.Offset != 0 || !call.DWLayout.IsContiguous)
        {
            call.RunSeparately(this);
            return;
        }
        NfLayout lx = ToNative(call.XLayout), lw = ToNative(call.WLayout), ls = ToNative(call.ScaleLayout);
        NfLayout lb = call.Bias != 0 ? ToNative(call.BiasLayout) : default;
        var keep = call.Keep;
        int fused;
        NativeErrors.ThrowIfFailed(nf_linear_cross_entropy((int)call.DType, call.X, &lx, call.W, &lw, call.Bias, call.Bias != 0 ? &lb : null,
            (int)call.LabelDType, call.Labels, call.Scale, &ls, (keep & LinearCrossEntropyKeep.Logits) != 0 ? call.Logits : 0, call.Loss,
            (keep & LinearCrossEntropyKeep.Grad) != 0 ? call.Grad : 0, (keep & LinearCrossEntropyKeep.DLogits) != 0 ? call.DLogits : 0, call.DW, &fused));
        if (fused == 0) call.RunSeparately(this);
    }

    /// <summary>True when nf_gather_matmul fuses <paramref name="call"/>'s layouts and dtypes (its pointers are not read).</summary>
    public bool FusesGatherMatMul(in GatherMatMulCall call)
    {
        NfLayout lx = ToNative(call.XRows), lb = ToNative(call.BLayout), lo = ToNative(call.OutLayout);
        int fused;
        NativeErrors.ThrowIfFailed(nf_gather_matmul((int)call.DType, 0, &lx, (int)call.IndexDType, 0, call.IndexCount, call.TransposeG ? 1 : 0,
                                                    0, &lb, 0, &lo, &fused));
        return fused != 0;
    }

    /// <summary>
    /// nf_gather_matmul (x's rows read through the indices, nothing gathered) for the shapes it
    /// fuses; the separate kernels, whose bits it has, for the rest (it then writes nothing and
    /// says so; the gather then always runs, as G holds nothing yet).
    /// </summary>
    public void GatherMatMul(in GatherMatMulCall call)
    {
        NfLayout lx = ToNative(call.XRows), lb = ToNative(call.BLayout), lo = ToNative(call.OutLayout);
        int fused;
        NativeErrors.ThrowIfFailed(nf_gather_matmul((int)call.DType, call.X, &lx, (int)call.IndexDType, call.Indices, call.IndexCount,
                                                    call.TransposeG ? 1 : 0, call.B, &lb, call.Output, &lo, &fused));
        if (fused == 0) call.RunSeparately(this, gather: true);
    }
}
