using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>
/// The C ABI of <c>native/include/neuralflow.h</c>, one declaration per exported function, in
/// the header's order. Enums travel as <c>int</c> (the header's enum values), layouts by pointer.
/// A test checks these names against the library's exported <c>nf_</c> symbols.
/// </summary>
public static unsafe partial class NativeMethods
{
    /// <summary>The library name the resolver maps to libneuralflow.so / neuralflow.dll / libneuralflow.dylib.</summary>
    public const string LibraryName = "neuralflow";

    // ---- library
    /// <summary>nf_abi_version</summary>
    [LibraryImport(LibraryName)] public static partial int nf_abi_version();
    /// <summary>nf_last_error: thread-local, library-owned UTF-8 string.</summary>
    [LibraryImport(LibraryName)] public static partial nint nf_last_error();
    /// <summary>nf_build_info</summary>
    [LibraryImport(LibraryName)] public static partial nint nf_build_info();
    /// <summary>nf_threads_set</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_threads_set(int n);
    /// <summary>nf_threads_get</summary>
    [LibraryImport(LibraryName)] public static partial int nf_threads_get();

    // ---- host memory
    /// <summary>nf_buffer_alloc</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_buffer_alloc(long bytes, nint* output);
    /// <summary>nf_buffer_free</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_buffer_free(nint pointer);
    /// <summary>nf_memory_stats_get</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_memory_stats_get(NfMemoryStats* output);
    /// <summary>nf_memory_empty_cache</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_memory_empty_cache();

    // ---- kernels
    /// <summary>nf_binary</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_binary(int op, int dtype, nint a, NfLayout* aLayout, nint b, NfLayout* bLayout, nint output, NfLayout* outLayout);
    /// <summary>nf_unary</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_unary(int op, int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout);
    /// <summary>nf_reduce</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_reduce(int op, int dtype, nint x, NfLayout* xLayout, uint axesMask, nint output, int outDtype);
    /// <summary>nf_softmax</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_softmax(int log, int dtype, nint x, NfLayout* xLayout, int axis, nint output);
    /// <summary>nf_matmul</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_matmul(int dtype, nint a, NfLayout* aLayout, int transposeA, nint b, NfLayout* bLayout, int transposeB, nint output, NfLayout* outLayout);
    /// <summary>nf_cast</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_cast(int source, nint x, NfLayout* xLayout, int destination, nint output);
    /// <summary>nf_copy</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_copy(int dtype, nint x, NfLayout* xLayout, nint output, NfLayout* outLayout);
    /// <summary>nf_gather</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_gather(int dtype, nint x, NfLayout* xLayout, int axis, int indexDtype, nint indices, long indexCount, nint output);
    /// <summary>nf_one_hot</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_one_hot(int indexDtype, nint indices, NfLayout* indicesLayout, long depth, double onValue, double offValue, int outDtype, nint output);
    /// <summary>nf_fill</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_fill(int dtype, nint output, long count, double value);
    /// <summary>nf_range</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_range(int dtype, nint output, long count, double start, double delta);
    /// <summary>nf_random_uniform</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_random_uniform(int dtype, nint output, long count, ulong seed, ulong offset, double low, double high);
    /// <summary>nf_random_normal</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_random_normal(int dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev);

    // ---- training
    /// <summary>nf_optimizer_update</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_optimizer_update(int kind, int dtype, nint param, nint grad, nint slot0, nint slot1, long count, NfOptimizerParams* p);
    /// <summary>nf_softmax_cross_entropy</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_softmax_cross_entropy(int dtype, nint logits, NfLayout* logitsLayout, int labelDtype, nint labels, int sparse, nint lossOut, nint gradOut);
}
