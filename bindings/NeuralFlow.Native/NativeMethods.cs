using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>
/// The entry points of <c>native/include/neuralflow.h</c> that only the CPU engine has; the ones
/// it shares with the CUDA engine (every kernel) are the fields of <see cref="NativeKernelTable"/>,
/// exported as <see cref="Prefix"/> + field name. Enums travel as <c>int</c>, layouts by pointer.
/// A test checks both together against the header and the library's exported <c>nf_</c> symbols.
/// </summary>
public static unsafe partial class NativeMethods
{
    /// <summary>The library name the resolver maps to libneuralflow.so / neuralflow.dll / libneuralflow.dylib.</summary>
    public const string LibraryName = "neuralflow";

    /// <summary>What the CPU engine's exports of <see cref="NativeKernelTable"/> start with.</summary>
    public const string Prefix = "nf_";

    // ---- library
    /// <summary>nf_threads_set</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_threads_set(int n);
    /// <summary>nf_threads_get</summary>
    [LibraryImport(LibraryName)] public static partial int nf_threads_get();

    // ---- host memory
    /// <summary>nf_memory_stats_get</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_memory_stats_get(NfMemoryStats* output);
    /// <summary>nf_memory_empty_cache</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_memory_empty_cache();

    // ---- issue 17: the fused linear cross-entropy step (CPU engine only)
    /// <summary>nf_linear_cross_entropy: *fused is 0 when the shapes are not ones it fuses (nothing written).</summary>
    [LibraryImport(LibraryName)]
    public static partial NfStatus nf_linear_cross_entropy(int dtype, nint x, NfLayout* xLayout, nint w, NfLayout* wLayout, nint bias,
                                                           NfLayout* biasLayout, int labelDtype, nint labels, nint scale, NfLayout* scaleLayout,
                                                           nint logitsOut, nint lossOut, nint gradOut, nint dlogitsOut, nint dwOut, int* fused);
    /// <summary>nf_gather_matmul: out = x[indices] @ b (or its transpose @ b) without the gather; *fused is 0 when nf_matmul would not run it through narrow_gemm (nothing written).</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_gather_matmul(int dtype, nint x, NfLayout* xLayout, int indexDtype, nint indices, long indexCount, int transposeG, nint b, NfLayout* bLayout, nint output, NfLayout* outLayout, int* fused);
}
