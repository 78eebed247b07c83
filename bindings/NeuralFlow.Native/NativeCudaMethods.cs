using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>
/// The C ABI of <c>native/include/neuralflow_cuda.h</c> (libneuralflow_cuda), one declaration per
/// exported function, in the header's order. Kernels take the arguments of their
/// <see cref="NativeMethods"/> counterparts with device pointers. A test checks these names
/// against the header and, where the library is built, its exported <c>nf_cuda_</c> symbols.
/// </summary>
public static unsafe partial class NativeCudaMethods
{
    /// <summary>The library name the resolver maps to libneuralflow_cuda.so / neuralflow_cuda.dll.</summary>
    public const string LibraryName = "neuralflow_cuda";

    // ---- library and devices
    /// <summary>nf_cuda_abi_version</summary>
    [LibraryImport(LibraryName)] public static partial int nf_cuda_abi_version();
    /// <summary>nf_cuda_last_error: thread-local, library-owned UTF-8 string.</summary>
    [LibraryImport(LibraryName)] public static partial nint nf_cuda_last_error();
    /// <summary>nf_cuda_build_info</summary>
    [LibraryImport(LibraryName)] public static partial nint nf_cuda_build_info();
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
    /// <summary>nf_cuda_buffer_alloc</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_buffer_alloc(long bytes, nint* output);
    /// <summary>nf_cuda_buffer_free</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_buffer_free(nint pointer);
    /// <summary>nf_cuda_memory_stats_get</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_memory_stats_get(int device, NfMemoryStats* output);
    /// <summary>nf_cuda_memory_empty_cache</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_memory_empty_cache(int device);
    /// <summary>nf_cuda_copy_to_device</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_copy_to_device(nint deviceDestination, void* hostSource, long bytes);
    /// <summary>nf_cuda_copy_to_host</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_cuda_copy_to_host(void* hostDestination, nint deviceSource, long bytes);

    // ---- kernels
    /// <summary>nf_cuda_binary</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_binary(int op, int dtype, nint a, NfLayout* aLayout, nint b, NfLayout* bLayout, nint output, NfLayout* outLayout);
    /// <summary>nf_cuda_unary</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_unary(int op, int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout);
    /// <summary>nf_cuda_reduce</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_reduce(int op, int dtype, nint x, NfLayout* xLayout, uint axesMask, nint output, int outDtype);
    /// <summary>nf_cuda_softmax</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_softmax(int log, int dtype, nint x, NfLayout* xLayout, int axis, nint output);
    /// <summary>nf_cuda_matmul</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_matmul(int dtype, nint a, NfLayout* aLayout, int transposeA, nint b, NfLayout* bLayout, int transposeB, nint output, NfLayout* outLayout);
    /// <summary>nf_cuda_cast</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_cast(int source, nint x, NfLayout* xLayout, int destination, nint output);
    /// <summary>nf_cuda_copy</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_copy(int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout);
    /// <summary>nf_cuda_gather</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_gather(int dtype, nint x, NfLayout* xLayout, int axis, int indexDtype, nint indices, long indexCount, nint output);
    /// <summary>nf_cuda_one_hot</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_one_hot(int indexDtype, nint indices, NfLayout* indicesLayout, long depth, double onValue, double offValue, int outDtype, nint output);
    /// <summary>nf_cuda_fill</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_fill(int dtype, nint output, long count, double value);
    /// <summary>nf_cuda_range</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_range(int dtype, nint output, long count, double start, double delta);
    /// <summary>nf_cuda_random_uniform</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_random_uniform(int dtype, nint output, long count, ulong seed, ulong offset, double low, double high);
    /// <summary>nf_cuda_random_normal</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_random_normal(int dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev);

    // ---- training
    /// <summary>nf_cuda_optimizer_update</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_optimizer_update(int kind, int dtype, nint param, nint grad, nint slot0, nint slot1, long count, NfOptimizerParams* p);
    /// <summary>nf_cuda_softmax_cross_entropy</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cuda_softmax_cross_entropy(int dtype, nint logits, NfLayout* logitsLayout, int labelDtype, nint labels, int sparse, nint lossOut, nint gradOut);
}
