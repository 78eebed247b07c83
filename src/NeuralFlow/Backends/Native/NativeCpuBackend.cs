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

        [MethodImpl(Hot)]
        protected override void Free(nint pointer) => s_free(pointer);
    }

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public DeviceBuffer Allocate(long bytes)
    {
        nint p;
        Api.ThrowIfFailed(Api.buffer_alloc(bytes, &p));
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
}
