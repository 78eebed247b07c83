using System.Runtime.InteropServices;
using NeuralFlow.Backends.Native;
using NeuralFlow.Native;
using static NeuralFlow.Native.NativeCudaMethods;

namespace NeuralFlow.Backends.Cuda;

/// <summary>
/// One NVIDIA GPU through the CUDA engine (libneuralflow_cuda: CUDA kernels, cuBLAS, a caching
/// device allocator). Buffers are device memory: the CPU never dereferences them, values move
/// with <see cref="Upload"/>/<see cref="Download"/> (staged through pinned memory by the engine).
/// Kernels are queued in order on the device's stream; downloads wait for them.
/// </summary>
internal sealed unsafe class CudaBackend : NativeKernelBackend, IBackend
{
    private readonly int _index;

    // The device current on this thread (plus one, so 0 means "not set yet").
    [ThreadStatic] private static int t_currentPlusOne;

    private CudaBackend(int index, in NfCudaDeviceProps props) : base(NativeLibraryLoader.CudaKernels)
    {
        _index = index;
        fixed (byte* name = props.Name) DeviceName = Marshal.PtrToStringUTF8((nint)name) ?? "";
        TotalBytes = props.TotalBytes;
        ComputeCapability = new Version(props.Major, props.Minor);
        Multiprocessors = props.Multiprocessors;
    }

    /// <summary>
    /// Every usable GPU, or an empty list with the reason (engine not built or not loadable,
    /// no driver, no device).
    /// </summary>
    public static IReadOnlyList<CudaBackend> Discover(out string? failure)
    {
        if (!NativeLibraryLoader.TryLoadCuda(out failure)) return [];
        int count;
        var status = nf_cuda_device_count(&count);
        if (status != NfStatus.Ok)
        {
            failure = NativeErrors.CudaLastError();
            return [];
        }
        var devices = new List<CudaBackend>();
        for (int i = 0; i < count; i++)
        {
            NfCudaDeviceProps props;
            NativeErrors.ThrowIfCudaFailed(nf_cuda_device_props_get(i, &props));
            devices.Add(new CudaBackend(i, props));
        }
        return devices;
    }

    /// <inheritdoc/>
    public string Name => $"cuda:{_index}";

    /// <inheritdoc/>
    public Device Device => Device.Gpu(_index);

    /// <inheritdoc/>
    public bool IsHostMemory => false;

    /// <summary>The driver's name for the device ("NVIDIA H200").</summary>
    public string DeviceName { get; }

    /// <summary>Global memory in bytes.</summary>
    public long TotalBytes { get; }

    /// <summary>Compute capability (9.0 for Hopper).</summary>
    public Version ComputeCapability { get; }

    /// <summary>Streaming multiprocessors.</summary>
    public int Multiprocessors { get; }

    /// <inheritdoc/>
    public string Description =>
        $"CUDA engine on gpu:{_index} ({DeviceName}, {TotalBytes / (double)(1L << 30):F1} GiB, compute {ComputeCapability}; " +
        $"{Marshal.PtrToStringUTF8(Api.build_info())}) from {NativeLibraryLoader.CudaLoadedFrom}";

    /// <summary>Makes this device current on the calling thread, for raw engine calls made outside a kernel (the distributed engine's copies, CUDA graph calls).</summary>
    internal void MakeCurrent() => Enter();

    /// <summary>Makes this backend's device current on the calling thread, once per thread.</summary>
    protected override void Enter()
    {
        if (t_currentPlusOne == _index + 1) return;
        NativeErrors.ThrowIfCudaFailed(nf_cuda_device_set(_index));
        t_currentPlusOne = _index + 1;
    }

    private sealed class CudaBuffer(nint pointer, long bytes) : DeviceBuffer(pointer, bytes)
    {
        // Read once the engine is loaded (buffers exist only after that).
        private static readonly delegate* unmanaged<nint, NfStatus> s_free = NativeLibraryLoader.CudaKernels.buffer_free;

        // The allocator is thread-safe and knows each block's device: the finalizer may free.
        protected override void Free(nint pointer) => s_free(pointer);
    }

    /// <summary>
    /// A device buffer. When the device is full: collect garbage (the finalizers of unreachable
    /// tensors return their blocks), give the cache back to the driver, retry once; then an
    /// <see cref="InsufficientMemoryException"/> saying how much was asked for and how much is held.
    /// </summary>
    public DeviceBuffer Allocate(long bytes)
    {
        Enter();
        nint p;
        var status = Api.buffer_alloc(bytes, &p);
        if (status == NfStatus.OutOfMemory)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            NativeErrors.ThrowIfCudaFailed(nf_cuda_memory_empty_cache(_index));
            status = Api.buffer_alloc(bytes, &p);
            if (status == NfStatus.OutOfMemory)
                throw new InsufficientMemoryException(
                    $"{NativeErrors.CudaLastError()} (after collecting unreferenced tensors and emptying the cache; " +
                    "dispose tensors you no longer need, use TensorScope, or a smaller batch)");
        }
        NativeErrors.ThrowIfCudaFailed(status);
        return new CudaBuffer(p, bytes);
    }

    /// <inheritdoc/>
    public MemoryStats GetMemoryStats()
    {
        NfMemoryStats s;
        NativeErrors.ThrowIfCudaFailed(nf_cuda_memory_stats_get(_index, &s));
        return new MemoryStats(s.LiveBytes, s.PeakBytes, s.CachedBytes, s.AllocCount, s.FreeCount, s.CacheHits);
    }

    /// <summary>Returns this device's cached blocks to the driver.</summary>
    public void EmptyCache() => NativeErrors.ThrowIfCudaFailed(nf_cuda_memory_empty_cache(_index));

    /// <summary>Waits until every queued kernel of this device has finished.</summary>
    public void Synchronize()
    {
        Enter();
        NativeErrors.ThrowIfCudaFailed(nf_cuda_synchronize());
    }

    /// <summary>Copies straight from the caller's memory (a pinned C# array or span): no extra host copy.</summary>
    public void Upload(ReadOnlySpan<byte> source, nint destination, long byteOffset)
    {
        Enter();
        fixed (byte* p = source)
            NativeErrors.ThrowIfCudaFailed(nf_cuda_copy_to_device(destination + (nint)byteOffset, p, source.Length));
    }

    /// <inheritdoc/>
    public void Download(nint source, long byteOffset, Span<byte> destination)
    {
        Enter();
        fixed (byte* p = destination)
            NativeErrors.ThrowIfCudaFailed(nf_cuda_copy_to_host(p, source + (nint)byteOffset, destination.Length));
    }
}
