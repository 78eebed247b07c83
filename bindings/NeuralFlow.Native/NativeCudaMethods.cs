using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>
/// The entry points of <c>native/include/neuralflow_cuda.h</c> (libneuralflow_cuda) that only
/// the CUDA engine has, or that take other arguments than their CPU counterparts; the kernels,
/// which take the CPU engine's arguments with device pointers, are the fields of
/// <see cref="NativeKernelTable"/>, exported as <see cref="Prefix"/> + field name. A test checks
/// both together against the header and, where the library is built, its <c>nf_cuda_</c> exports.
/// </summary>
public static unsafe partial class NativeCudaMethods
{
    /// <summary>The library name the resolver maps to libneuralflow_cuda.so / neuralflow_cuda.dll.</summary>
    public const string LibraryName = "neuralflow_cuda";

    /// <summary>What the CUDA engine's exports of <see cref="NativeKernelTable"/> start with.</summary>
    public const string Prefix = "nf_cuda_";

    // ---- devices
    /// <summary>nf_cuda_device_count</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_device_count(int* count);
    /// <summary>nf_cuda_device_props_get</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_device_props_get(int device, NfCudaDeviceProps* output);
    /// <summary>nf_cuda_device_set</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_device_set(int device);
    /// <summary>nf_cuda_device_get</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_device_get(int* device);
    /// <summary>nf_cuda_synchronize</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_synchronize();
    /// <summary>nf_cuda_tf32_set</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_tf32_set(int enabled);

    // ---- device memory
    /// <summary>nf_cuda_memory_stats_get</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_memory_stats_get(int device, NfMemoryStats* output);
    /// <summary>nf_cuda_memory_empty_cache</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_memory_empty_cache(int device);
    /// <summary>nf_cuda_copy_to_device</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_copy_to_device(nint deviceDestination, void* hostSource, long bytes);
    /// <summary>nf_cuda_copy_to_host</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_copy_to_host(void* hostDestination, nint deviceSource, long bytes);

    // ---- issue 17: CUDA graphs (a graph is an opaque nf_cuda_graph*)
    /// <summary>nf_cuda_graph_capture_begin</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_graph_capture_begin(int maxSlots);
    /// <summary>nf_cuda_graph_capture_end</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_graph_capture_end(nint* graph);
    /// <summary>nf_cuda_graph_slot_kinds (0 = random draw, 1 = optimizer step)</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_graph_slot_kinds(nint graph, int* kinds, int capacity, int* count);
    /// <summary>nf_cuda_graph_set_random</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_graph_set_random(nint graph, int slot, ulong seed, ulong offset);
    /// <summary>nf_cuda_graph_set_optimizer</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_graph_set_optimizer(nint graph, int slot, int kind, int dtype, NfOptimizerParams* p, NfOptimizerOptions* o);
    /// <summary>nf_cuda_graph_launch</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_graph_launch(nint graph);
    /// <summary>nf_cuda_graph_destroy</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_graph_destroy(nint graph);
    // ---- issue 18 (distgpu): page-locked host memory for staging collectives
    /// <summary>nf_cuda_host_alloc</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_host_alloc(long bytes, nint* output);
    /// <summary>nf_cuda_host_free</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_host_free(nint pointer);
    /// <summary>nf_cuda_copy_to_host_async</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_copy_to_host_async(nint pinnedDestination, nint deviceSource, long bytes);
    /// <summary>nf_cuda_copy_to_device_async</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_copy_to_device_async(nint deviceDestination, nint pinnedSource, long bytes);
}
